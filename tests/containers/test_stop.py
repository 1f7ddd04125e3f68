import pytest

from tests.conftest import api_url, csrf_post


class TestStop:
    def test_it_stops_through_the_api(self, api, make_container):
        container = make_container()
        response = api.post(api_url(f"containers/{container.name}/stop?t=1"))
        assert response.status_code == 204
        container.reload()
        assert container.status == "exited"

    def test_it_stops_from_the_page_and_shows_the_command(self, web, make_container):
        container = make_container()
        response = csrf_post(web, f"/hosts/local/containers/{container.name}/stop/", {"t": "1"}, follow=True)
        assert response.status_code == 200
        assert f"docker stop -t 1 {container.name}" in response.content.decode()
        container.reload()
        assert container.status == "exited"

    @pytest.mark.parametrize("timeout", ["abc", "²", "1.5"])
    def test_the_page_explains_a_timeout_that_is_not_a_number(self, web, make_container, timeout):
        container = make_container()
        response = csrf_post(
            web, f"/hosts/local/containers/{container.name}/stop/", {"t": timeout}, follow=True
        )
        assert "<code>t</code> must be a whole number" in response.content.decode()
        container.reload()
        assert container.status == "running"

    def test_it_refuses_get(self, api, make_container):
        container = make_container()
        response = api.get(api_url(f"containers/{container.name}/stop"))
        assert response.status_code == 405
        container.reload()
        assert container.status == "running"

    def test_it_requires_login(self, client, make_container):
        container = make_container()
        response = client.post(api_url(f"containers/{container.name}/stop"))
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"
        container.reload()
        assert container.status == "running"

    def test_it_explains_a_missing_container(self, api, db):
        response = api.post(api_url("containers/no-such-container-xyz/stop"))
        assert response.status_code == 404
        assert "no-such-container-xyz" in response.json()["error"]
