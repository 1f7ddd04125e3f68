from images.models import Image
from tests.conftest import LABEL_FILTER, api_url, build_image, unique


class TestList:
    def test_it_lists_like_docker_images(self, api, engine, test_image):
        images = api.get(api_url(f"images/?label={LABEL_FILTER}")).json()
        entry = next(i for i in images if test_image in i["tags"])
        expected = engine.images.get(test_image)
        assert entry["id"] == expected.id
        assert entry["short_id"] == expected.id.removeprefix("sha256:")[:12]
        assert entry["size"] == expected.attrs["Size"]
        assert {"id", "short_id", "tags", "created", "size"} <= set(entry)

    def test_it_says_which_containers_use_an_image(self, api, make_container, test_image):
        container = make_container()
        images = api.get(api_url(f"images/?label={LABEL_FILTER}")).json()
        entry = next(i for i in images if test_image in i["tags"])
        assert entry["in_use"] is True and container.name in entry["containers"]

    def test_it_tracks_images_and_marks_gone_ones(self, api, engine, local_host):
        tag = f"dconsole-test/gone:{unique()}"
        image_id = build_image(engine, tag, 'LABEL gone="1"\n')
        api.get(api_url("images/"))
        row = Image.objects.get(host=local_host, image_id=image_id)
        assert tag in row.tags and row.gone_since is None
        engine.images.remove(image_id, force=True)
        api.get(api_url("images/"))
        row.refresh_from_db()
        assert row.gone_since is not None

    def test_the_page_reads_like_docker_images(self, web, test_image, make_container):
        make_container()
        page = web.get("/hosts/local/images/").content.decode()
        repository, tag = test_image.rsplit(":", 1)
        assert repository in page and tag in page and "in use" in page
        assert "docker images" in page
