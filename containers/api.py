"""JSON API for containers, as in CONTRACT.md: /api/v1/hosts/{host}/containers/…"""

from asgiref.sync import sync_to_async
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse

from console import audit
from console.api import query_flag, query_int
from console.auth import OPERATE, VIEW
from console.engine import BadRequest
from console.http import api, async_api, json_body
from console.uploads import UploadStream
from containers import archive, commit, docker_api, models, run
from images.transfer import stream_response


@api(GET=VIEW, POST=OPERATE)
def container_list(request, host):
    if request.method == "POST":
        spec = run.RunSpec.from_data(json_body(request))
        container_id, name = run.run(host, spec)
        models.record_created(host, container_id, name, request.user)
        audit.record(request.user, host, "run", name, spec.cli())
        return JsonResponse({"id": container_id, "name": name}, status=201)
    show_all = query_flag(request, "all")
    label = request.GET.get("label")
    summaries = docker_api.list_containers(host, all=show_all, label=label)
    if not label:
        models.track(host, summaries, complete=show_all)
    return JsonResponse([s.as_api() for s in summaries], safe=False)


@api(GET=VIEW, DELETE=OPERATE)
def container_detail(request, host, ref):
    if request.method == "DELETE":
        command = docker_api.remove(host, ref, force=query_flag(request, "force"))
        models.mark_removed(host, ref)
        audit.record(request.user, host, "rm", ref, command)
        return HttpResponse(status=204)
    return JsonResponse(docker_api.inspect(host, ref))


@api(POST=OPERATE)
def container_action(request, host, ref, action):
    command = docker_api.act(
        host,
        ref,
        action,
        timeout=query_int(request, "t") if action in ("stop", "restart") else None,
        signal=request.GET.get("signal") if action == "kill" else None,
    )
    audit.record(request.user, host, action, ref, command)
    return HttpResponse(status=204)


@api(GET=VIEW)
def container_top(request, host, ref):
    return JsonResponse(docker_api.top(host, ref))


@api(POST=OPERATE)
def container_commit(request, host, ref):
    image_id, reference, command = commit.commit(host, ref, json_body(request))
    audit.record(request.user, host, "commit", ref, command)
    return JsonResponse({"id": image_id, "tag": reference, "command": command}, status=201)


async def container_archive(request, host, ref):
    """PUT: `docker cp FILE… REF:DIR` (streamed upload); GET: `docker cp REF:PATH -` (a tar)."""
    if request.method == "PUT":
        return await archive_put(request, host=host, ref=ref)
    return await sync_to_async(archive_get)(request, host=host, ref=ref)


def _mode(request) -> int:
    value = request.GET.get("mode") or "644"
    try:
        mode = int(value, 8)
    except ValueError:
        mode = -1
    if not 0 <= mode <= 0o7777:
        raise BadRequest(f"`mode` must be octal permissions like 644 or 755, not {value!r}.")
    return mode


@async_api(PUT=OPERATE)
async def archive_put(request, host, ref):
    names, command = await archive.put(
        host, ref, request.GET.get("path"), UploadStream.of(request), _mode(request)
    )
    await sync_to_async(audit.record)(request.user, host, "cp", ref, command)
    return HttpResponse(status=204, headers={"X-Docker-Command": command})


@api(GET=VIEW)
def archive_get(request, host, ref):
    response, stat = archive.open_get(host, ref, request.GET.get("path"))
    streamed = StreamingHttpResponse(stream_response(response), content_type="application/x-tar")
    streamed["Content-Disposition"] = f'attachment; filename="{download_name(stat.get("name"), ".tar")}"'
    streamed["X-Docker-Container-Path-Stat"] = response.headers.get("X-Docker-Container-Path-Stat", "")
    return streamed


def download_name(name, suffix: str = "") -> str:
    safe = "".join(c if c.isalnum() or c in " ._-" else "_" for c in (name or "")).strip() or "download"
    return safe if safe.endswith(suffix) else safe + suffix
