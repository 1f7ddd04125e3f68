"""Images on a host, as plain data: list (with who uses each), remove, prune."""

from dataclasses import dataclass, field

from console.engine import Conflict, NotFound, checked_ref, client, engine_call
from containers.docker_api import docker_cli

NONE_TAG = "<none>:<none>"


@dataclass
class ImageSummary:
    id: str
    tags: list[str]
    created: int
    size: int
    used_by: list[str] = field(default_factory=list)
    labels: dict = field(default_factory=dict)

    @property
    def short_id(self) -> str:
        return self.id.removeprefix("sha256:")[:12]

    @property
    def in_use(self) -> bool:
        return bool(self.used_by)

    @property
    def dangling(self) -> bool:
        return not self.tags

    def as_api(self) -> dict:
        return {
            "id": self.id,
            "short_id": self.short_id,
            "tags": self.tags,
            "created": self.created,
            "size": self.size,
            "in_use": self.in_use,
            "containers": self.used_by,
        }

    def rows(self) -> list[tuple[str, str]]:
        """(repository, tag) pairs as `docker images` prints them, one per tag."""
        if not self.tags:
            return [("<none>", "<none>")]
        return [
            tuple(tag.rsplit(":", 1)) if ":" in tag.rsplit("/", 1)[-1] else (tag, "<none>")
            for tag in self.tags
        ]


def _users_by_image(api) -> dict[str, list[str]]:
    users: dict[str, list[str]] = {}
    for container in api.containers(all=True):
        name = (container.get("Names") or ["/?"])[0].lstrip("/")
        users.setdefault(container.get("ImageID", ""), []).append(name)
    return users


def list_images(host, label: str | None = None) -> list[ImageSummary]:
    """Like `docker images`: every tagged or dangling image, newest first."""
    filters = {"label": label} if label else None
    with engine_call(host):
        api = client(host).api
        raw = api.images(filters=filters)
        users = _users_by_image(api)
    images = [
        ImageSummary(
            id=item["Id"],
            tags=[t for t in (item.get("RepoTags") or []) if t != NONE_TAG],
            created=item.get("Created", 0),
            size=item.get("Size", 0),
            used_by=sorted(users.get(item["Id"], [])),
            labels=item.get("Labels") or {},
        )
        for item in raw
    ]
    return sorted(images, key=lambda i: i.created, reverse=True)


def remove(host, ref: str, force: bool = False) -> tuple[dict, str]:
    """Like `docker rmi [-f] REF`; returns ({"deleted", "untagged"}, command)."""
    checked_ref(ref)
    command = docker_cli("rmi", "-f", ref) if force else docker_cli("rmi", ref)
    api = client(host).api
    try:
        with engine_call(host):
            result = api.remove_image(ref, force=force)
    except NotFound:
        raise _missing(host, ref) from None
    except Conflict as exc:
        raise Conflict(_in_use_sentence(host, ref, force, exc.message)) from exc
    return {
        "deleted": [entry["Deleted"] for entry in result or [] if "Deleted" in entry],
        "untagged": [entry["Untagged"] for entry in result or [] if "Untagged" in entry],
    }, command


def _in_use_sentence(host, ref: str, force: bool, engine_message: str) -> str:
    with engine_call(host):
        api = client(host).api
        image_id = api.inspect_image(ref)["Id"]
        users = [
            ((c.get("Names") or ["/?"])[0].lstrip("/"), c.get("State", ""))
            for c in api.containers(all=True)
            if c.get("ImageID") == image_id
        ]
    if not users:
        return engine_message
    named = ", ".join(f"{name} ({state})" for name, state in users)
    first = users[0][0]
    if any(state in ("running", "paused", "restarting") for _, state in users):
        return (
            f"Image {ref} is used by container {named}, so it was not removed. Stop and remove "
            f"that container first (`docker rm -f {first}`), then `docker rmi {ref}`."
        )
    return (
        f"Image {ref} is used by container {named}, so it was not removed. Remove that "
        f"container first (`docker rm {first}`), or force it with `docker rmi -f {ref}`, "
        "which leaves the container without a named image."
        if not force
        else engine_message
    )


def prune_candidates(host, all: bool = False, label: str | None = None) -> list[ImageSummary]:
    """What `docker image prune [-a]` would delete: unused images, only dangling ones unless all."""
    return [image for image in list_images(host, label=label) if not image.in_use and (all or image.dangling)]


def prune(host, all: bool = False, label: str | None = None) -> tuple[dict, str]:
    """Like `docker image prune [-a] [--filter label=…] -f`; returns the engine's report and command."""
    filters = {}
    if all:
        filters["dangling"] = False
    if label:
        filters["label"] = label
    with engine_call(host):
        report = client(host).api.prune_images(filters=filters or None)
    entries = report.get("ImagesDeleted") or []
    result = {
        "deleted": [e["Deleted"] for e in entries if "Deleted" in e],
        "untagged": [e["Untagged"] for e in entries if "Untagged" in e],
        "space_reclaimed": report.get("SpaceReclaimed", 0),
    }
    args = ["image", "prune", "-f"] + (["-a"] if all else [])
    if label:
        args += ["--filter", f"label={label}"]
    return result, docker_cli(*args)


def inspect(host, ref: str) -> dict:
    checked_ref(ref)
    try:
        with engine_call(host):
            return client(host).api.inspect_image(ref)
    except NotFound:
        raise _missing(host, ref) from None


def _missing(host, ref: str) -> NotFound:
    return NotFound(
        f"There is no image {ref!r} on host {host.name}. `docker images` lists the ones there are."
    )
