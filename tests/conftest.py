"""Fixtures against a real Docker engine.

Everything a test makes carries the label `dconsole.test.run=<this run>` and is removed
at the end; nothing without that label is touched. A missing engine fails the run.
"""

import io
import os
import shutil
import tarfile
import uuid

import docker
import pytest
from django.test import Client

from console.models import ApiToken, Host

RUN_ID = uuid.uuid4().hex[:10]
TEST_LABEL = "dconsole.test.run"
LABELS = {TEST_LABEL: RUN_ID}
LABEL_FILTER = f"{TEST_LABEL}={RUN_ID}"
TEST_REPOSITORY = "dconsole-test/busybox"


def pytest_sessionstart(session):
    try:
        docker.from_env(timeout=10).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means no engine
        pytest.exit(
            f"No Docker engine answers at {os.environ.get('DOCKER_HOST', 'the default socket')}: "
            f"{exc}. Start dockerd; the tests run against a real engine.",
            returncode=1,
        )


@pytest.fixture(scope="session")
def engine():
    return docker.from_env(timeout=60)


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{RUN_ID}-{uuid.uuid4().hex[:6]}"


def _busybox_path() -> str:
    path = shutil.which("busybox") or "/bin/busybox"
    if not os.path.exists(path):
        pytest.fail("busybox is missing: apt-get install busybox-static", pytrace=False)
    return path


def build_image(engine, tag: str, extra_dockerfile: str = "") -> str:
    """Build FROM scratch with a static busybox; labelled for clean-up. Returns the image id."""
    dockerfile = (
        "FROM scratch\n"
        "COPY busybox /bin/busybox\n"
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]\n'
        'CMD ["/bin/sh"]\n' + extra_dockerfile
    )
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        tar.add(_busybox_path(), arcname="busybox")
        data = dockerfile.encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    context.seek(0)
    image, _ = engine.images.build(
        fileobj=context, custom_context=True, tag=tag, labels=LABELS, rm=True, forcerm=True
    )
    return image.id


@pytest.fixture(scope="session", autouse=True)
def remove_what_the_run_made():
    """Every container and image carrying this run's label goes at the end, whichever tests ran."""
    yield
    _remove_labelled(docker.from_env(timeout=60))


@pytest.fixture(scope="session")
def test_image(engine):
    """The test image's reference; built once a run, removed with everything else at the end."""
    tag = f"{TEST_REPOSITORY}:{RUN_ID}"
    build_image(engine, tag)
    return tag


def _remove_labelled(engine):
    for container in engine.containers.list(all=True, filters={"label": LABEL_FILTER}):
        _remove(container)
    for image in engine.images.list(filters={"label": LABEL_FILTER}):
        try:
            engine.images.remove(image.id, force=True)
        except docker.errors.NotFound:
            pass


@pytest.fixture
def make_container(engine, test_image):
    """Run a labelled container from the test image; removed after the test."""
    made = []

    def make(command="sleep 3600", name=None, **kwargs):
        container = engine.containers.run(
            kwargs.pop("image", test_image),
            command,
            name=name or unique("c"),
            labels=LABELS,
            detach=True,
            **kwargs,
        )
        made.append(container)
        return container

    yield make
    for container in made:
        _remove(container)


def _remove(container) -> None:
    """Force-remove, accepting that it is gone or going (a --rm container removes itself)."""
    try:
        container.remove(force=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as exc:
        if "already in progress" not in str(exc):
            raise


@pytest.fixture
def cleanup_names(engine):
    """Names of containers a test makes through the console; removed after the test."""
    names: list[str] = []
    yield names
    for name in names:
        try:
            _remove(engine.containers.get(name))
        except docker.errors.NotFound:
            pass


@pytest.fixture
def local_host(db):
    return Host.objects.get(name="local")


@pytest.fixture
def dead_host(db, tmp_path):
    return Host.objects.create(name="dead", url=f"unix://{tmp_path}/no-engine.sock")


@pytest.fixture
def user(db, django_user_model):
    return django_user_model.objects.create_user("operator", password="op-pass-12345")


@pytest.fixture
def web(user):
    """A browser session, logged in, with CSRF checks on as in production."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.fixture
def api(user):
    """A script with a bearer token."""
    _, secret = ApiToken.issue(user, "tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def api_url(path: str, host: str = "local") -> str:
    return f"/api/v1/hosts/{host}/{path}"


def csrf_post(client, url: str, data: dict | None = None, **kwargs):
    """POST a form as a browser does: with the CSRF token from the cookie a page set."""
    if "csrftoken" not in client.cookies:
        client.get("/hosts/")
    token = client.cookies["csrftoken"].value
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": token}, **kwargs)
