"""The decorators every page and API view goes through: who, which host, and errors as sentences."""

import functools
import json

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from console.auth import VIEW, allowed
from console.engine import BadRequest, EngineError, checked_ref
from console.models import Host

JSON_BODY_LIMIT = 1024 * 1024


def json_error(message: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message, "code": code}, status=status)


def _navigated(request) -> bool:
    """A browser opening the URL itself (a download link, the save form), not a script."""
    return request.headers.get("Sec-Fetch-Mode") == "navigate"


def _engine_error(request, exc: EngineError, host):
    """The sentence as JSON, or as the error page for a browser that navigated here."""
    if _navigated(request):
        return render_error(request, exc.message, exc.status, host=host)
    return json_error(exc.message, exc.code, exc.status)


def _host_or_none(ref: str):
    try:
        return Host.by_ref(ref)
    except Host.DoesNotExist:
        return None


def _api_refusal(request, actions: dict, host_ref):
    """Who may call, with which method, on which host: `(error response, None)` or `(None, host)`."""
    if not request.user.is_authenticated:
        return json_error("Log in or send `Authorization: Bearer <token>`.", "unauthenticated", 401), None
    if request.method not in actions:
        allowed_methods = " or ".join(actions)
        return json_error(
            f"{request.method} is not allowed here; use {allowed_methods}.", "method_not_allowed", 405
        ), None
    host = None
    if host_ref is not None:
        host = _host_or_none(host_ref)
        if host is None:
            return json_error(f"There is no host {host_ref!r}.", "not_found", 404), None
    if not allowed(request.user, actions[request.method], host):
        return json_error("You may not do this on this host.", "forbidden", 403), None
    return None, host


def api(**actions: str):
    """An API view: JSON errors, 401/403, the host resolved from `host` in the URL.

    `actions` maps each allowed method to what it asks permission for: @api(GET=VIEW).
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, host=None, **kwargs):
            refusal, resolved = _api_refusal(request, actions, host)
            if refusal:
                return refusal
            if resolved is not None:
                kwargs["host"] = resolved
            try:
                if "ref" in kwargs:
                    checked_ref(kwargs["ref"])
                return view(request, *args, **kwargs)
            except EngineError as exc:
                return _engine_error(request, exc, resolved)

        return wrapper

    return decorate


def json_body(request) -> dict:
    """The request's JSON object, or BadRequest saying what is wrong with it."""
    raw = request.read(JSON_BODY_LIMIT + 1)
    if len(raw) > JSON_BODY_LIMIT:
        raise BadRequest(f"The JSON body is larger than {JSON_BODY_LIMIT // 1024} KiB.")
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}.") from None
    except RecursionError:
        raise BadRequest("The JSON body is nested too deeply.") from None
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    return body


def page(action: str = VIEW):
    """A page: login, the host from `host` in the URL, engine errors as messages or an error page.

    A failed POST goes back where it came from with the sentence as a message; a failed
    GET renders the error page with the sentence and the matching status.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, host=None, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if host is not None:
                resolved = _host_or_none(host)
                if resolved is None:
                    return render_error(request, f"There is no host named {host!r}.", 404)
                host = resolved
                kwargs["host"] = host
            if not allowed(request.user, action, host):
                return render_error(request, "You may not do this on this host.", 403)
            try:
                if "ref" in kwargs:
                    checked_ref(kwargs["ref"])
                return view(request, *args, **kwargs)
            except EngineError as exc:
                if request.method == "POST":
                    messages.error(request, exc.message)
                    return redirect(back_url(request))
                return render_error(request, exc.message, exc.status, host=host)

        return wrapper

    return decorate


def back_url(request, fallback: str = "/") -> str:
    for candidate in (request.POST.get("next"), request.headers.get("Referer")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return fallback


def render_error(request, message: str, status: int, host=None):
    return render(
        request,
        "console/error.html",
        {"message": message, "status": status, "host": host, "back": back_url(request, "")},
        status=status,
    )


def async_api(**actions: str):
    """@api for async views (streamed uploads): the same checks, with the database off the loop."""
    from asgiref.sync import sync_to_async

    def decorate(view):
        @functools.wraps(view)
        async def wrapper(request, *args, host=None, **kwargs):
            refusal, resolved = await sync_to_async(_api_refusal)(request, actions, host)
            if refusal:
                return refusal
            if resolved is not None:
                kwargs["host"] = resolved
            try:
                if "ref" in kwargs:
                    checked_ref(kwargs["ref"])
                return await view(request, *args, **kwargs)
            except EngineError as exc:
                return await sync_to_async(_engine_error)(request, exc, resolved)

        return wrapper

    return decorate
