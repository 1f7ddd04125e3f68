"""Terminals into containers, the engine side: `docker exec -it` and `docker attach`.

`open_exec` and `open_attach` ask the engine for a hijacked connection (the same
upgrade the docker CLI does) and hand back a `Session` whose raw socket the consumer
drives with asyncio (see containers/terminal_io.py). Everything here is blocking SDK
work: run it in a thread, never on the event loop.
"""

import re
import shlex
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field

from console.engine import (
    BadRequest,
    Conflict,
    EngineError,
    EngineUnreachable,
    NotFound,
    client,
    engine_call,
)

DEFAULT_SHELLS = ("/bin/bash", "/bin/sh")
DETACH_KEYS = "ctrl-p,ctrl-q"
# What the engine writes into the terminal when the process cannot start at all.
START_FAILURES = (b"OCI runtime exec", b"unable to find user")
MISSING_COMMAND = re.compile(r'exec: "([^"]+)": (?:executable file not found|stat [^:]+: no such file)')
# Each exec carries DCONSOLE_TERMINAL=<marker> in its environment, and so do its children.
# This sends a signal to every process that carries the marker: what the kernel's hang-up
# would do. It needs only a POSIX sh (read, case and kill are built in; read copes with NULs).
MARKER = "DCONSOLE_TERMINAL"
HANGUP_SCRIPT = (
    'for p in /proc/[0-9]*; do e=; read -r e < "$p/environ" 2>/dev/null; '
    'case "$e" in *"DCONSOLE_TERMINAL=$1"*) kill "-$2" "${p#/proc/}" 2>/dev/null;; esac; done'
)


@dataclass
class Session:
    """One terminal: the engine's raw socket plus what the consumer needs to know about it."""

    host: object
    kind: str  # "exec" or "attach"
    container_id: str
    name: str
    tty: bool
    stdin_open: bool
    sock: object  # socket.socket for unix:// and tcp://, another object for TLS/ssh
    response: object  # the SDK's HTTP response; holds the connection open
    pending: bytes = b""  # bytes the HTTP parser read past the upgrade headers
    exec_id: str | None = None
    marker: str = ""
    command: list[str] = field(default_factory=list)
    user: str = ""
    workdir: str = ""

    def close(self) -> None:
        for closer in (lambda: self.sock.shutdown(socket.SHUT_RDWR), self.sock.close, self.response.close):
            try:
                closer()
            except Exception:  # noqa: BLE001, S112 - closing what may already be closed
                continue


class NotRunning(Conflict):
    """A paused or stopped container; `action` is what makes it usable: unpause or start."""

    def __init__(self, message: str, action: str):
        super().__init__(message)
        self.action = action


def _running(host, ref: str, verb: str) -> dict:
    """The inspect document of a running, unpaused container, or a sentence saying what to do."""
    with engine_call(host):
        doc = client(host).api.inspect_container(ref)
    state, name = doc.get("State", {}), doc.get("Name", "").lstrip("/")
    if state.get("Paused"):
        raise NotRunning(f"The container {name} is paused — unpause it first, then {verb} again.", "unpause")
    if not state.get("Running"):
        raise NotRunning(f"The container {name} is not running — start it first, then {verb} again.", "start")
    return doc


def _hijack(host, path: str, *args, params=None, body=None):
    """POST with `Upgrade: tcp`, as the docker CLI does; returns (socket, response, pending bytes)."""
    api = client(host).api
    headers = {"Connection": "Upgrade", "Upgrade": "tcp"}
    url = api._url(path, *args)
    if body is None:
        response = api.post(url, params=params, headers=headers, stream=True)
    else:
        response = api._post_json(url, data=body, headers=headers, stream=True)
    sock = api._get_raw_response_socket(response)
    sock = getattr(sock, "_sock", sock)  # socket.SocketIO -> the socket itself
    pending = b""
    if type(sock) is socket.socket:  # unix:// and tcp://; TLS and ssh stay blocking
        sock.setblocking(False)
        buffered = response.raw._fp.fp  # the reader the headers came through may hold more
        try:
            peeked = buffered.peek()
            pending = buffered.read1(len(peeked)) if peeked else b""
        except (OSError, ValueError):
            pending = b""
    return sock, response, pending


def has_path(host, container_id: str, path: str) -> bool:
    """Whether `path` exists in the container (a HEAD on its archive endpoint, nothing is copied)."""
    api = client(host).api
    with engine_call(host):
        response = api.head(api._url("/containers/{0}/archive", container_id), params={"path": path})
    return response.status_code == 200


def parse_command(cmd: str | None) -> list[str] | None:
    if cmd is None or not cmd.strip():
        return None
    try:
        return shlex.split(cmd)
    except ValueError as exc:
        raise BadRequest(f"The command {cmd!r} cannot be split into words: {exc}.") from None


def open_exec(host, ref: str, cmd: str | None = None, user: str = "", workdir: str = "") -> Session:
    """Like `docker exec -it [-u USER] [-w DIR] REF CMD`; CMD defaults to /bin/bash, else /bin/sh."""
    doc = _running(host, ref, "open a shell")
    command = parse_command(cmd)
    if command is None:
        command = ["/bin/bash"] if has_path(host, doc["Id"], "/bin/bash") else ["/bin/sh"]
    api = client(host).api
    marker = uuid.uuid4().hex
    environment = ["TERM=xterm-256color", f"{MARKER}={marker}"]
    with engine_call(host):
        created = api.exec_create(
            doc["Id"],
            command,
            stdin=True,
            tty=True,
            user=user or "",
            workdir=workdir or None,
            environment=environment,
        )
        sock, response, pending = _hijack(
            host, "/exec/{0}/start", created["Id"], body={"Tty": True, "Detach": False}
        )
    return Session(
        host=host,
        kind="exec",
        container_id=doc["Id"],
        name=doc["Name"].lstrip("/"),
        tty=True,
        stdin_open=True,
        sock=sock,
        response=response,
        pending=pending,
        exec_id=created["Id"],
        marker=marker,
        command=command,
        user=user,
        workdir=workdir,
    )


def open_attach(host, ref: str) -> Session:
    """Like `docker attach REF`: the main process's terminal, detached by Ctrl-P Ctrl-Q."""
    doc = _running(host, ref, "attach")
    config = doc.get("Config", {})
    params = {"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1, "detachKeys": DETACH_KEYS}
    with engine_call(host):
        sock, response, pending = _hijack(host, "/containers/{0}/attach", doc["Id"], params=params)
    return Session(
        host=host,
        kind="attach",
        container_id=doc["Id"],
        name=doc["Name"].lstrip("/"),
        tty=bool(config.get("Tty")),
        stdin_open=bool(config.get("OpenStdin")),
        sock=sock,
        response=response,
        pending=pending,
        command=[doc.get("Path", ""), *doc.get("Args", [])],
    )


def resize(session: Session, cols: int, rows: int, tries: int = 50) -> bool:
    """Tell the engine the terminal's size; right after a start it may refuse, so retry a while."""
    if not session.tty:
        return False
    api = client(session.host).api
    for attempt in range(tries):
        try:
            with engine_call(session.host):
                if session.kind == "exec":
                    api.exec_resize(session.exec_id, height=rows, width=cols)
                else:
                    api.resize(session.container_id, height=rows, width=cols)
            return True
        except (Conflict, EngineError):
            if attempt + 1 < tries:
                time.sleep(0.02)
    return False


def start_failure(session: Session, output: bytes) -> dict | None:
    """The error frame for an exec that could not start, from what the engine wrote, or None."""
    if session.kind != "exec" or not output.startswith(START_FAILURES):
        return None
    text = output.decode("utf-8", "replace").strip()
    missing = MISSING_COMMAND.search(text)
    if missing:
        frame = {"type": "error", "code": "command_not_found", "command": missing[1]}
        sentence = f"The command {missing[1]} does not exist in container {session.name}."
        if missing[1] != "/bin/sh":
            frame["suggest"] = "/bin/sh"
            sentence += " Open /bin/sh instead?"
        return {**frame, "error": sentence}
    if "chdir" in text or "cwd" in text:
        sentence = (
            f"The working directory {session.workdir} does not exist in container {session.name}; "
            "leave it empty or choose another."
        )
        return {"type": "error", "code": "bad_request", "error": sentence}
    if "unable to find user" in text:
        sentence = (
            f"There is no user {session.user} in container {session.name}; "
            "leave it empty for the image's default user."
        )
        return {"type": "error", "code": "bad_request", "error": sentence}
    return {"type": "error", "code": "engine_error", "error": f"The command could not start: {text}"}


def outcome(session: Session, detach_typed: bool = False, wait: float = 2.0) -> dict:
    """The last frame once the engine closed the stream: exit code, detached, removed or an error."""
    api = client(session.host).api
    deadline = time.monotonic() + wait
    while True:
        try:
            with engine_call(session.host):
                if session.kind == "exec":
                    info = api.exec_inspect(session.exec_id)
                    running, code = info.get("Running"), info.get("ExitCode")
                else:
                    state = api.inspect_container(session.container_id).get("State", {})
                    running, code = state.get("Running"), state.get("ExitCode")
        except NotFound:
            sentence = f"The container {session.name} was removed."
            return {"type": "end", "reason": "removed", "message": sentence}
        except EngineUnreachable as exc:
            sentence = f"The terminal lost its connection to the engine. {exc.message}"
            return {"type": "error", "error": sentence, "code": exc.code}
        except EngineError as exc:
            return {"type": "error", "error": exc.message, "code": exc.code}
        if not running:
            return {"type": "exit", "exit_code": code}
        if detach_typed or time.monotonic() > deadline:
            return {"type": "detached"}
        time.sleep(0.05)


def hang_up(session: Session, grace: float = 2.0) -> None:
    """End an exec whose client went away: SIGHUP to its processes, SIGKILL to those that stay.

    The engine keeps an exec running when its connection closes (a known Docker leak), and
    has no call to end one, so this signals from inside the container, as root.
    """
    api = client(session.host).api
    try:
        with engine_call(session.host):
            for signal in ("HUP", "KILL"):
                if not api.exec_inspect(session.exec_id).get("Running"):
                    return
                script = ["/bin/sh", "-c", HANGUP_SCRIPT, "hangup", session.marker, signal]
                api.exec_start(api.exec_create(session.container_id, script, user="0")["Id"])
                deadline = time.monotonic() + grace
                while time.monotonic() < deadline and api.exec_inspect(session.exec_id).get("Running"):
                    time.sleep(0.05)
    except EngineError:
        return  # the container stopped or went away: nothing is left to hang up


def hang_up_later(session: Session) -> threading.Thread:
    """Hang up in a short-lived thread, so a closing tab never waits on the engine."""
    name = f"hangup-{session.exec_id[:12]}"
    thread = threading.Thread(target=hang_up, args=(session,), name=name, daemon=True)
    thread.start()
    return thread
