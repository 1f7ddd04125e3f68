from datetime import UTC, datetime

from django.db import models
from django.utils import timezone

from console.models import Host, upsert_seen


class Image(models.Model):
    """What the console last saw of an image on a host."""

    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="images")
    image_id = models.CharField(max_length=80)
    tags = models.JSONField(default=list)
    size = models.BigIntegerField(default=0)
    created = models.DateTimeField(null=True)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    gone_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["host", "image_id"], name="unique_image_per_host")]

    def __str__(self):
        return f"{', '.join(self.tags) or self.image_id[:19]} on {self.host}"


def track(host, summaries) -> None:
    """Upsert every image a list call saw, and mark those it did not see as gone."""
    upsert_seen(
        Image,
        host,
        "image_id",
        summaries,
        lambda s: {"tags": s.tags, "size": s.size, "created": datetime.fromtimestamp(s.created, tz=UTC)},
    )
    seen = {s.id for s in summaries}
    Image.objects.filter(host=host, gone_since=None).exclude(image_id__in=seen).update(
        gone_since=timezone.now()
    )
