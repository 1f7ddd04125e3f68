"""`docker save` and `docker load` through the console, streamed both ways with flat memory.

Save: the engine's tar is read in 1 MiB chunks on a worker thread and handed to an
async iterator (under ASGI a sync iterator would be collected in memory first); no read
timeout, so a long save is never cut short. Load: the upload's chunks go to the engine
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


async def open_save(host, refs: list[str]) -> AsyncIterator[bytes]:
    """`docker save REFS` as an async iterator of the tar's bytes, once the engine has answered.

    On a local socket (unix://, plain tcp://) it is read by asyncio over HTTP/1.0: no
    thread, no chunked encoding to undo, and no handing of every chunk between a thread
    and the event loop under the GIL (which held the first version to ~0.7× of
    `docker save`). Other endpoints (TLS, ssh://) go through the SDK on a reader thread.
    """
    api = (await asyncio.to_thread(client, host)).api  # cached after the first call
    endpoint = urlsplit(host.endpoint)
    if endpoint.scheme == "unix" or (endpoint.scheme in ("tcp", "http") and api.base_url.startswith("http:")):
        return _read_stream(await streams.open_stream(host, "/images/get", [("names", ref) for ref in refs]))
    return stream_response(await asyncio.to_thread(_open_save_sdk, host, refs))


async def _read_stream(body: streams.EngineStream) -> AsyncIterator[bytes]:
    try:
        while data := await body.read():
            yield data
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
