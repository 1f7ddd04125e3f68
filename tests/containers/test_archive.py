"""docker cp both ways through the API and the container page, against the real engine."""

import io
import tarfile

import pytest

from tests.asgi_http import issue_token, request, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)
BOUNDARY = "----dconsole-cp"


@pytest.fixture(autouse=True)
def token(user):
    return issue_token(user)


def multipart(*files: tuple[str, bytes]) -> bytes:
    body = b""
    for name, data in files:
        body += (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    return body + f"--{BOUNDARY}--\r\n".encode()


async def put(token, ref, path, body, content_type, **query):
    return await request(
        "PUT",
        f"/api/v1/hosts/local/containers/{ref}/archive",
        token,
        body=body,
        query={"path": path, **query},
        headers={"content-type": content_type},
    )


def run(container, command):
    code, output = container.exec_run(["sh", "-c", command])
    assert code == 0, output
    return output.decode()


@pytest.fixture
def box(make_container):
    container = make_container()
    run(container, "mkdir -p /data/dir/sub && echo one > /data/dir/a.txt && echo two > /data/dir/sub/b.txt")
    return container


class TestCopyIn:
    async def test_it_copies_two_files_one_with_a_space(self, token, box):
        body = multipart(("my notes.txt", b"hello\n"), ("run.sh", b"#!/bin/sh\necho hi\n"))

        response = await put(
            token, box.name, "/data", body, f"multipart/form-data; boundary={BOUNDARY}", mode="755"
        )

        assert response.status == 204, response.content
        assert run(box, "cat '/data/my notes.txt'") == "hello\n"
        assert run(box, "stat -c %a /data/run.sh") == "755\n"
        assert "docker cp 'my notes.txt' " in response.headers["x-docker-command"]

    async def test_a_tar_body_keeps_names_and_modes(self, token, box):
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w") as tar:
            info = tarfile.TarInfo("tool with space")
            info.size, info.mode = 3, 0o750
            tar.addfile(info, io.BytesIO(b"hi\n"))

        response = await put(token, box.name, "/data", archive.getvalue(), "application/x-tar")

        assert response.status == 204, response.content
        assert run(box, "stat -c %a '/data/tool with space'") == "750\n"

    async def test_it_works_on_a_stopped_container(self, token, box):
        box.stop(timeout=0)
        body = multipart(("late.txt", b"late\n"))
        response = await put(token, box.name, "/data", body, f"multipart/form-data; boundary={BOUNDARY}")
        assert response.status == 204, response.content
        box.start()
        assert run(box, "cat /data/late.txt") == "late\n"

    async def test_it_explains_a_missing_destination(self, token, box):
        body = multipart(("x.txt", b"x"))
        response = await put(token, box.name, "/nowhere", body, f"multipart/form-data; boundary={BOUNDARY}")
        assert response.status == 404
        assert response.json()["error"].startswith("There is no directory /nowhere in container")
        assert "mkdir -p /nowhere" in response.json()["error"]

    async def test_it_explains_a_file_where_a_directory_was_expected(self, token, box):
        body = multipart(("x.txt", b"x"))
        response = await put(
            token, box.name, "/data/dir/a.txt", body, f"multipart/form-data; boundary={BOUNDARY}"
        )
        assert response.status == 400
        assert "is a file, not a directory" in response.json()["error"]

    async def test_it_explains_a_removed_container(self, token, box):
        box.remove(force=True)
        body = multipart(("x.txt", b"x"))
        response = await put(token, box.name, "/data", body, f"multipart/form-data; boundary={BOUNDARY}")
        assert response.status == 404
        assert "was it removed?" in response.json()["error"]

    async def test_it_enforces_the_size_limit(self, token, box, settings):
        settings.UPLOAD_LIMIT_BYTES = 1000
        body = multipart(("big.bin", b"x" * 5000))
        response = await put(token, box.name, "/data", body, f"multipart/form-data; boundary={BOUNDARY}")
        assert response.status == 413
        code, _ = box.exec_run(["test", "-e", "/data/big.bin"])
        assert code != 0


async def get(token, url, **query):
    return await request("GET", url, token, query=query)


async def get_page(cookie, url, **query):
    return await request("GET", url, None, query=query, headers={"cookie": cookie})


@pytest.fixture
def cookie(user):
    return session_cookie(user)


class TestCopyOut:
    async def test_the_api_gives_a_tar_of_a_file(self, token, box):
        response = await get(
            token, f"/api/v1/hosts/local/containers/{box.name}/archive", path="/data/dir/a.txt"
        )
        assert response.status == 200
        assert response.headers["content-type"] == "application/x-tar"
        with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:") as tar:  # plain, not gzip
            assert tar.extractfile("a.txt").read() == b"one\n"

    async def test_the_page_gives_a_file_as_itself(self, token, cookie, box):
        response = await get_page(
            cookie, f"/hosts/local/containers/{box.name}/download/", path="/data/dir/a.txt"
        )
        assert response.status == 200
        assert response.headers["content-disposition"] == 'attachment; filename="a.txt"'
        assert response.content == b"one\n"

    async def test_the_page_gives_a_directory_as_a_tar(self, token, cookie, box):
        response = await get_page(cookie, f"/hosts/local/containers/{box.name}/download/", path="/data/dir")
        assert response.status == 200
        assert response.headers["content-disposition"] == 'attachment; filename="dir.tar"'
        with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:") as tar:
            assert sorted(tar.getnames()) == ["dir", "dir/a.txt", "dir/sub", "dir/sub/b.txt"]

    async def test_it_works_on_a_stopped_container(self, token, cookie, box):
        box.stop(timeout=0)
        response = await get_page(
            cookie, f"/hosts/local/containers/{box.name}/download/", path="/data/dir/sub/b.txt"
        )
        assert response.status == 200
        assert response.content == b"two\n"

    async def test_it_keeps_the_mode_of_a_file(self, token, box):
        run(box, "chmod 751 /data/dir/a.txt")
        response = await get(
            token, f"/api/v1/hosts/local/containers/{box.name}/archive", path="/data/dir/a.txt"
        )
        with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:") as tar:
            assert tar.getmember("a.txt").mode & 0o7777 == 0o751

    async def test_it_explains_a_removed_container(self, token, box):
        box.remove(force=True)
        response = await get(token, f"/api/v1/hosts/local/containers/{box.name}/archive", path="/data")
        assert response.status == 404
        assert "was it removed?" in response.json()["error"]

    async def test_it_refuses_a_relative_path(self, token, box):
        response = await get(token, f"/api/v1/hosts/local/containers/{box.name}/archive", path="data")
        assert response.status == 400
        assert "must be absolute" in response.json()["error"]

    async def test_it_explains_a_missing_path(self, token, cookie, box):
        response = await get(token, f"/api/v1/hosts/local/containers/{box.name}/archive", path="/data/none")
        assert response.status == 404
        assert (
            response.json()["error"] == f"There is no file or directory /data/none in container {box.name}."
        )
        page = await get_page(cookie, f"/hosts/local/containers/{box.name}/download/", path="/data/none")
        assert page.status == 404
        assert "There is no file or directory /data/none" in page.content.decode()
