"""Who may do what: the one permission check, and the ways a caller proves who they are.

Every page, API view and WebSocket consumer asks `allowed(user, action, host)`. Today
it only asks "logged in?"; roles per host will change this function and nothing else.
"""

from urllib.parse import urlsplit

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http import JsonResponse
from django.http.request import split_domain_port, validate_host

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
        # Tokens are for the API only: a leaked script token must not open the admin or
        # mint more tokens on the pages.
        if header and request.path.startswith("/api/"):
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


def _netloc(scheme: str, netloc: str) -> str:
    """host:port with the scheme's default port made explicit, lower-cased."""
    domain, port = split_domain_port(netloc.lower())
    default = "443" if scheme in ("https", "wss") else "80"
    return f"{domain}:{port or default}" if domain else ""


class SameOriginCheck:
    """WebSockets that ride on the session cookie must come from the console's own pages.

    Channels' AllowedHostsOriginValidator compares host names only, so a page on another
    port of the same machine (cookies ignore ports) could open a shell with the user's
    session. Here the Origin must be the same host *and port* the request was sent to (and
    that host allowed), or be listed in CSRF_TRUSTED_ORIGINS. A request with an
    `Authorization` header is a script's, which browsers cannot send: no Origin needed,
    its token is checked after the handshake.
    """

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        if b"authorization" in headers or self.same_origin(headers):
            return await self.inner(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)

    @staticmethod
    def same_origin(headers: dict) -> bool:
        origin = headers.get(b"origin", b"").decode("latin-1")
        host = headers.get(b"host", b"").decode("latin-1")
        if not origin or not host:
            return False
        if origin in settings.CSRF_TRUSTED_ORIGINS:
            return True
        parts = urlsplit(origin)
        domain, _ = split_domain_port(host.lower())
        # Behind a TLS proxy the Host carries no port: both sides take the Origin's default.
        return (
            parts.scheme in ("http", "https")
            and validate_host(domain, settings.ALLOWED_HOSTS)
            and _netloc(parts.scheme, parts.netloc) == _netloc(parts.scheme, host)
        )


def WebSocketAuthStack(inner):  # noqa: N802 (named like Channels' AuthMiddlewareStack)
    return AuthMiddlewareStack(WebSocketTokenMiddleware(inner))
