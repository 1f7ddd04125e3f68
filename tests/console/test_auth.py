from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from console.models import ApiToken, hash_secret
from tests.conftest import csrf_post

PAGES = [
    "/",
    "/hosts/",
    "/hosts/local/",
    "/hosts/local/containers/",
    "/hosts/local/images/",
    "/hosts/local/run/",
    "/hosts/local/images/prune/",
    "/tokens/",
]
API = [
    "/api/v1/hosts/",
    "/api/v1/hosts/local/",
    "/api/v1/hosts/local/containers/",
    "/api/v1/hosts/local/images/",
]


@pytest.mark.django_db
class TestLoginRequired:
    @pytest.mark.parametrize("url", PAGES)
    def test_every_page_redirects_to_login(self, client, url):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")

    @pytest.mark.parametrize("url", API)
    def test_every_api_call_answers_401(self, client, url):
        response = client.get(url)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"

    def test_a_post_without_login_changes_nothing(self, client):
        response = client.post("/api/v1/hosts/local/images/prune", {}, content_type="application/json")
        assert response.status_code == 401

    def test_a_post_without_login_is_401_even_with_csrf_checks(self, db):
        client = Client(enforce_csrf_checks=True)
        response = client.post("/api/v1/hosts/local/images/prune", {}, content_type="application/json")
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


@pytest.mark.django_db
class TestTokens:
    def test_deleting_a_token_by_a_bad_id_changes_nothing(self, web, user):
        ApiToken.issue(user, "keep")
        response = csrf_post(web, "/tokens/", {"delete": "abc"})
        assert response.status_code == 302
        assert ApiToken.objects.filter(user=user).count() == 1

    def test_a_token_does_not_open_the_pages_or_the_admin(self, user):
        user.is_staff = user.is_superuser = True
        user.save()
        _, secret = ApiToken.issue(user, "script")
        client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {secret}"})
        assert client.get("/admin/").status_code == 302  # to the login page
        assert client.get("/hosts/").status_code == 302
        assert client.post("/tokens/", {"name": "more"}).status_code == 403
        assert ApiToken.objects.filter(user=user).count() == 1

    def test_a_wrong_token_is_refused(self):
        client = Client(headers={"Authorization": "Bearer dcon_not-a-real-token"})
        response = client.get("/api/v1/hosts/")
        assert response.status_code == 401
        assert "not valid" in response.json()["error"]

    def test_a_token_of_an_inactive_user_is_refused(self, user):
        _, secret = ApiToken.issue(user, "old")
        user.is_active = False
        user.save()
        client = Client(headers={"Authorization": f"Bearer {secret}"})
        assert client.get("/api/v1/hosts/").status_code == 401

    def test_create_token_prints_a_token_and_stores_only_its_hash(self, user):
        out = StringIO()
        call_command("create_token", user.username, stdout=out)
        secret = out.getvalue().strip()
        token = ApiToken.objects.get(user=user)
        assert token.key_hash == hash_secret(secret) and secret not in token.key_hash
        client = Client(headers={"Authorization": f"Bearer {secret}"})
        assert client.get("/api/v1/hosts/").status_code == 200
        assert ApiToken.objects.get(pk=token.pk).last_used is not None

    def test_the_tokens_page_makes_a_token_shown_once(self, web):
        from tests.conftest import csrf_post

        page = csrf_post(web, "/tokens/", {"name": "deploy"}).content.decode()
        assert "dcon_" in page and "will not be shown again" in page
        assert "dcon_" not in web.get("/tokens/").content.decode().split("Starts with")[1].replace(
            ApiToken.objects.get().hint, ""
        )

    def test_a_token_request_needs_no_csrf_token(self, api):
        response = api.post("/api/v1/hosts/local/containers/", "{}", content_type="application/json")
        assert response.status_code == 400  # reached the view: the body lacks `image`

    def test_unknown_api_paths_answer_json(self, api):
        response = api.get("/api/v1/nothing/here")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.django_db
class TestFirstAdmin:
    def test_the_setup_link_creates_the_first_admin_once(self, client, django_user_model):
        out = StringIO()
        call_command("setup_link", stdout=out)
        link = next(word for word in out.getvalue().split() if "/setup/" in word)
        path = link.split("8000", 1)[1]
        assert client.get(path).status_code == 200
        response = client.post(
            path,
            {"username": "root", "password1": "a-long-pass-phrase-9", "password2": "a-long-pass-phrase-9"},
        )
        assert response.status_code == 302
        admin = django_user_model.objects.get(username="root")
        assert admin.is_superuser and admin.is_staff
        assert client.get(path).status_code == 404

    def test_no_link_once_a_user_exists(self, user):
        out = StringIO()
        call_command("setup_link", stdout=out)
        assert out.getvalue() == ""

    def test_a_wrong_link_is_refused(self, client):
        assert client.get("/setup/guess/").status_code == 404
