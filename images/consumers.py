"""/ws/hosts/{host}/images/pull?ref=R: `docker pull` with live per-layer progress frames.

With `&auth=1` the pull waits for a first text frame `{"type": "auth", "username", "password"}`
(credentials never go in a URL, where logs would keep them).
"""

import asyncio
import json
import threading

from channels.db import database_sync_to_async

from console import audit
from console.auth import OPERATE
from console.consumers import HostConsumer
from console.engine import EngineError
from images import pull

_DONE = object()


class PullConsumer(HostConsumer):
    """Pulls on a worker thread; frames cross to the event loop through a queue."""

    action = OPERATE
    task = None
    waiting_for_auth = False

    async def start(self):
        try:
            self.ref = pull.check_reference(self.query().get("ref"))
        except EngineError as exc:
            await self.fail(exc.message, exc.code)
            return
        self.auth = None
        if self.query().get("auth") in ("1", "true"):
            self.waiting_for_auth = True  # receive() starts the pull
            return
        self._begin()

    async def receive(self, text_data=None, bytes_data=None):
        if not self.waiting_for_auth:
            return
        self.waiting_for_auth = False
        try:
            data = json.loads(text_data or "")
            if not isinstance(data, dict) or data.get("type") != "auth":
                raise ValueError
            self.auth = pull.check_auth({"username": data.get("username"), "password": data.get("password")})
        except (ValueError, EngineError):
            await self.fail(
                'With `auth=1`, send {"type": "auth", "username": "...", "password": "..."} first.',
                "bad_request",
            )
            return
        self._begin()

    def _begin(self):
        self.cancelled = threading.Event()
        self.frames: asyncio.Queue = asyncio.Queue()
        loop = asyncio.get_running_loop()
        threading.Thread(target=self._pull, args=(loop,), daemon=True, name="pull").start()
        self.task = asyncio.create_task(self._forward())

    def _pull(self, loop):
        try:
            for frame in pull.pull_stream(self.host, self.ref, self.auth):
                if self.cancelled.is_set():
                    return
                loop.call_soon_threadsafe(self.frames.put_nowait, frame)
            result = pull.pulled(self.host, self.ref)
            loop.call_soon_threadsafe(self.frames.put_nowait, (_DONE, result))
        except EngineError as exc:
            loop.call_soon_threadsafe(self.frames.put_nowait, exc)
        except Exception as exc:  # noqa: BLE001 - any other failure still ends the stream with a sentence
            loop.call_soon_threadsafe(
                self.frames.put_nowait, EngineError(f"Pulling {self.ref} failed: {exc}")
            )

    async def _forward(self):
        while True:
            frame = await self.frames.get()
            if isinstance(frame, EngineError):
                await self.fail(frame.message, frame.code)
                return
            if isinstance(frame, tuple):
                result = frame[1]
                await database_sync_to_async(audit.record)(
                    self.scope["user"], self.host, "pull", self.ref, pull.command_for(self.ref)
                )
                await self.end(
                    "done", id=result["id"], tags=result["tags"], command=pull.command_for(self.ref)
                )
                return
            await self.send_json(frame)

    async def stop(self):
        if getattr(self, "cancelled", None):
            self.cancelled.set()
        if self.task:
            self.task.cancel()
