"""The terminal's bytes on the console side: an engine socket driven by asyncio, and the demultiplexer.

`Pipe` reads and writes a session's socket with `loop.sock_recv` / `loop.sock_sendall`
on a non-blocking socket: no thread per terminal and none per keystroke. Sockets asyncio
cannot drive (TLS, ssh) fall back to two threads of their own per terminal.
"""

import asyncio
import socket
import struct
from concurrent.futures import ThreadPoolExecutor

READ_SIZE = 64 * 1024


class Pipe:
    def __init__(self, session):
        self.sock = session.sock
        self.pending = session.pending
        self.loop = asyncio.get_running_loop()
        self.threads = None
        if type(self.sock) is not socket.socket:
            self.threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="terminal")

    async def recv(self) -> bytes:
        """The next bytes from the engine; b"" once the stream has ended."""
        if self.pending:
            data, self.pending = self.pending, b""
            return data
        try:
            if self.threads:
                return await self.loop.run_in_executor(self.threads, self.sock.recv, READ_SIZE)
            return await self.loop.sock_recv(self.sock, READ_SIZE)
        except OSError:
            return b""

    async def send(self, data: bytes) -> bool:
        try:
            if self.threads:
                await self.loop.run_in_executor(self.threads, self.sock.sendall, data)
            else:
                await self.loop.sock_sendall(self.sock, data)
            return True
        except OSError:
            return False

    def close(self) -> None:
        if self.threads:
            self.threads.shutdown(wait=False, cancel_futures=True)


class Demux:
    """Splits the engine's multiplexed stream (no TTY): 8-byte headers, then a payload each.

    Frames may be split anywhere across reads; `feed` returns the payload bytes complete so far.
    """

    def __init__(self):
        self.buffer = b""

    def feed(self, data: bytes) -> bytes:
        self.buffer += data
        out = []
        while len(self.buffer) >= 8:
            _stream, size = struct.unpack(">BxxxL", self.buffer[:8])
            if len(self.buffer) < 8 + size:
                break
            out.append(self.buffer[8 : 8 + size])
            self.buffer = self.buffer[8 + size :]
        return b"".join(out)
