"""A host's event stream (`docker events`): one engine stream per host, shared by every viewer.

While it is open the models follow it: a container's row takes the state its events
say, a destroyed one is marked gone, and an image event re-reads the image list.
"""

import asyncio
import functools

from channels.db import database_sync_to_async

from console import streams
from console.consumers import HostConsumer
from console.engine import EngineError

CONTAINER_STATES = {
    "create": "created",
    "start": "running",
    "restart": "running",
    "unpause": "running",
    "pause": "paused",
    "die": "exited",
    "stop": "exited",
    "kill": None,
}


def event_frame(raw: dict) -> dict:
    """The WebSocket frame for one engine event."""
    actor = raw.get("Actor") or {}
    attributes = actor.get("Attributes") or {}
    frame = {
        "type": "event",
        "kind": raw.get("Type", ""),
        "action": raw.get("Action") or raw.get("status", ""),
        "id": actor.get("ID") or raw.get("id", ""),
        "time": raw.get("time", 0),
    }
    if "name" in attributes:
        frame["name"] = attributes["name"]
    if frame["action"] == "die" and attributes.get("exitCode", "").lstrip("-").isdigit():
        frame["exit_code"] = int(attributes["exitCode"])
    return frame


def key(host) -> tuple:
    return (host.endpoint, "events")


def subscribe(host):
    """`async with events.subscribe(host) as queue:` each event frame of the host."""
    return streams.subscribe(key(host), functools.partial(produce, host), maxsize=1024)


async def produce(host, publish):
    stream = await streams.open_stream(host, "/events")
    followers = ModelFollower(host)
    try:
        async for raw in streams.json_lines(stream):
            frame = event_frame(raw)
            publish(frame)
            await followers.follow(frame)
    finally:
        stream.close()
        followers.cancel()
    raise streams.engine_gone(host, "events")


class ModelFollower:
    """Keeps Container and Image rows in step with the events."""

    def __init__(self, host):
        self.host = host
        self._images: asyncio.Task | None = None

    async def follow(self, frame: dict) -> None:
        if frame["kind"] == "container":
            await _container_event(self.host, frame)
        elif frame["kind"] == "image" and (self._images is None or self._images.done()):
            self._images = asyncio.create_task(self._reread_images())

    async def _reread_images(self):
        from images import docker_api, models

        await asyncio.sleep(0.2)  # a pull or a load makes several events; read once
        try:
            images = await asyncio.to_thread(docker_api.list_images, self.host)
        except EngineError:
            return
        await database_sync_to_async(models.track)(self.host, images)

    def cancel(self):
        if self._images:
            self._images.cancel()


@database_sync_to_async
def _container_event(host, frame: dict) -> None:
    from django.utils import timezone

    from containers.models import Container, mark_removed

    action = frame["action"]
    if action == "destroy":
        mark_removed(host, frame["id"])
        return
    if action == "create":
        Container.objects.get_or_create(
            host=host, container_id=frame["id"], defaults={"name": frame.get("name", frame["id"][:12])}
        )
    state = CONTAINER_STATES.get(action)
    if state:
        status = f"Exited ({frame['exit_code']})" if "exit_code" in frame else ""
        changes = {"state": state, "last_seen": timezone.now(), "gone_since": None}
        if status or state != "exited":
            changes["status"] = status
        Container.objects.filter(host=host, container_id=frame["id"]).update(**changes)


class EventsConsumer(HostConsumer):
    """/ws/hosts/{host}/events: every event of the host, as it happens."""

    task = None

    async def start(self):
        self.task = asyncio.create_task(self.forward())

    async def forward(self):
        async with subscribe(self.host) as queue:
            while True:
                frame = await queue.get()
                await self.send_json(frame)
                if frame["type"] != "event":
                    await self.close()
                    return

    async def stop(self):
        if self.task:
            self.task.cancel()
