"""Image transfer pages: load (upload with progress), pull (live per-layer progress), save, tag.

The heavy lifting happens in the browser against the API (the upload, the download) and
the pull WebSocket; these views render the forms and handle the small form posts.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console import audit
from console.auth import OPERATE
from console.http import page
from containers.views import flash
from images import docker_api, tags


@page(OPERATE)
def image_transfer(request, host):
    images = docker_api.list_images(host)
    refs = [tag for image in images for tag in image.tags] + [i.short_id for i in images if not i.tags]
    return render(
        request,
        "images/transfer.html",
        {"host": host, "refs": refs, "upload_limit": settings.UPLOAD_LIMIT_BYTES},
    )


@page(OPERATE)
@require_POST
def image_tag(request, host):
    ref = request.POST.get("ref", "").strip()
    target, command = tags.tag(host, ref, request.POST.get("repository"), request.POST.get("tag"))
    audit.record(request.user, host, "tag", ref, command)
    flash(request, f"Tagged {ref} as {target}.", command)
    return redirect("image_list", host=host.name)
