"""JSON API for containers, as in CONTRACT.md: /api/v1/hosts/{host}/containers/…"""

from django.http import HttpResponse, JsonResponse

from console import audit
from console.api import query_flag, query_int
from console.auth import OPERATE, VIEW
from console.http import api, json_body
from containers import docker_api, models


@api(GET=VIEW, POST=OPERATE)
def container_list(request, host):
    if request.method == "POST":
        spec = docker_api.RunSpec.from_data(json_body(request))
        container_id, name = docker_api.run(host, spec)
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
