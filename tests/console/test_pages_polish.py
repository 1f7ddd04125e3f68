"""Page details a new user noticed: the admin's audit log, the used set-up link, the setup form, hosts."""

import pytest
from django.test import Client

from console.models import AuditEntry


@pytest.fixture
def admin_client(db, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", password="boss-pass-12345")
    client = Client()
    client.force_login(admin)
    return client, admin


class TestAdmin:
    def test_audit_entries_are_read_only(self, admin_client, local_host):
        client, admin = admin_client
        entry = AuditEntry.objects.create(
            user=admin, host=local_host, action="stop", target="web", command="docker stop web"
        )
        listing = client.get("/admin/console/auditentry/")
        assert listing.status_code == 200
        assert b"docker stop web" in listing.content
        assert b"/admin/console/auditentry/add/" not in listing.content
        assert client.get("/admin/console/auditentry/add/").status_code == 403
        detail = client.get(f"/admin/console/auditentry/{entry.pk}/change/")
        assert detail.status_code == 200  # shown, without a Save button
        assert b'name="_save"' not in detail.content
        deleted = client.post(f"/admin/console/auditentry/{entry.pk}/delete/", {"post": "yes"})
        assert deleted.status_code == 403
        assert AuditEntry.objects.filter(pk=entry.pk).exists()

    def test_api_tokens_are_spelled_api(self, admin_client):
        client, _ = admin_client
        index = client.get("/admin/").content.decode()
        assert "API tokens" in index and "Api tokens" not in index
