import docker
import pytest

from tests.conftest import api_url, build_image, csrf_post, unique


@pytest.fixture
def own_image(engine):
    tag = f"dconsole-test/rm:{unique()}"
    image_id = build_image(engine, tag, f'LABEL purpose="{tag}"\n')
    return tag, image_id


class TestRemove:
    def test_it_removes_by_name(self, api, engine, own_image):
        tag, image_id = own_image
        response = api.delete(api_url(f"images/{tag}"))
        assert response.status_code == 200
        body = response.json()
        assert tag in body["untagged"] and image_id in body["deleted"]
        with pytest.raises(docker.errors.ImageNotFound):
            engine.images.get(image_id)

    def test_it_removes_by_id(self, api, engine, own_image):
        _, image_id = own_image
        response = api.delete(api_url(f"images/{image_id.removeprefix('sha256:')[:12]}"))
        assert response.status_code == 200
        assert image_id in response.json()["deleted"]

    def test_it_refuses_an_image_in_use_naming_the_container(self, api, engine, own_image, make_container):
        tag, image_id = own_image
        container = make_container(image=tag)
        response = api.delete(api_url(f"images/{tag}"))
        assert response.status_code == 409
        assert response.json()["code"] == "conflict"
        assert container.name in response.json()["error"]
        assert engine.images.get(image_id)

    def test_force_does_not_remove_an_image_a_running_container_uses(
        self, api, engine, own_image, make_container
    ):
        tag, image_id = own_image
        container = make_container(image=tag)
        other_tag = tag + "-b"
        engine.images.get(image_id).tag(other_tag)
        response = api.delete(api_url(f"images/{image_id}?force=1"))
        assert response.status_code == 409
        assert container.name in response.json()["error"]

    def test_force_untags_an_image_a_stopped_container_uses(self, api, engine, own_image, make_container):
        tag, _ = own_image
        container = make_container(image=tag, command="true")
        container.wait()
        plain = api.delete(api_url(f"images/{tag}"))
        assert plain.status_code == 409
        assert f"docker rmi -f {tag}" in plain.json()["error"]
        forced = api.delete(api_url(f"images/{tag}?force=1"))
        assert forced.status_code == 200 and tag in forced.json()["untagged"]

    def test_it_explains_an_unknown_image(self, api, db):
        response = api.delete(api_url("images/localhost:5000/team/nothing:1.0"))
        assert response.status_code == 404
        assert "no image 'localhost:5000/team/nothing:1.0'" in response.json()["error"]

    def test_the_page_removes_and_shows_the_command(self, web, engine, own_image):
        tag, image_id = own_image
        page = csrf_post(web, "/hosts/local/images/remove/", {"ref": tag}, follow=True).content.decode()
        assert f"docker rmi {tag}" in page
        with pytest.raises(docker.errors.ImageNotFound):
            engine.images.get(image_id)

    def test_the_page_names_the_container_that_uses_it(self, web, own_image, make_container):
        tag, _ = own_image
        container = make_container(image=tag)
        page = csrf_post(web, "/hosts/local/images/remove/", {"ref": tag}, follow=True).content.decode()
        assert container.name in page and "was not removed" in page
