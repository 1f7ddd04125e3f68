"""docker save and docker load through the console, against the real engine, over ASGI."""

import asyncio
import bz2
import gzip
import io
import lzma
import tarfile

import docker
import pytest

from console.engine import EngineUnreachable
from console.models import Host
from tests.asgi_http import issue_token, request
from tests.conftest import LABEL_FILTER, build_image, unique
from tests.containers.terminal_client import EngineProxy

pytestmark = pytest.mark.django_db(transaction=True)
BASE = "/api/v1/hosts/local/images"


@pytest.fixture
def token(user):
    return issue_token(user)


@pytest.fixture
def own_image(engine, test_image):
    """A labelled image of its own, with a unique tag; returns (tag, id)."""
    tag = f"dconsole-test/saveload:{unique('s')}"
    image_id = build_image(engine, tag, f'LABEL marker="{tag}"\n')
    return tag, image_id


def labelled_ids(engine) -> set[str]:
    return {image.id for image in engine.images.list(filters={"label": LABEL_FILTER})}


async def save(token, *refs):
    return await request("GET", f"{BASE}/save", token, query={"ref": list(refs)})


async def load(token, body: bytes, **kwargs):
    return await request("POST", f"{BASE}/load", token, body=body, **kwargs)


class TestSaveLoad:
    async def test_it_round_trips_one_image(self, engine, own_image, token):
        tag, image_id = own_image
        saved = await save(token, tag)
        assert saved.status == 200
        assert saved.complete
        assert saved.headers["content-type"] == "application/x-tar"
        assert 'filename="saveload_' in saved.headers["content-disposition"]
        with tarfile.open(fileobj=io.BytesIO(saved.content)) as tar:
            assert "manifest.json" in tar.getnames()
        engine.images.remove(image_id, force=True)

        loaded = await load(token, saved.content, headers={"content-type": "application/x-tar"})

        assert loaded.status == 200, loaded.content
        assert loaded.json()["loaded"] == [tag]
        assert engine.images.get(tag).id == image_id

    async def test_it_round_trips_two_images_in_one_tar(self, engine, own_image, test_image, token):
        tag, image_id = own_image
        saved = await save(token, tag, test_image)
        assert saved.status == 200, saved.content
        test_id = engine.images.get(test_image).id
        engine.images.remove(tag)
        engine.images.remove(test_image)  # untags only if another test tag points at it

        loaded = await load(token, saved.content)

        assert loaded.status == 200, loaded.content
        assert sorted(loaded.json()["loaded"]) == sorted([tag, test_image])
        assert engine.images.get(tag).id == image_id
        assert engine.images.get(test_image).id == test_id

    async def test_it_names_images_from_a_tar_saved_by_id(self, engine, own_image, token):
        tag, image_id = own_image
        saved = await save(token, image_id)
        assert saved.status == 200
        engine.images.remove(image_id, force=True)

        loaded = await load(token, saved.content)

        assert loaded.status == 200, loaded.content
        assert loaded.json()["loaded"] == [image_id]
        assert engine.images.get(image_id).id == image_id

    async def test_it_loads_a_gzipped_tar_sent_as_a_multipart_file(self, engine, own_image, token):
        tag, image_id = own_image
        saved = await save(token, tag)
        engine.images.remove(image_id, force=True)
        boundary = "----dconsole"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="my image.tar.gz"\r\n'
                "Content-Type: application/gzip\r\n\r\n"
            ).encode()
            + gzip.compress(saved.content, 1)
            + f"\r\n--{boundary}--\r\n".encode()
        )

        loaded = await load(
            token, body, headers={"content-type": f"multipart/form-data; boundary={boundary}"}
        )

        assert loaded.status == 200, loaded.content
        assert loaded.json() == {"loaded": [tag], "command": "docker load -i 'my image.tar.gz'"}
        assert engine.images.get(tag).id == image_id

    @pytest.mark.parametrize(
        ("compress", "content_type"),
        [(bz2.compress, "application/x-bzip2"), (lzma.compress, "application/x-xz")],
        ids=["bzip2", "xz"],
    )
    async def test_it_loads_a_bzip2_or_xz_tar(self, engine, own_image, token, compress, content_type):
        tag, image_id = own_image
        saved = await save(token, tag)
        engine.images.remove(image_id, force=True)

        loaded = await load(token, compress(saved.content), headers={"content-type": content_type})

        assert loaded.status == 200, loaded.content
        assert loaded.json()["loaded"] == [tag]
        assert engine.images.get(tag).id == image_id

    async def test_it_explains_a_truncated_gzip_and_loads_nothing(self, engine, own_image, token):
        tag, image_id = own_image
        saved = await save(token, tag)
        engine.images.remove(image_id, force=True)
        before = labelled_ids(engine)
        packed = gzip.compress(saved.content, 1)

        loaded = await load(token, packed[: len(packed) // 2], headers={"content-type": "application/gzip"})

        assert loaded.status == 400, loaded.content
        assert "ends early" in loaded.json()["error"]
        assert labelled_ids(engine) == before
        with pytest.raises(docker.errors.ImageNotFound):
            engine.images.get(tag)

    async def test_it_explains_a_truncated_file_and_loads_nothing(self, engine, own_image, token):
        tag, image_id = own_image
        saved = await save(token, tag)
        engine.images.remove(image_id, force=True)
        before = labelled_ids(engine)

        loaded = await load(token, saved.content[: len(saved.content) // 2])

        assert loaded.status == 400
        assert "ends early" in loaded.json()["error"]
        assert "Nothing was loaded" in loaded.json()["error"]
        assert labelled_ids(engine) == before
        with pytest.raises(docker.errors.ImageNotFound):
            engine.images.get(tag)

    async def test_it_explains_a_file_that_is_not_a_tar(self, token):
        loaded = await load(token, b"this is not a tar file\n" * 500)
        assert loaded.status == 400
        assert loaded.json()["code"] == "bad_request"
        assert "is not a tar" in loaded.json()["error"]
        assert "invalid tar header" in loaded.json()["error"]

    async def test_it_explains_an_empty_file(self, token):
        loaded = await load(token, b"")
        assert loaded.status == 400
        assert loaded.json()["error"].startswith("The file is empty")

    async def test_it_enforces_the_size_limit_while_streaming(self, engine, own_image, token, settings):
        tag, image_id = own_image
        saved = await save(token, tag)
        engine.images.remove(image_id, force=True)
        settings.UPLOAD_LIMIT_BYTES = len(saved.content) // 2
        before = labelled_ids(engine)

        # As a chunked upload: no Content-Length to refuse up front, so it trips while streaming.
        limited = await load(token, saved.content, declare_length=False)

        assert limited.status == 413
        assert limited.json()["code"] == "too_large"
        assert "limit" in limited.json()["error"] and "UPLOAD_LIMIT_MB" in limited.json()["error"]
        assert labelled_ids(engine) == before

    async def test_it_refuses_a_declared_size_over_the_limit_at_once(self, token, settings):
        settings.UPLOAD_LIMIT_BYTES = 1000
        loaded = await load(token, b"x" * 5000)
        assert loaded.status == 413

    async def test_it_explains_a_missing_image(self, token):
        saved = await save(token, "dconsole-test/no-such-image:nope")
        assert saved.status == 404
        assert "no image 'dconsole-test/no-such-image:nope'" in saved.json()["error"]

    async def test_a_browser_opening_a_failing_save_gets_the_error_page(self, token):
        """The save form is a plain navigation (the browser streams the file to disk): an
        error must be a page with the sentence, not a JSON document on the screen."""
        saved = await request(
            "GET",
            f"{BASE}/save",
            token,
            query={"ref": "dconsole-test/no-such-image:nope"},
            headers={"Sec-Fetch-Mode": "navigate"},
        )
        assert saved.status == 404
        assert saved.headers["content-type"].startswith("text/html")
        page = saved.content.decode()
        assert "There is no image &#x27;dconsole-test/no-such-image:nope&#x27; on host local" in page
        assert "<title>" in page

    async def test_no_timeout_waits_for_the_engine_to_gather_the_tar(self, engine, token, settings):
        """The engine answers a save only once it has written the whole tar to a temporary
        directory: for a 4 GB image that is longer than DOCKER_TIMEOUT. Here the timeout is
        made shorter than a 64 MB image's gathering (~0.4 s), long enough to connect."""
        tag = f"dconsole-test/saveload:{unique('slow')}"
        build_image(engine, tag, 'RUN ["/bin/sh", "-c", "dd if=/dev/urandom of=/blob bs=1M count=64"]\n')
        settings.DOCKER_TIMEOUT = 0.1
        saved = await save(token, tag)
        assert saved.status == 200, saved.content[:300]
        assert saved.complete
        with tarfile.open(fileobj=io.BytesIO(saved.content)) as tar:
            assert "manifest.json" in tar.getnames()

    async def test_a_save_the_engine_cuts_short_breaks_off_instead_of_ending(self, engine, token):
        """An engine that stops mid-save closes its HTTP/1.0 stream as if it had finished: the
        application must fail (the server then breaks the response off: a failed download),
        not end the body as a whole tar that is not one. Through daphne: tests/e2e/test_transfer.py."""
        tag = f"dconsole-test/saveload:{unique('cut')}"
        build_image(engine, tag, 'RUN ["/bin/sh", "-c", "dd if=/dev/urandom of=/blob bs=1M count=6"]\n')
        proxy = EngineProxy(cut_after=3 * 1024 * 1024)
        await asyncio.to_thread(Host.objects.create, name="cut", url=proxy.url)
        try:
            with pytest.raises(EngineUnreachable, match="went away while streaming `docker save .*cut short"):
                await request("GET", "/api/v1/hosts/cut/images/save", token, query={"ref": tag})
        finally:
            proxy.kill()

    async def test_a_ref_with_a_dot_dot_segment_is_refused_before_the_engine(self, token, make_container):
        container = make_container()
        saved = await save(token, f"../containers/{container.name}")
        assert saved.status == 400
        assert saved.json()["code"] == "bad_request"

    async def test_it_requires_a_ref(self, token):
        saved = await request("GET", f"{BASE}/save", token, query={"ref": ""})
        assert saved.status == 400

    def test_it_requires_login(self, client):
        assert client.get(f"{BASE}/save?ref=busybox").status_code == 401
        assert client.post(f"{BASE}/load", b"x", content_type="application/x-tar").status_code == 401
