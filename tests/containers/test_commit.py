"""docker commit through the API: a good name makes an image; a bad one is refused first."""

import pytest

from tests.asgi_http import issue_token
from tests.conftest import LABEL_FILTER, unique

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def token(user):
    return issue_token(user)


def commit(api, ref, body):
    return api.post(f"/api/v1/hosts/local/containers/{ref}/commit", body, content_type="application/json")


def labelled_ids(engine):
    return {image.id for image in engine.images.list(all=True, filters={"label": LABEL_FILTER})}


class TestCommit:
    def test_it_commits_a_container_to_an_image(self, api, engine, make_container):
        container = make_container("sh -c 'echo committed > /marker; sleep 3600'")
        repository = f"dconsole-test/committed-{unique('c').lower()}"

        response = commit(
            api,
            container.name,
            {"repository": repository, "tag": "v1", "message": "a test", "author": "Tess", "pause": False},
        )

        assert response.status_code == 201, response.content
        image = engine.images.get(f"{repository}:v1")
        assert response.json()["id"] == image.id
        assert image.attrs["Comment"] == "a test"
        assert image.attrs["Author"] == "Tess"
        assert response.json()["command"] == (
            f"docker commit -m 'a test' -a Tess --pause=false {container.name} {repository}:v1"
        )

    def test_a_commit_longer_than_the_engine_timeout_is_waited_for(
        self, api, engine, make_container, settings
    ):
        """The engine answers a commit once the container's changes are a layer: ~10 s a GB
        here, so a 4 GB container outlasts DOCKER_TIMEOUT (30 s). A 300 MB one, against 1 s."""
        container = make_container("dd if=/dev/urandom of=/big bs=1M count=300")
        assert container.wait(timeout=120)["StatusCode"] == 0
        repository = f"dconsole-test/committed-{unique('big').lower()}"
        settings.DOCKER_TIMEOUT = 1

        response = commit(api, container.name, {"repository": repository, "tag": "big"})

        assert response.status_code == 201, response.content
        assert engine.images.get(f"{repository}:big").id == response.json()["id"]

    def test_it_refuses_a_bad_name_and_leaves_no_stray_image(self, api, engine, make_container):
        container = make_container()
        before = labelled_ids(engine)

        response = commit(api, container.name, {"repository": "Not/Valid Name"})

        assert response.status_code == 400
        assert "not a valid repository name" in response.json()["error"]
        assert labelled_ids(engine) == before

    def test_it_explains_a_removed_container(self, api, engine, make_container):
        container = make_container()
        container.remove(force=True)
        response = commit(api, container.name, {"repository": "dconsole-test/gone"})
        assert response.status_code == 404
        assert f"no container '{container.name}'" in response.json()["error"]

    def test_the_page_commits_and_shows_the_command(self, web, engine, make_container):
        from tests.conftest import csrf_post

        container = make_container()
        repository = f"dconsole-test/page-{unique('c').lower()}"
        response = csrf_post(
            web, f"/hosts/local/containers/{container.name}/commit/", {"repository": repository, "pause": "1"}
        )
        assert response.status_code == 302
        assert engine.images.get(f"{repository}:latest")
        page = web.get(response.url)
        assert f"docker commit {container.name} {repository}:latest" in page.content.decode()
