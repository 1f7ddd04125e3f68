"""Image pages: the `docker images` table, remove, and prune with a preview."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from console import audit
from console.auth import OPERATE, VIEW
from console.http import page
from console.templatetags.console_tags import bytes_human
from containers.views import flash
from images import docker_api, models


@page(VIEW)
def image_list(request, host):
    images = docker_api.list_images(host)
    models.track(host, images)
    rows = [
        {
            "image": image,
            "repository": repository,
            "tag": tag,
            # The image's other names: removing one of several tags (docker rmi repo:tag) only untags.
            "other_tags": [t for t in image.tags if t != f"{repository}:{tag}"],
        }
        for image in images
        for repository, tag in image.rows()
    ]
    template = "images/_table.html" if request.headers.get("X-Live-Fragment") else "images/list.html"
    return render(request, template, {"host": host, "rows": rows, "count": len(images), "lines": len(rows)})


@page(OPERATE)
@require_POST
def image_remove(request, host):
    ref = request.POST.get("ref", "").strip()
    if not ref:
        messages.error(request, "Say which image to remove.")
        return redirect("image_list", host=host.name)
    result, command = docker_api.remove(host, ref, force=request.POST.get("force") == "1")
    untagged, deleted = len(result["untagged"]), len(result["deleted"])
    if deleted:
        summary = f"Removed image {ref}: {_did(untagged=untagged, deleted=1)}"
        if deleted > 1:  # the legacy builder's intermediate images, which `docker images` hides
            summary += f", and {counted(deleted - 1, 'untagged parent image')} left from its build"
        summary += "."
    else:
        summary = f"Untagged {ref}; the image itself stays (it has other tags, or a container uses it)."
    audit.record(request.user, host, "rmi", ref, command)
    flash(request, summary, command)
    return redirect("image_list", host=host.name)


@page(OPERATE)
@require_http_methods(["GET", "POST"])
def image_prune(request, host):
    prune_all = request.POST.get("all", request.GET.get("all")) == "1"
    label = (request.POST.get("label", request.GET.get("label")) or "").strip() or None
    if request.method == "POST":
        result, command = docker_api.prune(host, all=prune_all, label=label)
        audit.record(request.user, host, "image prune", "", command)
        untagged, deleted = len(result["untagged"]), len(result["deleted"])
        text = (
            f"{_did(untagged=untagged, deleted=deleted, capital=True)}; "
            f"{bytes_human(result['space_reclaimed'])} reclaimed."
            if untagged or deleted
            else "Nothing to prune: no image matched."
        )
        flash(request, text, command)
        return redirect("image_list", host=host.name)
    candidates = docker_api.prune_candidates(host, all=prune_all, label=label)
    command = "docker image prune -f" + (" -a" if prune_all else "")
    return render(
        request,
        "images/prune.html",
        {
            "host": host,
            "prune_all": prune_all,
            "candidates": candidates,
            "total_size": sum(image.size for image in candidates),
            "label": label or "",
            "command": command + (f" --filter label={label}" if label else ""),
        },
    )


def counted(count: int, noun: str) -> str:
    """1 image, 2 images, 0 tags."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _did(*, untagged: int, deleted: int, capital: bool = False) -> str:
    """What an rmi or prune did, as a sentence part: untagged 1 tag and deleted 2 images."""
    parts = []
    if untagged:
        parts.append(f"untagged {counted(untagged, 'tag')}")
    if deleted or not untagged:
        parts.append(f"deleted {counted(deleted, 'image')}")
    text = " and ".join(parts)
    return text[0].upper() + text[1:] if capital else text
