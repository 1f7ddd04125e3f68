"""The pages for a container's logs and stats and a host's stats table (the WebSockets they
open are tested in test_logs.py and the stats tests)."""

import pytest
from django.test import Client

from tests.conftest import csrf_post, unique


def page_url(ref: str, which: str, host: str = "local") -> str:
    return f"/hosts/{host}/containers/{ref}/{which}/"


@pytest.mark.django_db
class TestLogsPage:
    def test_it_shows_the_controls_and_the_cli_equivalent(self, web, local_host, make_container):
        container = make_container(network_mode="none")
        response = web.get(page_url(container.name, "logs"))
        assert response.status_code == 200
        html = response.content.decode()
        assert f"$ docker logs -f --tail 200 {container.name}" in html
        assert 'data-logs data-host="local"' in html
        assert f"/api/v1/hosts/local/containers/{container.name}/logs?tail=all" in html
        assert "js/logs.js" in html

    def test_it_keeps_the_options_of_the_url(self, web, local_host, make_container):
        container = make_container(network_mode="none")
        response = web.get(page_url(container.name, "logs") + "?tail=all&since=10m&timestamps=1&follow=0")
        html = response.content.decode()
        assert f"$ docker logs --since 10m -t {container.name}" in html
        assert '<option value="all" selected>' in html
        assert 'value="10m"' in html

    def test_it_explains_a_bad_option_and_shows_the_defaults(self, web, local_host, make_container):
        container = make_container(network_mode="none")
        response = web.get(page_url(container.name, "logs") + "?tail=lots")
        assert response.status_code == 200
        html = response.content.decode()
        sentence = "<code>tail</code> must be a number of lines or <code>all</code>, not &#x27;lots&#x27;."
        assert sentence in html
        assert f"$ docker logs -f --tail 200 {container.name}" in html

    def test_it_names_the_log_driver(self, web, local_host, make_container):
        container = make_container(network_mode="none", log_config={"type": "none"})
        response = web.get(page_url(container.name, "logs"))
        assert response.status_code == 200
        assert "log driver <code>none</code>" in response.content.decode()

    def test_it_explains_a_missing_container(self, web, local_host):
        response = web.get(page_url(unique("missing"), "logs"))
        assert response.status_code == 404
        assert "There is no container" in response.content.decode()

    def test_it_requires_login(self, local_host):
        response = Client().get(page_url("anything", "logs"))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_it_explains_a_missing_host(self, web):
        response = web.get(page_url("anything", "logs", host="nowhere"))
        assert response.status_code == 404
        assert "There is no host named" in response.content.decode()


@pytest.mark.django_db
class TestStatsPage:
    def test_it_renders_for_a_running_container(self, web, local_host, make_container):
        container = make_container(network_mode="none")
        response = web.get(page_url(container.name, "stats"))
        assert response.status_code == 200
        html = response.content.decode()
        assert f"$ docker stats {container.name}" in html
        assert "vendor/uplot-1.6.32/uplot.css" in html
        assert 'data-chart="cpu"' in html

    def test_it_renders_for_a_stopped_container(self, web, local_host, make_container):
        container = make_container("true", network_mode="none")
        container.wait()
        response = web.get(page_url(container.name, "stats"))
        assert response.status_code == 200
        assert "exited (0)" in response.content.decode()

    def test_it_explains_a_missing_container(self, web, local_host):
        response = web.get(page_url(unique("missing"), "stats"))
        assert response.status_code == 404
        assert "There is no container" in response.content.decode()

    def test_it_explains_an_engine_that_does_not_answer(self, web, dead_host):
        response = web.get(page_url("anything", "stats", host="dead"))
        assert response.status_code == 503
        assert "no-engine.sock" in response.content.decode()

    def test_it_requires_login(self, local_host):
        response = Client().get(page_url("anything", "stats"))
        assert response.status_code == 302


@pytest.mark.django_db
class TestHostStatsPage:
    def test_it_renders(self, web, local_host):
        response = web.get("/hosts/local/stats/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "$ docker stats</code>" in html
        assert 'data-host-stats data-host="local"' in html

    def test_it_requires_login(self, local_host):
        response = Client().get("/hosts/local/stats/")
        assert response.status_code == 302

    def test_it_explains_a_missing_host(self, web):
        response = web.get("/hosts/nowhere/stats/")
        assert response.status_code == 404


@pytest.mark.django_db
class TestLinks:
    def test_the_container_page_links_to_logs_and_stats(self, web, local_host, make_container):
        container = make_container(network_mode="none")
        html = web.get(f"/hosts/local/containers/{container.name}/").content.decode()
        assert f'href="/hosts/local/containers/{container.name}/logs/"' in html
        assert f'href="/hosts/local/containers/{container.name}/stats/"' in html

    def test_the_list_rows_link_to_logs_and_stats(self, web, local_host, make_container):
        container = make_container(network_mode="none")
        html = web.get("/hosts/local/containers/").content.decode()
        assert f'href="/hosts/local/containers/{container.name}/logs/"' in html
        assert f'href="/hosts/local/containers/{container.name}/stats/"' in html

    def test_the_host_page_links_to_host_stats(self, web, local_host):
        html = web.get("/hosts/local/").content.decode()
        assert 'href="/hosts/local/stats/"' in html


@pytest.mark.django_db
class TestLiveFragments:
    """What the live pages fetch again after an event: the table, or a container page's header."""

    def test_the_containers_list_serves_its_table_alone(self, web, local_host, make_container):
        container = make_container(network_mode="none")
        response = web.get("/hosts/local/containers/", headers={"X-Live-Fragment": "1"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html
        assert f'data-name="{container.name}"' in html
        assert "data-live-region" not in html

    def test_the_images_list_serves_its_table_alone(self, web, local_host, test_image):
        response = web.get("/hosts/local/images/", headers={"X-Live-Fragment": "1"})
        html = response.content.decode()
        assert "<html" not in html
        assert f'data-ref="{test_image}"' in html
        assert "$ docker images" in html

    def test_the_full_pages_subscribe_to_events(self, web, local_host):
        for url in ("/hosts/local/containers/", "/hosts/local/images/"):
            html = web.get(url).content.decode()
            assert 'data-live-region data-host="local"' in html
            assert "js/live_list.js" in html

    def test_a_fragment_does_not_swallow_a_message(self, web, local_host, make_container):
        container = make_container(network_mode="none")
        csrf_post(web, f"/hosts/local/containers/{container.name}/pause/")
        web.get("/hosts/local/containers/", headers={"X-Live-Fragment": "1"})
        assert f"Paused container {container.name}." in web.get("/hosts/local/containers/").content.decode()

    def test_the_stats_page_serves_its_header_alone(self, web, local_host, make_container):
        container = make_container(network_mode="none")
        container.pause()
        response = web.get(page_url(container.name, "stats"), headers={"X-Live-Fragment": "head"})
        html = response.content.decode()
        assert "<html" not in html
        assert "Unpause" in html
        assert 'class="active" aria-current="page">Stats' in html
