"""Error responses: JSON under /api/, a page everywhere else; never a traceback."""

from django.shortcuts import render
from django.urls import Resolver404, resolve

from console.http import json_error


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def csrf_failure(request, reason=""):
    message = "The form expired or came from another site (CSRF check failed). Reload the page and try again."
    if _is_api(request) and not request.user.is_authenticated:
        return json_error("Log in or send `Authorization: Bearer <token>`.", "unauthenticated", 401)
    if _is_api(request):
        return json_error(
            "The CSRF check failed: send the X-CSRFToken header with a session, "
            "or use `Authorization: Bearer <token>`.",
            "forbidden",
            403,
        )
    return render(request, "console/error.html", {"message": message, "status": 403}, status=403)


def api_not_found(request, *args, **kwargs):
    message = f"There is no API at {request.path}."
    if not request.path.endswith("/") and _resolves(request.path + "/"):
        message += f" Did you mean {request.path}/ (with the slash)?"
    return json_error(f"{message} docs/api.md lists them.", "not_found", 404)


def _resolves(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.func is not api_not_found


def not_found(request, exception=None):
    if _is_api(request):
        return api_not_found(request)
    return render(
        request, "console/error.html", {"message": "There is no page here.", "status": 404}, status=404
    )


def server_error(request):
    message = "Something went wrong in the console. The error is in the server's log."
    if _is_api(request):
        return json_error(message, "server_error", 500)
    return render(request, "console/error.html", {"message": message, "status": 500}, status=500)
