import docker
import pytest

from tests.conftest import LABEL_FILTER, api_url, build_image, csrf_post, unique


@pytest.fixture
def dangling_and_unused(engine):
    """A dangling image (its tag moved away) and a tagged unused one, both labelled."""
    tag = f"dconsole-test/prune:{unique()}"
    dangling_id = build_image(engine, tag, 'LABEL generation="1"\n')
    build_image(engine, tag, 'LABEL generation="2"\n')  # takes the tag: the first is dangling
    unused_tag = f"dconsole-test/unused:{unique()}"
    unused_id = build_image(engine, unused_tag, 'LABEL unused="1"\n')
    return dangling_id, unused_id


def exists(engine, image_id) -> bool:
    try:
        engine.images.get(image_id)
        return True
    except docker.errors.ImageNotFound:
        return False


class TestPrune:
    def test_it_prunes_only_dangling_images_by_default(self, api, engine, dangling_and_unused, test_image):
        dangling_id, unused_id = dangling_and_unused
        response = api.post(api_url("images/prune"), {"label": LABEL_FILTER}, content_type="application/json")
        assert response.status_code == 200
        body = response.json()
        assert dangling_id in body["deleted"]
        assert isinstance(body["space_reclaimed"], int)
        assert not exists(engine, dangling_id)
        assert exists(engine, unused_id) and exists(engine, test_image)

    def test_all_prunes_every_unused_image_but_not_one_in_use(
        self, api, engine, dangling_and_unused, make_container, test_image
    ):
        _, unused_id = dangling_and_unused
        make_container()  # uses the test image
        response = api.post(
            api_url("images/prune"), {"all": True, "label": LABEL_FILTER}, content_type="application/json"
        )
        assert response.status_code == 200
        assert unused_id in response.json()["deleted"]
        assert not exists(engine, unused_id)
        assert exists(engine, test_image)

    def test_it_rejects_a_bad_all(self, api, db):
        response = api.post(api_url("images/prune"), {"all": "yes"}, content_type="application/json")
        assert response.status_code == 400

    def test_the_page_says_what_will_go_before_it_goes(self, web, engine, dangling_and_unused):
        dangling_id, unused_id = dangling_and_unused
        preview = web.get(f"/hosts/local/images/prune/?all=1&label={LABEL_FILTER}").content.decode()
        assert dangling_id.removeprefix("sha256:")[:12] in preview
        assert unused_id.removeprefix("sha256:")[:12] in preview
        assert f"docker image prune -f -a --filter label={LABEL_FILTER}" in preview
        assert exists(engine, unused_id)  # looking changed nothing

    def test_the_page_prune_reports_space(self, web, engine, dangling_and_unused):
        dangling_id, _ = dangling_and_unused
        page = csrf_post(
            web, "/hosts/local/images/prune/", {"all": "0", "label": LABEL_FILTER}, follow=True
        ).content.decode()
        assert not exists(engine, dangling_id)
        assert "reclaimed" in page and f"docker image prune -f --filter label={LABEL_FILTER}" in page
