"""The terminal page: `docker exec -it` and `docker attach` in the browser (the bytes go over
the WebSockets in containers/terminal_consumers.py)."""

import shlex

from django.shortcuts import render

from console.auth import OPERATE
from console.http import page
from containers import docker_api


def cli(kind: str, name: str, cmd: str = "", user: str = "", workdir: str = "") -> str:
    """The docker command the page stands for; an empty exec command is shown as /bin/bash's fallback."""
    if kind == "attach":
        return docker_api.docker_cli("attach", name)
    args = ["exec", "-it"]
    if user:
        args += ["-u", user]
    if workdir:
        args += ["-w", workdir]
    try:
        command = shlex.split(cmd) if cmd.strip() else ["/bin/sh"]
    except ValueError:
        command = [cmd]
    return docker_api.docker_cli(*args, name, *command)


@page(OPERATE)
def container_terminal(request, host, ref, kind):
    document = docker_api.inspect(host, ref)
    state = document.get("State", {})
    config = document.get("Config", {})
    name = document.get("Name", "").lstrip("/")
    options = {key: request.GET.get(key, "").strip() for key in ("cmd", "user", "workdir")}
    if kind == "attach":
        options = {}
    return render(
        request,
        "containers/terminal.html",
        {
            "host": host,
            "ref": ref,
            "name": name,
            "kind": kind,
            "doc": document,
            "state_name": state.get("Status", ""),
            "tty": bool(config.get("Tty")),
            "stdin_open": bool(config.get("OpenStdin")),
            "options": options,
            "cli": cli(kind, name, **options),
        },
    )
