"""The terminal WebSockets: `docker exec -it` and `docker attach` in a browser.

Binary frames both ways are the terminal's raw bytes; text frames carry JSON: the client
sends `{"type": "resize", "cols", "rows"}`; the server sends `{"type": "ready", …}` once the
engine has the terminal, and ends with `exit`, `detached`, `end` or `error` (see CONTRACT.md).
"""

import asyncio
import json
import shlex

from channels.db import database_sync_to_async

from console import audit
from console.auth import OPERATE
from console.consumers import HostConsumer
from console.engine import EngineError
from containers import terminal
from containers.terminal_io import Demux, Pipe

DETACH_SEQUENCE = b"\x10\x11"  # Ctrl-P Ctrl-Q
RESIZE = object()  # the marker a resize leaves in the queue of things to write


def _cli(session) -> str:
    if session.kind == "attach":
        return f"docker attach {session.name}"
    return f"docker exec -it {session.name} {shlex.join(session.command)}"


class TerminalConsumer(HostConsumer):
    action = OPERATE
    session = None

    def open(self) -> terminal.Session:
        raise NotImplementedError

    async def start(self):
        try:
            self.session = await asyncio.to_thread(self.open)
        except EngineError as exc:
            frame = {"type": "error", "error": exc.message, "code": exc.code}
            if getattr(exc, "action", None):  # unpause or start: what the page offers
                frame["action"] = exc.action
            await self.send_json(frame)
            await self.close()
            return
        s = self.session
        await database_sync_to_async(audit.record)(self.scope["user"], self.host, s.kind, s.name, _cli(s))
        self.pipe, self.inbox, self.size, self.sized = Pipe(s), asyncio.Queue(), None, None
        self.recent, self.last = b"", None
        await self.send_json(
            {"type": "ready", "kind": s.kind, "name": s.name, "tty": s.tty, "stdin": s.stdin_open,
             "command": s.command, **({"detach_keys": terminal.DETACH_KEYS} if s.kind == "attach" else {})}
        )  # fmt: skip
        self.tasks = [asyncio.create_task(self.pump()), asyncio.create_task(self.write())]

    async def dispatch(self, message):
        # Channels runs close_old_connections() in its one shared sync thread before every
        # message: a thread hop per keystroke, queued behind whatever sync work the server
        # has. A keystroke touches no database, so it goes straight to receive().
        if message["type"] == "websocket.receive":
            await self.websocket_receive(message)
            return
        await super().dispatch(message)

    async def receive(self, text_data=None, bytes_data=None):
        if self.session is None:
            return
        if bytes_data:
            self.recent = (self.recent + bytes_data)[-2:]
            self.inbox.put_nowait(bytes_data)  # never await here: a close must get through
        elif text_data:
            await self.control(text_data)

    async def control(self, text: str):
        try:
            message = json.loads(text)
            if message.get("type") == "resize":
                self.size = (max(1, min(int(message["cols"]), 1000)), max(1, min(int(message["rows"]), 1000)))
                self.inbox.put_nowait(RESIZE)  # in line with the keys, so keys typed after see the size
        except (ValueError, TypeError, KeyError, AttributeError):
            return  # a malformed control frame is ignored, never a closed terminal

    async def write(self):
        """Keys to the engine and sizes to the engine, in the order the client sent them."""
        while True:
            item = await self.inbox.get()
            if item is RESIZE:
                if self.size != self.sized:  # a burst of resizes while dragging: only the last one
                    self.sized = self.size
                    await asyncio.to_thread(terminal.resize, self.session, *self.sized)
            elif not await self.pipe.send(item):
                return

    async def pump(self):
        demux = None if self.session.tty else Demux()
        held = b""  # the exec's first bytes, when they look like the engine's "cannot start"
        first = True
        while data := await self.pipe.recv():
            data = demux.feed(data) if demux else data
            if not data:
                continue
            if first and data.startswith(terminal.START_FAILURES):
                held = data
                continue
            first = False
            if held:
                data, held = held + data, b""
            await self.send(bytes_data=data)
        detach = self.recent == DETACH_SEQUENCE
        self.last = await asyncio.to_thread(terminal.outcome, self.session, detach)
        failure = terminal.start_failure(self.session, held) if held else None
        if failure and self.last.get("type") == "exit" and self.last["exit_code"] in (126, 127):
            self.last = failure
        elif held:
            await self.send(bytes_data=held)
        await self.send_json(self.last)
        await self.close()

    async def stop(self):
        if self.session is None:
            return
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.pipe.close()
        self.session.close()
        if self.session.kind == "exec" and (self.last or {}).get("type") != "exit":
            terminal.hang_up_later(self.session)  # the engine would leave the process running


class ExecConsumer(TerminalConsumer):
    """/ws/hosts/{host}/containers/{ref}/exec?cmd=&user=&workdir= — like `docker exec -it`."""

    def open(self):
        q = self.query()
        ref = self.scope["url_route"]["kwargs"]["ref"]
        return terminal.open_exec(self.host, ref, q.get("cmd"), q.get("user", ""), q.get("workdir", ""))


class AttachConsumer(TerminalConsumer):
    """/ws/hosts/{host}/containers/{ref}/attach — like `docker attach`; Ctrl-P Ctrl-Q detaches."""

    def open(self):
        return terminal.open_attach(self.host, self.scope["url_route"]["kwargs"]["ref"])
