from django.conf import settings
from django.db import models
from django.utils import timezone

from console.models import Host, upsert_seen


class Container(models.Model):
    """What the console last saw of a container on a host, and who made it here.

    The engine is the truth for state; this row adds what the engine does not keep.
    """

    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="containers")
    container_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    image = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    gone_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["host", "container_id"], name="unique_container_per_host")
        ]

    def __str__(self):
        return f"{self.name} on {self.host}"


def track(host, summaries, complete: bool) -> dict[str, "Container"]:
    """Upsert what a list call saw; when it saw every container, mark the rest gone.

    Returns the rows by container id, so pages can show who created each one.
    """
    existing, seen_rows = upsert_seen(
        Container,
        host,
        "container_id",
        summaries,
        lambda s: {"name": s.name, "image": s.image, "state": s.state, "status": s.status},
    )
    if complete:
        seen = {s.id for s in summaries}
        gone = [cid for cid, row in existing.items() if cid not in seen and row.gone_since is None]
        Container.objects.filter(host=host, container_id__in=gone).update(
            gone_since=timezone.now(), state="removed"
        )
    return {row.container_id: row for row in seen_rows}


def record_created(host, container_id: str, name: str, user) -> None:
    Container.objects.update_or_create(
        host=host,
        container_id=container_id,
        defaults={"name": name, "created_by": user, "last_seen": timezone.now(), "gone_since": None},
    )


def mark_removed(host, container_id_or_name: str) -> None:
    Container.objects.filter(host=host, gone_since=None).filter(
        models.Q(container_id__startswith=container_id_or_name) | models.Q(name=container_id_or_name)
    ).update(gone_since=timezone.now(), state="removed")
