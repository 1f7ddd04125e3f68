from django.contrib import admin

from console.models import ApiToken, AuditEntry, Host


@admin.register(Host)
class HostAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "created"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created", "last_used"]
    readonly_fields = ["key_hash", "hint", "last_used"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log is a record: it can be read and searched, never written or edited here."""

    list_display = ["created", "user", "host", "command", "ok"]
    list_filter = ["host", "action"]
    search_fields = ["command", "target", "user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
