from django.conf import settings
from django.db import models
from django.utils import timezone

from console.models import Host


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
    now = timezone.now()
    existing = {c.container_id: c for c in Container.objects.filter(host=host)}
    to_create, to_update = [], []
    for summary in summaries:
        row = existing.get(summary.id)
        if row is None:
            row = Container(host=host, container_id=summary.id, first_seen=now)
            to_create.append(row)
        else:
            to_update.append(row)
        row.name, row.image = summary.name, summary.image
        row.state, row.status = summary.state, summary.status
        row.last_seen, row.gone_since = now, None
    Container.objects.bulk_create(to_create)
    Container.objects.bulk_update(to_update, ["name", "image", "state", "status", "last_seen", "gone_since"])
    if complete:
        seen = {s.id for s in summaries}
        gone = [cid for cid, row in existing.items() if cid not in seen and row.gone_since is None]
        Container.objects.filter(host=host, container_id__in=gone).update(gone_since=now, state="removed")
    return {row.container_id: row for row in [*to_create, *to_update]}


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
