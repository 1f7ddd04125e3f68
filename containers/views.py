"""Container pages: the `docker ps` table, the run form, a container's page, its actions."""

import json
import shlex
import time

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console import audit
from console.api import whole_number
from console.auth import OPERATE, VIEW
from console.engine import EngineError, NotFound
from console.http import back_url, page
from containers import docker_api, models, run
from containers.forms import RunForm

KILL_SIGNALS = ("SIGKILL", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2")
PAST_TENSE = {
    "start": "Started",
    "stop": "Stopped",
    "kill": "Killed",
    "restart": "Restarted",
    "pause": "Paused",
    "unpause": "Unpaused",
}
SETTLE_SECONDS = 1.0  # how long a kill waits for the container to act on its signal
SETTLE_STEP = 0.05


def flash(request, text: str, command: str) -> None:
    """A success message that carries its docker command; templates show the two apart."""
    messages.success(request, f"{text}\x1f{command}")


@page(VIEW)
def container_list(request, host):
    show_all = request.GET.get("all") == "1"
    containers = docker_api.list_containers(host, all=show_all)
    rows = models.track(host, containers, complete=show_all)
    for container in containers:
        row = rows.get(container.id)
        container.created_by = row.created_by if row else None
    return render(
        request,
        "containers/_table.html" if request.headers.get("X-Live-Fragment") else "containers/list.html",
        {"host": host, "containers": containers, "show_all": show_all},
    )


@page(OPERATE)
def container_run(request, host):
    form = RunForm(request.POST or None, initial={"image": request.GET.get("image", "")})
    if request.method == "POST" and form.is_valid():
        try:
            spec = run.RunSpec.from_data(form.as_run_data())
            container_id, name = run.run(host, spec)
        except EngineError as exc:
            form.add_error(None, exc.message)
        else:
            models.record_created(host, container_id, name, request.user)
            audit.record(request.user, host, "run", name, spec.cli())
            if form.opens_terminal():  # like `docker run -it`: straight into its terminal
                flash(
                    request,
                    f"Started container {name} ({container_id[:12]}).",
                    spec.cli().replace(" -d", "", 1),
                )
                return redirect("container_attach", host=host.name, ref=name)
            flash(request, f"Started container {name} ({container_id[:12]}).", spec.cli())
            return redirect("container_detail", host=host.name, ref=name)
    return render(request, "containers/run.html", {"host": host, "form": form})


def container_context(host, ref, document) -> dict:
    """What every page about one container shows in its header."""
    state = document.get("State", {})
    return {
        "host": host,
        "ref": ref,
        "name": document.get("Name", "").lstrip("/"),
        "doc": document,
        "state": state,
        "state_name": state.get("Status", ""),
    }


@page(VIEW)
def container_detail(request, host, ref):
    document = docker_api.inspect(host, ref)
    state = document.get("State", {})
    processes = None
    if state.get("Running") and not state.get("Paused"):
        try:
            processes = docker_api.top(host, ref)
        except EngineError:
            processes = None  # it stopped between inspect and top
    row = models.Container.objects.filter(host=host, container_id=document["Id"]).first()
    return render(
        request,
        "containers/detail.html",
        {
            **container_context(host, ref, document),
            "command": shlex.join(
                word for word in [document.get("Path"), *(document.get("Args") or [])] if word
            ),
            "inspect_json": json.dumps(document, indent=2, sort_keys=False),
            "top": processes,
            "created_by": row.created_by if row else None,
            "signals": KILL_SIGNALS,
        },
    )


@page(OPERATE)
@require_POST
def container_action(request, host, ref, action):
    timeout = whole_number(request.POST.get("t"), "t")
    signal = request.POST.get("signal") or None
    command = docker_api.act(
        host,
        ref,
        action,
        timeout=timeout,
        signal=signal if action == "kill" else None,
    )
    audit.record(request.user, host, action, ref, command)
    if action not in ("kill", "stop"):
        flash(request, f"{PAST_TENSE[action]} container {ref}.", command)
        return redirect(back_url(request))
    document = _settled(host, ref)
    flash(request, _after_stopping(document, ref, action, signal), command)
    back = back_url(request)
    gone = document is None or document.get("HostConfig", {}).get("AutoRemove")
    if gone and back.startswith(f"/hosts/{host.name}/containers/{ref}/"):
        return redirect("container_list", host=host.name)  # its own page is gone with it
    return redirect(back)


def _after_stopping(document: dict | None, ref: str, action: str, signal: str | None) -> str:
    """What a stop or kill did, from the container's state once it settled.

    `docker stop` returns once the container is down; a kill only sends the signal, and a
    process may handle it (exit with its own code, or carry on), so the state is read after.
    """
    state = (document or {}).get("State", {})
    sig = (signal or "SIGKILL").upper()
    sig = sig if sig.startswith("SIG") or sig.isdigit() else f"SIG{sig}"
    if document is None:
        outcome = "it exited and was removed (it was run with --rm)"
    elif state.get("Restarting"):
        outcome = f"it exited with code {state.get('ExitCode')} and is restarting (restart policy)"
    elif state.get("Paused"):
        outcome = "the container is paused: its process gets the signal once it is unpaused"
    elif state.get("Running"):
        outcome = "the container is still running: its process handled or ignored the signal"
    elif document.get("HostConfig", {}).get("AutoRemove"):
        outcome = f"it exited with code {state.get('ExitCode')} and is removed (it was run with --rm)"
    else:
        outcome = f"it exited with code {state.get('ExitCode')}"
    if action == "stop":
        lead = f"Stopped container {ref}"
    elif sig in ("SIGKILL", "9") and not state.get("Running"):
        lead = f"Killed container {ref}"
    else:
        lead = f"Sent {sig} to container {ref}"
    return f"{lead}; {outcome}."


def _settled(host, ref: str) -> dict | None:
    """The container's inspect document once it stops running, or after SETTLE_SECONDS; None once gone."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        try:
            document = docker_api.inspect(host, ref)
        except NotFound:
            return None
        if not document.get("State", {}).get("Running") or time.monotonic() >= deadline:
            return document
        time.sleep(SETTLE_STEP)


@page(OPERATE)
@require_POST
def container_remove(request, host, ref):
    force = request.POST.get("force") == "1"
    command = docker_api.remove(host, ref, force=force)
    models.mark_removed(host, ref)
    audit.record(request.user, host, "rm", ref, command)
    flash(request, f"Removed container {ref}.", command)
    return redirect("container_list", host=host.name)
