"""docker pull through the console from a local registry (Debian's docker-registry) on 127.0.0.1."""

import shutil
import socket
import subprocess
import time
import urllib.request

import pytest
from channels.testing import WebsocketCommunicator

from console.asgi import application
from tests.asgi_http import issue_token
from tests.conftest import build_image, unique

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """A docker-registry on 127.0.0.1 (the engine allows plain HTTP there); yields "127.0.0.1:PORT"."""
    binary = shutil.which("docker-registry")
    if not binary:
        pytest.fail("docker-registry is missing: apt-get install -y docker-registry", pytrace=False)
    root = tmp_path_factory.mktemp("registry")
    port = _free_port()
    config = root / "config.yml"
    config.write_text(
        "version: 0.1\nlog:\n  level: warn\nstorage:\n"
        f"  filesystem:\n    rootdirectory: {root / 'data'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
    )
    log = open(root / "registry.log", "w")  # noqa: SIM115 - written until teardown
    process = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("docker-registry did not start: " + (root / "registry.log").read_text())
    yield f"127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture
def pushed(engine, registry, test_image):
    """A labelled image with its own layer, pushed to the registry and then removed locally."""
    reference = f"{registry}/dconsole-test/pull:{unique('p')}"
    image_id = build_image(engine, reference, f'RUN ["/bin/sh", "-c", "echo {reference} > /marker"]\n')
    for line in engine.api.push(reference, stream=True, decode=True):
        assert "error" not in line, line
    engine.images.remove(image_id, force=True)
    return reference, image_id


@pytest.fixture(autouse=True)
def token(user):
    return issue_token(user)


async def pull_frames(token, ref):
    communicator = WebsocketCommunicator(
        application,
        f"/ws/hosts/local/images/pull?ref={ref}",
        headers=[(b"origin", b"http://localhost"), (b"authorization", f"Bearer {token}".encode())],
    )
    connected, _ = await communicator.connect()
    assert connected
    frames = []
    try:
        while True:
            frame = await communicator.receive_json_from(timeout=60)
            frames.append(frame)
            if frame["type"] in ("end", "error"):
                break
    finally:
        await communicator.disconnect()
    return frames


class TestPull:
    async def test_it_pulls_with_per_layer_progress_frames(self, engine, pushed, token):
        reference, image_id = pushed

        frames = await pull_frames(token, reference)

        assert frames[-1] == {
            "type": "end",
            "reason": "done",
            "id": image_id,
            "tags": [reference],
            "command": f"docker pull {reference}",
        }
        progress = [f for f in frames if f["type"] == "progress"]
        layers = {f["layer"] for f in progress if f["layer"]}
        assert layers
        statuses = {f["status"] for f in progress}
        assert {"Downloading", "Pull complete"} <= statuses or "Download complete" in statuses
        assert any("total" in f and f["current"] <= f["total"] for f in progress)
        assert engine.images.get(reference).id == image_id

    def test_the_api_pulls_and_answers_with_id_and_tags(self, engine, pushed, api):
        reference, image_id = pushed
        response = api.post(
            "/api/v1/hosts/local/images/pull", {"ref": reference}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
        assert response.json()["id"] == image_id
        assert response.json()["tags"] == [reference]

    def test_the_api_accepts_credentials(self, pushed, api):
        reference, _ = pushed
        body = {"ref": reference, "auth": {"username": "someone", "password": "secret"}}
        response = api.post("/api/v1/hosts/local/images/pull", body, content_type="application/json")
        assert response.status_code == 200, response.content

    async def test_it_says_plainly_that_an_image_is_not_found(self, registry, token):
        frames = await pull_frames(token, f"{registry}/dconsole-test/nothing-here:1.0")
        assert frames[-1]["type"] == "error"
        assert frames[-1]["code"] == "not_found"
        assert "was not found" in frames[-1]["error"]

    def test_the_api_says_not_found_with_404(self, registry, api):
        ref = f"{registry}/dconsole-test/nothing-here:1.0"
        response = api.post("/api/v1/hosts/local/images/pull", {"ref": ref}, content_type="application/json")
        assert response.status_code == 404
        assert "was not found in its registry" in response.json()["error"]

    async def test_it_refuses_a_bad_reference(self, token):
        frames = await pull_frames(token, "Not A Reference")
        assert frames == [frames[-1]]
        assert frames[-1]["type"] == "error" and frames[-1]["code"] == "bad_request"

    def test_it_says_a_registry_that_does_not_answer(self, api):
        port = _free_port()
        ref = f"127.0.0.1:{port}/dconsole-test/x:1"
        response = api.post("/api/v1/hosts/local/images/pull", {"ref": ref}, content_type="application/json")
        assert response.status_code == 502
        assert "does not answer" in response.json()["error"]
