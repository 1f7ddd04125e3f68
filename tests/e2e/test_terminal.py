"""The terminal in a real browser: type into xterm.js, read the answer from the screen."""

import hashlib
from urllib.parse import urlencode

import docker
from playwright.sync_api import expect

from tests.conftest import LABELS, unique
from tests.e2e.conftest import screenshot


def screen_text(page) -> str:
    """What the terminal shows, row by row, from xterm's own buffer."""
    return page.evaluate(
        """() => {
          const buffer = window.consoleTerminal.buffer.active;
          const rows = [];
          for (let y = 0; y < buffer.length; y++) rows.push(buffer.getLine(y).translateToString(true));
          return rows.join("\\n");
        }"""
    )


def wait_for_screen(page, needle: str, timeout: int = 15_000) -> None:
    page.wait_for_function(
        """(needle) => {
          const buffer = window.consoleTerminal?.buffer.active;
          if (!buffer) return false;
          for (let y = 0; y < buffer.length; y++) {
            if (buffer.getLine(y).translateToString(true).includes(needle)) return true;
          }
          return false;
        }""",
        arg=needle,
        timeout=timeout,
    )


class TestTerminalInTheBrowser:
    def test_exec_types_a_command_and_reads_the_answer(self, page, make_container):
        container, stopped = make_container(), make_container()
        stopped.stop(timeout=0)
        page.goto("/hosts/local/containers/?all=1")
        stopped_exec = page.locator(f"tr[data-name='{stopped.name}'] button:has-text('Exec')")
        expect(stopped_exec).to_be_disabled()
        expect(stopped_exec).to_have_attribute("title", "The container is not running — start it first.")
        screenshot(page, "containers-list-terminal-buttons")
        page.goto(f"/hosts/local/containers/{container.name}/")
        page.locator(".actions-bar a:has-text('Exec')").click()
        section = page.locator("[data-terminal]")
        expect(section).to_have_attribute("data-status", "connected")
        expect(page.locator("[data-cli]")).to_have_text(f"$ docker exec -it {container.name} /bin/sh")
        page.locator(".xterm-helper-textarea").focus()
        page.keyboard.type("echo hello-$((6*7))")
        page.keyboard.press("Enter")
        wait_for_screen(page, "hello-42")
        # the DOM renderer draws the same rows a person sees
        expect(page.locator(".xterm-rows")).to_contain_text("hello-42")
        assert "echo hello-$((6*7))" in screen_text(page)
        page.keyboard.type("stty size")
        page.keyboard.press("Enter")
        cols, rows = page.evaluate("[window.consoleTerminal.cols, window.consoleTerminal.rows]")
        wait_for_screen(page, f"{rows} {cols}")  # the engine has the size the browser fitted
        screenshot(page, "terminal-exec")

        page.locator("[data-full]").click()
        expect(page.locator("[data-term-frame]")).to_have_class("term-frame full")
        page.wait_for_function(f"window.consoleTerminal.cols > {cols}")  # more room, more columns
        bigger = page.evaluate("[window.consoleTerminal.cols, window.consoleTerminal.rows]")
        page.keyboard.type("clear; stty size")
        page.keyboard.press("Enter")
        wait_for_screen(page, f"{bigger[1]} {bigger[0]}")
        screenshot(page, "terminal-exec-full-screen")
        page.locator("[data-full]").click()

        page.keyboard.type("exit 5")
        page.keyboard.press("Enter")
        expect(section).to_have_attribute("data-status", "exited")
        expect(page.locator("[data-banner]")).to_contain_text("The command ended with exit code 5.")
        expect(page.locator("[data-status-text]")).to_contain_text("connection closed")
        screenshot(page, "terminal-exec-exited")

    def test_copy_and_paste_with_the_usual_keys(self, page, make_container):
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        container = make_container()
        page.goto(f"/hosts/local/containers/{container.name}/exec/")
        expect(page.locator("[data-terminal]")).to_have_attribute("data-status", "connected")
        page.locator(".xterm-helper-textarea").focus()
        page.keyboard.type("echo copy-me-$((2+3))")
        page.keyboard.press("Enter")
        wait_for_screen(page, "copy-me-5")
        page.evaluate(
            """() => {
              const term = window.consoleTerminal, buffer = term.buffer.active;
              for (let y = buffer.length - 1; y >= 0; y--) {
                if (buffer.getLine(y).translateToString(true) === "copy-me-5") return term.selectLines(y, y);
              }
            }"""
        )
        page.keyboard.press("Control+Shift+C")
        page.wait_for_function("navigator.clipboard.readText().then((t) => t.includes('copy-me-5'))")
        page.evaluate("navigator.clipboard.writeText('echo pasted-$((20+1))')")
        page.keyboard.press("Control+Shift+V")
        wait_for_screen(page, "echo pasted-$((20+1))")
        page.keyboard.press("Enter")
        wait_for_screen(page, "pasted-21")
        page.evaluate("navigator.clipboard.writeText('echo button-$((30+1))')")
        page.locator("[data-paste]").click()
        wait_for_screen(page, "echo button-$((30+1))")
        page.keyboard.press("Enter")
        wait_for_screen(page, "button-31")

    def test_a_1mb_paste_arrives_whole(self, page, make_container):
        pattern = "abcdefghijklmnopqrstuvwxyz0123456789 "  # no newline: a paste turns \n into \r
        size = 1024 * 1024
        expected = hashlib.md5((pattern * (size // len(pattern) + 1))[:size].encode()).hexdigest()  # noqa: S324
        cmd = f'sh -c "stty raw -echo; echo READY; head -c {size} | md5sum"'
        page.goto(f"/hosts/local/containers/{make_container().name}/exec/?{urlencode({'cmd': cmd})}")
        wait_for_screen(page, "READY")
        page.evaluate(
            "([p, size]) => window.consoleTerminal.paste(p.repeat(size / p.length + 1).slice(0, size))",
            [pattern, size],
        )
        wait_for_screen(page, expected, timeout=60_000)
        expect(page.locator("[data-banner]")).to_contain_text("exit code 0")

    def test_a_missing_command_is_named_and_sh_is_offered(self, page, make_container):
        container = make_container()
        page.goto(f"/hosts/local/containers/{container.name}/exec/?cmd=/bin/zsh")
        banner = page.locator("[data-banner]")
        expect(banner).to_contain_text(f"The command /bin/zsh does not exist in container {container.name}.")
        screenshot(page, "terminal-missing-command")
        banner.locator("a:has-text('Use /bin/sh')").click()
        expect(page.locator("[data-terminal]")).to_have_attribute("data-status", "connected")
        expect(page.locator("input[name=cmd]")).to_have_value("/bin/sh")

    def test_attach_shows_the_detach_keys_and_detaches(self, page, make_container):
        container = make_container("/bin/sh", tty=True, stdin_open=True)
        page.goto(f"/hosts/local/containers/{container.name}/attach/")
        note = page.locator("[data-attach-note]")
        expect(note).to_contain_text("Detach with Ctrl-P Ctrl-Q")
        expect(note).to_contain_text("stops the container")
        expect(page.locator("[data-terminal]")).to_have_attribute("data-status", "connected")
        page.locator(".xterm-helper-textarea").focus()
        page.keyboard.type("echo attached-$((40+2))")
        page.keyboard.press("Enter")
        wait_for_screen(page, "attached-42")
        screenshot(page, "terminal-attach")
        page.keyboard.press("Control+p")
        page.keyboard.press("Control+q")
        expect(page.locator("[data-terminal]")).to_have_attribute("data-status", "detached")
        expect(page.locator("[data-banner]")).to_contain_text(f"Container {container.name} is still running.")
        screenshot(page, "terminal-detached")
        container.reload()
        assert container.status == "running"

    def test_attach_without_a_tty_shows_the_output_line_by_line(self, page, make_container):
        container = make_container(["sh", "-c", "while true; do echo tick; echo tock >&2; sleep 0.3; done"])
        page.goto(f"/hosts/local/containers/{container.name}/attach/")
        note = page.locator("[data-attach-note]")
        expect(note).to_contain_text("This container has no TTY")
        expect(note).to_contain_text("Leave this page to detach")
        wait_for_screen(page, "tock")
        page.wait_for_function(
            """() => {
              const buffer = window.consoleTerminal.buffer.active, rows = [];
              for (let y = 0; y < buffer.length; y++) rows.push(buffer.getLine(y).translateToString(true));
              return rows.filter((row) => row === "tick").length >= 2;  // each at the start of its own row
            }"""
        )
        screenshot(page, "terminal-attach-no-tty")

    def test_a_paused_container_is_explained_and_unpause_is_offered(self, page, make_container):
        container = make_container()
        container.pause()
        page.goto(f"/hosts/local/containers/{container.name}/exec/")
        banner = page.locator("[data-banner]")
        expect(banner).to_contain_text("is paused — unpause it first")
        screenshot(page, "terminal-paused")
        banner.locator("button:has-text('Unpause')").click()
        expect(page.locator("[data-terminal]")).to_have_attribute("data-status", "connected")
        container.reload()
        assert container.status == "running"

    def test_run_it_from_the_form_lands_in_the_shell(self, page, engine, test_image, cleanup_names):
        name = unique("e2e-it")
        cleanup_names.append(name)
        page.goto("/hosts/local/run/")
        page.fill("input[name=image]", test_image)
        page.fill("input[name=name]", name)
        page.fill("input[name=command]", "/bin/sh")
        page.fill("textarea[name=labels]", "\n".join(f"{k}={v}" for k, v in LABELS.items()))
        page.check("input[name=interactive]")
        expect(page.locator("[data-cli-preview]")).to_contain_text(f"$ docker run -it --name {name}")
        screenshot(page, "run-form-it")
        page.click("button:has-text('Run')")
        page.wait_for_url(f"**/containers/{name}/attach/")
        expect(page.locator("[data-terminal]")).to_have_attribute("data-status", "connected")
        page.locator(".xterm-helper-textarea").focus()
        page.keyboard.press("Enter")
        page.keyboard.type("echo in-$((3*3))")
        page.keyboard.press("Enter")
        wait_for_screen(page, "in-9")
        screenshot(page, "terminal-run-it")
        page.keyboard.type("exit")
        page.keyboard.press("Enter")
        expect(page.locator("[data-banner]")).to_contain_text(f"so container {name} stopped")
        try:
            assert engine.containers.get(name).status == "exited"
        except docker.errors.NotFound:
            raise AssertionError(f"{name} is gone") from None
