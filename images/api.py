"""JSON API for images, as in CONTRACT.md: /api/v1/hosts/{host}/images/…"""

from django.http import JsonResponse

from console import audit
from console.api import query_flag
from console.auth import OPERATE, VIEW
from console.engine import BadRequest
from console.http import api, json_body
from images import docker_api, models


@api(GET=VIEW)
def image_list(request, host):
    label = request.GET.get("label")
    images = docker_api.list_images(host, label=label)
    if not label:
        models.track(host, images)
    return JsonResponse([image.as_api() for image in images], safe=False)


@api(POST=OPERATE)
def image_prune(request, host):
    body = json_body(request)
    prune_all = body.get("all", False)
    label = body.get("label")
    if not isinstance(prune_all, bool):
        raise BadRequest("`all` must be true or false.")
    if label is not None and not isinstance(label, str):
        raise BadRequest('`label` must be a string like "team=web".')
    result, command = docker_api.prune(host, all=prune_all, label=label)
    audit.record(request.user, host, "image prune", "", command)
    return JsonResponse(result)


@api(GET=VIEW, DELETE=OPERATE)
def image_detail(request, host, ref):
    """`ref` may hold slashes and a registry port, so one route takes every image path."""
    if request.method == "GET":
        return JsonResponse(docker_api.inspect(host, ref))
    result, command = docker_api.remove(host, ref, force=query_flag(request, "force"))
    audit.record(request.user, host, "rmi", ref, command)
    return JsonResponse(result)
