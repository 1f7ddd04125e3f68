"""`docker commit`: a container's filesystem to a new image, its name checked before the engine is asked."""

from django.conf import settings

from console.engine import BadRequest, NotFound, client, engine_call
from containers.docker_api import docker_cli
from images.tags import check_repository, check_tag


def commit(host, ref: str, data: dict) -> tuple[str, str, str]:
    """Like `docker commit [-m] [-a] [--pause=false] REF REPOSITORY[:TAG]`; returns (id, reference, command).

    An invalid name is refused here: the engine would make the image first and then fail
    to tag it, leaving a stray untagged image behind.
    """
    repository = check_repository(data.get("repository"))
    tag = check_tag(data.get("tag"))
    message, author, pause = data.get("message") or "", data.get("author") or "", data.get("pause", True)
    if not isinstance(message, str) or not isinstance(author, str):
        raise BadRequest("`message` and `author` must be strings.")
    if not isinstance(pause, bool):
        raise BadRequest("`pause` must be true or false.")
    args = ["commit"]
    if message:
        args += ["-m", message]
    if author:
        args += ["-a", author]
    if not pause:
        args.append("--pause=false")
    reference = f"{repository}:{tag}"
    command = docker_cli(*args, ref, reference)
    try:
        with engine_call(host):
            api = client(host).api
            params = {"container": ref, "repo": repository, "tag": tag, "pause": pause}
            params |= {"comment": message or None, "author": author or None}
            # The SDK's commit() has the client's read timeout; the engine answers when the
            # container's changes are written as a layer: ~10 s a GB here, so no read timeout.
            response = api._post_json(
                api._url("/commit"), data={}, params=params, timeout=(settings.DOCKER_TIMEOUT, None)
            )
            result = api._result(response, json=True)
    except NotFound:
        raise NotFound(
            f"There is no container {ref!r} on host {host.name} to commit. "
            "`docker ps -a` lists the ones there are."
        ) from None
    return result["Id"], reference, command
