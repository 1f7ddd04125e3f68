"""Image pages print what docker prints: sizes, <none>, sentences with proper plurals, honest dialogs."""

import html
import re

import docker
import pytest

from console.templatetags.console_tags import bytes_human
from tests.conftest import build_image, csrf_post, unique


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0B"),
        (512, "512B"),
        (1000, "1kB"),
        (27_300, "27.3kB"),
        (1_990_000, "1.99MB"),
        (1_080_000_000, "1.08GB"),
        (4_261_412, "4.26MB"),
        (999_999, "1MB"),  # rounds up to the next unit, not "1e+03kB"
        (None, "0B"),
    ],
)
def test_sizes_read_like_the_docker_cli(size, text):
    assert bytes_human(size) == text


@pytest.fixture
def own_label():
    return f"dconsole.polish={unique()}"


@pytest.fixture
def dangling(engine, own_label):
    """A dangling image (its tag moved to a newer build) and the tag's current image."""
    tag = f"dconsole-test/polish:{unique()}"
    key, value = own_label.split("=")
    old = build_image(engine, tag, f'LABEL {key}="{value}" generation="1"\n')
    new = build_image(engine, tag, 'LABEL generation="2"\n')
    yield old, new, tag
    for image in (tag, old):
        try:
            engine.images.remove(image, force=True)
        except docker.errors.NotFound:
            pass


def page_text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


class TestNone:
    def test_the_prune_preview_shows_none_for_an_untagged_image(self, web, dangling, own_label):
        old, _, _ = dangling
        page = web.get(f"/hosts/local/images/prune/?label={own_label}").content.decode()
        row = page.split(old.removeprefix("sha256:")[:12], 1)[1].split("</tr>", 1)[0]
        assert "<td>&lt;none&gt;</td>" in row

    def test_the_list_shows_none_for_repository_and_tag(self, web, dangling):
        old, _, _ = dangling
        short = old.removeprefix("sha256:")[:12]
        page = web.get("/hosts/local/images/").content.decode()
        row = page.split(f'data-ref="{short}"', 1)[1].split("</tr>", 1)[0]
        assert row.count("<td>&lt;none&gt;</td>") == 2

    def test_sizes_in_the_list_read_like_the_docker_cli(self, web, engine, test_image):
        page = web.get("/hosts/local/images/").content.decode()
        size = bytes_human(engine.images.get(test_image).attrs["Size"])
        assert re.fullmatch(r"\d+(\.\d+)?(B|kB|MB|GB)", size)
        assert f"<td>{size}</td>" in page


class TestSentences:
    def test_prune_says_what_went_with_plurals(self, web, dangling, own_label):
        page = page_text(
            csrf_post(web, "/hosts/local/images/prune/", {"all": "0", "label": own_label}, follow=True)
        )
        match = re.search(r"Deleted (\d+) images?; (\S+) reclaimed\.", page)
        assert match, page
        count = int(match[1])
        assert f"Deleted {count} image{'s' if count != 1 else ''};" in page
        assert re.fullmatch(r"\d+(\.\d+)?(B|kB|MB)", match[2])
        assert "(s)" not in page

    def test_remove_says_what_went_with_plurals(self, web, engine, own_label):
        tag = f"dconsole-test/polish-rm:{unique()}"
        build_image(engine, tag, f'LABEL purpose="{tag}"\n')  # its own image, not a cached twin
        page = page_text(csrf_post(web, "/hosts/local/images/remove/", {"ref": tag}, follow=True))
        assert re.search(
            rf"Removed image {re.escape(tag)}: untagged 1 tag and deleted 1 image"
            r"(, and \d+ untagged parent images? left from its build)?\.",
            page,
        )

    def test_removing_one_of_two_tags_says_the_image_stays(self, web, engine):
        tag = f"dconsole-test/polish-rm:{unique()}"
        image_id = build_image(engine, tag, f'LABEL purpose="{tag}"\n')
        engine.images.get(image_id).tag(tag + "-b")
        page = page_text(csrf_post(web, "/hosts/local/images/remove/", {"ref": tag}, follow=True))
        assert f"Untagged {tag}; the image itself stays" in page
        engine.images.remove(tag + "-b")


class TestRemoveDialog:
    def test_an_image_in_use_offers_force_and_its_container(self, web, engine, make_container):
        tag = f"dconsole-test/polish-used:{unique()}"
        build_image(engine, tag, f'LABEL purpose="{tag}"\n')  # its own image, not a cached twin
        container = make_container(image=tag)
        page = html.unescape(web.get("/hosts/local/images/").content.decode())
        row = page.split(f'data-ref="{tag}"', 1)[1].split("</tr>", 1)[0]
        assert f'data-command="docker rmi -f {tag}"' in row
        assert f'data-command="docker rmi {tag}"' not in row
        assert f"is used by container {container.name}, so docker rmi without -f refuses" in row
        assert f'data-confirm-alt-href="/hosts/local/containers/{container.name}/"' in row
        assert 'data-confirm-ok="Force remove"' in row
        container.remove(force=True)
        engine.images.remove(tag)

    def test_an_unused_image_gets_the_plain_rmi(self, web, engine):
        tag = f"dconsole-test/polish-free:{unique()}"
        build_image(engine, tag, f'LABEL purpose="{tag}"\n')  # its own image, not a cached twin
        page = html.unescape(web.get("/hosts/local/images/").content.decode())
        row = page.split(f'data-ref="{tag}"', 1)[1].split("</tr>", 1)[0]
        assert f'data-command="docker rmi {tag}"' in row and "rmi -f" not in row
        engine.images.remove(tag)
