import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

LOCAL_HOST_NAME = "local"
ENGINE_SCHEMES = ("unix", "tcp", "http")


def validate_engine_url(url: str) -> None:
    """An engine address the console can speak to: unix:///path or tcp://host:port."""
    from urllib.parse import urlsplit

    from django.core.exceptions import ValidationError

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ENGINE_SCHEMES
        or not (parts.path if parts.scheme == "unix" else parts.hostname)
    ):
        raise ValidationError(
            f"{url!r} is not an engine address the console can use: write unix:///var/run/docker.sock "
            "or tcp://10.0.0.5:2375 (for a remote engine, an SSH tunnel to its socket)."
        )


class Host(models.Model):
    """A Docker engine the console manages. `url` empty means DOCKER_HOST (the `local` host)."""

    name = models.SlugField(max_length=64, unique=True)
    url = models.CharField(
        max_length=255,
        blank=True,
        validators=[validate_engine_url],
        help_text="unix:///var/run/docker.sock or tcp://10.0.0.5:2375. Leave empty to follow DOCKER_HOST.",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def endpoint(self) -> str:
        return self.url or settings.DOCKER_HOST

    @classmethod
    def by_ref(cls, ref: str) -> "Host":
        """The host named `ref`, or with id `ref`; raises Host.DoesNotExist."""
        if ref.isascii() and ref.isdigit():
            found = cls.objects.filter(models.Q(pk=int(ref)) | models.Q(name=ref)).first()
            if found:
                return found
            raise cls.DoesNotExist
        return cls.objects.get(name=ref)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for scripts; only its hash is kept."""

    PREFIX = "dcon_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="The first characters, to tell tokens apart.")
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"
        verbose_name_plural = "API tokens"

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        """A new token for `user`; returns the row and the secret, shown only this once."""
        secret = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=hash_secret(secret), hint=secret[:9])
        return token, secret

    @classmethod
    def user_for(cls, secret: str):
        """The active user that `secret` belongs to, or None."""
        token = cls.objects.select_related("user").filter(key_hash=hash_secret(secret)).first()
        if token is None or not token.user.is_active:
            return None
        cls.objects.filter(pk=token.pk).update(last_used=timezone.now())
        return token.user


class SetupLink(models.Model):
    """A one-time link that lets the first person create the first admin; only its hash is kept."""

    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"set-up link made {self.created:%Y-%m-%d %H:%M}"

    @classmethod
    def issue(cls) -> str:
        cls.objects.all().delete()
        secret = secrets.token_urlsafe(24)
        cls.objects.create(key_hash=hash_secret(secret))
        return secret

    @classmethod
    def is_valid(cls, secret: str) -> bool:
        return cls.objects.filter(key_hash=hash_secret(secret)).exists()


class AuditEntry(models.Model):
    """Who did what to which engine, with the docker command it stands for."""

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    host = models.ForeignKey(Host, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)
    target = models.CharField(max_length=255, blank=True)
    command = models.TextField(blank=True)
    ok = models.BooleanField(default=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.created:%Y-%m-%d %H:%M:%S} {self.user} {self.command}"


def upsert_seen(model, host, key_field: str, summaries, values) -> tuple[dict, list]:
    """One row per summary a list call saw on `host`, created or updated with `values(summary)`
    and stamped as seen now. Returns the rows there were before, and the rows seen."""
    now = timezone.now()
    existing = {getattr(row, key_field): row for row in model.objects.filter(host=host)}
    created, updated, fields = [], [], {"last_seen", "gone_since"}
    for summary in summaries:
        row = existing.get(summary.id)
        if row is None:
            row = model(host=host, first_seen=now, **{key_field: summary.id})
            created.append(row)
        else:
            updated.append(row)
        changes = values(summary)
        fields.update(changes)
        for name, value in {**changes, "last_seen": now, "gone_since": None}.items():
            setattr(row, name, value)
    model.objects.bulk_create(created)
    if updated:
        model.objects.bulk_update(updated, sorted(fields))
    return existing, [*created, *updated]
