"""The terminal page, its links, and `docker run -it` from the run form landing in it."""

import pytest

from tests.conftest import LABELS, csrf_post, unique

pytestmark = pytest.mark.django_db


class TestTerminalPage:
    def test_the_exec_page_carries_the_command_user_and_directory(self, web, make_container):
        container = make_container()
        response = web.get(f"/hosts/local/containers/{container.name}/exec/?cmd=top&user=65534&workdir=/tmp")
        page = response.content.decode()
        assert response.status_code == 200
        assert 'data-kind="exec"' in page and 'data-cmd="top"' in page
        assert 'data-user="65534"' in page and 'data-workdir="/tmp"' in page
        assert f"$ docker exec -it -u 65534 -w /tmp {container.name} top" in page
        assert "xterm-6.0.0/xterm.css" in page and "js/terminal.js" in page

    def test_the_attach_page_shows_the_detach_keys_and_warns_about_exit(self, web, make_container):
        container = make_container("/bin/sh", tty=True, stdin_open=True)
        page = web.get(f"/hosts/local/containers/{container.name}/attach/").content.decode()
        assert 'data-kind="attach"' in page and f"$ docker attach {container.name}" in page
        assert "Detach with <kbd>Ctrl</kbd>-<kbd>P</kbd> <kbd>Ctrl</kbd>-<kbd>Q</kbd>" in page
        assert "<strong>stops the container</strong>" in page

    def test_attach_to_a_container_without_tty_says_its_output_is_shown_as_it_comes(
        self, web, make_container
    ):
        page = web.get(f"/hosts/local/containers/{make_container().name}/attach/").content.decode()
        assert "has no TTY" in page and "its standard input is closed" in page

    def test_a_missing_container_gets_a_sentence(self, web, test_image):
        response = web.get(f"/hosts/local/containers/{unique('gone')}/exec/")
        assert response.status_code == 404
        assert "There is no container" in response.content.decode()

    def test_the_container_page_and_list_link_exec_and_attach(self, web, make_container):
        container = make_container()
        for url in (f"/hosts/local/containers/{container.name}/", "/hosts/local/containers/"):
            page = web.get(url).content.decode()
            assert f'href="/hosts/local/containers/{container.name}/exec/"' in page
            assert f'href="/hosts/local/containers/{container.name}/attach/"' in page

    def test_a_stopped_or_paused_container_gets_disabled_buttons_with_the_reason(self, web, make_container):
        stopped, paused = make_container(), make_container()
        stopped.stop(timeout=0)
        paused.pause()
        page = web.get(f"/hosts/local/containers/{stopped.name}/").content.decode()
        assert 'disabled title="The container is not running — start it first.">Exec' in page
        page = web.get(f"/hosts/local/containers/{paused.name}/").content.decode()
        assert 'disabled title="The container is paused — unpause it first.">Attach' in page
        paused.unpause()


class TestRunInteractive:
    def _run(self, web, test_image, name, **fields):
        data = {"image": test_image, "name": name, "command": "/bin/sh", "restart_policy": "no"}
        data["labels"] = "\n".join(f"{k}={v}" for k, v in LABELS.items())
        return csrf_post(web, "/hosts/local/run/", {**data, **fields})

    def test_run_it_lands_in_the_attach_terminal(self, web, engine, test_image, cleanup_names):
        name = unique("it")
        cleanup_names.append(name)
        response = self._run(web, test_image, name, interactive="on")
        assert response.status_code == 302
        assert response["Location"] == f"/hosts/local/containers/{name}/attach/"
        config = engine.api.inspect_container(name)["Config"]
        assert config["Tty"] and config["OpenStdin"]
        page = web.get(response["Location"]).content.decode()
        assert f"docker run -it --name {name}" in page  # the message: no -d, as the form previews it

    def test_run_it_detached_goes_to_the_container_page(self, web, test_image, cleanup_names):
        name = unique("itd")
        cleanup_names.append(name)
        response = self._run(web, test_image, name, interactive="on", detach="on")
        assert response["Location"] == f"/hosts/local/containers/{name}/"
