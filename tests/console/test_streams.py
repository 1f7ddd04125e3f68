"""Shared engine streams: however many viewers, one engine stream per container (and one
event stream per host), closed when the last viewer leaves. Counted twice: in the
console's registry of shared streams, and in the kernel's table of connections to the
engine's socket."""

import asyncio

import pytest

from console.streams import open_topics
from tests.second_engine import run_on
from tests.ws import close_code, connect, frames, stream_sockets

pytestmark = pytest.mark.django_db(transaction=True)


async def eventually(check, timeout: float = 15):
    async with asyncio.timeout(timeout):
        while not (value := check()):
            await asyncio.sleep(0.05)
    return value


def kinds(endpoint: str) -> list:
    return sorted(key[1:] for key in open_topics() if key[0] == endpoint)


class TestSharedStreams:
    async def test_two_viewers_of_a_container_share_one_engine_stream(self, token, make_container, engine):
        container = make_container("sleep 3600")
        path = f"/ws/hosts/local/containers/{container.name}/stats"
        endpoint = "unix:///var/run/docker.sock"
        first = await connect(path, token)
        await frames(first, lambda f: f["type"] == "stats")
        assert kinds(endpoint) == [("events",), ("stats", container.id)]
        with_one = stream_sockets("/var/run/docker.sock", engine)
        assert with_one == 2  # the container's stats, and the host's events (for the state)

        second = await connect(path, token)
        await frames(second, lambda f: f["type"] == "stats")
        assert kinds(endpoint) == [("events",), ("stats", container.id)]
        assert stream_sockets("/var/run/docker.sock", engine) == with_one

        await first.disconnect()
        await frames(second, lambda f: f["type"] == "stats")  # the other viewer goes on
        assert kinds(endpoint) == [("events",), ("stats", container.id)]

        await second.disconnect()
        await eventually(lambda: kinds(endpoint) == [])
        # Both engine streams (stats and events) are closed: two connections fewer.
        await eventually(lambda: stream_sockets("/var/run/docker.sock", engine) == with_one - 2)

    async def test_two_viewers_of_a_host_table_share_one_stream_per_container(
        self, token, second_engine, test_image
    ):
        running = [run_on(second_engine, test_image, "sleep 3600") for _ in range(3)]
        paused = running[0]
        paused.pause()
        host, endpoint, socket = second_engine.host.name, second_engine.url, second_engine.socket
        before = stream_sockets(socket, second_engine.client)
        assert before == 0

        def complete(frame):
            rows = frame.get("containers") or []
            return len(rows) == 3 and all(row["read"] for row in rows)

        viewers = []
        for _ in range(2):
            viewers.append(await connect(f"/ws/hosts/{host}/stats", token))
            seen = await frames(viewers[-1], complete, timeout=30)
        rows = {row["id"]: row for row in seen[-1]["containers"]}
        assert set(rows) == {c.id for c in running}
        assert rows[paused.id]["state"] == "paused"
        assert {rows[c.id]["state"] for c in running[1:]} == {"running"}
        assert {rows[c.id]["name"] for c in running} == {c.name for c in running}
        assert all(row["mem_limit"] > 0 and row["pids"] >= 1 for row in rows.values())

        expected = sorted([("events",), ("stats-table",), *[("stats", c.id) for c in running]])
        assert kinds(endpoint) == expected
        # Three stats streams and one event stream, for two viewers.
        assert stream_sockets(socket, second_engine.client) - before == 4

        running[2].kill()
        await frames(viewers[0], lambda f: f["type"] == "stats" and len(f["containers"]) == 2)
        late = run_on(second_engine, test_image, "sleep 3600")
        seen = await frames(viewers[1], lambda f: late.id in {r["id"] for r in f.get("containers", [])})
        assert kinds(endpoint) == sorted(
            [("events",), ("stats-table",), *[("stats", c.id) for c in [*running[:2], late]]]
        )

        for viewer in viewers:
            await viewer.disconnect()
        await eventually(lambda: kinds(endpoint) == [])
        await eventually(lambda: stream_sockets(socket, second_engine.client) == before)


class TestEngineGone:
    async def test_stats_and_the_host_table_end_with_a_sentence_when_the_engine_stops(
        self, token, second_engine, test_image
    ):
        container = run_on(second_engine, test_image, "sleep 3600")
        host = second_engine.host.name
        chart = await connect(f"/ws/hosts/{host}/containers/{container.id}/stats", token)
        table = await connect(f"/ws/hosts/{host}/stats", token)
        await frames(chart, lambda f: f["type"] == "stats")
        await frames(table, lambda f: f["type"] == "stats" and f["containers"])
        await asyncio.to_thread(second_engine.stop)
        for communicator in (chart, table):
            seen = await frames(communicator, lambda f: f["type"] not in ("stats", "state"), timeout=60)
            assert seen[-1]["type"] == "error" and seen[-1]["code"] == "engine_unreachable"
            assert f"The Docker engine of host {host} went away while streaming stats" in seen[-1]["error"]
            assert "Reconnect once the engine runs again." in seen[-1]["error"]
            assert await close_code(communicator) == 1000
