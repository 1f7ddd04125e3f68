"""Image names checked as the engine would, and `docker tag`.

The grammar is Docker's reference grammar (distribution/reference): checking it here
means a bad name is refused before the engine is asked; `docker commit` with a bad
name would otherwise leave a stray untagged image behind.
"""

import re

from console.engine import BadRequest, NotFound, checked_ref, client, engine_call
from containers.docker_api import docker_cli

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
REPOSITORY = re.compile(rf"^(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*$")
TAG = re.compile(r"^[\w][\w.-]{0,127}$")


def check_repository(repository) -> str:
    if not isinstance(repository, str) or not repository.strip():
        raise BadRequest("Say which repository to name the image: `repository` is required, like team/app.")
    repository = repository.strip()
    if len(repository) > 255 or not REPOSITORY.match(repository):
        hint = " (repository names must be lowercase)" if repository.lower() != repository else ""
        raise BadRequest(
            f"{repository!r} is not a valid repository name{hint}: use lowercase letters, digits and "
            "separators (. _ -) in parts split by /, optionally after a registry like "
            "localhost:5000/, e.g. localhost:5000/team/app. Nothing was changed."
        )
    return repository


def check_tag(tag) -> str:
    if tag in (None, ""):
        return "latest"
    if not isinstance(tag, str) or not TAG.match(tag.strip()):
        raise BadRequest(
            f"{tag!r} is not a valid tag: up to 128 letters, digits, '_', '.' or '-', "
            "not starting with '.' or '-'. Nothing was changed."
        )
    return tag.strip()


def split(reference: str) -> tuple[str, str | None]:
    """ "localhost:5000/team/app:1.0" → ("localhost:5000/team/app", "1.0"); a digest keeps its @."""
    if "@" in reference:
        return reference, None
    name, sep, tag = reference.rpartition(":")
    if sep and "/" not in tag:
        return name, tag
    return reference, None


def tag(host, ref: str, repository, tag_name=None) -> tuple[str, str]:
    """Like `docker tag REF REPOSITORY:TAG`; returns (new reference, command)."""
    checked_ref(ref)
    repository = check_repository(repository)
    tag_name = check_tag(tag_name)
    target = f"{repository}:{tag_name}"
    command = docker_cli("tag", ref, target)
    try:
        with engine_call(host):
            client(host).api.tag(ref, repository, tag_name)
    except NotFound:
        raise NotFound(
            f"There is no image {ref!r} on host {host.name} to tag. `docker images` lists the ones there are."
        ) from None
    return target, command
