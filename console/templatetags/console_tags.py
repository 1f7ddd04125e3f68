from datetime import UTC, datetime

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def message_text(message) -> str:
    return str(message).split("\x1f", 1)[0]


@register.filter
def sentence(text) -> str:
    """A sentence from the console or the engine, its `backticked` commands and paths as code."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an odd backtick: no pairs to trust
        return escape(text)
    return mark_safe(
        "".join(f"<code>{escape(part)}</code>" if i % 2 else escape(part) for i, part in enumerate(parts))
    )


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


SIZE_UNITS = ("B", "kB", "MB", "GB", "TB", "PB", "EB")


@register.filter
def bytes_human(size) -> str:
    """A size as the Docker CLI prints it: decimal units, 3 significant digits (1.99MB, 27.3kB)."""
    try:
        value = float(size or 0)
    except (TypeError, ValueError):
        return ""
    unit = 0
    while True:
        while abs(value) >= 1000 and unit < len(SIZE_UNITS) - 1:
            value /= 1000
            unit += 1
        text = f"{value:.3g}"
        if float(text) < 1000 or unit == len(SIZE_UNITS) - 1:  # 999.96kB rounds to 1e+03: say 1MB
            return f"{text}{SIZE_UNITS[unit]}"
        value = float(text)


@register.filter
def short_image(image: str) -> str:
    """The IMAGE column of `docker ps`: a name as given, a bare image id as its 12-character short id."""
    image = image or ""
    if image.startswith("sha256:"):
        return image.removeprefix("sha256:")[:12]
    return image


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
