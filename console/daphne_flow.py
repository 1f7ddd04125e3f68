"""Flat memory for big transfers under daphne: request bodies read on demand, responses paced.

Daphne 4.2 has two habits that break a gigabyte transfer (django/daphne#483):

- Twisted spools a request body to a temporary file, and daphne then puts *every* chunk
  of it into an unbounded asyncio queue at once, before the application reads any: a
  4 GB upload costs 4 GB of memory.
- A response body is written to the socket's buffer with no back-pressure: a slow
  browser downloading a 4 GB `docker save` keeps most of it in the server's memory.

`install()` (called from console/asgi.py) replaces daphne's `Server.create_application`
for HTTP requests only: the body is read from twisted's spool file in 1 MiB chunks when
the application asks for it, and `send` waits while twisted says the socket's buffer is
full (twisted's push-producer pause/resume). A large body is also read from the socket in
1 MiB pieces rather than 64 KiB, and one over UPLOAD_LIMIT_MB is refused with a 413 as it
arrives, before twisted spools it to disk. WebSockets and other servers are untouched; without
daphne, `install()` does nothing.

A download read from another socket (`docker save` from the engine's) can also skip the
per-chunk trip through the event loop and twisted: the scope's `console.relay` extension
copies the rest of the body from that socket to the client's on a thread (`relay`).
Every byte of a save then costs two system calls' copies and nothing more, which is what
brings a gigabyte save to the throughput of `docker save > file`.
"""

import asyncio
import json
import logging
import os
import re
import select
import threading
from functools import partial

from console.threads import in_own_thread

log = logging.getLogger(__name__)
CHUNK = 1024 * 1024
# Twisted pauses a producer once 64 KiB wait in a socket's buffer and resumes it only when
# the buffer is empty: with Django's 64 KiB body messages that is a stop-and-go at every
# message. A few MiB keep the socket busy while memory stays small.
SEND_BUFFER = 4 * 1024 * 1024


class _Drained:
    """Stands in for twisted's spool file while daphne runs its read-it-all loop: reads nothing."""

    def __init__(self, real):
        self._real = real

    def read(self, size=-1):
        return b""

    def seek(self, *args):
        return 0

    @property
    def closed(self):
        return self._real.closed

    def close(self):
        self._real.close()


class SpooledRequest:
    """One HTTP request's receive and send, over daphne's protocol object."""

    def __init__(self, protocol, send):
        self.protocol = protocol
        self.file = protocol.content
        protocol.content = _Drained(self.file)
        self.events: asyncio.Queue = asyncio.Queue()
        self.body_done = False
        self._send = send
        self._writable = asyncio.Event()
        self._writable.set()
        self._registered = False
        self._stopped = False
        self._restore = None

    # daphne's side: it "puts" the request here.
    def put_nowait(self, message):
        if message["type"] != "http.request":  # http.disconnect
            self.events.put_nowait(message)

    async def receive(self):
        if not self.body_done:
            if not self.events.empty():
                return self.events.get_nowait()
            try:
                chunk = await asyncio.to_thread(self.file.read, CHUNK)
            except ValueError:  # the spool was closed: the client went away
                self.body_done = True
                return {"type": "http.disconnect"}
            self.body_done = len(chunk) < CHUNK
            return {"type": "http.request", "body": chunk, "more_body": not self.body_done}
        return await self.events.get()

    # twisted's side: IPushProducer, told when the socket's buffer is full or drained.
    def pauseProducing(self):  # noqa: N802 - twisted names it
        self._writable.clear()

    def resumeProducing(self):  # noqa: N802
        self._writable.set()

    def stopProducing(self):  # noqa: N802
        self._stopped = True
        self._writable.set()

    def _gone(self) -> bool:
        return self._stopped or self.protocol.finished or getattr(self.protocol, "channel", None) is None

    async def send(self, message):
        if message["type"] == "http.response.body":
            if not self._registered and not self._gone():
                self._registered = True
                self.protocol.registerProducer(self, True)
                transport = getattr(self.protocol.channel, "transport", None)
                if transport is not None and getattr(transport, "bufferSize", SEND_BUFFER) < SEND_BUFFER:
                    self._restore = (transport, transport.bufferSize)
                    transport.bufferSize = SEND_BUFFER
                    transport.SEND_LIMIT = CHUNK  # bytes a send() call; twisted's default is 128 KiB
                if getattr(self.protocol.channel, "_waitingForTransport", False):
                    self._writable.clear()
            while not self._writable.is_set() and not self._gone():
                try:
                    await asyncio.wait_for(self._writable.wait(), 1.0)
                except TimeoutError:
                    continue
            if not message.get("more_body") and self._registered and not self._gone():
                self._registered = False
                self.protocol.unregisterProducer()  # twisted wants it gone before finish()
                if self._restore:  # the next request on this connection reads and writes as usual
                    transport, size = self._restore
                    transport.bufferSize = size
                    del transport.SEND_LIMIT
        await self._send(message)

    async def relay(self, source: int, watch=None) -> bool:
        """Send the rest of the body from the socket `source` (until it closes) straight to the
        client's socket, on a thread; False (and nothing read) when this response cannot.
        `watch(bytes)` sees each piece on the thread; OSError when the client goes away.

        The response's head and any body already sent must have gone through twisted: the
        relay waits until twisted's buffer for the connection is empty, then writes the
        body's HTTP/1.1 chunks itself; the last, empty chunk is twisted's again when the
        application ends the body. Both descriptors are duplicated, so a connection twisted
        closes meanwhile cannot hand its number to another one under the thread's feet.
        """
        protocol = self.protocol
        if self._gone() or not protocol.startedWriting or protocol.method == b"HEAD":
            return False
        transport = protocol.channel.transport
        while len(transport.dataBuffer) - transport.offset or transport._tempDataLen:
            if self._gone():
                return False
            await asyncio.sleep(0.002)
        stop = threading.Event()
        pump = partial(_pump, os.dup(source), os.dup(transport.fileno()), bool(protocol.chunked), stop, watch)
        try:
            await in_own_thread(pump)
        finally:
            stop.set()  # a cancelled request (the client left) stops the thread at its next wait
        return True


def _pump(source: int, client: int, chunked: bool, stop: threading.Event, watch=None) -> None:
    """Copy `source` to `client` until `source` ends; both are non-blocking sockets, closed here."""
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    readable, writable = select.poll(), select.poll()
    readable.register(source, select.POLLIN)
    writable.register(client, select.POLLOUT)
    try:
        while not stop.is_set():
            try:
                size = os.readv(source, [buffer])
            except BlockingIOError:
                readable.poll(250)
                continue
            except OSError:  # the source was reset: it ended (`watch` tells whether early)
                return
            if not size:
                return
            if watch:
                watch(view[:size])
            parts = [b"%x\r\n" % size, view[:size], b"\r\n"] if chunked else [view[:size]]
            _write_all(client, parts, writable, stop)
    finally:
        os.close(source)
        os.close(client)


def _write_all(client: int, parts: list, writable, stop: threading.Event) -> None:
    parts = [memoryview(part) for part in parts]
    while parts:
        try:
            sent = os.writev(client, parts)
        except BlockingIOError:
            if stop.is_set():
                raise ConnectionAbortedError("the request was cancelled") from None
            writable.poll(250)
            continue
        while sent:
            if sent >= len(parts[0]):
                sent -= len(parts.pop(0))
            else:
                parts[0], sent = parts[0][sent:], 0


def install() -> bool:
    """Patch daphne's Server (4.x) if it is importable; True when patched."""
    try:
        from daphne.server import Server
    except ImportError:
        return False
    if getattr(Server, "_console_flow", False):
        return True
    original = Server.create_application

    def create_application(self, protocol, scope):
        if scope.get("type") != "http" or not hasattr(protocol, "content") or protocol.content is None:
            return original(self, protocol, scope)
        assert "application_instance" not in self.connections[protocol]
        scope.setdefault("asgi", {"version": "3.0"})
        request = SpooledRequest(protocol, partial(self.handle_reply, protocol))
        scope.setdefault("extensions", {})["console.relay"] = {"relay": request.relay}
        instance = self.application(scope=scope, receive=request.receive, send=request.send)
        if protocol not in self.connections:
            return None
        self.connections[protocol]["application_instance"] = asyncio.ensure_future(
            instance, loop=asyncio.get_event_loop()
        )
        return request

    Server.create_application = create_application
    _patch_body_reading()
    _patch_errors_after_start()
    Server._console_flow = True
    return True


# Only these routes take large bodies (docker load, docker cp into a container); every other
# body is a form or a JSON document. Twisted spools a body to disk before the application, and
# so its login check, sees the request: the limits are applied as the body arrives.
UPLOAD_PATH = re.compile(rb"^/api/v1/hosts/[^/?]+/(images/load|containers/[^/?]+/archive)(\?|$)")
SMALL_BODY_LIMIT = 4 * CHUNK


def _refuse(request, status: bytes, error: str, code: str) -> None:
    """An answer written straight to the socket, then the connection closed: the body is not spooled."""
    request._console_refused = True
    body = json.dumps({"error": error, "code": code}).encode()
    transport = request.channel.transport
    transport.write(
        b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )  # fmt: skip
    transport.loseConnection()


def _refuse_too_large(request) -> None:
    from console.uploads import too_large_sentence

    if request._console_limit == SMALL_BODY_LIMIT:
        error = f"The body is larger than {SMALL_BODY_LIMIT // CHUNK} MiB: no form or JSON here is that big."
    else:
        error = too_large_sentence(request._console_limit)
    _refuse(request, b"413 Content Too Large", error, "too_large")


def _body_limit(request) -> float:
    """The most this request's body may hold: the upload limit on the upload routes, else little."""
    from django.conf import settings

    if not UPLOAD_PATH.match(getattr(request.channel, "_path", b"")):
        return SMALL_BODY_LIMIT
    return settings.UPLOAD_LIMIT_BYTES or float("inf")


def _has_credentials(request) -> bool:
    """A token or a session cookie (checked by the application): without either, an upload
    would be spooled only to be refused."""
    from django.conf import settings

    headers = request.requestHeaders
    cookies = b";".join(headers.getRawHeaders(b"cookie") or [])
    return headers.hasHeader(b"authorization") or settings.SESSION_COOKIE_NAME.encode() + b"=" in cookies


def _patch_body_reading():
    """Twisted spools every body to a file before daphne sees the request: the limits are
    checked here, as the body arrives (a 4 TB upload must not fill the disk first, nor a
    large body to a route that takes none), and a large body is read from the socket 1 MiB
    at a time rather than 64 KiB. Twisted's own parsing of multipart forms (the whole body
    in memory, ~14 times its size, before any login check) is turned off: Django parses."""
    from daphne.http_protocol import WebRequest

    got_length, content_chunk = WebRequest.gotLength, WebRequest.handleContentChunk

    def gotLength(self, length):  # noqa: N802 - twisted names it
        got_length(self, length)
        self._console_received = 0
        self._console_limit = _body_limit(self)
        transport = getattr(getattr(self, "channel", None), "transport", None)
        if self._console_limit > SMALL_BODY_LIMIT and length != 0 and not _has_credentials(self):
            sentence = "Log in or send `Authorization: Bearer <token>`."
            _refuse(self, b"401 Unauthorized", sentence, "unauthenticated")
        elif length is not None and length > self._console_limit:
            _refuse_too_large(self)
        elif (length is None or length > CHUNK) and getattr(transport, "bufferSize", CHUNK) < CHUNK:
            transport.bufferSize = CHUNK

    def handleContentChunk(self, data):  # noqa: N802
        if getattr(self, "_console_refused", False):
            return
        self._console_received = getattr(self, "_console_received", 0) + len(data)
        if self._console_received > getattr(self, "_console_limit", SMALL_BODY_LIMIT):
            _refuse_too_large(self)
            return
        content_chunk(self, data)

    WebRequest.gotLength = gotLength
    WebRequest.handleContentChunk = handleContentChunk
    WebRequest._parsePOSTFormSubmission = property(lambda self: False, lambda self, value: None)


def _patch_errors_after_start():
    """An application that fails after its response started (an engine gone mid-download):
    daphne answers a 500 page, which raises "HTTP response has already been started" inside
    its application checker, which then never runs again. Break the connection off instead,
    so the client sees a failed transfer rather than an end."""
    from daphne.http_protocol import WebRequest

    handle_exception = WebRequest.handle_exception

    def handle_exception_after_start(self, exception):
        if not self._response_started:
            return handle_exception(self, exception)
        if self.channel is not None:
            self.channel.transport.abortConnection()
        return None

    WebRequest.handle_exception = handle_exception_after_start
