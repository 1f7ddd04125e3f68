from containers.models import Container
from tests.conftest import LABEL_FILTER, api_url


class TestList:
    def test_it_lists_running_containers_like_docker_ps(self, api, make_container, test_image):
        running = make_container(ports={"80/tcp": None})
        stopped = make_container(command="true")
        stopped.wait()
        listed = api.get(api_url(f"containers/?label={LABEL_FILTER}")).json()
        names = [c["name"] for c in listed]
        assert running.name in names and stopped.name not in names
        entry = next(c for c in listed if c["name"] == running.name)
        assert set(entry) == {
            "id",
            "short_id",
            "name",
            "image",
            "command",
            "created",
            "state",
            "status",
            "ports",
        }
        assert entry["id"] == running.id and entry["short_id"] == running.id[:12]
        assert entry["image"] == test_image
        assert entry["state"] == "running" and entry["status"].startswith("Up")
        assert entry["ports"][0]["PrivatePort"] == 80

    def test_it_lists_all_with_exit_codes(self, api, make_container):
        stopped = make_container(command="sh -c 'exit 3'")
        stopped.wait()
        listed = api.get(api_url(f"containers/?all=1&label={LABEL_FILTER}")).json()
        entry = next(c for c in listed if c["name"] == stopped.name)
        assert entry["state"] == "exited"
        assert entry["status"].startswith("Exited (3)")

    def test_it_tracks_containers_and_marks_removed_ones(self, api, make_container, local_host):
        container = make_container()
        api.get(api_url("containers/?all=1"))
        row = Container.objects.get(host=local_host, container_id=container.id)
        assert row.name == container.name and row.state == "running" and row.gone_since is None
        container.remove(force=True)
        api.get(api_url("containers/?all=1"))
        row.refresh_from_db()
        assert row.gone_since is not None

    def test_the_page_reads_like_docker_ps(self, web, make_container):
        paused = make_container()
        paused.pause()
        stopped = make_container(command="sh -c 'exit 2'")
        stopped.wait()
        page = web.get("/hosts/local/containers/?all=1").content.decode()
        assert paused.name in page and stopped.name in page
        assert "(Paused)" in page
        assert "Exited (2)" in page
        assert "docker ps -a" in page

    def test_it_rejects_a_bad_flag(self, api, db):
        response = api.get(api_url("containers/?all=maybe"))
        assert response.status_code == 400
        assert "`all`" in response.json()["error"]

    def test_it_explains_an_unknown_host(self, api):
        response = api.get(api_url("containers/", host="nowhere"))
        assert response.status_code == 404
        assert response.json() == {"error": "There is no host 'nowhere'.", "code": "not_found"}
