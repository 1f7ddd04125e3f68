"""`docker attach` in the browser: /ws/hosts/{host}/containers/{ref}/attach, against the real engine."""

import asyncio
import time

import pytest

from console.models import ApiToken, Host
from tests.containers.terminal_client import EngineProxy, Term

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def token(user):
    """A bearer token; also brings back the `local` host a transactional test's flush removed."""
    Host.objects.get_or_create(name="local")
    return ApiToken.issue(user, "terminal tests")[1]


@pytest.fixture
def shell(make_container):
    """A container run like `docker run -it image /bin/sh`."""
    return make_container("/bin/sh", tty=True, stdin_open=True)


class TestAttach:
    async def test_it_echoes_hello(self, token, shell):
        term = Term(token, shell.name, kind="attach")
        ready = await term.open()
        assert ready["tty"] is True and ready["detach_keys"] == "ctrl-p,ctrl-q"
        await term.type("echo hel''lo\r")
        await term.read_until(b"\r\nhello\r\n")
        await term.close()
        shell.reload()
        assert shell.status == "running"

    async def test_stty_size_follows_the_first_and_second_resize(self, token, shell):
        term = Term(token, shell.name, kind="attach")
        await term.open()
        await term.resize(90, 25)
        await term.type("stty size\r")
        await term.read_until(b"\r\n25 90\r\n")
        await term.resize(150, 50)
        await term.type("stty size\r")
        await term.read_until(b"\r\n50 150\r\n")
        await term.close()

    async def test_ctrl_p_ctrl_q_detaches_and_leaves_the_container_running(self, token, shell):
        term = Term(token, shell.name, kind="attach")
        await term.open()
        await term.type(b"\x10")
        await term.type(b"\x11")
        assert await term.ending() == {"type": "detached"}
        await term.close()
        shell.reload()
        assert shell.status == "running"

    async def test_exit_ends_with_the_exit_code_and_stops_the_container(self, token, shell):
        term = Term(token, shell.name, kind="attach")
        await term.open()
        await term.type("exit 3\r")
        assert await term.ending() == {"type": "exit", "exit_code": 3}
        await term.close()
        shell.reload()
        assert shell.status == "exited"

    async def test_a_container_without_tty_shows_its_output_demultiplexed(self, token, make_container):
        script = 'while read line; do echo "got $line"; echo "err $line" >&2; done'
        container = make_container(["sh", "-c", script], stdin_open=True)
        term = Term(token, container.name, kind="attach")
        assert (await term.open())["tty"] is False
        await term.type("abc\n")
        await term.read_until(b"err abc\n")
        await term.read_until(b"got abc\n")
        assert sorted(term.output.splitlines()) == [b"err abc", b"got abc"]  # two streams: any order
        await term.close()

    async def test_it_explains_a_paused_container(self, token, shell):
        shell.pause()
        frame = await Term(token, shell.name, kind="attach").open()
        assert frame["code"] == "conflict" and "is paused — unpause it first" in frame["error"]
        assert frame["action"] == "unpause"
        shell.unpause()

    async def test_it_explains_a_stopped_container(self, token, shell):
        shell.kill()
        deadline = time.monotonic() + 10
        while shell.status != "exited" and time.monotonic() < deadline:
            shell.reload()
        frame = await Term(token, shell.name, kind="attach").open()
        assert frame["code"] == "conflict" and "is not running — start it first" in frame["error"]
        assert frame["action"] == "start"

    async def test_it_says_when_the_container_is_removed(self, token, shell):
        term = Term(token, shell.name, kind="attach")
        await term.open()
        shell.remove(force=True)
        frame = await term.ending()
        assert frame["type"] in ("end", "exit")
        if frame["type"] == "end":
            assert frame["reason"] == "removed" and "was removed" in frame["message"]
        await term.close()

    async def test_the_engine_going_away_ends_the_session_with_a_sentence(self, token, shell):
        proxy = EngineProxy()
        await asyncio.to_thread(Host.objects.create, name="proxied", url=proxy.url)
        try:
            term = Term(token, shell.name, kind="attach", host="proxied")
            await term.open()
            await term.type("echo before\r")
            await term.read_until(b"\r\nbefore\r\n")
            proxy.kill()
            frame = await term.ending()
            assert frame["type"] == "error" and frame["code"] == "engine_unreachable"
            assert frame["error"].startswith("The terminal lost its connection to the engine.")
            assert "Cannot connect to the Docker engine of host proxied" in frame["error"]
        finally:
            proxy.kill()
        shell.reload()
        assert shell.status == "running"  # the console lost the engine; the container did not stop
