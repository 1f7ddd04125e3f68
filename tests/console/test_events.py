"""`docker events` over /ws/hosts/{host}/events, and the models following them."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from console.models import Host
from containers.models import Container
from images.models import Image
from tests.conftest import unique
from tests.second_engine import run_on
from tests.ws import close_code, connect, frames

pytestmark = pytest.mark.django_db(transaction=True)


async def row_where(check, timeout: float = 15):
    """Poll the database until `check()` (run in a thread) gives something true."""
    async with asyncio.timeout(timeout):
        while not (found := await database_sync_to_async(check)()):
            await asyncio.sleep(0.05)
    return found


async def repeat_until_seen(communicator, act, until):
    """Do `act` (again, while the engine stream may not be open yet) until a frame matches."""
    for _ in range(20):
        await asyncio.to_thread(act)
        try:
            return await frames(communicator, until, timeout=1)
        except TimeoutError:
            continue
    raise AssertionError("the event never arrived")


async def events_flowing(communicator, engine, image: str) -> None:
    """Return once the engine's event stream behind `communicator` is open: tag the test image
    (again and again) until the event arrives, then untag it."""
    probe = unique("dconsole-test/probe")
    await repeat_until_seen(
        communicator,
        lambda: engine.images.get(image).tag(probe, "p"),
        lambda f: f["kind"] == "image" and f["action"] == "tag",
    )
    await asyncio.to_thread(engine.images.remove, f"{probe}:p")


def container_row(container_id: str):
    return Container.objects.filter(host__name="local", container_id=container_id).first()


class TestEvents:
    async def test_a_started_container_arrives_as_an_event_and_the_model_follows(
        self, token, make_container, engine, test_image
    ):
        communicator = await connect("/ws/hosts/local/events", token)
        await events_flowing(communicator, engine, test_image)
        container = await asyncio.to_thread(make_container, "sleep 3600")
        seen = await frames(communicator, lambda f: f.get("id") == container.id and f["action"] == "start")
        mine = [f for f in seen if f.get("id") == container.id]
        assert [f["action"] for f in mine] == ["create", "start"]
        assert mine[-1]["type"] == "event" and mine[-1]["kind"] == "container"
        assert mine[-1]["name"] == container.name and mine[-1]["time"] > 0
        row = await row_where(lambda: (r := container_row(container.id)) and r.state == "running" and r)
        assert row.name == container.name

        await asyncio.to_thread(container.kill)
        seen = await frames(communicator, lambda f: f.get("id") == container.id and f["action"] == "die")
        assert seen[-1]["exit_code"] == 137
        row = await row_where(lambda: (r := container_row(container.id)) and r.state == "exited" and r)
        assert row.status == "Exited (137)"

        await asyncio.to_thread(container.remove)
        await frames(communicator, lambda f: f.get("id") == container.id and f["action"] == "destroy")
        row = await row_where(lambda: (r := container_row(container.id)) and r.gone_since and r)
        assert row.state == "removed"
        await communicator.disconnect()

    async def test_a_paused_container_is_followed(self, token, make_container):
        communicator = await connect("/ws/hosts/local/events", token)
        container = await asyncio.to_thread(make_container, "sleep 3600")  # its start: the stream is open
        await frames(communicator, lambda f: f.get("id") == container.id and f["action"] == "start")
        await asyncio.to_thread(container.pause)
        await frames(communicator, lambda f: f.get("id") == container.id and f["action"] == "pause")
        await row_where(lambda: (r := container_row(container.id)) and r.state == "paused")
        await asyncio.to_thread(container.unpause)
        await row_where(lambda: (r := container_row(container.id)) and r.state == "running")
        await communicator.disconnect()

    async def test_a_tagged_image_arrives_and_the_image_list_follows(self, token, engine, test_image):
        repository = unique("dconsole-test/tagged")
        communicator = await connect("/ws/hosts/local/events", token)
        image = engine.images.get(test_image)
        try:
            seen = await repeat_until_seen(
                communicator,
                lambda: image.tag(repository, "v1"),
                lambda f: f["kind"] == "image" and f["action"] == "tag",
            )
            assert seen[-1]["id"] == image.id
            await row_where(
                lambda: any(
                    f"{repository}:v1" in row.tags
                    for row in Image.objects.filter(host__name="local", image_id=image.id)
                )
            )
        finally:
            await asyncio.to_thread(engine.images.remove, f"{repository}:v1")
            await communicator.disconnect()

    async def test_it_ends_with_a_sentence_when_the_engine_stops(self, token, second_engine, test_image):
        host = second_engine.host.name
        communicator = await connect(f"/ws/hosts/{host}/events", token)
        container = await asyncio.to_thread(run_on, second_engine, test_image, "sleep 3600")
        await frames(communicator, lambda f: f.get("id") == container.id and f["action"] == "start")
        await asyncio.to_thread(second_engine.stop)
        seen = await frames(communicator, lambda f: f["type"] != "event", timeout=60)
        assert seen[-1]["type"] == "error" and seen[-1]["code"] == "engine_unreachable"
        assert f"The Docker engine of host {host} went away while streaming events" in seen[-1]["error"]
        assert "Reconnect once the engine runs again." in seen[-1]["error"]
        assert await close_code(communicator) == 1000

    async def test_an_engine_that_does_not_answer_is_explained(self, token, tmp_path):
        await database_sync_to_async(Host.objects.create)(name="nothing", url=f"unix://{tmp_path}/none.sock")
        communicator = await connect("/ws/hosts/nothing/events", token)
        (frame,) = await frames(communicator, lambda f: True)
        assert frame["type"] == "error" and frame["code"] == "engine_unreachable"
        assert "Cannot connect to the Docker engine of host nothing" in frame["error"]
