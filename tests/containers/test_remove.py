import docker
import pytest

from containers.models import Container
from tests.conftest import api_url, csrf_post


class TestRemove:
    def test_it_removes_a_stopped_container(self, api, engine, make_container, local_host):
        container = make_container(command="true")
        container.wait()
        api.get(api_url("containers/?all=1"))
        assert api.delete(api_url(f"containers/{container.name}/")).status_code == 204
        with pytest.raises(docker.errors.NotFound):
            engine.containers.get(container.id)
        assert Container.objects.get(container_id=container.id).gone_since is not None

    def test_it_refuses_a_running_container_and_offers_force(self, api, make_container):
        container = make_container()
        response = api.delete(api_url(f"containers/{container.name}/"))
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "conflict"
        assert "is running" in body["error"] and f"docker rm -f {container.name}" in body["error"]
        container.reload()
        assert container.status == "running"

    def test_force_removes_a_running_container(self, api, engine, make_container):
        container = make_container()
        assert api.delete(api_url(f"containers/{container.name}/?force=1")).status_code == 204
        with pytest.raises(docker.errors.NotFound):
            engine.containers.get(container.id)

    def test_it_refuses_a_paused_container_without_force(self, api, make_container):
        container = make_container()
        container.pause()
        response = api.delete(api_url(f"containers/{container.name}/"))
        assert response.status_code == 409
        assert "docker rm -f" in response.json()["error"]

    def test_it_accepts_an_id_prefix(self, api, engine, make_container):
        container = make_container(command="true")
        container.wait()
        assert api.delete(api_url(f"containers/{container.id[:12]}/")).status_code == 204
        with pytest.raises(docker.errors.NotFound):
            engine.containers.get(container.id)

    def test_it_explains_a_missing_container(self, api, db):
        response = api.delete(api_url("containers/gone-already-123/"))
        assert response.status_code == 404
        assert "no container 'gone-already-123'" in response.json()["error"]

    def test_the_page_refuses_a_running_one_with_a_sentence(self, web, make_container):
        container = make_container()
        response = csrf_post(web, f"/hosts/local/containers/{container.name}/remove/", follow=True)
        assert "is running, so it was not removed" in response.content.decode()
        container.reload()
        assert container.status == "running"

    def test_the_page_force_removes_and_shows_the_command(self, web, engine, make_container):
        container = make_container()
        response = csrf_post(
            web, f"/hosts/local/containers/{container.name}/remove/", {"force": "1"}, follow=True
        )
        assert f"docker rm -f {container.name}" in response.content.decode()
        with pytest.raises(docker.errors.NotFound):
            engine.containers.get(container.id)
