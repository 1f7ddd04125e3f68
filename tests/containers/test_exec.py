"""`docker exec -it` in the browser: /ws/hosts/{host}/containers/{ref}/exec, against the real engine."""

import asyncio
import hashlib
import random
import time
from urllib.parse import urlencode

import pytest

from console.models import ApiToken, Host
from tests.conftest import build_image, unique
from tests.containers.terminal_client import EngineProxy, Term

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def token(user):
    """A bearer token; also brings back the `local` host a transactional test's flush removed."""
    Host.objects.get_or_create(name="local")
    return ApiToken.issue(user, "terminal tests")[1]


def processes(container) -> list[str]:
    return [row[-1] for row in container.top()["Processes"]]


class TestExec:
    async def test_it_echoes_hello(self, token, make_container):
        term = Term(token, make_container().name)
        ready = await term.open()
        assert ready["type"] == "ready" and ready["tty"] is True
        await term.type("echo hel''lo\r")
        assert b"\r\nhello\r\n" in await term.read_until(b"\r\nhello\r\n")
        await term.close()

    async def test_a_session_is_in_the_audit_log(self, token, make_container):
        from channels.db import database_sync_to_async

        from console.models import AuditEntry

        container = make_container()
        term = Term(token, container.name)
        await term.open()
        await term.close()
        entry = await database_sync_to_async(
            AuditEntry.objects.filter(action="exec", target=container.name).first
        )()
        assert entry is not None and entry.command == f"docker exec -it {container.name} /bin/sh"

    async def test_it_defaults_to_sh_where_there_is_no_bash(self, token, make_container):
        term = Term(token, make_container().name)
        assert (await term.open())["command"] == ["/bin/sh"]
        await term.close()

    async def test_it_defaults_to_bash_where_there_is_one(self, token, engine, make_container):
        tag = f"dconsole-test/busybox-bash:{unique('b')}"
        build_image(engine, tag, 'RUN ["/bin/busybox", "ln", "-s", "/bin/sh", "/bin/bash"]\n')
        term = Term(token, make_container(image=tag).name)
        assert (await term.open())["command"] == ["/bin/bash"]
        await term.close()

    async def test_stty_size_follows_the_first_and_second_resize(self, token, make_container):
        term = Term(token, make_container().name)
        await term.open()
        await term.resize(101, 31)
        await term.type("stty size\r")
        await term.read_until(b"\r\n31 101\r\n")
        await term.resize(132, 43)
        await term.type("stty size\r")
        await term.read_until(b"\r\n43 132\r\n")
        await term.close()

    async def test_a_utf8_character_split_across_reads_arrives_whole(self, token, make_container):
        script = "printf '\\303'; sleep 0.5; printf '\\251 done'; sleep 0.2"
        term = Term(token, make_container().name, query=urlencode({"cmd": f'sh -c "{script}"'}))
        await term.open()
        await term.read_until(b" done")
        assert "é done" in term.output.decode("utf-8")
        assert (await term.ending())["type"] == "exit"
        await term.close()

    async def test_a_utf8_character_split_across_client_frames_arrives_whole(self, token, make_container):
        term = Term(token, make_container().name)
        await term.open()
        await term.type('echo "[')
        await term.type(b"\xc3")  # the first byte of é in one frame, the second in the next
        await asyncio.sleep(0.2)
        await term.type(b'\xa9]" | od -An -tx1\r')
        await term.read_until(b"5b c3 a9 5d 0a")
        await term.close()

    async def test_bytes_that_are_not_utf8_do_not_close_the_terminal(self, token, make_container):
        term = Term(token, make_container().name)
        await term.open()
        await term.type("printf '\\377\\376\\n'; echo still-here\r")
        await term.read_until(b"\xff\xfe")
        await term.read_until(b"\r\nstill-here\r\n")
        assert term.closed is None
        await term.close()

    async def test_a_1mb_paste_arrives_complete_and_in_order(self, token, make_container):
        rng = random.Random(4)
        alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:-_()[]{}\n"
        paste = bytes(rng.choice(alphabet) for _ in range(1024 * 1024))
        cmd = 'sh -c "stty raw -echo; head -c 1048576 | md5sum"'
        term = Term(token, make_container().name, query=urlencode({"cmd": cmd}))
        await term.open()
        await asyncio.sleep(0.3)  # let stty switch the terminal to raw before the paste starts
        for start in range(0, len(paste), 64 * 1024):  # as the page sends it: 64 KiB frames
            await term.type(paste[start : start + 64 * 1024])
        expected = hashlib.md5(paste).hexdigest().encode()  # noqa: S324 - a checksum, not security
        await term.read_until(expected, timeout=60)
        assert (await term.ending(timeout=30)) == {"type": "exit", "exit_code": 0}
        await term.close()

    async def test_ctrl_c_reaches_the_process(self, token, make_container):
        term = Term(token, make_container().name)
        await term.open()
        await term.type("sleep 100\r")
        await asyncio.sleep(0.3)
        await term.type(b"\x03")
        await term.type("echo after-interrupt\r")
        await term.read_until(b"\r\nafter-interrupt\r\n")
        await term.close()

    async def test_control_keys_arrows_tab_and_function_keys_pass_through(self, token, make_container):
        keys = b"\x03\x04\x1a\x1b[A\x1b[D\t\x1bOP\x1b[15~"  # ^C ^D ^Z up left Tab F1 F5
        cmd = f'sh -c "stty raw -echo; echo READY; head -c {len(keys)} | od -An -tx1"'
        term = Term(token, make_container().name, query=urlencode({"cmd": cmd}))
        await term.open()
        await term.read_until(b"READY")
        await term.type(keys)
        assert await term.ending() == {"type": "exit", "exit_code": 0}
        assert " ".join(f"{b:02x}" for b in keys).encode() in b" ".join(term.output.split())

    async def test_the_shell_edits_its_line_with_the_arrow_keys(self, token, make_container):
        term = Term(token, make_container().name)
        await term.open()
        await term.type("echo a-c\x1b[D\x1b[Db\r")  # two to the left, then insert b
        await term.read_until(b"\r\nab-c\r\n")
        await term.close()

    async def test_it_ends_with_the_exit_code_and_closes(self, token, make_container):
        term = Term(token, make_container().name)
        await term.open()
        await term.type("exit 7\r")
        assert await term.ending() == {"type": "exit", "exit_code": 7}
        await term._one(5)
        assert term.closed is not None
        await term.close()

    async def test_it_runs_as_the_user_in_the_directory_asked_for(self, token, make_container):
        term = Term(
            token,
            make_container().name,
            query=urlencode({"cmd": "sh -c 'id -u; pwd'", "user": "65534", "workdir": "/bin"}),
        )
        await term.open()
        assert await term.ending() == {"type": "exit", "exit_code": 0}
        assert b"65534\r\n/bin\r\n" in term.output
        await term.close()

    async def test_it_explains_a_missing_command_and_offers_sh(self, token, make_container):
        term = Term(token, make_container().name, query="cmd=no-such-tool --help")
        await term.open()
        frame = await term.ending()
        assert frame["type"] == "error" and frame["code"] == "command_not_found"
        assert "no-such-tool does not exist" in frame["error"] and frame["suggest"] == "/bin/sh"
        assert b"OCI runtime" not in term.output
        await term.close()

    async def test_it_explains_a_missing_working_directory(self, token, make_container):
        term = Term(token, make_container().name, query="workdir=/no/such/dir")
        await term.open()
        frame = await term.ending()
        assert frame["type"] == "error" and "/no/such/dir does not exist" in frame["error"]
        await term.close()

    async def test_it_explains_a_paused_container(self, token, make_container):
        container = make_container()
        container.pause()
        term = Term(token, container.name)
        frame = await term.open()
        assert frame["code"] == "conflict" and "is paused — unpause it first" in frame["error"]
        assert frame["action"] == "unpause"
        await term.close()
        container.unpause()

    async def test_it_explains_a_stopped_container(self, token, make_container):
        container = make_container()
        container.stop(timeout=0)
        frame = await Term(token, container.name).open()
        assert frame["code"] == "conflict" and "is not running — start it first" in frame["error"]
        assert frame["action"] == "start"

    async def test_it_explains_a_missing_container(self, token, test_image):
        frame = await Term(token, unique("gone")).open()
        assert frame["type"] == "error" and frame["code"] == "not_found"

    async def test_it_explains_an_engine_that_does_not_answer(self, token, dead_host):
        frame = await Term(token, "anything", host="dead").open()
        assert frame["code"] == "engine_unreachable" and "Cannot connect" in frame["error"]

    async def test_the_engine_going_away_ends_the_session_with_a_sentence(self, token, make_container):
        proxy = EngineProxy()
        await asyncio.to_thread(Host.objects.create, name="proxied", url=proxy.url)
        try:
            term = Term(token, make_container().name, host="proxied")
            await term.open()
            await term.type("echo before\r")
            await term.read_until(b"\r\nbefore\r\n")
            proxy.kill()
            frame = await term.ending()
            assert frame["type"] == "error" and frame["code"] == "engine_unreachable"
            assert frame["error"].startswith("The terminal lost its connection to the engine.")
            assert "Cannot connect to the Docker engine of host proxied" in frame["error"]
            await term._one(5)
            assert term.closed is not None
        finally:
            proxy.kill()

    async def test_it_requires_login(self, make_container):
        term = Term("not-a-token", make_container().name)
        await term.comm.connect()
        assert (await term.comm.receive_output(timeout=5))["code"] == 4401

    async def test_closing_the_client_leaves_no_exec_process_behind(self, token, make_container):
        container = make_container()
        term = Term(token, container.name)
        await term.open()
        await term.type("sleep 777\r")
        await asyncio.sleep(0.5)
        assert "sleep 777" in processes(container)
        await term.close()
        deadline = time.monotonic() + 15
        while processes(container) != ["sleep 3600"] and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert processes(container) == ["sleep 3600"]

    async def test_fifty_terminals_work_at_once(self, token, make_container):
        container = make_container()
        terms = [Term(token, container.name) for _ in range(50)]
        readies = await asyncio.gather(*(term.open() for term in terms))
        assert all(ready["type"] == "ready" for ready in readies)
        await asyncio.gather(*(term.type(f"echo $(({n} * 1000 + 1))\r") for n, term in enumerate(terms)))
        await asyncio.gather(
            *(term.read_until(f"\r\n{n * 1000 + 1}\r\n".encode(), 60) for n, term in enumerate(terms))
        )
        await asyncio.gather(*(term.close() for term in terms))
        deadline = time.monotonic() + 30
        while processes(container) != ["sleep 3600"] and time.monotonic() < deadline:
            await asyncio.sleep(0.3)
        assert processes(container) == ["sleep 3600"]
