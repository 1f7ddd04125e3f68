"""A terminal client for tests: the real ASGI app through Channels' WebsocketCommunicator."""

import json
import os
import shutil
import socket
import tempfile
import threading
import time

from channels.testing import WebsocketCommunicator

from console.asgi import application


class Term:
    """One terminal WebSocket; `output` collects the bytes, `frames` the JSON frames."""

    def __init__(self, token: str, ref: str, kind: str = "exec", query: str = "", host: str = "local"):
        path = f"/ws/hosts/{host}/containers/{ref}/{kind}" + (f"?{query}" if query else "")
        headers = [(b"origin", b"http://localhost"), (b"authorization", f"Bearer {token}".encode())]
        self.comm = WebsocketCommunicator(application, path, headers=headers)
        self.output = b""
        self.frames: list[dict] = []
        self.closed = None

    async def open(self) -> dict:
        """Connect; returns the first JSON frame (`ready`, or the `error` that refused)."""
        connected, _ = await self.comm.connect(timeout=20)
        assert connected
        return await self.next_frame(timeout=20)

    async def _one(self, timeout: float) -> None:
        message = await self.comm.receive_output(timeout=timeout)
        if message["type"] == "websocket.close":
            self.closed = message.get("code", 1000)
        elif message.get("bytes") is not None:
            self.output += message["bytes"]
        else:
            self.frames.append(json.loads(message["text"]))

    async def next_frame(self, timeout: float = 10) -> dict:
        seen = len(self.frames)
        deadline = time.monotonic() + timeout
        while len(self.frames) == seen:
            assert self.closed is None, f"closed ({self.closed}) before a frame came; output {self.output!r}"
            await self._one(max(0.01, deadline - time.monotonic()))
        return self.frames[seen]

    async def read_until(self, needle: bytes, timeout: float = 10) -> bytes:
        deadline = time.monotonic() + timeout
        while needle not in self.output:
            assert self.closed is None, f"closed before {needle!r} came; output {self.output!r}"
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{needle!r} did not come in {timeout}s; output {self.output[-400:]!r}"
            try:
                await self._one(remaining)
            except TimeoutError:
                continue
        return self.output

    async def type(self, data: bytes | str) -> None:
        await self.comm.send_to(bytes_data=data.encode() if isinstance(data, str) else data)

    async def resize(self, cols: int, rows: int) -> None:
        await self.comm.send_to(text_data=json.dumps({"type": "resize", "cols": cols, "rows": rows}))

    async def ending(self, timeout: float = 15) -> dict:
        """The last JSON frame (exit, detached, end or error), reading past any bytes."""
        frame = await self.next_frame(timeout)
        while frame.get("type") in ("ready",):
            frame = await self.next_frame(timeout)
        return frame

    async def close(self) -> None:
        await self.comm.disconnect()


class EngineProxy:
    """A unix socket that forwards to the real engine until `kill()`: an engine that goes away.

    Register it as a host (`url`) and open a terminal through it; `kill()` drops every
    connection and the socket itself, as a daemon that stops or a network that fails would.
    """

    def __init__(self, target: str = "/var/run/docker.sock", cut_after: int | None = None):
        self.dir = tempfile.mkdtemp(prefix="dcp-", dir="/tmp")  # short: unix paths max 108 bytes
        self.path = os.path.join(self.dir, "engine.sock")
        self.url = f"unix://{self.path}"
        self.target = target
        self.cut_after = cut_after  # kill() once the engine has sent this many bytes
        self.answered = 0
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(self.path)
        self.listener.listen(64)
        self.conns: list = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self.target)
            with self.lock:
                self.conns += [conn, upstream]
            for a, b, answer in ((conn, upstream, False), (upstream, conn, True)):
                threading.Thread(target=self._copy, args=(a, b, answer), daemon=True).start()

    def _copy(self, src, dst, answer=False):
        try:
            while data := src.recv(65536):
                if answer and self.cut_after is not None:
                    data = data[: max(self.cut_after - self.answered, 0)]
                    self.answered += len(data)
                dst.sendall(data)
                if answer and self.cut_after is not None and self.answered >= self.cut_after:
                    self.kill()
                    return
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            return

    def kill(self):
        self.listener.close()
        if os.path.exists(self.path):
            os.unlink(self.path)
        with self.lock:
            for conn in self.conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
        shutil.rmtree(self.dir, ignore_errors=True)
