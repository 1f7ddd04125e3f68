"""Who may open a WebSocket: a login (session or bearer token) and an allowed Origin."""

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from console.asgi import application
from tests.ws import close_code, connect, frames

pytestmark = pytest.mark.django_db(transaction=True)

PATHS = [
    "/ws/hosts/local/events",
    "/ws/hosts/local/stats",
    "/ws/hosts/local/containers/anything/logs",
    "/ws/hosts/local/containers/anything/stats",
]


async def handshake(path: str, headers: list) -> tuple[bool, WebsocketCommunicator]:
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    return connected, communicator


@pytest.mark.parametrize("path", PATHS)
async def test_no_login_closes_with_4401(path):
    connected, communicator = await handshake(
        path, [(b"host", b"localhost"), (b"origin", b"http://localhost")]
    )
    assert connected  # accepted first, so that the browser is told why
    assert await close_code(communicator) == 4401


async def test_a_wrong_token_closes_with_4401():
    connected, communicator = await handshake(
        "/ws/hosts/local/events",
        [(b"host", b"localhost"), (b"origin", b"http://localhost"), (b"authorization", b"Bearer dcon_wrong")],
    )
    assert connected
    assert await close_code(communicator) == 4401


@pytest.fixture
def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "host, origin",
    [
        (b"localhost", b"https://evil.example"),
        (b"127.0.0.1:8100", b"http://127.0.0.1:8199"),  # another port on the same machine
        (b"localhost", b"null"),
        (b"localhost", None),
        (b"evil.example", b"http://evil.example"),  # a host name the console does not serve
    ],
)
async def test_a_session_from_a_foreign_origin_is_refused(path, host, origin, session_cookie):
    headers = [(b"host", host), (b"cookie", session_cookie)]
    if origin is not None:
        headers.append((b"origin", origin))
    connected, _ = await handshake(path, headers)
    assert not connected


@pytest.mark.parametrize(
    "host, origin", [(b"127.0.0.1:8100", b"http://127.0.0.1:8100"), (b"localhost", b"http://localhost:80")]
)
async def test_a_session_from_the_consoles_own_pages_is_accepted(host, origin, session_cookie):
    connected, communicator = await handshake(
        "/ws/hosts/no-such-host/events", [(b"host", host), (b"origin", origin), (b"cookie", session_cookie)]
    )
    assert connected
    assert await close_code(communicator) == 4404


async def test_a_script_with_a_token_needs_no_origin(token):
    connected, communicator = await handshake(
        "/ws/hosts/no-such-host/events",
        [(b"host", b"localhost"), (b"authorization", f"Bearer {token}".encode())],
    )
    assert connected
    assert await close_code(communicator) == 4404


async def test_a_session_cookie_is_a_login(session_cookie, token):
    cookie = session_cookie
    connected, communicator = await handshake(
        "/ws/hosts/no-such-host/events",
        [(b"host", b"localhost"), (b"origin", b"http://localhost"), (b"cookie", cookie)],
    )
    assert connected
    assert await close_code(communicator) == 4404  # past the login: the host is what is missing


async def test_a_token_is_a_login(token):
    communicator = await connect("/ws/hosts/local/containers/no-such-container-here/logs", token)
    (frame,) = await frames(communicator, lambda f: True)
    assert frame["code"] == "not_found"
