"""Transfers through daphne itself, at the HTTP level: its request and response paths are
patched (console/daphne_flow.py) for flat memory, body limits before the spool, the save
relay from the engine's socket to the client's, and errors after a response started."""

import http.client
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import docker
import pytest

from tests.conftest import build_image, unique
from tests.e2e.conftest import BLOB_MB, ROOT


def _token(console_server) -> str:
    env = console_server["env"]
    from tests.e2e.conftest import E2E_USER

    return subprocess.run(
        [sys.executable, "manage.py", "create_token", E2E_USER],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


class TestThroughDaphne:
    def test_a_save_streams_and_loads_back_with_the_same_id(self, console_server, engine, saved_tar):
        """The daphne paths of console/daphne_flow.py: a response paced by twisted, a body read on demand."""
        path, tag, image_id = saved_tar
        token = _token(console_server)
        url = urlsplit(console_server["url"])
        body = Path(path).read_bytes()

        answer = _load(url, token, body)
        assert answer.status == 200, answer.read()
        assert answer.read().startswith(f'{{"loaded": ["{tag}"]'.encode())

        saved = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        saved.request(
            "GET", f"/api/v1/hosts/local/images/save?ref={tag}", headers={"Authorization": f"Bearer {token}"}
        )
        response = saved.getresponse()
        assert response.status == 200
        received = bytearray()
        while data := response.read(64 * 1024):  # a slow-ish reader: twisted pauses the sender
            received += data
        assert len(received) > BLOB_MB * 1024 * 1024
        engine.images.remove(image_id, force=True)
        with pytest.raises(docker.errors.ImageNotFound):
            engine.images.get(image_id)
        assert _load(url, token, bytes(received)).status == 200
        assert engine.images.get(tag).id == image_id


@pytest.fixture
def big_image(engine, test_image):
    """A labelled image with a random 24 MB layer; (tag, the bytes `docker save TAG` writes)."""
    tag = f"dconsole-test/e2e-save:{unique('s')}"
    image_id = build_image(
        engine, tag, f'RUN ["/bin/sh", "-c", "dd if=/dev/urandom of=/blob bs=1M count={BLOB_MB}"]\n'
    )
    saved = subprocess.run(["docker", "save", tag], capture_output=True, check=True).stdout
    yield tag, saved
    engine.images.remove(image_id, force=True)


def _load(url, token: str, body: bytes, timeout: float = 120):
    """POST a tar to the load API of the console at `url` (a urlsplit); the response."""
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    connection.request(
        "POST",
        "/api/v1/hosts/local/images/load",
        body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-tar"},
    )
    return connection.getresponse()


def _get(connection, path: str, token: str):
    connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    return connection.getresponse()


class TestSaveRelayInDaphne:
    """Under daphne a save's body goes from the engine's socket to the client's on a thread
    (console/daphne_flow.py: SpooledRequest.relay), around twisted's buffers."""

    def test_it_is_the_engines_tar_byte_for_byte_and_the_connection_serves_on(
        self, console_server, big_image
    ):
        tag, expected = big_image
        token = _token(console_server)
        url = urlsplit(console_server["url"])
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        response = _get(connection, f"/api/v1/hosts/local/images/save?ref={tag}", token)
        assert response.status == 200
        assert response.getheader("Transfer-Encoding") == "chunked"
        assert response.read() == expected
        # The relay wrote the chunks itself; twisted ended them: the same connection goes on.
        hosts = _get(connection, "/api/v1/hosts/", token)
        assert hosts.status == 200
        assert "local" in [host["name"] for host in json.loads(hosts.read())]
        # ...and most of the body went around twisted, whose access log counts only its own bytes.
        logged = [
            line for line in console_server["log"].read_text().splitlines() if f"save?ref={tag}" in line
        ]
        assert int(logged[-1].split()[-1]) < len(expected) // 2

    def test_an_http_1_0_client_gets_the_tar_to_the_close(self, console_server, big_image):
        tag, expected = big_image
        url = urlsplit(console_server["url"])
        with socket.create_connection((url.hostname, url.port), timeout=120) as raw:
            raw.sendall(
                f"GET /api/v1/hosts/local/images/save?ref={tag} HTTP/1.0\r\n"
                f"Authorization: Bearer {_token(console_server)}\r\n\r\n".encode()
            )
            answer = bytearray()
            while data := raw.recv(1 << 20):
                answer += data
        head, _, body = bytes(answer).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 200")
        assert b"chunked" not in head.lower()
        assert body == expected

    def test_a_client_leaving_mid_save_frees_the_engine_stream(self, console_server, big_image):
        from tests.ws import engine_sockets

        tag, expected = big_image
        pid = console_server["pid"]
        url = urlsplit(console_server["url"])
        token = _token(console_server)
        with socket.create_connection((url.hostname, url.port), timeout=120) as raw:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
            raw.sendall(
                f"GET /api/v1/hosts/local/images/save?ref={tag} HTTP/1.1\r\nHost: {url.netloc}\r\n"
                f"Authorization: Bearer {token}\r\n\r\n".encode()
            )
            received = bytearray()
            while len(received) < 2 * 1024 * 1024 and (data := raw.recv(65536)):
                received += data
            assert received.startswith(b"HTTP/1.1 200"), bytes(received[:300])
            during = engine_sockets(pid)  # the save's stream and the SDK's pooled connections
        for _ in range(100):  # the relay sees the client gone at its next write
            if engine_sockets(pid) < during:
                break
            time.sleep(0.1)
        assert engine_sockets(pid) == during - 1
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        assert _get(connection, f"/api/v1/hosts/local/images/save?ref={tag}", token).read() == expected

    def test_an_engine_that_stops_mid_save_breaks_the_download_off(self, console_server, big_image):
        """Not a short tar that looks whole: the connection breaks, so browsers say the download failed."""
        from tests.containers.terminal_client import EngineProxy

        tag, expected = big_image
        proxy = EngineProxy(cut_after=len(expected) // 2)
        name = f"cut-{unique('h')}"
        _manage_shell(
            console_server,
            f"from console.models import Host; Host.objects.create(name={name!r}, url={proxy.url!r})",
        )
        url = urlsplit(console_server["url"])
        try:
            connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
            response = _get(connection, f"/api/v1/hosts/{name}/images/save?ref={tag}", _token(console_server))
            assert response.status == 200
            with pytest.raises((http.client.IncompleteRead, ConnectionError)):
                response.read()
        finally:
            proxy.kill()
            _manage_shell(
                console_server,
                f"from console.models import Host; Host.objects.filter(name={name!r}).delete()",
            )
        log = console_server["log"].read_text()
        assert "went away while streaming `docker save" in log
        assert "already been started" not in log  # daphne's 500 page after the start (patched away)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        assert _get(connection, "/api/v1/hosts/", _token(console_server)).status == 200


def _manage_shell(console_server, code: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=console_server["env"], check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def small_limit_server(console_server, tmp_path_factory):
    """A second daphne on the same database, with UPLOAD_LIMIT_MB=1; yields (host, port)."""
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(tmp_path_factory.mktemp("small-limit") / "daphne.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "console.asgi:application"],
        cwd=ROOT,
        env={**console_server["env"], "UPLOAD_LIMIT_MB": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield "127.0.0.1", port
    server.terminate()
    server.wait(timeout=10)
    log.close()


class TestUploadLimitInDaphne:
    """Twisted spools a body to disk before the app sees it: the limit is enforced as it arrives."""

    def test_a_declared_length_over_the_limit_is_refused_before_the_body(
        self, console_server, small_limit_server
    ):
        token = _token(console_server)
        connection = http.client.HTTPConnection(*small_limit_server, timeout=30)
        connection.putrequest("POST", "/api/v1/hosts/local/images/load")
        connection.putheader("Authorization", f"Bearer {token}")
        connection.putheader("Content-Type", "application/x-tar")
        connection.putheader("Content-Length", str(50 * 1024 * 1024))
        connection.endheaders()  # no body sent at all
        response = connection.getresponse()
        assert response.status == 413
        error = json.loads(response.read())
        assert error["code"] == "too_large"
        assert "limit of 1.0" in error["error"] and "UPLOAD_LIMIT_MB" in error["error"]

    def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(self, console_server, small_limit_server):
        token = _token(console_server)
        with socket.create_connection(small_limit_server, timeout=30) as sock:
            sock.sendall(
                (
                    "POST /api/v1/hosts/local/images/load HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Authorization: Bearer {token}\r\nContent-Type: application/x-tar\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n"
                ).encode()
            )
            piece = b"%x\r\n" % (256 * 1024) + b"x" * (256 * 1024) + b"\r\n"
            try:
                for _ in range(64):  # 16 MiB, far past the limit
                    sock.sendall(piece)
            except OSError:
                pass  # the server closed the connection: expected
            answer = b""
            try:
                while data := sock.recv(65536):
                    answer += data
            except OSError:
                pass
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b'"code": "too_large"' in answer

    def _declare(self, console_server, path: str, length: int, headers: dict):
        url = urlsplit(console_server["url"])
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        connection.putrequest("POST", path)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(length))
        connection.endheaders()  # no body sent at all
        response = connection.getresponse()
        return response.status, json.loads(response.read())

    def test_an_upload_without_credentials_is_refused_before_its_body(self, console_server):
        status, error = self._declare(
            console_server,
            "/api/v1/hosts/local/images/load",
            50 * 1024 * 1024,
            {"Content-Type": "application/x-tar"},
        )
        assert (status, error["code"]) == (401, "unauthenticated")

    def test_a_large_body_to_a_route_that_takes_no_upload_is_refused_before_it(self, console_server):
        token = _token(console_server)
        status, error = self._declare(
            console_server,
            "/api/v1/hosts/",
            10 * 1024 * 1024,
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert (status, error["code"]) == (413, "too_large")
        assert "no form or JSON here is that big" in error["error"]

    def test_a_multipart_body_is_left_to_the_application(self, console_server):
        """Twisted used to parse multipart bodies itself, in memory (~14 times their size, before
        any login check), and answer a malformed one with a bare 400 and no sentence."""
        url = urlsplit(console_server["url"])
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        connection.request(
            "POST",
            "/api/v1/hosts/local/images/load",
            body=b"hello",
            headers={
                "Authorization": f"Bearer {_token(console_server)}",
                "Content-Type": "multipart/form-data; boundary=zzz",
            },
        )
        response = connection.getresponse()
        assert response.status == 400
        assert response.getheader("Content-Type") == "application/json"
        assert json.loads(response.read())["error"]


class TestManyTransfersAtOnce:
    def test_eight_loads_at_once_all_finish_while_the_server_answers(self, console_server, saved_tar):
        """Each load held one of asyncio's 6 pool threads for its engine call, and the hand-off
        of every block needed another: six at once froze the server for good."""
        import threading

        path, tag, image_id = saved_tar
        token = _token(console_server)
        url = urlsplit(console_server["url"])
        body = Path(path).read_bytes()
        answers: list = []

        def load():
            response = _load(url, token, body, timeout=170)
            answers.append((response.status, json.loads(response.read())))

        loads = [threading.Thread(target=load) for _ in range(8)]
        for thread in loads:
            thread.start()
        hosts = _get(http.client.HTTPConnection(url.hostname, url.port, timeout=60), "/api/v1/hosts/", token)
        assert hosts.status == 200
        for thread in loads:
            thread.join(timeout=175)
        assert [status for status, _ in answers] == [200] * 8, answers
        assert all(answer["loaded"] == [tag] for _, answer in answers)
