"""`docker pull` with its progress: per-layer frames as the engine reports them, and plain sentences."""

import re

from console.engine import BadRequest, EngineError, EngineUnreachable, NotFound, client, engine_call
from containers.docker_api import docker_cli
from images.tags import REPOSITORY, TAG, split


class Unauthorized(EngineError):
    """The registry wants other credentials. Not a 401: that would read as "your console token is wrong"."""

    status = 502
    code = "unauthorized"


def check_reference(ref) -> str:
    if not isinstance(ref, str) or not ref.strip():
        raise BadRequest(
            "Say which image to pull: `ref`, like busybox:latest or localhost:5000/team/app:1.0."
        )
    ref = ref.strip()
    name, tag = split(ref)
    digest_ok = "@" in name and re.fullmatch(r"[^@]+@sha256:[0-9a-f]{64}", name)
    if not digest_ok and not (REPOSITORY.match(name) and (tag is None or TAG.match(tag))):
        raise BadRequest(
            f"{ref!r} is not an image reference: use NAME[:TAG], e.g. busybox:latest or "
            "localhost:5000/team/app:1.0 (lowercase names)."
        )
    return ref


def check_auth(auth) -> dict | None:
    if auth in (None, {}):
        return None
    if not isinstance(auth, dict) or not all(isinstance(auth.get(k), str) for k in ("username", "password")):
        raise BadRequest('`auth` must be {"username": "...", "password": "..."}.')
    return {"username": auth["username"], "password": auth["password"]}


def pull_error(ref: str, message: str) -> EngineError:
    """The engine's pull error as a sentence: not found and unauthorized said plainly."""
    lowered = message.lower()
    if any(
        words in lowered
        for words in ("unauthorized", "authentication required", "access denied", "no basic auth credentials")
    ):
        return Unauthorized(
            f"The registry refused to give {ref}: unauthorized. Check the user name and password "
            f"(or whether the repository exists and you may read it). The engine says: {message}"
        )
    if "not found" in lowered or "manifest unknown" in lowered or "name unknown" in lowered:
        return NotFound(
            f"Image {ref} was not found in its registry: check the name and the tag. "
            f"The engine says: {message}"
        )
    if "connection refused" in lowered or "no such host" in lowered or "i/o timeout" in lowered:
        return EngineError(f"The registry for {ref} does not answer. The engine says: {message}")
    return EngineError(f"Pulling {ref} failed: {message}")


def progress_frame(message: dict) -> dict | None:
    """One engine message as a `progress` frame: layer, status, current, total."""
    if "status" not in message:
        return None
    layer = message.get("id", "")
    if message["status"].startswith("Pulling from "):  # its id is the tag, not a layer
        layer = ""
    frame = {"type": "progress", "layer": layer, "status": message["status"]}
    detail = message.get("progressDetail") or {}
    if detail.get("total"):
        frame["current"] = detail.get("current", 0)
        frame["total"] = detail["total"]
    return frame


def pull_stream(host, ref: str, auth: dict | None = None):
    """Yield progress frames for `docker pull REF` (blocking; run it on a worker thread)."""
    name, tag = split(ref)
    try:
        with engine_call(host):
            api = client(host).api
            messages = api.pull(
                name,
                tag=tag or (None if "@" in name else "latest"),
                stream=True,
                decode=True,
                auth_config=auth,
            )
            for message in messages:
                if "error" in message:
                    raise pull_error(ref, message.get("error", ""))
                frame = progress_frame(message)
                if frame:
                    yield frame
    except (EngineUnreachable, Unauthorized) as exc:
        raise exc from None
    except EngineError as exc:
        if exc.message.startswith(("Image ", "Pulling ", "The registry")):
            raise
        raise pull_error(ref, exc.message.removeprefix("The Docker engine refused: ")) from None


def pulled(host, ref: str) -> dict:
    """The image a finished pull left: {"id", "tags"}."""
    with engine_call(host):
        image = client(host).api.inspect_image(ref)
    return {"id": image["Id"], "tags": image.get("RepoTags") or []}


def pull(host, ref, auth=None) -> tuple[dict, str]:
    """Like `docker pull REF`, to the end; returns ({"id", "tags"}, command)."""
    ref = check_reference(ref)
    auth = check_auth(auth)
    for _ in pull_stream(host, ref, auth):
        pass
    return pulled(host, ref), command_for(ref)


def command_for(ref: str) -> str:
    return docker_cli("pull", ref)
