"""docker pull through the console from a local registry (Debian's docker-registry) on 127.0.0.1."""

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from urllib.parse import quote

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


# bcrypt of PASSWORD (cost 5), made once with Python's crypt module: the registry's htpasswd format.
USER, PASSWORD = "tess", "dconsole-secret-42"
HTPASSWD = f"{USER}:$2b$05$0Cot8Pxn07e7YfQFc6Wgj.ZNyUlGdJFKWJGQ4DTcId/w/RDt7Zvtm\n"


def _start_registry(root, auth: bool):
    """A docker-registry on 127.0.0.1 (the engine allows plain HTTP there): (process, log, address)."""
    binary = shutil.which("docker-registry")
    if not binary:
        pytest.fail("docker-registry is missing: apt-get install -y docker-registry", pytrace=False)
    port = _free_port()
    config = root / "config.yml"
    text = (
        "version: 0.1\nlog:\n  level: warn\nstorage:\n"
        f"  filesystem:\n    rootdirectory: {root / 'data'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
    )
    if auth:
        (root / "htpasswd").write_text(HTPASSWD)
        text += f"auth:\n  htpasswd:\n    realm: dconsole-test\n    path: {root / 'htpasswd'}\n"
    config.write_text(text)
    log = open(root / "registry.log", "w")  # noqa: SIM115 - written until teardown
    process = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1)
            break
        except urllib.error.HTTPError:  # 401: up, and asking for a login
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("docker-registry did not start: " + (root / "registry.log").read_text())
    return process, log, f"127.0.0.1:{port}"


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """An open registry; yields "127.0.0.1:PORT"."""
    process, log, address = _start_registry(tmp_path_factory.mktemp("registry"), auth=False)
    yield address
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="module")
def private_registry(tmp_path_factory):
    """A registry that wants a login (htpasswd: USER / PASSWORD); yields "127.0.0.1:PORT"."""
    process, log, address = _start_registry(tmp_path_factory.mktemp("private-registry"), auth=True)
    yield address
    process.terminate()
    process.wait(timeout=10)
    log.close()


def _push(engine, registry, auth=None):
    """A labelled image with its own layer, pushed to the registry and then removed locally."""
    reference = f"{registry}/dconsole-test/pull:{unique('p')}"
    image_id = build_image(engine, reference, f'RUN ["/bin/sh", "-c", "echo {reference} > /marker"]\n')
    for line in engine.api.push(reference, stream=True, decode=True, auth_config=auth):
        assert "error" not in line, line
    engine.images.remove(image_id, force=True)
    return reference, image_id


@pytest.fixture
def pushed(engine, registry, test_image):
    return _push(engine, registry)


@pytest.fixture
def pushed_private(engine, private_registry, test_image):
    return _push(engine, private_registry, {"username": USER, "password": PASSWORD})


@pytest.fixture(autouse=True)
def token(user):
    return issue_token(user)


async def pull_frames(token, ref, auth=None):
    query = f"ref={quote(ref)}" + ("&auth=1" if auth is not None else "")
    communicator = WebsocketCommunicator(
        application,
        f"/ws/hosts/local/images/pull?{query}",
        headers=[(b"origin", b"http://localhost"), (b"authorization", f"Bearer {token}".encode())],
    )
    connected, _ = await communicator.connect()
    assert connected
    if auth is not None:
        await communicator.send_json_to({"type": "auth", **auth})
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
        from channels.db import database_sync_to_async

        from console.models import AuditEntry

        assert await database_sync_to_async(
            AuditEntry.objects.filter(action="pull", target=reference).exists
        )()

    def test_the_api_pulls_and_answers_with_id_and_tags(self, engine, pushed, api):
        reference, image_id = pushed
        response = api.post(
            "/api/v1/hosts/local/images/pull", {"ref": reference}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
        assert response.json()["id"] == image_id
        assert response.json()["tags"] == [reference]

    def test_credentials_are_harmless_where_none_are_needed(self, pushed, api):
        reference, _ = pushed
        body = {"ref": reference, "auth": {"username": "someone", "password": "secret"}}
        response = api.post("/api/v1/hosts/local/images/pull", body, content_type="application/json")
        assert response.status_code == 200, response.content


class TestPullWithLogin:
    def test_the_api_pulls_with_credentials(self, engine, pushed_private, api):
        reference, image_id = pushed_private
        body = {"ref": reference, "auth": {"username": USER, "password": PASSWORD}}
        response = api.post("/api/v1/hosts/local/images/pull", body, content_type="application/json")
        assert response.status_code == 200, response.content
        assert response.json()["id"] == image_id

    def test_the_api_says_unauthorized_without_them(self, pushed_private, api):
        reference, _ = pushed_private
        response = api.post(
            "/api/v1/hosts/local/images/pull", {"ref": reference}, content_type="application/json"
        )
        assert response.status_code == 502  # the registry's refusal, not the console's, response.content
        assert response.json()["code"] == "unauthorized"
        assert f"The registry refused to give {reference}: unauthorized." in response.json()["error"]

    def test_the_api_says_unauthorized_for_a_wrong_password(self, pushed_private, api):
        reference, _ = pushed_private
        body = {"ref": reference, "auth": {"username": USER, "password": "wrong"}}
        response = api.post("/api/v1/hosts/local/images/pull", body, content_type="application/json")
        assert response.status_code == 502  # the registry's refusal, not the console's
        assert "Check the user name and password" in response.json()["error"]

    async def test_the_websocket_takes_credentials_in_its_first_frame(self, engine, pushed_private, token):
        reference, image_id = pushed_private
        frames = await pull_frames(token, reference, auth={"username": USER, "password": PASSWORD})
        assert frames[-1]["type"] == "end", frames[-1]
        assert frames[-1]["id"] == image_id
        assert any(f["type"] == "progress" and f["layer"] for f in frames)

    async def test_the_websocket_says_unauthorized(self, pushed_private, token):
        reference, _ = pushed_private
        frames = await pull_frames(token, reference)
        assert frames[-1]["type"] == "error"
        assert frames[-1]["code"] == "unauthorized"

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
