"""Pages for hosts, API tokens and the first admin."""

from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import UserCreationForm
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from console import hosts
from console.auth import VIEW
from console.engine import EngineError
from console.http import page
from console.models import LOCAL_HOST_NAME, ApiToken, Host, SetupLink
from images import docker_api as images_api


def navigation(request):
    """The host the navigation points at: the one in the URL, else `local`, else the first."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    name = (match.kwargs.get("host") if match else None) or request.session.get("host")
    all_hosts = list(Host.objects.all())
    current = next((h for h in all_hosts if h.name == name or str(h.pk) == name), None)
    current = current or next((h for h in all_hosts if h.name == LOCAL_HOST_NAME), None)
    current = current or (all_hosts[0] if all_hosts else None)
    if current and match and match.kwargs.get("host"):
        request.session["host"] = current.name
    return {"nav_hosts": all_hosts, "nav_host": current}


@page(VIEW)
def home(request):
    host = navigation(request).get("nav_host")
    if host is None:
        return redirect("host_list")
    return redirect("container_list", host=host.name)


@page(VIEW)
def host_list(request):
    statuses = hosts.statuses(Host.objects.all())
    return render(request, "console/host_list.html", {"statuses": statuses})


@page(VIEW)
def host_detail(request, host):
    status = hosts.status(host)
    info = asdict(hosts.info(host)) if status.status == "up" else None
    image_count = None
    if info is not None:
        try:  # `docker images` counts tagged and dangling images; `docker info` adds intermediate layers
            image_count = len(images_api.list_images(host))
        except EngineError:
            image_count = None
    return render(
        request,
        "console/host_detail.html",
        {"host": host, "status": status, "info": info, "image_count": image_count},
    )


@page(VIEW)
@require_http_methods(["GET", "POST"])
def token_list(request):
    new_secret = None
    if request.method == "POST":
        if request.POST.get("delete"):
            token_id = request.POST["delete"]
            if token_id.isascii() and token_id.isdigit():
                ApiToken.objects.filter(user=request.user, pk=int(token_id)).delete()
            messages.success(request, "The token is deleted; scripts using it are refused now.")
            return redirect("token_list")
        name = request.POST.get("name", "").strip()[:100] or "token"
        _, new_secret = ApiToken.issue(request.user, name)
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "console/tokens.html", {"tokens": tokens, "new_secret": new_secret})


@require_http_methods(["GET", "POST"])
def first_admin(request, secret):
    """The one-time link `bin/serve` prints while no user exists: make the first admin."""
    users = get_user_model().objects
    if users.exists() or not SetupLink.is_valid(secret):
        return render(request, "console/setup_used.html", status=404)
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if users.exists():
                return redirect("login")
            user = form.save(commit=False)
            user.is_staff = user.is_superuser = True
            user.save()
            SetupLink.objects.all().delete()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}. You are this console's first admin.")
        return redirect("home")
    return render(request, "console/first_admin.html", {"form": form})
