"""Shared stats streams: one engine stream per container, and one table per host built on them.

However many viewers watch a container or a host, each running container has at most
one engine stats stream open, closed when its last viewer (a chart or a host table) leaves.
"""

import asyncio
import functools

from console import events, streams
from console.engine import EngineError
from containers import docker_api
from containers.stats import FIELDS, summarize

TABLE_INTERVAL = 1.0


def container_key(host, container_id: str) -> tuple:
    return (host.endpoint, "stats", container_id)


def subscribe_container(host, container_id: str):
    """`async with` it: each `{"type": "stats", …}` sample of one container, then an end."""
    produce = functools.partial(_produce_container, host, container_id)
    return streams.subscribe(container_key(host, container_id), produce, maxsize=8, replay=True)


async def _produce_container(host, container_id: str, publish):
    stream = await streams.open_stream(host, f"/containers/{container_id}/stats", {"stream": 1})
    await streams.pipe(stream, lambda document: publish({"type": "stats", **summarize(document)}))


def subscribe_host(host):
    """`async with` it: every second, `{"type": "stats", "containers": [...]}` for the host."""
    produce = functools.partial(HostTable(host).run)
    return streams.subscribe((host.endpoint, "stats-table"), produce, maxsize=4, replay=True)


class HostTable:
    """Every running container's latest sample, kept current from the host's events."""

    def __init__(self, host):
        self.host = host
        self.rows: dict[str, dict] = {}
        self.watchers: dict[str, asyncio.Task] = {}

    async def run(self, publish):
        try:
            async with events.subscribe(self.host) as queue:
                for summary in await asyncio.to_thread(docker_api.list_containers, self.host):
                    self.add(summary.id, summary.name, summary.state)
                follow = asyncio.create_task(self.follow(queue))
                try:
                    while not follow.done():
                        publish({"type": "stats", "containers": self.table()})
                        await asyncio.wait([follow], timeout=TABLE_INTERVAL)
                    follow.result()
                finally:
                    follow.cancel()
        finally:
            for task in self.watchers.values():
                task.cancel()

    def table(self) -> list[dict]:
        return sorted(self.rows.values(), key=lambda row: row["name"])

    def add(self, container_id: str, name: str, state: str) -> None:
        if container_id in self.watchers:
            return
        self.rows[container_id] = {"id": container_id, "name": name, "state": state, **dict.fromkeys(FIELDS)}
        self.watchers[container_id] = asyncio.create_task(self.watch(container_id))

    def drop(self, container_id: str) -> None:
        self.rows.pop(container_id, None)
        task = self.watchers.pop(container_id, None)
        if task:
            task.cancel()

    async def watch(self, container_id: str):
        try:
            async with subscribe_container(self.host, container_id) as samples:
                while (sample := await samples.get())["type"] == "stats":
                    if container_id in self.rows:
                        self.rows[container_id].update({k: sample[k] for k in FIELDS})
        except EngineError:
            pass
        finally:
            if self.watchers.get(container_id) is asyncio.current_task():
                del self.watchers[container_id]
                self.rows.pop(container_id, None)

    async def follow(self, queue):
        while True:
            frame = await queue.get()
            if frame["type"] != "event":
                raise streams.error_from(frame, self.host, "stats")
            if frame["kind"] != "container":
                continue
            cid, action = frame["id"], frame["action"]
            if action in ("start", "restart", "unpause") and cid not in self.watchers:
                self.add(cid, frame.get("name", cid[:12]), "running")
            elif action in ("pause", "unpause") and cid in self.rows:
                self.rows[cid]["state"] = "paused" if action == "pause" else "running"
            elif action in ("die", "destroy"):
                self.drop(cid)
