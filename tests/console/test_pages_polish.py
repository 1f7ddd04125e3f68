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

    def test_admin_pages_link_the_favicon_too(self, admin_client):
        client, _ = admin_client
        for path in ("/admin/", "/admin/console/host/add/"):
            assert b'<link rel="icon" href="/static/img/favicon.svg"' in client.get(path).content

    def test_api_tokens_are_spelled_api(self, admin_client):
        client, _ = admin_client
        index = client.get("/admin/").content.decode()
        assert "API tokens" in index and "Api tokens" not in index


def _setup_path() -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("setup_link", stdout=out)
    link = next(word for word in out.getvalue().split() if "/setup/" in word)
    return "/setup/" + link.split("/setup/", 1)[1]


@pytest.mark.django_db
class TestSetupLink:
    def test_the_form_puts_the_password_help_under_its_input(self, client):
        html = client.get(_setup_path()).content.decode()
        field = html.index('name="password1"')
        help_text = html.index('id="id_password1_helptext"')
        assert html.index('for="id_password1"') < field < help_text
        assert 'aria-describedby="id_password1_helptext"' in html

    def test_a_used_link_shows_the_command_as_code_and_no_try_again(self, client, user):
        response = client.get("/setup/used-or-guessed/")
        assert response.status_code == 404
        html = response.content.decode()
        assert '<code class="cli">python manage.py createsuperuser</code>' in html
        assert "`" not in html.split("<main>", 1)[1]
        assert "Try again" not in html
        assert 'href="/accounts/login/"' in html and ">Log in<" in html

    def test_a_used_link_sends_a_logged_in_user_home(self, web):
        response = web.get("/setup/used-or-guessed/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "You are logged in as operator" in html
        assert ">Go to the console<" in html and ">Log in<" not in html
        assert "Try again" not in html


@pytest.mark.django_db
class TestHostPages:
    def test_the_host_page_counts_images_as_docker_images_does(self, web, engine, test_image):
        response = web.get("/hosts/local/")
        listed = len(engine.images.list())  # `docker images`: tagged and dangling, no intermediate layers
        counted = engine.info()["Images"]  # `docker info`: with intermediate layers
        html = response.content.decode()
        assert f'<span class="num">{listed}</span><span>image' in html
        if counted != listed:
            assert f"{counted} incl. intermediate layers" in html

    def test_every_page_links_a_favicon_that_is_served(self, web, local_host):
        html = web.get("/hosts/").content.decode()
        assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html
        icon = web.get("/static/img/favicon.svg")
        assert icon.status_code == 200
        body = b"".join(icon.streaming_content) if icon.streaming else icon.content
        assert body.startswith(b"<svg")
