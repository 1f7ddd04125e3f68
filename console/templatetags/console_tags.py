from datetime import UTC, datetime

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template.defaultfilters import filesizeformat

register = template.Library()


@register.filter
def message_text(message) -> str:
    return str(message).split("\x1f", 1)[0]


@register.filter
def message_command(message) -> str:
    parts = str(message).split("\x1f", 1)
    return parts[1] if len(parts) == 2 else ""


@register.filter
def since(timestamp) -> str:
    """A unix timestamp as `docker ps` shows it: 5 minutes ago."""
    if not timestamp:
        return ""
    return naturaltime(datetime.fromtimestamp(int(timestamp), tz=UTC))


@register.filter
def bytes_human(size) -> str:
    return filesizeformat(size or 0).replace("\xa0", " ")


@register.filter
def state_class(state: str) -> str:
    return {
        "running": "ok",
        "paused": "warn",
        "restarting": "warn",
        "exited": "muted",
        "created": "muted",
        "dead": "bad",
        "removing": "warn",
    }.get(state, "muted")
