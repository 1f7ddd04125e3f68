"""A WebSocket client over the real ASGI application (Channels' WebsocketCommunicator)."""

import asyncio
import json

import pytest
from channels.testing import WebsocketCommunicator

from console.asgi import application
from console.models import ApiToken, Host

ORIGIN = b"http://localhost"


async def connect(path: str, token: str | None = None, origin: bytes = ORIGIN) -> WebsocketCommunicator:
    headers = [(b"host", b"localhost"), (b"origin", origin)]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    assert connected, f"the handshake for {path} was refused"
    return communicator


async def frames(communicator, until, timeout: float = 15) -> list[dict]:
    """Every JSON frame up to and including the first for which `until(frame)` is true."""
    seen = []
    async with asyncio.timeout(timeout):
        while True:
            message = await communicator.receive_output(timeout)
            if message["type"] == "websocket.close":
                raise AssertionError(f"closed ({message.get('code')}) before the awaited frame; got {seen}")
            frame = json.loads(message["text"])
            seen.append(frame)
            if until(frame):
                return seen


async def close_code(communicator, timeout: float = 15) -> int:
    """Read frames until the server closes; its close code."""
    async with asyncio.timeout(timeout):
        while True:
            message = await communicator.receive_output(timeout)
            if message["type"] == "websocket.close":
                return message.get("code", 1000)


def lines(seen: list[dict]) -> list[dict]:
    return [line for frame in seen if frame["type"] == "logs" for line in frame["lines"]]


@pytest.fixture
def token(user):
    """A bearer token for WebSocket tests (transactional: their flush removed the `local` host)."""
    Host.objects.get_or_create(name="local")
    return ApiToken.issue(user, "websocket tests")[1]


def stream_sockets(path: str = "/var/run/docker.sock", *clients) -> int:
    """The connections this process holds to the engine at `path` for streams: the idle pooled
    connections of every SDK client (the console's cached ones, and `clients`) are closed
    first, so what is left is the streams' own (a pooled one reopens when next used)."""
    from console import engine

    for client in [*engine._clients.values(), *clients]:
        client.api.close()
    return engine_sockets(path=path)


def engine_sockets(pid: int | str = "self", path: str = "/var/run/docker.sock") -> int:
    """How many connections process `pid` holds to the engine socket at `path`.

    Read from the kernel (`ss -xp` gives each unix socket's inode and its peer's): the
    sockets of `pid` whose peer is a socket bound to `path`.
    """
    import os
    import subprocess

    pid = os.getpid() if pid == "self" else int(pid)
    mine = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            mine.add(target[8:-1])
    listing = subprocess.run(["ss", "-xa"], capture_output=True, text=True, check=True).stdout.splitlines()
    engine_side, peers = set(), {}
    for line in listing[1:]:
        fields = line.split()
        if len(fields) < 8:
            continue
        local, inode, peer_inode = fields[4], fields[5], fields[7]
        if local == path:
            engine_side.add(inode)
        peers[inode] = peer_inode
    return sum(1 for inode in mine if peers.get(inode) in engine_side)
