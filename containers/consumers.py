"""WebSockets for one container's logs and stats, and a host's stats table (CONTRACT.md)."""

import asyncio
import json
import logging

from console import events, streams
from console.consumers import HostConsumer
from console.engine import EngineError, EngineUnreachable, NotFound
from containers import docker_api, live_stats
from containers.logs import LogDecoder, LogOptions

logger = logging.getLogger(__name__)
ACK_WINDOW = 4  # with ?ack=1, frames in flight before the server waits for {"type": "ack"}


class ContainerConsumer(HostConsumer):
    """A consumer about one container: its tasks, and one way to end."""

    tasks: list = []
    finished = False

    async def inspect(self, ref: str) -> dict | None:
        try:
            return await asyncio.to_thread(docker_api.inspect, self.host, ref)
        except EngineError as exc:
            await self.finish(error=exc)
            return None

    async def finish(self, reason: str = "", error: EngineError | None = None, **extra):
        if self.finished:
            return
        self.finished = True
        await (self.fail(error.message, error.code) if error else self.end(reason, **extra))

    async def finish_from_state(self, container_id: str, what: str, running_reason: str = "done"):
        """End saying what became of the container: exited (with its code), removed, still
        running, or the engine went away (the stream of `what` ended because it did)."""
        try:
            state = (await asyncio.to_thread(docker_api.inspect, self.host, container_id))["State"]
        except NotFound:
            return await self.finish("removed")
        except EngineUnreachable:
            return await self.finish(error=streams.engine_gone(self.host, what))
        except EngineError as exc:
            return await self.finish(error=exc)
        if state.get("Running"):
            return await self.finish(running_reason)
        if state.get("Status") == "removing":
            # `docker rm -f` marks the removal before it kills: the stream ends on the kill,
            # while the container is still there, on its way out.
            return await self.finish("removed")
        await self.finish("exited", exit_code=state.get("ExitCode"))

    async def stop(self):
        for task in self.tasks:
            task.cancel()


class LogsConsumer(ContainerConsumer):
    """/ws/hosts/{host}/containers/{ref}/logs?tail=N&since=T&timestamps=1&follow=1[&ack=1]"""

    async def start(self):
        try:
            self.options = LogOptions.from_query(self.query())
        except EngineError as exc:
            return await self.finish(error=exc)
        self.window = asyncio.Semaphore(ACK_WINDOW) if self.query().get("ack") == "1" else None
        if document := await self.inspect(self.scope["url_route"]["kwargs"]["ref"]):
            self.tasks = [asyncio.create_task(self.pump(document))]

    async def receive(self, text_data=None, bytes_data=None):
        if self.window and text_data and json.loads(text_data).get("type") == "ack":
            self.window.release()

    async def pump(self, document):
        decoder = LogDecoder(tty=document["Config"].get("Tty", False), timestamps=self.options.timestamps)
        path = f"/containers/{document['Id']}/logs"
        try:
            stream = await streams.open_stream(self.host, path, self.options.params())
        except EngineError as exc:
            return await self.finish(error=exc)
        try:
            while chunk := await stream.read_batch():
                await self.send_lines(decoder.feed_json(chunk))
            await self.send_lines(decoder.flush_json())
        except Exception as exc:  # a bug must not leave the viewer waiting forever
            logger.exception("The logs stream of %s failed", document["Id"])
            await self.acked()
            return await self.finish(
                error=EngineError(
                    f"The console failed while streaming these logs ({exc}). Reconnect to try again."
                )
            )
        finally:
            stream.close()
        await self.acked()
        await self.finish_from_state(document["Id"], "logs")

    async def acked(self):
        """With ?ack=1, wait until the viewer has acknowledged every `logs` frame before
        the end frame and the close go. daphne (autobahn) gives a peer one second to answer
        its close, then aborts the TCP connection, dropping whatever the peer had not read
        yet: a browser still busy with megabytes of frames in flight missed the last lines
        and the end, and saw a close with code 1006."""
        if self.window:
            for _ in range(ACK_WINDOW):
                await self.window.acquire()

    async def send_lines(self, bodies: list[str]):
        """A `logs` frame for each JSON body of lines, as LogDecoder.feed_json makes them."""
        for lines in bodies:
            if self.window:
                await self.window.acquire()
            await self.send(text_data='{"type": "logs", "lines": [' + lines + "]}")


class StatsConsumer(ContainerConsumer):
    """/ws/hosts/{host}/containers/{ref}/stats: one frame a sample, and the state as it changes."""

    async def start(self):
        document = await self.inspect(self.scope["url_route"]["kwargs"]["ref"])
        if document is None:
            return
        state = document["State"]
        if not state.get("Running"):
            return await self.finish("stopped", state=state.get("Status"), exit_code=state.get("ExitCode"))
        self.container_id = document["Id"]
        self.state = "paused" if state.get("Paused") else "running"
        self.tasks = [asyncio.create_task(self.samples()), asyncio.create_task(self.watch())]

    async def samples(self):
        async with live_stats.subscribe_container(self.host, self.container_id) as queue:
            while (frame := await queue.get())["type"] == "stats":
                await self.send_json({**frame, "state": self.state})
        if frame["type"] == "error":
            return await self.finish(error=streams.error_from(frame))
        await self.finish_from_state(self.container_id, "stats", running_reason="ended")

    async def watch(self):
        async with events.subscribe(self.host) as queue:
            while (frame := await queue.get())["type"] == "event":
                if frame["kind"] != "container" or frame["id"] != self.container_id:
                    continue
                if frame["action"] in ("pause", "unpause"):
                    self.state = "paused" if frame["action"] == "pause" else "running"
                    await self.send_json({"type": "state", "state": self.state})
                elif frame["action"] == "die":  # exited, or killed by `docker rm -f`: ask
                    return await self.finish_from_state(
                        self.container_id, "stats", running_reason="restarted"
                    )
                elif frame["action"] == "destroy":
                    return await self.finish("removed")
        await self.finish(error=streams.error_from(frame, self.host, "stats"))


class HostStatsConsumer(ContainerConsumer):
    """/ws/hosts/{host}/stats: every running container, like `docker stats`, once a second."""

    async def start(self):
        self.tasks = [asyncio.create_task(self.forward())]

    async def forward(self):
        async with live_stats.subscribe_host(self.host) as queue:
            while (frame := await queue.get())["type"] == "stats":
                await self.send_json(frame)
        await self.finish(error=streams.error_from(frame))
