"""Pages for a container's logs and stats and a host's stats table, and the logs download."""

from dataclasses import replace

from django.contrib import messages
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render

from console import streams
from console.auth import VIEW
from console.engine import BadRequest, EngineError, client, engine_call
from console.http import api, page
from containers import docker_api
from containers.logs import LogOptions, frames
from containers.views import container_context

TAIL_CHOICES = ("100", "200", "1000", "5000", "all")


@page(VIEW)
def container_logs(request, host, ref):
    if request.headers.get("X-Live-Fragment") == "check":  # the page asks before it connects
        try:
            LogOptions.from_query({"follow": "1", **request.GET.dict()})
        except BadRequest as exc:
            return JsonResponse({"error": exc.message}, status=400)
        return JsonResponse({"ok": True})
    document = docker_api.inspect(host, ref)
    since = request.GET.get("since", "").strip()  # as typed (10m), not as the engine takes it
    try:
        options = LogOptions.from_query({"follow": "1", **request.GET.dict()})
    except BadRequest as exc:  # a hand-edited URL: say so, and show the defaults
        messages.error(request, exc.message)
        options, since = LogOptions(follow=True), ""
    context = container_context(host, ref, document)
    if request.headers.get("X-Live-Fragment") == "head":
        return render(request, "containers/_head.html", {**context, "active": "logs"})
    return render(
        request,
        "containers/logs.html",
        {
            **context,
            "options": options,
            "since": since,
            "cli": replace(options, since=since).cli(context["name"]),
            "tail_choices": TAIL_CHOICES if options.tail in TAIL_CHOICES else (options.tail, *TAIL_CHOICES),
            "log_driver": document.get("HostConfig", {}).get("LogConfig", {}).get("Type", ""),
        },
    )


@page(VIEW)
def container_stats(request, host, ref):
    context = container_context(host, ref, docker_api.inspect(host, ref))
    if request.headers.get("X-Live-Fragment") == "head":  # the header again, after a state change
        return render(request, "containers/_head.html", {**context, "active": "stats"})
    return render(request, "containers/stats.html", context)


@page(VIEW)
def host_stats(request, host):
    return render(request, "containers/host_stats.html", {"host": host})


@api(GET=VIEW)
def container_logs_download(request, host, ref):
    """GET …/containers/{ref}/logs?tail=N&since=T&timestamps=1: the log so far, as text, streamed."""
    options = LogOptions.from_query({"tail": "all", **request.GET.dict(), "follow": ""})
    document = docker_api.inspect(host, ref)
    with engine_call(host):  # a log driver that cannot be read says so now, not mid-download
        client(host).api.logs(document["Id"], tail=0)
    name = document.get("Name", "").lstrip("/") or document["Id"][:12]
    response = StreamingHttpResponse(
        _log_bytes(host, document["Id"], document["Config"].get("Tty", False), options.params()),
        content_type="text/plain; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.log"'
    response["X-Docker-Command"] = options.cli(name)
    return response


async def _log_bytes(host, container_id: str, tty: bool, params: dict):
    """The log's bytes as the engine sends them, without the frame headers; never all in memory."""
    try:
        stream = await streams.open_stream(host, f"/containers/{container_id}/logs", params)
    except EngineError as exc:
        yield f"\n[docker-console] {exc.message}\n".encode()
        return
    rest = b""
    try:
        while chunk := await stream.read():
            if tty:
                yield chunk
                continue
            pieces, rest = frames(rest + chunk if rest else chunk)
            if pieces:
                yield b"".join(payload for _, payload in pieces)
    except OSError as exc:
        yield f"\n[docker-console] The engine cut the stream: {exc}\n".encode()
    finally:
        stream.close()
