"""Long-lived engine streams, read without blocking the event loop, and shared between viewers.

`open_stream(host, path, params)` speaks HTTP/1.0 to the engine's unix or tcp socket with
asyncio: no thread, and no chunked encoding to undo (the body is the rest of the
connection), so a stream costs one file descriptor and closing it is instant. Other
endpoints (ssh://) go through the SDK in a dedicated thread.

`subscribe(key, produce)` fans one producer (one engine stream) out to every viewer
with the same key: the first viewer starts it, the last one leaving cancels it. A
newcomer to a stats stream first gets the latest sample, so a chart does not wait a second.
"""

import asyncio
import collections
import json
import threading
import weakref
from contextlib import asynccontextmanager
from urllib.parse import urlencode, urlsplit

from django.conf import settings

from console.engine import (
    BadRequest,
    Conflict,
    EngineError,
    EngineUnreachable,
    NotFound,
    client,
    engine_call,
    unreachable_sentence,
)

READ_SIZE = 1 << 20
BATCH_SIZE = 1 << 19  # bytes gathered for one logs frame (its JSON must stay under 1 MiB)
BATCH_WAIT = 0.02  # seconds a flowing stream is gathered before a frame goes


class EngineStream(asyncio.Protocol):
    """The body of one engine response over HTTP/1.0, straight from the socket: the head,
    then the body's pieces as the kernel hands them over (no StreamReader buffer to copy
    into and out of); `read()` gives `b""` at its end. Reading from the socket pauses while
    more than HIGH bytes wait, so a slow consumer keeps memory at a few MiB.
    """

    HIGH, LOW = 8 * READ_SIZE, 2 * READ_SIZE
    _last = 0.0

    def __init__(self):
        self.head = bytearray()
        self.header_done = False
        self.pieces: collections.deque[bytes] = collections.deque()
        self.waiting = 0
        self.ended = False
        self.paused = False
        self.transport = None
        self._wakeup: asyncio.Future | None = None

    def connection_made(self, transport):
        self.transport = transport

    def _wake(self):
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    def data_received(self, data: bytes):
        if not self.header_done:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            self.header_done = True
            data = bytes(self.head[end + 4 :])
            del self.head[end + 4 :]
            if not data:
                self._wake()
                return
        self.pieces.append(data)
        self.waiting += len(data)
        if self.waiting > self.HIGH and not self.paused:
            self.paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self):
        self.ended = True
        self._wake()
        return False

    def connection_lost(self, exc):  # a reset by an engine going away ends it like a close
        self.ended = True
        self._wake()

    async def _wait(self):
        self._wakeup = asyncio.get_running_loop().create_future()
        await self._wakeup

    async def read_head(self) -> bytes:
        while not self.header_done and not self.ended:
            await self._wait()
        return bytes(self.head)

    async def read(self, size: int = READ_SIZE) -> bytes:
        """Up to `size` bytes as they came; small pieces waiting are handed over together."""
        while not self.pieces and not self.ended:
            await self._wait()
        parts, total = [], 0
        while self.pieces and total < size // 2:
            piece = self.pieces.popleft()
            if total + len(piece) > size:
                self.pieces.appendleft(piece[size - total :])
                piece = piece[: size - total]
            parts.append(piece)
            total += len(piece)
        self.waiting -= total
        if self.paused and self.waiting < self.LOW:
            self.paused = False
            self.transport.resume_reading()
        return parts[0] if len(parts) == 1 else b"".join(parts)

    async def read_batch(self, size: int = BATCH_SIZE, wait: float = BATCH_WAIT) -> bytes:
        """Like read(), but while data flows fast gather what arrives within `wait`, up to `size`.

        The engine writes a log line by line; read as it comes, a fast log makes one tiny
        frame a line (15,000 of 160 bytes for 50 MB), and per-frame costs rule, in the server
        and in the browser. Data that follows a quiet spell (the last read was longer than
        `wait` ago) goes at once: a single line loses no time.
        """
        loop = asyncio.get_running_loop()
        chunk = await self.read(size)
        now = loop.time()
        flowing, self._last = now - self._last < wait, now
        if not chunk or not flowing or len(chunk) >= size:
            return chunk
        parts, total, deadline = [chunk], len(chunk), now + wait
        while total < size and (remaining := deadline - loop.time()) > 0:
            try:
                async with asyncio.timeout(remaining):
                    more = await self.read(size - total)
            except TimeoutError:
                break
            if not more:
                break  # the end: the next read() says so again
            parts.append(more)
            total += len(more)
        self._last = loop.time()
        return b"".join(parts)

    def hand_over(self) -> tuple[bytes, int] | None:
        """Stop reading, for another reader to go on from the socket: (what was read but not
        yet handed out, the socket's descriptor), or None when the stream has already ended."""
        if self.ended or self.transport is None or self.transport.is_closing():
            return None
        self.transport.pause_reading()
        self.paused = True
        rest = b"".join(self.pieces)
        self.pieces.clear()
        self.waiting = 0
        return rest, self.transport.get_extra_info("socket").fileno()

    def take_back(self) -> None:
        """Read again after `hand_over()`, when the other reader read nothing."""
        self.paused = False
        self.transport.resume_reading()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def open_stream(host, path: str, params=None, answer_timeout: bool = True) -> EngineStream:
    """GET `path` from the engine of `host`; EngineError subclasses for every failure.

    The connection must be made within DOCKER_TIMEOUT; so must the answer, unless
    `answer_timeout` is False: `docker save` answers only once the engine has gathered the
    whole tar, which for a 4 GB image takes longer than any timeout a status call wants."""
    api_client = await asyncio.to_thread(client, host)  # cached after the first call
    url = f"/v{api_client.api._version}{path}" + (f"?{urlencode(params)}" if params else "")
    endpoint = urlsplit(host.endpoint)
    if endpoint.scheme not in ("unix", "tcp", "http"):
        return await _ThreadStream.open(host, api_client, path, params)
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(settings.DOCKER_TIMEOUT):
            if endpoint.scheme == "unix":
                _, stream = await loop.create_unix_connection(EngineStream, endpoint.path)
            else:
                _, stream = await loop.create_connection(
                    EngineStream, endpoint.hostname, endpoint.port or 2375
                )
        stream.transport.write(
            f"GET {url} HTTP/1.0\r\nHost: docker\r\nUser-Agent: docker-console\r\n\r\n".encode()
        )
        async with asyncio.timeout(settings.DOCKER_TIMEOUT if answer_timeout else None):
            head = await stream.read_head()  # the body then takes its time
        status = int(head.split(b" ", 2)[1])
    except (OSError, TimeoutError, IndexError, ValueError) as exc:
        raise EngineUnreachable(unreachable_sentence(host)) from exc
    if status != 200:
        body = b""
        while len(body) < 65536 and (piece := await stream.read()):
            body += piece
        stream.close()
        raise error_for(status, body)
    return stream


def engine_gone(host, what: str) -> EngineUnreachable:
    """The error for a stream whose engine stopped answering while it ran."""
    return EngineUnreachable(
        f"The Docker engine of host {host.name} went away while streaming {what}: it stopped, "
        f"restarted, or {host.endpoint} cannot be reached any more. Reconnect once the engine runs again."
    )


def error_from(frame: dict, host=None, what: str = "") -> EngineError:
    """The error an `{"type": "error"}` (or unexpected `end`) frame of a shared stream stands for;
    with `host`, a lost engine is told as the stream of `what` losing it."""
    if host is not None and frame.get("code") == EngineUnreachable.code:
        return engine_gone(host, what)
    error = EngineError(frame.get("error") or "The engine stream ended.")
    error.code = frame.get("code", error.code)
    return error


def error_for(status: int, body: bytes) -> EngineError:
    """The engine's own sentence, as the error type its status stands for."""
    try:
        message = json.loads(body).get("message", "")
    except (ValueError, AttributeError):
        message = body.decode("utf-8", "replace")
    message = message.strip() or "The engine gave no reason."
    message = message[:1].upper() + message[1:]
    kind = {400: BadRequest, 404: NotFound, 409: Conflict}.get(status)
    return kind(message) if kind else EngineError(f"The Docker engine refused: {message}")


class _ThreadStream:
    """The same interface over the SDK, for endpoints asyncio cannot reach directly (ssh://)."""

    def __init__(self, response):
        self._response = response
        self._queue: asyncio.Queue = asyncio.Queue(maxsize=64)
        loop = asyncio.get_running_loop()
        threading.Thread(target=self._pump, args=(loop,), daemon=True).start()

    @classmethod
    async def open(cls, host, api_client, path, params):
        def get():
            with engine_call(host):
                api = api_client.api
                response = api._get(api._url(path), params=params, stream=True)
                api._raise_for_status(response)
                return response

        return cls(await asyncio.to_thread(get))

    def _pump(self, loop):
        try:
            for chunk in self._response.raw.stream(65536, decode_content=False):
                asyncio.run_coroutine_threadsafe(self._queue.put(chunk), loop).result()
        except Exception:  # noqa: BLE001 - a cut stream ends like a finished one
            pass
        try:
            asyncio.run_coroutine_threadsafe(self._queue.put(b""), loop).result()
        except RuntimeError:
            pass  # the loop is gone

    async def read(self) -> bytes:
        return await self._queue.get()

    async def read_batch(self) -> bytes:
        return await self._queue.get()  # the SDK's chunks are already 64 KiB

    def close(self) -> None:
        self._response.close()


async def json_lines(stream):
    """Each JSON document of a newline-delimited engine stream (stats, events)."""
    pending = b""
    while chunk := await stream.read():
        *complete, pending = (pending + chunk).split(b"\n")
        for line in complete:
            if line.strip():
                yield json.loads(line)


class Topic:
    """One producer's messages, copied to every subscriber's queue."""

    def __init__(self, key, produce, replay: bool):
        self.key, self.produce, self.replay = key, produce, replay
        self.queues: set[asyncio.Queue] = set()
        self.last = None
        self.task: asyncio.Task | None = None

    def publish(self, message) -> None:
        if self.replay:
            self.last = message
        for queue in self.queues:
            if queue.full():  # a slow viewer loses its oldest message, never stalls the others
                queue.get_nowait()
            queue.put_nowait(message)

    async def run(self):
        try:
            await self.produce(self.publish)
            self.publish({"type": "end", "reason": "ended"})
        except EngineError as exc:
            self.publish({"type": "error", "error": exc.message, "code": exc.code})
        except (OSError, ValueError) as exc:
            self.publish(
                {"type": "error", "error": f"The engine stream broke: {exc}", "code": "engine_error"}
            )
        finally:
            topics = _registry()
            if topics.get(self.key) is self:
                del topics[self.key]


_topics: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()


def _registry() -> dict:
    return _topics.setdefault(asyncio.get_running_loop(), {})


def open_topics() -> list:
    """The keys of the shared streams open in this event loop (for tests and benchmarks)."""
    return list(_registry())


@asynccontextmanager
async def subscribe(key, produce, maxsize: int = 256, replay: bool = False):
    """A queue of the messages of the shared stream `key`; `produce(publish)` makes them.

    With `replay`, a newcomer first gets the latest message. The stream ends with a
    `{"type": "end"}` or `{"type": "error"}` message.
    """
    topics = _registry()
    topic = topics.get(key)
    if topic is None:
        topic = topics[key] = Topic(key, produce, replay)
    queue: asyncio.Queue = asyncio.Queue(maxsize=maxsize)
    if topic.last is not None:
        queue.put_nowait(topic.last)
    topic.queues.add(queue)
    if topic.task is None:
        topic.task = asyncio.create_task(topic.run())
    try:
        yield queue
    finally:
        topic.queues.discard(queue)
        if not topic.queues:
            topic.task.cancel()
            if topics.get(key) is topic:
                del topics[key]


async def pipe(stream, publish, parse=json_lines):
    """Publish each document of `stream`, closing it however the pumping ends."""
    try:
        async for document in parse(stream):
            publish(document)
    finally:
        stream.close()
