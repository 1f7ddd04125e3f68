"""Containers on a host, as plain data: list, lifecycle actions, remove, inspect, top (run: run.py).

Each function that changes something returns the docker command it stands for, so
pages and the API can show it and the audit log can keep it.
"""

import re
import shlex
from contextlib import contextmanager
from dataclasses import dataclass, field

from console.engine import BadRequest, Conflict, EngineError, NotFound, client, engine_call

SIGNAL_PATTERN = re.compile(r"^(SIG)?[A-Z0-9+-]{1,12}$|^\d{1,2}$")
LIFECYCLE_ACTIONS = ("start", "stop", "kill", "restart", "pause", "unpause")


def docker_cli(*args) -> str:
    return shlex.join(["docker", *[str(a) for a in args]])


@dataclass
class ContainerSummary:
    id: str
    short_id: str
    name: str
    image: str
    image_id: str
    command: str
    created: int
    state: str
    status: str
    ports: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)

    def as_api(self) -> dict:
        return {
            key: getattr(self, key)
            for key in (
                "id",
                "short_id",
                "name",
                "image",
                "command",
                "created",
                "state",
                "status",
                "ports",
            )
        }

    @property
    def ports_text(self) -> str:
        return format_ports(self.ports)


def format_ports(ports: list[dict]) -> str:
    """Ports as `docker ps` prints them: 0.0.0.0:8080->80/tcp, 443/tcp."""
    parts = []
    for port in sorted(ports, key=lambda p: (p.get("PrivatePort", 0), p.get("IP", ""))):
        private = f"{port.get('PrivatePort')}/{port.get('Type', 'tcp')}"
        if port.get("PublicPort"):
            ip = port.get("IP", "0.0.0.0")
            ip = f"[{ip}]" if ":" in ip and ip != "::" else ip
            parts.append(f"{ip}:{port['PublicPort']}->{private}")
        else:
            parts.append(private)
    return ", ".join(dict.fromkeys(parts))


def _summary(raw: dict) -> ContainerSummary:
    names = raw.get("Names") or ["/"]
    return ContainerSummary(
        id=raw["Id"],
        short_id=raw["Id"][:12],
        name=names[0].lstrip("/"),
        image=raw.get("Image", ""),
        image_id=raw.get("ImageID", ""),
        command=raw.get("Command", ""),
        created=raw.get("Created", 0),
        state=raw.get("State", ""),
        status=raw.get("Status", ""),
        ports=raw.get("Ports") or [],
        labels=raw.get("Labels") or {},
    )


def list_containers(host, all: bool = False, label: str | None = None) -> list[ContainerSummary]:
    """Like `docker ps` (running) or `docker ps -a` (all), newest first."""
    filters = {"label": label} if label else None
    with engine_call(host):
        raw = client(host).api.containers(all=all, filters=filters)
    return [_summary(item) for item in raw]


def act(host, ref: str, action: str, *, timeout: int | None = None, signal: str | None = None) -> str:
    """One of the lifecycle actions, chosen from a fixed set; returns the docker command."""
    if action not in LIFECYCLE_ACTIONS:
        raise BadRequest(f"{action!r} is not an action; use one of {', '.join(LIFECYCLE_ACTIONS)}.")
    if timeout is not None and not (0 <= timeout <= 3600):
        raise BadRequest("The stop timeout must be between 0 and 3600 seconds.")
    if signal is not None and not SIGNAL_PATTERN.match(signal):
        raise BadRequest(f"{signal!r} is not a signal name like SIGTERM, HUP or 9.")
    api = client(host).api
    with _explained(ref, action), engine_call(host):
        if action == "start":
            api.start(ref)
        elif action == "stop":
            api.stop(ref, timeout=timeout) if timeout is not None else api.stop(ref)
        elif action == "restart":
            api.restart(ref, timeout=timeout) if timeout is not None else api.restart(ref)
        elif action == "kill":
            api.kill(ref, signal=signal) if signal else api.kill(ref)
        elif action == "pause":
            api.pause(ref)
        elif action == "unpause":
            api.unpause(ref)
    options = []
    if timeout is not None and action in ("stop", "restart"):
        options = ["-t", timeout]
    if signal and action == "kill":
        options = ["-s", signal]
    return docker_cli(action, *options, ref)


def remove(host, ref: str, force: bool = False) -> str:
    """Like `docker rm` (refuses a running container) or `docker rm -f`."""
    with _explained(ref, "rm"), engine_call(host):
        client(host).api.remove_container(ref, force=force)
    return docker_cli("rm", "-f", ref) if force else docker_cli("rm", ref)


def inspect(host, ref: str) -> dict:
    with _explained(ref, "inspect"), engine_call(host):
        return client(host).api.inspect_container(ref)


def top(host, ref: str) -> dict:
    """The process table, like `docker top`: {"titles": [...], "processes": [[...], ...]}."""
    with _explained(ref, "top"), engine_call(host):
        result = client(host).api.top(ref)
    return {"titles": result.get("Titles") or [], "processes": result.get("Processes") or []}


@contextmanager
def _explained(ref: str, action: str):
    """Re-words the engine's refusals about one container as what to do next."""
    try:
        yield
    except NotFound as exc:
        raise NotFound(
            f"There is no container {ref!r} on this host. It may have been removed; "
            "`docker ps -a` lists the ones there are."
        ) from exc
    except EngineError as exc:
        if isinstance(exc, Conflict) or _is_state_refusal(exc):
            raise Conflict(_state_sentence(ref, action, exc.message)) from exc
        raise


def _is_state_refusal(exc) -> bool:
    message = getattr(exc, "message", "").lower()
    return any(
        words in message
        for words in ("is paused", "not paused", "not running", "already paused", "is restarting")
    )


def _state_sentence(ref: str, action: str, engine_message: str) -> str:
    lower = engine_message.lower()
    if action == "rm" and "running" in lower:
        return (
            f"Container {ref} is running, so it was not removed. Stop it first "
            f"(`docker stop {ref}`), or force the removal (`docker rm -f {ref}`)."
        )
    if action == "rm" and "paused" in lower:
        return (
            f"Container {ref} is paused, so it was not removed. Unpause and stop it first, "
            f"or force the removal (`docker rm -f {ref}`)."
        )
    if "already paused" in lower:
        return f"Container {ref} is already paused. Resume it with `docker unpause {ref}`."
    if "not paused" in lower:
        return f"Container {ref} is not paused, so there is nothing to unpause."
    if "is paused" in lower or "paused" in lower and action == "start":
        return f"Container {ref} is paused. Unpause it first: `docker unpause {ref}`."
    if "not running" in lower:
        return f"Container {ref} is not running. Start it first: `docker start {ref}`."
    return engine_message
