"""`docker run -d`: what it takes, checked before the engine is asked, and the run itself."""

import ipaddress
import re
import shlex
from dataclasses import dataclass, field

import docker.errors

from console.engine import BadRequest, NotFound, client, engine_call
from containers.docker_api import docker_cli
from images.tags import split as split_reference

NAME_PATTERN = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")
PORT_PATTERN = re.compile(r"^\d{1,5}(/(tcp|udp|sctp))?$")
BINDING = re.compile(r"^(?:(?P<ip>[\d.]+|\[[0-9a-fA-F:]+\]):)?(?P<port>\d{1,5})$")
RESTART_POLICIES = ("no", "always", "unless-stopped", "on-failure")


@dataclass
class RunSpec:
    """What `docker run -d` takes, checked before the engine is asked."""

    image: str
    name: str = ""
    command: list[str] | None = None
    tty: bool = False
    stdin_open: bool = False
    env: list[str] = field(default_factory=list)
    ports: dict = field(default_factory=dict)
    restart_policy: str = "no"
    labels: dict = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: dict) -> "RunSpec":
        image = data.get("image")
        if not isinstance(image, str) or not image.strip():
            raise BadRequest("Say which image to run: `image` is required.")
        spec = cls(image=image.strip())
        spec.name = _checked_name(data.get("name") or "")
        spec.command = _checked_command(data.get("command"))
        spec.tty = _checked_bool(data, "tty")
        spec.stdin_open = _checked_bool(data, "stdin_open")
        spec.env = _checked_env(data.get("env") or [])
        spec.ports = _checked_ports(data.get("ports") or {})
        spec.restart_policy = data.get("restart_policy") or "no"
        if spec.restart_policy not in RESTART_POLICIES:
            raise BadRequest(
                f"Restart policy {spec.restart_policy!r} is not one of: " + ", ".join(RESTART_POLICIES) + "."
            )
        labels = data.get("labels") or {}
        if not isinstance(labels, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
        ):
            raise BadRequest('`labels` must be an object of strings, like {"team": "web"}.')
        spec.labels = labels
        return spec

    def cli(self) -> str:
        args = ["run", "-d"]
        if self.stdin_open and self.tty:
            args.append("-it")  # as people type it, and as the run form's preview shows it
        elif self.stdin_open:
            args.append("-i")
        elif self.tty:
            args.append("-t")
        if self.name:
            args += ["--name", self.name]
        for item in self.env:
            args += ["-e", item]
        for container_port, binding in self.ports.items():
            published = "" if binding is None else f"{binding}:"
            args += ["-p", f"{published}{container_port}"]
        if self.restart_policy != "no":
            args += ["--restart", self.restart_policy]
        for key, value in self.labels.items():
            args += ["--label", f"{key}={value}"]
        args.append(self.image)
        return docker_cli(*args, *(self.command or []))


def _checked_name(name) -> str:
    if not isinstance(name, str):
        raise BadRequest("`name` must be a string.")
    name = name.strip()
    if name and not NAME_PATTERN.match(name):
        raise BadRequest(
            f"{name!r} is not a valid container name: use at least two letters, digits, "
            "'_', '.' or '-', starting with a letter or digit."
        )
    return name


def _checked_command(command) -> list[str] | None:
    if command in (None, "", []):
        return None
    if isinstance(command, str):
        try:
            return shlex.split(command)
        except ValueError as exc:
            raise BadRequest(f"The command cannot be split into words: {exc}.") from None
    if isinstance(command, list) and all(isinstance(part, str) for part in command):
        return command
    raise BadRequest("`command` must be a string or a list of strings.")


def _checked_bool(data: dict, key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise BadRequest(f"`{key}` must be true or false.")
    return value


def _checked_env(env) -> list[str]:
    if not isinstance(env, list) or not all(isinstance(item, str) for item in env):
        raise BadRequest('`env` must be a list of "KEY=value" strings.')
    for item in env:
        key, sep, _ = item.partition("=")
        if not sep or not key or any(c.isspace() for c in key) or "\x00" in item:
            raise BadRequest(f"Environment entry {item!r} must look like KEY=value.")
    return env


def _checked_ports(ports) -> dict:
    if not isinstance(ports, dict):
        raise BadRequest('`ports` must be an object like {"80/tcp": 8080}.')
    checked = {}
    for container_port, binding in ports.items():
        if not PORT_PATTERN.match(str(container_port)):
            raise BadRequest(
                f"Container port {container_port!r} must be a number with an optional "
                "/tcp, /udp or /sctp, like 80/tcp."
            )
        if "/" not in container_port:
            container_port = f"{container_port}/tcp"
        if not 0 < int(container_port.split("/")[0]) < 65536:
            raise BadRequest(f"Container port {container_port!r} must be between 1 and 65535.")
        checked[container_port] = _checked_binding(container_port, binding)
    return checked


def _checked_binding(container_port: str, binding):
    """A host port (int), an "ADDRESS:PORT" string, or None for any free port."""
    if binding is None:
        return None
    match = BINDING.match(str(binding)) if isinstance(binding, int | str) and binding is not True else None
    if binding is False or not match or not 0 < int(match["port"]) < 65536 or not _address_ok(match["ip"]):
        raise BadRequest(
            f"Host port {binding!r} for {container_port} must be a port number "
            "(1-65535), optionally with an address like 127.0.0.1:8080."
        )
    return f"{match['ip']}:{match['port']}" if match["ip"] else int(match["port"])


def _address_ok(address: str | None) -> bool:
    try:
        return address is None or bool(ipaddress.ip_address(address.strip("[]")))
    except ValueError:
        return False


def _port_bindings(ports: dict) -> dict:
    bindings = {}
    for container_port, binding in ports.items():
        if isinstance(binding, str) and ":" in binding:
            address, _, port = binding.rpartition(":")
            bindings[container_port] = (address.strip("[]"), int(port))
        else:
            bindings[container_port] = "" if binding is None else int(binding)  # "": any free port
    return bindings


def run(host, spec: RunSpec) -> tuple[str, str]:
    """Create and start a container like `docker run -d`; returns (id, name).

    If the image is not on the host it is pulled first, as `docker run` does. If the
    container cannot start, it is removed again so no half-made container is left.
    """
    api = client(host).api
    with engine_call(host):
        host_config = api.create_host_config(
            port_bindings=_port_bindings(spec.ports) or None,
            restart_policy={"Name": spec.restart_policy} if spec.restart_policy != "no" else None,
        )
        create_args = dict(
            image=spec.image,
            command=spec.command,
            name=spec.name or None,
            tty=spec.tty,
            stdin_open=spec.stdin_open,
            environment=spec.env or None,
            # The SDK appends "/tcp" to plain strings; (port, protocol) pairs keep the protocol.
            ports=[tuple(p.split("/")) for p in spec.ports] or None,
            labels=spec.labels or None,
            host_config=host_config,
        )
        try:
            created = api.create_container(**create_args)
        except docker.errors.ImageNotFound:
            _pull_for_run(host, spec.image)
            created = api.create_container(**create_args)
        container_id = created["Id"]
        try:
            api.start(container_id)
        except docker.errors.APIError:
            api.remove_container(container_id, force=True)
            raise
        name = api.inspect_container(container_id)["Name"].lstrip("/")
    return container_id, name


def _pull_for_run(host, image: str) -> None:
    repository, tag = split_reference(image)
    tag = tag or ("latest" if "@" not in image else None)
    try:
        client(host).api.pull(repository, tag=tag)
    except docker.errors.APIError as exc:
        raise NotFound(
            f"Image {image} is not on host {host.name}, and pulling it failed: "
            f"{exc.explanation or exc}. Check the name, or load or pull the image first."
        ) from exc
