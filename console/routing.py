"""Every WebSocket route; each consumer checks `console.auth.allowed` in connect()."""

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import path, re_path

from console.consumers import CLOSE_NOT_FOUND
from console.events import EventsConsumer
from containers.consumers import HostStatsConsumer, LogsConsumer, StatsConsumer
from containers.terminal_consumers import AttachConsumer, ExecConsumer
from images.consumers import PullConsumer


class NoSuchSocket(AsyncWebsocketConsumer):
    """Any other path: accepted, to say 4404 rather than fail the handshake with a 500."""

    async def connect(self):
        await self.accept()
        await self.close(code=CLOSE_NOT_FOUND)


CONTAINER = "ws/hosts/<str:host>/containers/<str:ref>"

websocket_urlpatterns: list = [
    path(f"{CONTAINER}/exec", ExecConsumer.as_asgi()),
    path(f"{CONTAINER}/attach", AttachConsumer.as_asgi()),
    path(f"{CONTAINER}/logs", LogsConsumer.as_asgi()),
    path(f"{CONTAINER}/stats", StatsConsumer.as_asgi()),
    path("ws/hosts/<str:host>/stats", HostStatsConsumer.as_asgi()),
    path("ws/hosts/<str:host>/events", EventsConsumer.as_asgi()),
    path("ws/hosts/<str:host>/images/pull", PullConsumer.as_asgi()),
    re_path(r"", NoSuchSocket.as_asgi()),
]
