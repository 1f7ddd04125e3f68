from console.models import AuditEntry


def record(user, host, action: str, target: str, command: str) -> None:
    """Keep who ran which docker command against which host through the console."""
    AuditEntry.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        host=host,
        action=action,
        target=target,
        command=command,
    )
