"""Container pages say what really happened and print what docker prints."""

import html
import shlex

from tests.conftest import csrf_post

TRAPS_TERM = ["sh", "-c", "trap 'exit 3' TERM; while true; do sleep 0.1; done"]


def post_action(web, name: str, action: str, data: dict | None = None) -> str:
    """The action from the container's page, as its forms send it; the page it comes back to."""
    detail = f"/hosts/local/containers/{name}/"
    response = csrf_post(web, f"{detail}{action}/", {"next": detail, **(data or {})}, follow=True)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


class TestStateAfterKillAndStop:
    def test_a_handled_sigterm_shows_the_exit_and_a_plain_remove(self, web, make_container):
        container = make_container(command=TRAPS_TERM)
        page = post_action(web, container.name, "kill", {"signal": "SIGTERM"})
        assert f"Sent SIGTERM to container {container.name}; it exited with code 3." in page
        assert f"docker kill -s SIGTERM {container.name}" in page
        # the page it lands on shows the settled state, and offers a plain `docker rm`
        assert "exited (3)" in page
        assert f"Remove container {container.name}?" in page
        assert "Force-remove it?" not in page

    def test_an_ignored_signal_says_the_container_still_runs(self, web, make_container):
        container = make_container()  # `sleep` as PID 1: the kernel drops signals it does not handle
        page = post_action(web, container.name, "kill", {"signal": "SIGHUP"})
        assert f"Sent SIGHUP to container {container.name}; the container is still running" in page
        container.reload()
        assert container.status == "running"
        assert f"Container {container.name} is running. Force-remove it?" in page

    def test_a_plain_kill_says_it_was_killed(self, web, make_container):
        container = make_container()
        page = post_action(web, container.name, "kill")
        assert f"Killed container {container.name}; it exited with code 137." in page
        assert "exited (137)" in page

    def test_a_stop_reports_the_exit_code(self, web, make_container):
        container = make_container(command=TRAPS_TERM)
        page = post_action(web, container.name, "stop", {"t": "5"})
        assert f"Stopped container {container.name}; it exited with code 3." in page
        assert f"docker stop -t 5 {container.name}" in page

    def test_a_killed_auto_remove_container_is_reported_gone(self, web, make_container):
        container = make_container(auto_remove=True)
        page = post_action(web, container.name, "kill")  # from its page, which goes with it
        assert f"Killed container {container.name}; it exited" in page
        assert "removed (it was run with --rm)." in page
        assert "<h1>Containers <small>on local</small></h1>" in page


class TestDetailPage:
    def test_the_command_row_keeps_the_shell_quoting(self, web, make_container):
        container = make_container(command=["sh", "-c", "echo 'a b'; sleep 3600"])
        page = web.get(f"/hosts/local/containers/{container.name}/").content.decode()
        expected = shlex.join(["sh", "-c", "echo 'a b'; sleep 3600"])
        assert f"<code>{html.escape(expected)}</code>" in page

    def test_the_kill_and_stop_forms_carry_their_options_in_the_command(self, web, make_container):
        container = make_container()
        page = html.unescape(web.get(f"/hosts/local/containers/{container.name}/").content.decode())
        assert f'data-command="docker kill -s {{signal}} {container.name}"' in page
        assert f'data-command="docker stop -t {{t}} {container.name}"' in page
        assert "SIGNAL" not in page


class TestListPage:
    def test_an_image_without_a_tag_shows_as_its_short_id(self, web, engine, make_container, test_image):
        image_id = engine.images.get(test_image).id
        container = make_container(image=image_id)
        page = web.get("/hosts/local/containers/").content.decode()
        row = page.split(f'data-name="{container.name}"', 1)[1].split("</tr>", 1)[0]
        assert f"<td>{image_id.removeprefix('sha256:')[:12]}</td>" in row
        assert "sha256:" not in row
