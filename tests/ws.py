"""A WebSocket client over the real ASGI application (Channels' WebsocketCommunicator)."""

import asyncio
import json

from channels.testing import WebsocketCommunicator

from console.asgi import application

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
