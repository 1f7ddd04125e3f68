"""What a new user reported on container pages, checked through Django's client."""

import json


class TestLogsSinceCheck:
    def test_a_bad_since_gets_the_servers_sentence_before_connecting(self, web, make_container):
        container = make_container("sleep 3600", network_mode="none")
        response = web.get(
            f"/hosts/local/containers/{container.name}/logs/?since=yesterday", HTTP_X_LIVE_FRAGMENT="check"
        )
        assert response.status_code == 400
        error = json.loads(response.content)["error"]
        assert error.startswith("`since` must be unix seconds") and "'yesterday'" in error
        # asking leaves no message behind for the next page
        page = web.get(f"/hosts/local/containers/{container.name}/").content.decode()
        assert "must be unix seconds" not in page

    def test_a_good_since_is_accepted(self, web, make_container):
        container = make_container("sleep 3600", network_mode="none")
        for since in ("10m", "1h30m", "1700000000", "2024-05-01T12:00:00Z"):
            response = web.get(
                f"/hosts/local/containers/{container.name}/logs/?since={since}", HTTP_X_LIVE_FRAGMENT="check"
            )
            assert response.status_code == 200, since


class TestContainerPage:
    def test_commit_has_its_own_heading(self, web, make_container):
        container = make_container("sleep 3600", network_mode="none")
        page = web.get(f"/hosts/local/containers/{container.name}/").content.decode()
        files, commit = page.index("<h2>Files"), page.index("<h2>Commit to an image")
        assert files < commit
        assert "<h3>Commit to an image" not in page
        assert page.index(f'action="/hosts/local/containers/{container.name}/commit/"') > commit
