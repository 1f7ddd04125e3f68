"""Every WebSocket route; each consumer checks `console.auth.allowed` in connect()."""

from django.urls import path

from console.events import EventsConsumer
from containers.consumers import HostStatsConsumer, LogsConsumer, StatsConsumer
from containers.terminal_consumers import AttachConsumer, ExecConsumer
from images.consumers import PullConsumer

CONTAINER = "ws/hosts/<str:host>/containers/<str:ref>"

websocket_urlpatterns: list = [
    path(f"{CONTAINER}/exec", ExecConsumer.as_asgi()),
    path(f"{CONTAINER}/attach", AttachConsumer.as_asgi()),
    path(f"{CONTAINER}/logs", LogsConsumer.as_asgi()),
    path(f"{CONTAINER}/stats", StatsConsumer.as_asgi()),
    path("ws/hosts/<str:host>/stats", HostStatsConsumer.as_asgi()),
    path("ws/hosts/<str:host>/events", EventsConsumer.as_asgi()),
    path("ws/hosts/<str:host>/images/pull", PullConsumer.as_asgi()),
]
