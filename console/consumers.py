"""The base every WebSocket consumer builds on: who, which host, and how a stream ends.

Close codes: 4401 no login, 4403 not allowed, 4404 no such host. A stream that ends
sends `{"type": "end", "reason": …}` or `{"type": "error", "error": …}` first.
"""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from console.auth import VIEW, allowed
from console.engine import BadRequest, checked_ref
from console.models import Host

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


@database_sync_to_async
def _host(ref: str):
    try:
        return Host.by_ref(ref)
    except Host.DoesNotExist:
        return None


class HostConsumer(AsyncWebsocketConsumer):
    """Accepts only a logged-in, allowed user, for a host that exists; sets `self.host`.

    Subclasses put their work in `start()` and release it in `stop()`.
    """

    action = VIEW
    host = None

    async def connect(self):
        # Accept before refusing: a close before the handshake reaches a browser as a
        # bare 403 with no code, and a client should be told why (4401, 4403, 4404).
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        host = await _host(self.scope["url_route"]["kwargs"]["host"])
        if host is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        if not allowed(user, self.action, host):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        try:
            checked_ref(self.scope["url_route"]["kwargs"].get("ref", "local"))
        except BadRequest as exc:
            await self.fail(exc.message, exc.code)
            return
        self.host = host
        await self.start()

    async def disconnect(self, code):
        if self.host is not None:
            await self.stop()

    async def start(self):
        raise NotImplementedError

    async def stop(self):
        """Cancel every task and close every engine socket this consumer opened."""

    async def send_json(self, data: dict):
        await self.send(text_data=json.dumps(data))

    async def end(self, reason: str, **extra):
        await self.send_json({"type": "end", "reason": reason, **extra})
        await self.close()

    async def fail(self, error: str, code: str = "engine_error"):
        await self.send_json({"type": "error", "error": error, "code": code})
        await self.close()

    def query(self) -> dict[str, str]:
        from urllib.parse import parse_qsl

        return dict(parse_qsl(self.scope.get("query_string", b"").decode()))
