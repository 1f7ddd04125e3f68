"""docker tag and untag through the API; references with slashes and a registry port."""

import docker
import pytest

from tests.asgi_http import issue_token

pytestmark = pytest.mark.django_db(transaction=True)
BASE = "/api/v1/hosts/local/images"


@pytest.fixture(autouse=True)
def token(user):
    return issue_token(user)


def tag(api, ref, body):
    return api.post(f"{BASE}/{ref}/tag", body, content_type="application/json")


class TestTag:
    def test_it_tags_and_untags(self, api, engine, test_image):
        image_id = engine.images.get(test_image).id
        target = "localhost:5000/dconsole-test/tagged:1.0"

        response = tag(api, test_image, {"repository": "localhost:5000/dconsole-test/tagged", "tag": "1.0"})

        assert response.status_code == 201, response.content
        assert response.json() == {"tag": target, "command": f"docker tag {test_image} {target}"}
        assert engine.images.get(target).id == image_id

        untagged = api.delete(f"{BASE}/{target}")
        assert untagged.status_code == 200
        assert untagged.json()["untagged"] == [target]
        assert untagged.json()["deleted"] == []
        assert engine.images.get(test_image).id == image_id
        with pytest.raises(docker.errors.ImageNotFound):
            engine.images.get(target)

    def test_it_tags_a_reference_with_a_port_and_slashes(self, api, engine, test_image):
        first = "localhost:5000/dconsole-test/team/app"
        assert tag(api, test_image, {"repository": first, "tag": "2.0"}).status_code == 201
        try:
            response = tag(api, f"{first}:2.0", {"repository": "dconsole-test/again"})
            assert response.status_code == 201, response.content
            assert response.json()["tag"] == "dconsole-test/again:latest"
        finally:
            for ref in (f"{first}:2.0", "dconsole-test/again:latest"):
                try:
                    engine.images.remove(ref)
                except docker.errors.ImageNotFound:
                    pass

    def test_it_refuses_an_invalid_repository_name(self, api, engine, test_image):
        response = tag(api, test_image, {"repository": "Bad Name"})
        assert response.status_code == 400
        assert "not a valid repository name" in response.json()["error"]
        assert tag(api, test_image, {"repository": "ok/name", "tag": "-bad"}).status_code == 400

    def test_it_explains_a_missing_image(self, api):
        response = tag(api, "dconsole-test/no-such:thing", {"repository": "dconsole-test/x"})
        assert response.status_code == 404
        assert "no image 'dconsole-test/no-such:thing'" in response.json()["error"]

    def test_delete_of_an_image_named_like_a_fixed_path_is_not_taken_by_it(self, api):
        assert api.delete(f"{BASE}/save").status_code == 404
        assert api.get(f"{BASE}/dconsole-test/tag").status_code == 404

    def test_it_requires_login(self, client, test_image):
        assert tag(client, test_image, {"repository": "x/y"}).status_code == 401
