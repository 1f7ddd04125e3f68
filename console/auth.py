"""Who may do what: the one permission check, and the ways a caller proves who they are.

Every page, API view and WebSocket consumer asks `allowed(user, action, host)`. Today
it only asks "logged in?"; roles per host will change this function and nothing else.
"""

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.http import JsonResponse

from console.models import ApiToken

VIEW, OPERATE = "view", "operate"


def allowed(user, action: str, host=None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def bearer_secret(authorization: str) -> str | None:
    scheme, _, secret = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


class BearerTokenMiddleware:
    """`Authorization: Bearer <token>` logs a script in for one request, without CSRF.

    A header that is present but wrong is refused outright rather than falling back to
    the session, so a script never acts as whoever happens to own the cookie jar.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization")
        if header:
            secret = bearer_secret(header)
            user = ApiToken.user_for(secret) if secret else None
            if user is None:
                return JsonResponse(
                    {
                        "error": "The API token is not valid. Make a new one on your "
                        "Tokens page or with `python manage.py create_token <username>`.",
                        "code": "unauthenticated",
                    },
                    status=401,
                )
            request.user = user
            request._dont_enforce_csrf_checks = True
        return self.get_response(request)


class WebSocketTokenMiddleware:
    """For WebSockets: the same bearer token in the handshake's Authorization header."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        header = headers.get(b"authorization", b"").decode("latin-1")
        if header:
            secret = bearer_secret(header)
            scope = dict(scope)
            scope["user"] = await _user_for_token(secret or "")
        return await self.inner(scope, receive, send)


@database_sync_to_async
def _user_for_token(secret):
    from django.contrib.auth.models import AnonymousUser

    return ApiToken.user_for(secret) or AnonymousUser()


def WebSocketAuthStack(inner):  # noqa: N802 (named like Channels' AuthMiddlewareStack)
    return AuthMiddlewareStack(WebSocketTokenMiddleware(inner))
