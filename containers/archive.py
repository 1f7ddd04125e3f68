"""`docker cp` both ways: files into a container's directory, and a path out of it.

Works on stopped containers too, as `docker cp` does. Uploads are streamed: a tar body
goes to the engine as it arrives; files from a form are spooled to temporary files
(their sizes must be known for the tar headers), then sent as one tar.
"""

import asyncio
import base64
import json
import posixpath
import tarfile
import tempfile
import time
from collections.abc import AsyncIterator

from console.engine import BadRequest, EngineError, NotFound, client, engine_call
from console.threads import in_own_thread
from console.uploads import UploadStream, send_in_thread
from containers.docker_api import docker_cli

CHUNK = 1024 * 1024
MODE_DIR = 1 << 31  # Go's os.ModeDir in the engine's path stat
MODE_SYMLINK = 1 << 27


def check_path(path) -> str:
    if not isinstance(path, str) or not path.strip():
        raise BadRequest("Say which path in the container: `?path=/some/dir`.")
    path = path.strip()
    if not path.startswith("/"):
        raise BadRequest(f"The path {path!r} must be absolute, starting with /.")
    return path


def _explained(host, ref: str, path: str, exc: EngineError, directory: bool) -> EngineError:
    message = exc.message
    if "No such container" in message:
        return NotFound(
            f"There is no container {ref!r} on host {host.name} (was it removed?). "
            "`docker ps -a` lists the ones there are."
        )
    if "Could not find the file" in message:
        what = "directory" if directory else "file or directory"
        hint = (
            f" Create it first (`docker exec {ref} mkdir -p {path}`) or choose another." if directory else ""
        )
        return NotFound(f"There is no {what} {path} in container {ref}.{hint}")
    if "not a directory" in message:
        return BadRequest(
            f"{path} in container {ref} is a file, not a directory: files are copied into a directory. "
            f"Choose its directory ({posixpath.dirname(path.rstrip('/')) or '/'}) instead."
        )
    return exc


def _put(host, ref: str, path: str, body) -> None:
    with engine_call(host):
        api = client(host).api
        response = api._put(
            api._url("/containers/{0}/archive", ref), params={"path": path}, data=body, timeout=(30, None)
        )
        api._raise_for_status(response)


async def _spool(chunks: AsyncIterator[bytes]):
    spool = tempfile.SpooledTemporaryFile(max_size=CHUNK)  # noqa: SIM115 - closed by the caller
    async for chunk in chunks:
        await asyncio.to_thread(spool.write, chunk)
    size = spool.tell()
    spool.seek(0)
    return spool, size


def _tar_of(files: list[tuple[str, object, int]], mode: int):
    archive = tempfile.SpooledTemporaryFile(max_size=8 * CHUNK)  # noqa: SIM115 - closed by the caller
    now = time.time()
    with tarfile.open(fileobj=archive, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, spool, size in files:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = size, mode, now
            tar.addfile(info, spool)
    archive.seek(0)
    return archive


async def put(host, ref: str, path, upload: UploadStream, mode: int = 0o644) -> tuple[list[str], str]:
    """Like `docker cp FILE… REF:PATH`; a tar body keeps its names and modes. Returns (names, command)."""
    path = check_path(path)
    try:
        if upload.boundary() is None:
            await send_in_thread(upload.chunks(), lambda body: _put(host, ref, path, body), CHUNK)
            return [], docker_cli("cp", "-", f"{ref}:{path}")
        files = []
        try:
            async for filename, chunks in upload.files():
                if not filename or filename in (".", ".."):
                    raise BadRequest("Each uploaded file needs a name.")
                spool, size = await _spool(chunks)
                files.append((filename, spool, size))
            if not files:
                raise BadRequest("Choose at least one file to copy (multipart field `file`).")
            archive = await asyncio.to_thread(_tar_of, files, mode)
            try:
                await in_own_thread(_put, host, ref, path, archive)
            finally:
                archive.close()
        finally:
            for _, spool, _ in files:
                spool.close()
    except EngineError as exc:
        raise _explained(host, ref, path, exc, directory=True) from None
    names = [name for name, _, _ in files]
    return names, " && ".join(docker_cli("cp", name, f"{ref}:{path}") for name in names)


def open_get(host, ref: str, path) -> tuple[object, dict]:
    """Ask the engine for the tar of PATH (like `docker cp REF:PATH -`); returns (response, stat)."""
    path = check_path(path)
    try:
        with engine_call(host):
            api = client(host).api
            response = api._get(
                api._url("/containers/{0}/archive", ref),
                params={"path": path},
                # Else the engine gzips it; `docker cp REF:PATH -` gives a plain tar.
                headers={"Accept-Encoding": "identity"},
                stream=True,
                timeout=(30, None),
            )
            api._raise_for_status(response)
    except EngineError as exc:
        raise _explained(host, ref, path, exc, directory=False) from None
    header = response.headers.get("X-Docker-Container-Path-Stat", "")
    stat = json.loads(base64.b64decode(header)) if header else {}
    return response, stat


def is_regular_file(stat: dict) -> bool:
    return bool(stat) and not stat.get("mode", 0) & (MODE_DIR | MODE_SYMLINK)


async def file_content(response) -> AsyncIterator[bytes]:
    """The one file inside the engine's tar, streamed as itself."""
    tar = await asyncio.to_thread(tarfile.open, fileobj=response.raw, mode="r|")
    try:
        member = await asyncio.to_thread(tar.next)
        extracted = tar.extractfile(member) if member is not None and member.isfile() else None
        if extracted is None:
            return
        while data := await asyncio.to_thread(extracted.read, CHUNK):
            yield data
    finally:
        tar.close()
        response.close()
