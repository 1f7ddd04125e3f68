import socket
import threading

import pytest

from console.models import Host


class TestHosts:
    def test_a_fresh_install_has_local(self, api):
        hosts = api.get("/api/v1/hosts/").json()
        assert [h["name"] for h in hosts] == ["local"]
        local = hosts[0]
        assert local["status"] == "up"
        assert set(local) == {"id", "name", "url", "status", "engine_version", "api_version"}

    def test_the_detail_has_what_docker_info_says(self, api, engine):
        detail = api.get("/api/v1/hosts/local/").json()
        info = engine.info()
        assert detail["engine_version"] == engine.version()["Version"]
        assert detail["cpus"] == info["NCPU"] and detail["memory"] == info["MemTotal"]
        assert detail["kernel"] == info["KernelVersion"] and detail["os"] == info["OperatingSystem"]
        for key in ("containers_running", "containers_paused", "containers_stopped", "images"):
            assert isinstance(detail[key], int)

    def test_a_host_may_be_named_by_id(self, api, local_host):
        assert api.get(f"/api/v1/hosts/{local_host.pk}/").json()["name"] == "local"

    def test_the_host_page_shows_versions_and_counts(self, web):
        page = web.get("/hosts/local/").content.decode()
        assert "Engine version" in page and "running" in page and "Kernel" in page


class TestEngineDown:
    def test_the_list_shows_a_dead_host_as_down_with_a_sentence(self, api, dead_host):
        hosts = {h["name"]: h for h in api.get("/api/v1/hosts/").json()}
        assert hosts["dead"]["status"] == "down" and hosts["local"]["status"] == "up"

    @pytest.mark.parametrize("path", ["containers/", "images/", "containers/web/", "containers/web/top"])
    def test_the_api_answers_503_naming_the_endpoint(self, api, dead_host, path):
        response = api.get(f"/api/v1/hosts/dead/{path}")
        assert response.status_code == 503
        body = response.json()
        assert body["code"] == "engine_unreachable"
        assert dead_host.url in body["error"] and "Is the docker daemon running?" in body["error"]
        assert "systemctl start docker" in body["error"]

    def test_actions_answer_503(self, api, dead_host):
        assert api.post("/api/v1/hosts/dead/containers/web/stop").status_code == 503
        assert api.delete("/api/v1/hosts/dead/images/busybox").status_code == 503

    @pytest.mark.parametrize(
        "path",
        [
            "/hosts/",
            "/hosts/dead/",
            "/hosts/dead/containers/",
            "/hosts/dead/images/",
            "/hosts/dead/containers/web/",
            "/hosts/dead/images/prune/",
        ],
    )
    def test_every_page_still_renders_with_the_sentence(self, web, dead_host, path):
        response = web.get(path)
        assert response.status_code in (200, 503)
        assert "Is the docker daemon running?" in response.content.decode()
        assert "Traceback" not in response.content.decode()


@pytest.fixture
def silent_tcp_engine(db, settings):
    """A TCP endpoint on loopback that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    settings.DOCKER_TIMEOUT = 2
    settings.DOCKER_PING_TIMEOUT = 1
    host = Host.objects.create(name="silent", url=f"tcp://127.0.0.1:{listener.getsockname()[1]}")
    yield host
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


class TestSilentEngine:
    @pytest.mark.timeout(60)  # a hang fails here instead of answering 503
    def test_a_host_that_never_answers_does_not_hang_a_request(self, api, silent_tcp_engine):
        response = api.get("/api/v1/hosts/silent/containers/")
        assert response.status_code == 503
        assert "did not answer in time" in response.json()["error"]

    def test_after_one_timeout_it_answers_at_once_instead_of_waiting_again(self, api, silent_tcp_engine):
        assert api.get("/api/v1/hosts/silent/containers/").status_code == 503
        response = api.get("/api/v1/hosts/silent/images/")
        assert response.status_code == 503
        assert "is not waiting on it again yet" in response.json()["error"]

    def test_the_hosts_list_marks_it_down(self, api, silent_tcp_engine):
        hosts = {h["name"]: h for h in api.get("/api/v1/hosts/").json()}
        assert hosts["silent"]["status"] == "down" and hosts["local"]["status"] == "up"


class TestOddHostNames:
    def test_a_non_ascii_digit_is_just_a_missing_host(self, api, web):
        assert api.get("/api/v1/hosts/%C2%B2/").status_code == 404
        assert web.get("/hosts/%C2%B2/containers/").status_code == 404
