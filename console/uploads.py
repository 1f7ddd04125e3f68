"""Uploads read from the ASGI request stream in chunks, never the whole body in memory.

Django's ASGI handler spools a whole request body to a temporary file before any view
runs. For the few upload routes below, `StreamedUploads` (wrapped around the Django app
in console/asgi.py) hands Django an empty body and keeps the real `receive` in the
scope, so the view can pass the bytes on to the engine while they arrive.
`UploadStream.of(request)` is what a view uses; under a WSGI or test client it falls
back to reading the request in chunks.
"""

import asyncio
import queue
import re
import threading
from collections.abc import AsyncIterator

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from console.engine import BadRequest, EngineError
from console.threads import in_own_thread

SCOPE_KEY = "console.upload"
CHUNK = 256 * 1024
STREAMED_ROUTES = [
    re.compile(r"^/api/v1/hosts/[^/]+/images/load$"),
    re.compile(r"^/api/v1/hosts/[^/]+/containers/[^/]+/archive$"),
]


class TooLarge(EngineError):
    status = 413
    code = "too_large"


def too_large_sentence(limit: int) -> str:
    return (
        f"The upload is larger than this console's limit of {filesizeformat(limit)}. "
        "Nothing was kept. Ask the administrator to raise UPLOAD_LIMIT_MB, or copy the file "
        "to the host and use the docker CLI there."
    )


class ClientGone(Exception):
    """The browser or script went away before the upload ended."""


class _Body:
    """The real request body, kept away from Django for a view to read in chunks."""

    def __init__(self, receive, headers: dict[bytes, bytes]):
        self._receive = receive
        self.content_type = headers.get(b"content-type", b"").decode("latin-1")
        length = headers.get(b"content-length")
        self.content_length = int(length) if length and length.isdigit() else None
        self._gave_empty = False
        self._read = asyncio.Event()

    async def django_receive(self):
        if not self._gave_empty:
            self._gave_empty = True
            return {"type": "http.request", "body": b"", "more_body": False}
        # Django listens for a disconnect while the view runs; it must not see body parts.
        await self._read.wait()
        while True:
            message = await self._receive()
            if message["type"] != "http.request":
                return message

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            while True:
                message = await self._receive()
                if message["type"] == "http.disconnect":
                    raise ClientGone()
                if message.get("body"):
                    yield message["body"]
                if not message.get("more_body"):
                    return
        finally:
            self._read.set()


class StreamedUploads:
    """ASGI middleware: for the upload routes, the body goes to the view, not to Django's spool."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if (
            scope["type"] != "http"
            or scope["method"] not in ("POST", "PUT")
            or not any(route.match(scope["path"]) for route in STREAMED_ROUTES)
        ):
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        body = _Body(receive, headers)
        hidden = (b"content-length", b"content-type")
        scope = {
            **scope,
            "headers": [(k, v) for k, v in scope["headers"] if k not in hidden] + [(b"content-length", b"0")],
            SCOPE_KEY: body,
        }
        return await self.app(scope, body.django_receive, send)


class UploadStream:
    """The upload of one request: its content type, declared length, and its chunks within a limit."""

    def __init__(self, content_type: str, content_length: int | None, source: AsyncIterator[bytes], limit):
        self.content_type = content_type
        self.content_length = content_length
        self.limit = limit
        self._source = source
        self.received = 0

    @classmethod
    def of(cls, request, limit: int | None = None) -> "UploadStream":
        limit = settings.UPLOAD_LIMIT_BYTES if limit is None else limit
        body = getattr(request, "scope", {}).get(SCOPE_KEY) if hasattr(request, "scope") else None
        if body is not None:
            return cls(body.content_type, body.content_length, body.chunks(), limit)
        length = request.META.get("CONTENT_LENGTH") or ""
        return cls(
            request.META.get("CONTENT_TYPE", ""),
            int(length) if length.isdigit() else None,
            _read_request(request),
            limit,
        )

    def too_large(self) -> TooLarge:
        return TooLarge(too_large_sentence(self.limit))

    async def chunks(self) -> AsyncIterator[bytes]:
        """The raw body, in chunks; TooLarge as soon as it passes the limit."""
        if self.limit and self.content_length and self.content_length > self.limit:
            raise self.too_large()
        async for chunk in self._source:
            self.received += len(chunk)
            if self.limit and self.received > self.limit:
                raise self.too_large()
            yield chunk

    def boundary(self) -> bytes | None:
        if not self.content_type.lower().startswith("multipart/form-data"):
            return None
        match = re.search(r'boundary="?([^";]+)"?', self.content_type)
        if not match:
            raise BadRequest("The multipart body has no boundary in its Content-Type.")
        return match.group(1).encode("latin-1")

    async def files(self) -> AsyncIterator[tuple[str, AsyncIterator[bytes]]]:
        """Each `file` field of a multipart body as (file name, chunks); a raw body is one file."""
        boundary = self.boundary()
        if boundary is None:
            yield "", self.chunks()
            return
        async for name, filename, data in multipart_parts(self.chunks(), boundary):
            if name == "file":
                yield filename, data
            async for _ in data:  # drain what the caller did not read
                pass


async def _read_request(request) -> AsyncIterator[bytes]:
    while chunk := request.read(CHUNK):
        yield chunk


class _Buffer:
    def __init__(self, source: AsyncIterator[bytes]):
        self.data = b""
        self._source = source.__aiter__()

    async def more(self) -> bool:
        try:
            self.data += await self._source.__anext__()
        except StopAsyncIteration:
            return False
        return True

    async def need(self, size: int, what: str) -> None:
        while len(self.data) < size:
            if not await self.more():
                raise BadRequest(f"The multipart body ends in the middle of {what}.")


async def multipart_parts(source: AsyncIterator[bytes], boundary: bytes):
    """Parts of a multipart/form-data body as (field name, file name, async chunks), streamed.

    Each part's chunks must be read to the end before the next part is asked for.
    """
    delimiter = b"\r\n--" + boundary
    buffer = _Buffer(source)
    buffer.data = b"\r\n"
    while (start := buffer.data.find(delimiter)) < 0:
        buffer.data = buffer.data[-len(delimiter) :]
        if not await buffer.more():
            raise BadRequest("The body is not multipart/form-data: no part boundary found.")
    buffer.data = buffer.data[start + len(delimiter) :]
    while True:
        await buffer.need(2, "a part boundary")
        if buffer.data.startswith(b"--"):
            return
        while (end := buffer.data.find(b"\r\n\r\n")) < 0:
            if len(buffer.data) > 16384:
                raise BadRequest("A multipart part has headers longer than 16 KiB.")
            await buffer.need(len(buffer.data) + 1, "a part's headers")
        head = buffer.data[:end].decode("utf-8", "replace")
        buffer.data = buffer.data[end + 4 :]
        name, filename = _disposition(head)
        done = asyncio.Event()
        yield name, filename, _part_data(buffer, delimiter, done)
        if not done.is_set():
            raise BadRequest("A multipart part was not read to its end.")


async def _part_data(buffer: _Buffer, delimiter: bytes, done: asyncio.Event):
    keep = len(delimiter) - 1
    while True:
        found = buffer.data.find(delimiter)
        if found >= 0:
            if found:
                yield buffer.data[:found]
            buffer.data = buffer.data[found + len(delimiter) :]
            done.set()
            return
        if len(buffer.data) > keep:
            yield buffer.data[:-keep]
            buffer.data = buffer.data[-keep:]
        if not await buffer.more():
            raise BadRequest("The multipart body ends in the middle of a file: the upload was cut short.")


def _disposition(head: str) -> tuple[str, str]:
    name = filename = ""
    for line in head.strip().split("\r\n"):
        key, _, value = line.partition(":")
        if key.strip().lower() != "content-disposition":
            continue
        if m := re.search(r'(?:^|;)\s*name="((?:[^"\\]|\\.)*)"', value):
            name = m.group(1)
        if m := re.search(r'filename="((?:[^"\\]|\\.)*)"', value):
            filename = m.group(1).replace("%22", '"').replace("%0A", "\n").replace("%0D", "\r")
            filename = filename.replace('\\"', '"')
    return name, re.split(r"[\\/]", filename)[-1]


_END = object()


async def send_in_thread(chunks: AsyncIterator[bytes], call, block: int = 1024 * 1024):
    """Run `call(body)` on a worker thread, `body` a sync iterator of the chunks in blocks of ~1 MiB.

    A small bounded queue joins the two, so memory stays flat however large the upload.
    If the chunks fail (too large, client gone), the body raises: the engine's connection
    is dropped before its last chunk, so the engine keeps nothing, and the error goes on.
    """
    blocks: queue.Queue = queue.Queue(maxsize=4)
    stopped = threading.Event()

    def body():
        while True:
            item = blocks.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def run():
        try:
            return call(body())
        finally:
            stopped.set()

    async def put(item) -> bool:
        """Into the queue, waiting (on the event loop, not a pool thread) while the engine is behind."""
        while not stopped.is_set():
            try:
                blocks.put_nowait(item)
                return True
            except queue.Full:
                await asyncio.sleep(0.005)
        return False

    worker = asyncio.ensure_future(in_own_thread(run))
    pending = bytearray()
    try:
        async for chunk in chunks:
            pending += chunk
            if len(pending) >= block:
                if not await put(bytes(pending)):
                    break  # the engine answered before the end (an error): its answer is the news
                pending.clear()
        else:
            if pending:
                await put(bytes(pending))
            await put(_END)
    except BaseException:
        await put(ConnectionAbortedError("the upload was cut short"))
        try:
            await worker
        except Exception:  # noqa: BLE001 - the engine's complaint about a cut body is not the news
            pass
        raise
    return await worker
