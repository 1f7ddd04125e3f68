"""Container page actions for files and images: download a path (`docker cp`), commit."""

from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from console import audit
from console.auth import OPERATE, VIEW
from console.http import page
from containers import archive, commit
from containers.api import download_name
from containers.views import flash
from images.transfer import stream_response


@page(VIEW)
def container_download(request, host, ref):
    """A single file as itself, a directory (or a link) as a tar: like `docker cp REF:PATH .`."""
    response, stat = archive.open_get(host, ref, request.GET.get("path"))
    if archive.is_regular_file(stat):
        streamed = StreamingHttpResponse(
            archive.file_content(response), content_type="application/octet-stream"
        )
        streamed["Content-Length"] = str(stat.get("size", 0))
        name = download_name(stat.get("name"))
    else:
        streamed = StreamingHttpResponse(stream_response(response), content_type="application/x-tar")
        name = download_name(stat.get("name"), ".tar")
    streamed["Content-Disposition"] = f'attachment; filename="{name}"'
    return streamed


@page(OPERATE)
@require_POST
def container_commit(request, host, ref):
    data = {
        "repository": request.POST.get("repository", ""),
        "tag": request.POST.get("tag", ""),
        "message": request.POST.get("message", ""),
        "author": request.POST.get("author", ""),
        "pause": request.POST.get("pause") == "1",
    }
    image_id, reference, command = commit.commit(host, ref, data)
    audit.record(request.user, host, "commit", ref, command)
    flash(
        request,
        f"Committed container {ref} as image {reference} ({image_id.removeprefix('sha256:')[:12]}).",
        command,
    )
    return redirect("container_detail", host=host.name, ref=ref)
