"""The image table's remove button says what `docker rmi` will do with that reference."""

import html
import re

import docker
import pytest

from tests.conftest import build_image, csrf_post, unique


def row_of(page: str, ref: str) -> str:
    match = re.search(rf'<tr data-ref="{re.escape(ref)}".*?</tr>', page, re.S)
    assert match, f"no row for {ref}"
    return html.unescape(match.group(0))


@pytest.fixture
def two_tags(engine):
    """One image under two names."""
    first = f"dconsole-test/two:{unique()}"
    image_id = build_image(engine, first, f'LABEL purpose="{first}"\n')
    second = f"dconsole-test/two:{unique()}-b"
    engine.images.get(image_id).tag(second)
    yield first, second, image_id
    for ref in (first, second):
        try:
            engine.images.remove(ref, force=True)
        except docker.errors.ImageNotFound:
            pass


class TestRemoveDialogs:
    def test_one_of_several_tags_offers_untag_even_in_use(self, web, engine, two_tags, make_container):
        first, second, image_id = two_tags
        container = make_container(image=first)
        row = row_of(web.get("/hosts/local/images/").content.decode(), first)
        assert ">Untag</button>" in row
        assert f'data-command="docker rmi {first}"' in row
        assert "refuses" not in row and "docker rmi -f" not in row
        assert f"keeps its other tag, {second}" in row
        assert f"stays in use by {container.name}" in row

        page = csrf_post(web, "/hosts/local/images/remove/", {"ref": first}, follow=True).content.decode()
        assert f"Untagged {first}" in html.unescape(page)
        assert engine.images.get(image_id).tags == [second]  # `docker rmi repo:tag` untagged it, no -f

    def test_an_image_used_by_several_containers_names_them_all(self, web, engine, make_container):
        tag = f"dconsole-test/many:{unique()}"
        build_image(engine, tag, f'LABEL purpose="{tag}"\n')
        try:
            users = [make_container(image=tag) for _ in range(3)]
            row = row_of(web.get("/hosts/local/images/").content.decode(), tag)
            confirm = re.search(r'data-confirm="([^"]*)"', row).group(1)
            for container in users:
                assert container.name in confirm
                assert f">{container.name}</a>" in row  # the Used by column, each a link, none cut off
            assert "Or remove those containers first" in confirm
            assert f'data-command="docker rmi -f {tag}"' in row
        finally:
            for container in users:
                container.remove(force=True)
            engine.images.remove(tag, force=True)
