from tests.conftest import api_url


class TestInspect:
    def test_it_returns_the_engine_document(self, api, engine, make_container):
        container = make_container()
        document = api.get(api_url(f"containers/{container.name}/")).json()
        assert document == engine.api.inspect_container(container.id) | {"State": document["State"]}
        assert document["Name"] == f"/{container.name}"

    def test_the_page_shows_the_document_and_the_processes(self, web, make_container):
        container = make_container(command="sleep 3600")
        page = web.get(f"/hosts/local/containers/{container.name}/").content.decode()
        assert container.id in page
        assert "&quot;Id&quot;" in page or '"Id"' in page
        assert "sleep 3600" in page
        assert "data-inspect-search" in page

    def test_the_page_says_a_paused_container_has_frozen_processes(self, web, make_container):
        container = make_container()
        container.pause()
        page = web.get(f"/hosts/local/containers/{container.name}/").content.decode()
        assert "paused" in page and "Unpause" in page

    def test_the_page_explains_a_missing_container(self, web, db):
        response = web.get("/hosts/local/containers/not-here-at-all/")
        assert response.status_code == 404
        assert "no container &#x27;not-here-at-all&#x27;" in response.content.decode()


class TestTop:
    def test_it_lists_the_processes(self, api, make_container):
        container = make_container(command="sleep 3600")
        table = api.get(api_url(f"containers/{container.name}/top")).json()
        assert "PID" in table["titles"]
        cmd = table["titles"].index("CMD")
        assert any("sleep 3600" in row[cmd] for row in table["processes"])

    def test_it_explains_a_stopped_container(self, api, make_container):
        container = make_container(command="true")
        container.wait()
        response = api.get(api_url(f"containers/{container.name}/top"))
        assert response.status_code == 409
        assert "is not running" in response.json()["error"]
