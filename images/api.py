"""JSON API for images, as in CONTRACT.md: /api/v1/hosts/{host}/images/…"""

from asgiref.sync import sync_to_async
from django.http import JsonResponse, StreamingHttpResponse

from console import audit
from console.api import query_flag
from console.auth import OPERATE, VIEW
from console.engine import BadRequest
from console.http import api, async_api, json_body
from console.uploads import UploadStream
from images import docker_api, models, pull, tags, transfer


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


@async_api(GET=VIEW)
async def image_save(request, host):
    """Like `docker save A B > file.tar`: the engine's tar streamed as it is made, no read timeout."""
    refs, filename, command = await sync_to_async(transfer.check_save)(host, request.GET.getlist("ref"))
    body = await transfer.open_save(host, refs, request.scope)
    await sync_to_async(audit.record)(request.user, host, "save", " ".join(refs), command)
    streamed = StreamingHttpResponse(body, content_type="application/x-tar")
    streamed["Content-Disposition"] = f'attachment; filename="{filename}"'
    streamed["X-Docker-Command"] = command
    return streamed


@async_api(POST=OPERATE)
async def image_load(request, host):
    """Like `docker load -i FILE`: a raw or multipart body, streamed to the engine in chunks."""
    upload = UploadStream.of(request)
    files = upload.files()
    try:
        async for filename, chunks in files:
            name = request.GET.get("filename") or filename
            loaded, command = await transfer.load(host, chunks, name)
            break
        else:
            raise BadRequest("Send the tar as the body, or as a multipart field named `file`.")
    finally:
        await files.aclose()
    await sync_to_async(audit.record)(request.user, host, "load", ", ".join(loaded), command)
    return JsonResponse({"loaded": loaded, "command": command})


@api(POST=OPERATE)
def image_pull(request, host):
    """Like `docker pull REF`, answered when the pull is done; progress is on the WebSocket."""
    body = json_body(request)
    result, command = pull.pull(host, body.get("ref"), body.get("auth"))
    audit.record(request.user, host, "pull", body.get("ref"), command)
    return JsonResponse({**result, "command": command})


@api(POST=OPERATE)
def image_tag(request, host, ref):
    body = json_body(request)
    target, command = tags.tag(host, ref, body.get("repository"), body.get("tag"))
    audit.record(request.user, host, "tag", ref, command)
    return JsonResponse({"tag": target, "command": command}, status=201)


# The fixed paths save, load, pull and …/tag share the URL space with image names: a
# request that is not theirs (DELETE images/save, GET images/team/tag) is the image's.


async def save_route(request, host):
    if request.method == "GET" and "ref" in request.GET:
        return await image_save(request, host=host)
    return await sync_to_async(image_detail)(request, host=host, ref="save")


async def load_route(request, host):
    if request.method == "POST":
        return await image_load(request, host=host)
    return await sync_to_async(image_detail)(request, host=host, ref="load")


def pull_route(request, host):
    if request.method == "POST":
        return image_pull(request, host=host)
    return image_detail(request, host=host, ref="pull")


def tag_route(request, host, ref):
    if request.method == "POST":
        return image_tag(request, host=host, ref=ref)
    return image_detail(request, host=host, ref=f"{ref}/tag")
