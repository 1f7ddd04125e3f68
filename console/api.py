"""JSON API for hosts: GET /api/v1/hosts/ and /api/v1/hosts/{host}/."""

from dataclasses import asdict

from django.http import JsonResponse

from console import hosts
from console.auth import VIEW
from console.engine import BadRequest
from console.http import api
from console.models import Host


def query_flag(request, name: str) -> bool:
    value = request.GET.get(name, "").lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise BadRequest(f"`{name}` must be 1 or 0, not {value!r}.")


def query_int(request, name: str) -> int | None:
    return whole_number(request.GET.get(name), name)


def whole_number(value: str | None, name: str) -> int | None:
    """`value` as an int (None when empty), or BadRequest naming the parameter."""
    if value is None or value == "":
        return None
    if not (value.lstrip("-").isascii() and value.lstrip("-").isdigit()):
        raise BadRequest(f"`{name}` must be a whole number, not {value!r}.")
    return int(value)


@api(GET=VIEW)
def host_list(request):
    return JsonResponse([s.as_api() for s in hosts.statuses(Host.objects.all())], safe=False)


@api(GET=VIEW)
def host_detail(request, host):
    status = hosts.status(host)
    data = status.as_api()
    if status.status == "up":
        data.update(asdict(hosts.info(host)))
    else:
        data["error"] = status.error
    return JsonResponse(data)
