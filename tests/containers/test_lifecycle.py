import pytest

from console.models import AuditEntry
from tests.conftest import api_url, csrf_post


def state(container) -> str:
    container.reload()
    return container.status


class TestStart:
    def test_it_starts_a_stopped_container(self, api, make_container):
        container = make_container()
        container.stop(timeout=0)
        assert api.post(api_url(f"containers/{container.name}/start")).status_code == 204
        assert state(container) == "running"

    def test_it_explains_a_paused_container(self, api, make_container):
        container = make_container()
        container.pause()
        response = api.post(api_url(f"containers/{container.name}/start"))
        assert response.status_code == 409
        assert "is paused" in response.json()["error"] and "docker unpause" in response.json()["error"]


class TestKill:
    def test_it_kills_with_sigkill(self, api, make_container):
        container = make_container()
        assert api.post(api_url(f"containers/{container.name}/kill")).status_code == 204
        container.reload()
        assert container.status == "exited" and container.attrs["State"]["ExitCode"] == 137

    def test_it_sends_a_chosen_signal(self, api, make_container):
        container = make_container(
            command=["sh", "-c", "trap 'exit 42' USR1; while true; do sleep 0.1; done"]
        )
        response = api.post(api_url(f"containers/{container.name}/kill?signal=SIGUSR1"))
        assert response.status_code == 204
        assert container.wait(timeout=10)["StatusCode"] == 42
        assert AuditEntry.objects.filter(command=f"docker kill -s SIGUSR1 {container.name}").exists()

    def test_it_refuses_a_signal_that_is_not_one(self, api, make_container):
        container = make_container()
        response = api.post(api_url(f"containers/{container.name}/kill?signal=rm%20-rf"))
        assert response.status_code == 400
        assert state(container) == "running"

    def test_it_explains_a_stopped_container(self, api, make_container):
        container = make_container(command="true")
        container.wait()
        response = api.post(api_url(f"containers/{container.name}/kill"))
        assert response.status_code == 409
        assert "is not running" in response.json()["error"]


class TestRestart:
    def test_it_restarts_with_a_timeout(self, api, make_container):
        container = make_container()
        started = container.attrs["State"]["StartedAt"]
        assert api.post(api_url(f"containers/{container.name}/restart?t=0")).status_code == 204
        container.reload()
        assert container.status == "running" and container.attrs["State"]["StartedAt"] != started

    def test_it_rejects_a_timeout_that_is_not_a_number(self, api, make_container):
        container = make_container()
        response = api.post(api_url(f"containers/{container.name}/restart?t=soon"))
        assert response.status_code == 400


class TestPause:
    def test_it_pauses_and_unpauses(self, api, make_container):
        container = make_container()
        assert api.post(api_url(f"containers/{container.name}/pause")).status_code == 204
        assert state(container) == "paused"
        assert api.post(api_url(f"containers/{container.name}/unpause")).status_code == 204
        assert state(container) == "running"

    def test_it_explains_pausing_a_paused_container(self, api, make_container):
        container = make_container()
        container.pause()
        response = api.post(api_url(f"containers/{container.name}/pause"))
        assert response.status_code == 409
        assert "already paused" in response.json()["error"]

    def test_it_explains_unpausing_a_running_container(self, api, make_container):
        container = make_container()
        response = api.post(api_url(f"containers/{container.name}/unpause"))
        assert response.status_code == 409
        assert "is not paused" in response.json()["error"]

    def test_it_explains_pausing_a_stopped_container(self, api, make_container):
        container = make_container(command="true")
        container.wait()
        response = api.post(api_url(f"containers/{container.name}/pause"))
        assert response.status_code == 409
        assert "is not running" in response.json()["error"]

    def test_the_page_shows_the_sentence_after_a_refused_action(self, web, make_container):
        container = make_container()
        container.pause()
        page = csrf_post(web, f"/hosts/local/containers/{container.name}/pause/", follow=True)
        assert "already paused" in page.content.decode()


class TestActions:
    @pytest.mark.parametrize("action", ["exec", "remove_container", "__init__", "attach"])
    def test_only_the_fixed_actions_reach_the_engine(self, api, make_container, action):
        container = make_container()
        response = api.post(api_url(f"containers/{container.name}/{action}"))
        assert response.status_code in (404, 405)
        assert state(container) == "running"

    def test_pages_need_the_csrf_token(self, user, make_container):
        from django.test import Client

        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        container = make_container()
        response = browser.post(f"/hosts/local/containers/{container.name}/stop/")
        assert response.status_code == 403
        assert "CSRF" in response.content.decode()
        assert state(container) == "running"

    def test_the_api_with_a_session_needs_the_csrf_token(self, user, make_container):
        from django.test import Client

        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        container = make_container()
        response = browser.post(api_url(f"containers/{container.name}/stop"))
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
        assert state(container) == "running"


class TestDetailPageOptions:
    def test_the_page_kills_with_a_chosen_signal(self, web, make_container):
        container = make_container(command=["sh", "-c", "trap 'exit 7' HUP; while true; do sleep 0.1; done"])
        page = csrf_post(
            web, f"/hosts/local/containers/{container.name}/kill/", {"signal": "SIGHUP"}, follow=True
        ).content.decode()
        assert f"docker kill -s SIGHUP {container.name}" in page
        assert container.wait(timeout=10)["StatusCode"] == 7

    def test_the_page_offers_the_signal_and_timeout_forms(self, web, make_container):
        container = make_container()
        page = web.get(f"/hosts/local/containers/{container.name}/").content.decode()
        assert 'name="signal"' in page and 'name="t"' in page
