"""References go into engine URLs: a `..` segment must never reach another endpoint."""

import pytest

from tests.conftest import api_url, csrf_post
from tests.ws import connect, frames


class TestTraversal:
    @pytest.mark.parametrize("encoded", [False, True])
    def test_an_image_ref_cannot_remove_a_container(self, api, make_container, engine, encoded):
        victim = make_container()
        ref = f"../containers/{victim.name}"
        path = api_url("images/" + (ref.replace("/", "%2F") if encoded else ref)) + "?force=1"
        response = api.delete(path)
        assert response.status_code in (400, 404), response.content
        assert engine.api.inspect_container(victim.id)["State"]["Running"]

    def test_an_image_ref_cannot_read_a_container(self, api, make_container):
        victim = make_container()
        response = api.get(api_url(f"images/..%2Fcontainers%2F{victim.name}"))
        assert response.status_code == 400
        assert "is not a container or image reference" in response.json()["error"]

    def test_the_image_remove_form_refuses_it(self, web, make_container, engine):
        victim = make_container()
        response = csrf_post(
            web,
            "/hosts/local/images/remove/",
            {"ref": f"../containers/{victim.name}", "force": "1"},
            follow=True,
        )
        assert "is not a container or image reference" in response.content.decode()
        assert engine.api.inspect_container(victim.id)["State"]["Running"]

    @pytest.mark.parametrize("ref", ["..", ".", "-rf"])
    def test_a_container_ref_is_checked(self, api, db, ref):
        response = api.post(api_url(f"containers/{ref}/stop"))
        assert response.status_code in (400, 404)
        if response.status_code == 400:
            assert response.json()["code"] == "bad_request"

    @pytest.mark.django_db(transaction=True)
    async def test_a_websocket_refuses_it_with_a_sentence(self, user):
        from asgiref.sync import sync_to_async

        from tests.asgi_http import issue_token

        token = await sync_to_async(issue_token)(user)
        communicator = await connect("/ws/hosts/local/containers/../logs", token)
        (frame,) = await frames(communicator, lambda f: f["type"] == "error")
        assert frame["code"] == "bad_request"
        await communicator.disconnect()
