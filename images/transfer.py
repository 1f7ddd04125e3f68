"""`docker save` and `docker load` through the console, streamed both ways with flat memory.

Save: the engine's tar goes out as the engine sends it, through an async iterator (under
ASGI a sync iterator would be collected in memory first) or, under daphne, socket to
socket on a thread (console/daphne_flow.py); no read timeout, so a long save is never cut
short, and its headers are followed so that a save the engine cuts short breaks the
download off instead of ending it as a whole-looking tar. Load: the upload's chunks go to the engine
as a chunked request body through a small bounded queue; the result comes from the
engine's own "Loaded image" messages, which also name images from tars saved by id.
"""

import asyncio
import re
import threading
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from django.conf import settings

from console import streams
from console.engine import (
    BadRequest,
    EngineError,
    NotFound,
    checked_ref,
    client,
    engine_call,
)
from console.uploads import send_in_thread
from containers.docker_api import docker_cli

CHUNK = 1024 * 1024


def _timeout():
    """Connect in DOCKER_TIMEOUT; then wait as long as the transfer takes."""
    return (settings.DOCKER_TIMEOUT, None)


def save_filename(refs: list[str]) -> str:
    """A file name from the image names: ["localhost:5000/team/app:1.0", "busybox"] → app_1.0-busybox.tar."""
    parts = []
    for ref in refs:
        name = ref.removeprefix("sha256:")
        if re.fullmatch(r"[0-9a-f]{12,64}", name):
            parts.append(name[:12])
            continue
        parts.append(re.sub(r"[^A-Za-z0-9._-]+", "_", name.rsplit("/", 1)[-1].replace(":", "_")))
    return ("-".join(parts)[:120] or "images") + ".tar"


def check_save(host, refs: list[str]) -> tuple[list[str], str, str]:
    """The refs to save, each checked to exist; returns (refs, file name, command)."""
    refs = [ref.strip() for ref in refs if ref and ref.strip()]
    if not refs:
        raise BadRequest("Say which images to save: `?ref=NAME` (repeat it for several).")
    for ref in refs:
        checked_ref(ref)
    api = client(host).api
    for ref in refs:  # the engine's own answer for a missing one is "reference does not exist"
        try:
            with engine_call(host):
                api.inspect_image(ref)
        except NotFound:
            raise NotFound(
                f"There is no image {ref!r} on host {host.name}, so nothing was saved. "
                "`docker images` lists the ones there are."
            ) from None
    filename = save_filename(refs)
    return refs, filename, docker_cli("save", "-o", filename, *refs)


def _open_save_sdk(host, refs: list[str]):
    with engine_call(host):
        api = client(host).api
        response = api._get(api._url("/images/get"), params={"names": refs}, stream=True, timeout=_timeout())
        api._raise_for_status(response)
    return response


async def open_save(host, refs: list[str], scope: dict | None = None) -> AsyncIterator[bytes]:
    """`docker save REFS` as an async iterator of the tar's bytes, once the engine has answered.

    On a local socket (unix://, plain tcp://) it is read by asyncio over HTTP/1.0: no
    thread, no chunked encoding to undo, and no handing of every chunk between a thread
    and the event loop under the GIL (which held the first version to ~0.7× of
    `docker save`). Other endpoints (TLS, ssh://) go through the SDK on a reader thread.
    """
    api = (await asyncio.to_thread(client, host)).api  # cached after the first call
    endpoint = urlsplit(host.endpoint)
    if endpoint.scheme == "unix" or (endpoint.scheme in ("tcp", "http") and api.base_url.startswith("http:")):
        server = (scope or {}).get("extensions", {}).get("console.relay", {})
        names = [("names", ref) for ref in refs]
        stream = await streams.open_stream(host, "/images/get", names, answer_timeout=False)
        return _read_stream(stream, server, host, refs)
    return stream_response(await asyncio.to_thread(_open_save_sdk, host, refs))


class TarEnd:
    """Follows a tar's headers as it streams by, to tell a whole tar from one cut short.

    The engine sends a save over HTTP/1.0, whose only end is the connection closing: an
    engine that stops mid-save looks like one that finished. A tar ends with two zero
    blocks where a header is due, so following the headers (a few a layer; PAX `size`
    records included) says whether the end came (`complete`).
    """

    BLOCK = 512

    def __init__(self):
        self.seen = 0  # bytes fed so far
        self.due = 0  # offset of the next byte of the region being gathered
        self.need = self.BLOCK  # size of that region: a header, or a PAX header's records
        self.gathered = bytearray()
        self.in_pax = False
        self.pax_size: int | None = None
        self.zero_blocks = 0
        self.complete = False

    def feed(self, data) -> None:
        end = self.seen + len(data)
        while not self.complete and self.due < end:
            start = self.due - self.seen
            piece = data[start : start + self.need - len(self.gathered)]
            self.gathered += piece
            self.due += len(piece)
            if len(self.gathered) == self.need:
                region = bytes(self.gathered)
                self.gathered.clear()
                self._pax(region) if self.in_pax else self._header(region)
        self.seen = end

    def _header(self, block: bytes) -> None:
        if not any(block):
            self.zero_blocks += 1
            self.complete = self.zero_blocks == 2
            return
        self.zero_blocks = 0
        size = self.pax_size if self.pax_size is not None else _tar_number(block[124:136])
        self.pax_size = None
        if block[156:157] == b"x" and size:
            self.in_pax, self.need = True, size
        else:
            self.due += _padded(size)

    def _pax(self, records: bytes) -> None:
        for record in records.split(b"\n"):
            key, _, value = record.partition(b" ")[2].partition(b"=")
            if key == b"size":
                self.pax_size = int(value)
        self.in_pax, self.due = False, self.due + _padded(self.need) - self.need
        self.need = self.BLOCK


def _padded(size: int) -> int:
    return -(-size // TarEnd.BLOCK) * TarEnd.BLOCK


def _tar_number(field: bytes) -> int:
    """A tar header's numeric field: octal text, or GNU base-256 for sizes over 8 GiB."""
    if field[0] & 0x80:
        return int.from_bytes(bytes([field[0] & 0x7F]) + field[1:], "big")
    return int(field.strip(b"\0 ") or b"0", 8)


async def _read_stream(body: streams.EngineStream, server: dict, host, refs) -> AsyncIterator[bytes]:
    """The tar's bytes, checked to end as a tar ends.

    Under daphne (`server` holds its `console.relay` extension), after the first pieces the
    rest goes from the engine's socket to the client's on a thread, without passing
    through here (console/daphne_flow.py). A save the engine cuts short ends as a broken
    download, never as a whole file that is not one.
    """
    tar = TarEnd()
    relay = server.get("relay")
    try:
        while data := await body.read():
            tar.feed(data)
            yield data  # the first one takes the response's head along
            if relay and (handed := body.hand_over()):
                rest, socket = handed
                if rest:
                    tar.feed(rest)
                    yield rest
                try:
                    if await relay(socket, tar.feed):
                        break
                except OSError:
                    return  # the client went away
                body.take_back()
            relay = None
        if not tar.complete:  # the server breaks the response off: a failed download
            raise streams.engine_gone(host, f"`docker save {' '.join(refs)}` (the tar was cut short)")
    finally:
        body.close()


async def stream_response(response, chunk: int = CHUNK, depth: int = 8) -> AsyncIterator[bytes]:
    """The engine response's body as an async iterator; closed at the end.

    A reader thread keeps up to `depth` chunks ahead of the client, so the engine (whose
    `save` is CPU-bound) never waits for a moment's hiccup on the way out, while memory
    stays at a few MiB however large the tar.
    """
    loop = asyncio.get_running_loop()
    chunks: asyncio.Queue = asyncio.Queue()
    slots = threading.Semaphore(depth)
    stopped = threading.Event()

    def give(item):
        try:
            loop.call_soon_threadsafe(chunks.put_nowait, item)
        except RuntimeError:  # the loop is gone: nobody is listening
            stopped.set()

    def reader():
        try:
            while True:
                slots.acquire()
                if stopped.is_set():
                    return
                data = response.raw.read(chunk)
                give(data)
                if not data:
                    return
        except Exception as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            if not stopped.is_set():
                give(exc)

    threading.Thread(target=reader, daemon=True, name="engine-reader").start()
    try:
        while True:
            item = await chunks.get()
            slots.release()
            if isinstance(item, Exception):
                raise item
            if not item:
                return
            yield item
    finally:
        stopped.set()
        slots.release()  # a reader waiting for a slot wakes up and sees the stop
        response.close()


def load_sentence(message: str) -> EngineError:
    """The engine's load error, with what it means for the file and what to do."""
    nothing = "Nothing was loaded."
    if "unexpected EOF" in message:
        return BadRequest(
            f"The file ends early, so it is not a whole image tar (the engine says: {message}). "
            f"{nothing} Save the image again, or upload the whole file."
        )
    if "invalid tar header" in message or "gzip: invalid header" in message:
        return BadRequest(
            f"The file is not a tar as `docker save` makes it, nor a gzip, bzip2 or xz of one "
            f"(the engine says: {message}). {nothing}"
        )
    if "no such file or directory" in message and ("manifest.json" in message or "repositories" in message):
        return BadRequest(
            "The file is a tar, but not of images: it has no manifest.json or repositories file, "
            f"as `docker save` writes (the engine says: {message}). {nothing}"
        )
    return EngineError(f"The Docker engine could not load the file: {message}")


def loaded_names(messages: list[dict]) -> list[str]:
    """Every image the engine says it loaded: "name:tag" or, for tars saved by id, "sha256:…"."""
    names = []
    for message in messages:
        text = (message.get("stream") or "").strip()
        for prefix in ("Loaded image ID: ", "Loaded image: "):
            if text.startswith(prefix):
                names.append(text[len(prefix) :].strip())
                break
    return names


def _post_load(host, body) -> list[dict]:
    """On a worker thread: POST /images/load with `body` as a chunked request; the engine's messages."""
    with engine_call(host):
        api = client(host).api
        response = api._post(
            api._url("/images/load"), data=body, params={"quiet": False}, stream=True, timeout=_timeout()
        )
        api._raise_for_status(response)
        with response:
            return list(api._stream_helper(response, decode=True))


async def _prepend(first: bytes, rest) -> AsyncIterator[bytes]:
    yield first
    async for chunk in rest:
        yield chunk


async def load(host, chunks: AsyncIterator[bytes], filename: str = "") -> tuple[list[str], str]:
    """Like `docker load -i FILE`: stream the chunks to the engine; returns (loaded names, command)."""
    command = docker_cli("load", "-i", filename or "file.tar")
    source = chunks.__aiter__()
    try:
        first = await source.__anext__()
    except StopAsyncIteration:
        raise BadRequest(
            "The file is empty, so there is nothing to load. Choose a tar made by `docker save`."
        ) from None
    messages = await send_in_thread(_prepend(first, source), lambda body: _post_load(host, body), CHUNK)
    errors = [m.get("error") or m.get("errorDetail", {}).get("message") for m in messages if "error" in m]
    if errors:
        raise load_sentence(errors[0])
    names = loaded_names(messages)
    if not names:
        raise EngineError("The engine read the file but named no image it loaded.")
    return names, command
