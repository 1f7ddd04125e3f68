"""`docker stats` over the WebSockets, against the real engine: the same numbers the CLI shows."""

import asyncio
import threading

import pytest

from containers import stats
from tests.ws import close_code, connect, frames


def cli_numbers(document: dict) -> dict:
    """The numbers `docker stats` prints for one raw engine document, written out again from the
    CLI's stats_helpers.go (cgroup v1, as this machine's engine), independently of `summarize`."""
    cpu, pre = document["cpu_stats"], document["precpu_stats"]
    cpu_delta = cpu["cpu_usage"]["total_usage"] - pre["cpu_usage"]["total_usage"]
    system_delta = cpu["system_cpu_usage"] - pre.get("system_cpu_usage", 0)
    online = cpu.get("online_cpus") or len(cpu["cpu_usage"]["percpu_usage"])
    memory = document["memory_stats"]
    used = memory["usage"] - memory["stats"]["total_inactive_file"]
    blkio = document["blkio_stats"]["io_service_bytes_recursive"] or []
    return {
        "read": document["read"],
        "cpu_percent": round(cpu_delta / system_delta * online * 100, 2) if cpu_delta > 0 else 0.0,
        "mem_usage": used,
        "mem_limit": memory["limit"],
        "mem_percent": round(used / memory["limit"] * 100, 2),
        "net_rx": sum(n["rx_bytes"] for n in document["networks"].values()),
        "net_tx": sum(n["tx_bytes"] for n in document["networks"].values()),
        "blk_read": sum(e["value"] for e in blkio if e["op"] == "Read"),
        "blk_write": sum(e["value"] for e in blkio if e["op"] == "Write"),
        "pids": document["pids_stats"]["current"],
    }


BUSY = "while :; do i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done; sleep 0.2; done"


@pytest.mark.django_db(transaction=True)
class TestContainerStats:
    async def test_it_sends_the_numbers_docker_stats_shows_for_the_same_sample(
        self, token, make_container, engine
    ):
        container = make_container(["sh", "-c", BUSY])
        raw: dict[str, dict] = {}

        def read_raw():  # the engine's own documents, over a stream of our own
            for document in engine.api.stats(container.id, stream=True, decode=True):
                raw[document["read"]] = document
                if len(raw) >= 7:
                    return

        reader = threading.Thread(target=read_raw)
        reader.start()
        communicator = await connect(f"/ws/hosts/local/containers/{container.name}/stats", token)
        seen = []
        while len(seen) < 6:
            seen += [
                f for f in await frames(communicator, lambda f: f["type"] == "stats") if f["type"] == "stats"
            ]
        await communicator.disconnect()
        await asyncio.to_thread(reader.join, 30)
        # The engine samples every container once a second and hands the same sample to
        # every stream; each stream's precpu_stats is the sample it saw before. So a frame
        # is comparable when its sample and the one before it are both in our own stream.
        compared = 0
        for before, frame in zip(seen, seen[1:], strict=False):
            document = raw.get(frame["read"])
            if document and document["preread"] == before["read"]:
                assert {k: frame[k] for k in stats.FIELDS} == cli_numbers(document)
                compared += 1
        assert compared >= 2, (list(raw), [f["read"] for f in seen])
        assert all(frame["state"] == "running" for frame in seen)
        assert any(frame["cpu_percent"] > 0 for frame in seen[1:])

    async def test_a_paused_container_shows_as_paused(self, token, make_container):
        container = make_container("sleep 3600")
        communicator = await connect(f"/ws/hosts/local/containers/{container.name}/stats", token)
        await frames(communicator, lambda f: f["type"] == "stats")
        await asyncio.to_thread(container.pause)
        seen = await frames(communicator, lambda f: f["type"] == "stats" and f["state"] == "paused")
        assert {"type": "state", "state": "paused"} in seen
        late = await connect(f"/ws/hosts/local/containers/{container.name}/stats", token)
        (first,) = await frames(late, lambda f: f["type"] == "stats")
        assert first["state"] == "paused"
        await late.disconnect()
        await asyncio.to_thread(container.unpause)
        seen = await frames(communicator, lambda f: f["type"] == "stats" and f["state"] == "running")
        assert {"type": "state", "state": "running"} in seen
        await communicator.disconnect()

    async def test_a_stopped_container_shows_as_stopped(self, token, make_container):
        container = make_container("sh -c 'exit 5'")
        await asyncio.to_thread(container.wait)
        communicator = await connect(f"/ws/hosts/local/containers/{container.name}/stats", token)
        (frame,) = await frames(communicator, lambda f: True)
        assert frame == {"type": "end", "reason": "stopped", "state": "exited", "exit_code": 5}
        assert await close_code(communicator) == 1000

    async def test_it_ends_when_the_container_exits(self, token, make_container):
        container = make_container("sh -c 'sleep 2; exit 4'")
        communicator = await connect(f"/ws/hosts/local/containers/{container.name}/stats", token)
        seen = await frames(communicator, lambda f: f["type"] == "end")
        assert seen[-1] == {"type": "end", "reason": "exited", "exit_code": 4}

    async def test_it_ends_when_the_container_is_removed(self, token, make_container):
        container = make_container("sleep 3600")
        communicator = await connect(f"/ws/hosts/local/containers/{container.name}/stats", token)
        await frames(communicator, lambda f: f["type"] == "stats")
        await asyncio.to_thread(container.remove, force=True)
        seen = await frames(communicator, lambda f: f["type"] == "end")
        assert seen[-1] == {"type": "end", "reason": "removed"}  # not "exited": rm -f kills first

    async def test_it_explains_a_missing_container(self, token):
        communicator = await connect("/ws/hosts/local/containers/no-such-container-here/stats", token)
        (frame,) = await frames(communicator, lambda f: True)
        assert frame["type"] == "error" and frame["code"] == "not_found"
        assert "no-such-container-here" in frame["error"]
