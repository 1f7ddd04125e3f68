"""Live pages in a real browser: a log line appears as the container writes it, a stats sample
is drawn, and the containers list follows the engine's events without a reload."""

import re

from playwright.sync_api import expect

from tests.conftest import LABELS, unique
from tests.e2e.conftest import _manage, screenshot

SCRIPT = (
    "echo started; echo 'to stderr' >&2; printf '\\033[1;31mred alert\\033[0m \\033[38;5;45mcyan\\033[0m "
    "\\033]0;title\\007done\\n'; sleep 3600"
)


def write_to_log(container, text: str, stream: int = 1) -> None:
    """Make the container's main process print a line, as if it had written it itself."""
    container.exec_run(["sh", "-c", f"echo '{text}' > /proc/1/fd/{stream}"])


class TestLogsPage:
    def test_a_line_appears_as_the_container_writes_it(self, page, make_container):
        container = make_container(["sh", "-c", SCRIPT], network_mode="none")
        page.goto(f"/hosts/local/containers/{container.name}/logs/")
        view = page.locator("[data-log-view]")
        expect(view).to_contain_text("started")
        expect(page.locator("[data-log-status]")).to_have_text("following")
        expect(page.locator("[data-log-cli]")).to_have_text(f"$ docker logs -f --tail 200 {container.name}")

        expect(page.locator(".ln.err")).to_have_text("to stderr")
        red = page.locator(".ln .a-fg1.a-b")
        expect(red).to_have_text("red alert")
        expect(view).not_to_contain_text("[1;31m")
        expect(view).not_to_contain_text("title")  # an OSC title sequence is dropped, not shown

        write_to_log(container, "a line written just now")
        expect(view).to_contain_text("a line written just now")
        write_to_log(container, "an error just now", stream=2)
        expect(page.locator(".ln.err").last).to_have_text("an error just now")
        expect(page.locator("[data-log-count]")).to_have_text("5 lines")
        screenshot(page, "logs-live")

        page.fill("[data-log-search]", "just now")
        expect(page.locator("[data-log-search-count]")).to_have_text("2 matches in 2 lines")
        screenshot(page, "logs-search")

    def test_a_stopped_container_ends_with_its_exit_code_and_reconnects(self, page, make_container):
        container = make_container(["sh", "-c", "echo bye; exit 3"], network_mode="none")
        container.wait()
        page.goto(f"/hosts/local/containers/{container.name}/logs/")
        expect(page.locator("[data-log-view]")).to_contain_text("bye")
        end = page.locator("[data-log-end]")
        expect(end).to_contain_text(f"Container {container.name} exited with code 3.")
        end.locator("button:has-text('Reconnect')").click()
        expect(end).to_contain_text("exited with code 3")
        expect(page.locator("[data-log-count]")).to_have_text("1 line")
        screenshot(page, "logs-exited")

    def test_a_container_without_readable_logs_gets_the_engines_sentence(self, page, make_container):
        container = make_container("sleep 3600", log_config={"type": "none"}, network_mode="none")
        page.goto(f"/hosts/local/containers/{container.name}/logs/")
        end = page.locator("[data-log-end]")
        expect(end).to_contain_text("does not support reading")
        screenshot(page, "logs-driver-none")

    def test_scrolling_up_pauses_and_the_button_resumes(self, page, make_container):
        container = make_container(["sh", "-c", "seq 1 400; sleep 3600"], network_mode="none")
        page.goto(f"/hosts/local/containers/{container.name}/logs/")
        expect(page.locator("[data-log-count]")).to_have_text("200 lines")
        page.locator("[data-log-view]").evaluate("view => { view.scrollTop = 0; }")
        jump = page.locator("[data-log-jump]")
        expect(jump).to_be_visible()
        write_to_log(container, "while paused")
        expect(jump).to_contain_text("1 new")
        jump.click()
        expect(jump).to_be_hidden()
        at_bottom = "v => v.scrollHeight - v.scrollTop - v.clientHeight < 8"
        assert page.locator("[data-log-view]").evaluate(at_bottom)

    def test_a_flood_keeps_a_bounded_page_and_says_how_many_lines_dropped(self, page, make_container):
        container = make_container(["sh", "-c", "seq 1 60000; sleep 3600"], network_mode="none")
        page.goto(f"/hosts/local/containers/{container.name}/logs/?tail=all")
        expect(page.locator("[data-log-view] .ln").last).to_have_text("60000", timeout=30_000)
        expect(page.locator("[data-log-count]")).to_have_text("5,000 lines")
        expect(page.locator("[data-log-dropped]")).to_contain_text("55,000 older lines dropped")
        assert page.locator("[data-log-view] .ln").count() == 5000
        expect(page.locator("[data-log-view] .ln").first).to_have_text("55001")
        screenshot(page, "logs-flood")

    def test_timestamps_and_the_download_link(self, page, make_container):
        container = make_container(["sh", "-c", "echo one; echo two; sleep 3600"], network_mode="none")
        page.goto(f"/hosts/local/containers/{container.name}/logs/")
        expect(page.locator("[data-log-view]")).to_contain_text("two")
        page.check("input[name=timestamps]")
        expect(page.locator(".ln .ts").first).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"))
        cli = page.locator("[data-log-cli]")
        expect(cli).to_have_text(f"$ docker logs -f --tail 200 -t {container.name}")
        assert "timestamps=1" in page.url
        href = page.locator("a[data-log-download]").first.get_attribute("href")
        assert href == f"/api/v1/hosts/local/containers/{container.name}/logs?tail=all&timestamps=1"
        response = page.request.get(href)
        assert response.status == 200
        assert re.search(r"Z one\n.*Z two\n", response.text())

    def test_removing_the_container_ends_the_stream_with_a_sentence(self, page, make_container):
        container = make_container(["sh", "-c", "echo here; sleep 3600"], network_mode="none")
        page.goto(f"/hosts/local/containers/{container.name}/logs/")
        expect(page.locator("[data-log-view]")).to_contain_text("here")
        container.remove(force=True)
        end = page.locator("[data-log-end]")
        # `docker rm -f` kills first: the server may look before the removal and see the exit
        ending = re.compile(rf"Container {container.name} (was removed|exited with code 137)")
        expect(end).to_contain_text(ending)
        expect(end).to_contain_text(f"Container {container.name} was removed")  # the event says so
        expect(end.locator("button:has-text('Reconnect')")).to_be_hidden()
        screenshot(page, "logs-removed")


ANSI_CASES = r"""
const { AnsiState, renderAnsi } = await import("/static/js/ansi.js");
const render = (text, state = new AnsiState()) => {
  const div = document.createElement("div");
  renderAnsi(text, state, div);
  return div.innerHTML;
};
const state = new AnsiState();
return {
  plain: render("a <b>&amp;</b>"),
  colour: render("\x1b[32mgreen\x1b[0m plain"),
  bright_bg: render("\x1b[1;97;101mloud\x1b[m"),
  truecolor: render("\x1b[38;2;10;20;300mtc"),
  palette: render("\x1b[38;5;196mred\x1b[48;5;244mgrey"),
  inverse: render("\x1b[7minv"),
  carried: [render("\x1b[33myellow", state), render("still", state)],
  cursor_and_title: render("\x1b[2K\x1b[1Gx\x1b]0;title\x07y\x1b(Bz\x07\x00"),
  progress: render("10%\r50%\r100%"),
  trailing_return: render("done\r"),
  tab: render("a\tb"),
};
"""


class TestAnsi:
    def test_the_renderer_colours_text_and_drops_other_sequences(self, page):
        page.goto("/hosts/")
        out = page.evaluate(f"async () => {{ {ANSI_CASES} }}")
        assert out["plain"] == "a &lt;b&gt;&amp;amp;&lt;/b&gt;"
        assert out["colour"] == '<span class="a-fg2">green</span> plain'
        assert out["bright_bg"] == '<span class="a-fg15 a-bg9 a-b">loud</span>'
        assert out["truecolor"] == '<span style="color: rgb(10, 20, 255);">tc</span>'
        assert out["palette"] == (
            '<span style="color: rgb(255, 0, 0);">red</span>'
            '<span style="color: rgb(255, 0, 0); background-color: rgb(128, 128, 128);">grey</span>'
        )
        assert out["inverse"] == '<span class="a-inv-fg a-inv-bg">inv</span>'
        assert out["carried"] == ['<span class="a-fg3">yellow</span>', '<span class="a-fg3">still</span>']
        assert out["cursor_and_title"] == "xyz"
        assert out["progress"] == "100%"
        assert out["trailing_return"] == "done"
        assert out["tab"] == "a\tb"


class TestStatsPages:
    def test_a_sample_is_shown_and_charted(self, page, make_container):
        container = make_container("sleep 3600", network_mode="none")
        page.goto(f"/hosts/local/containers/{container.name}/stats/")
        expect(page.locator("[data-stats-status]")).to_have_text("live")
        expect(page.locator("[data-v=cpu]")).to_have_text(re.compile(r"^\d+\.\d\d%$"))
        expect(page.locator("[data-v=mem]")).to_have_text(re.compile(r"^\d+(\.\d+)?(B|KiB|MiB|GiB)$"))
        expect(page.locator("[data-v=pids]")).to_have_text("1")
        expect(page.locator("[data-chart=cpu] canvas")).to_be_visible()
        expect(page.locator("[data-stats-samples]")).to_have_text(re.compile(r"^[2-9]|\d\d"))
        screenshot(page, "stats-container")

        container.pause()
        expect(page.locator("[data-stats-status]")).to_have_text("paused")
        expect(page.locator(".pagehead button:has-text('Unpause')")).to_be_visible()
        screenshot(page, "stats-paused")
        container.unpause()
        expect(page.locator("[data-stats-status]")).to_have_text("live")
        container.kill()
        expect(page.locator("[data-stats-end]")).to_contain_text("exited with code 137")
        expect(page.locator(".pagehead button:has-text('Start')")).to_be_visible()
        screenshot(page, "stats-ended")

    def test_the_host_table_lists_every_running_container(self, page, make_container):
        container = make_container("sleep 3600", network_mode="none")
        page.goto("/hosts/local/stats/")
        row = page.locator(f"tr[data-name='{container.name}']")
        expect(row).to_contain_text(container.short_id)
        expect(row.locator("[data-v=pids]")).to_have_text("1")
        screenshot(page, "stats-host")
        container.remove(force=True)
        expect(row).to_have_count(0)


class TestLiveLists:
    def test_the_containers_list_follows_the_engine(self, page, engine, test_image, cleanup_names):
        page.goto("/hosts/local/containers/")
        expect(page.locator("[data-live]")).to_have_text("live")
        name = unique("e2e-live")
        cleanup_names.append(name)
        engine.containers.run(
            test_image, "sleep 3600", name=name, labels=LABELS, detach=True, network_mode="none"
        )
        row = page.locator(f"tr[data-name='{name}']")
        expect(row).to_contain_text("Up")
        screenshot(page, "containers-live")
        engine.containers.get(name).remove(force=True)
        expect(row).to_have_count(0)

    def test_the_images_list_follows_the_engine(self, page, engine, test_image):
        page.goto("/hosts/local/images/")
        expect(page.locator("[data-live]")).to_have_text("live")
        repository = unique("e2e-tag")
        engine.images.get(test_image).tag(repository, "v1")
        row = page.locator(f"tr[data-ref='{repository}:v1']")
        expect(row).to_be_visible()
        screenshot(page, "images-live")
        engine.images.remove(f"{repository}:v1")
        expect(row).to_have_count(0)

    def test_a_host_whose_engine_is_down_says_so_and_keeps_retrying(self, page, console_server, tmp_path):
        name = unique("dead")
        _manage(
            console_server["env"],
            "shell",
            "-c",
            f"from console.models import Host; Host.objects.create(name={name!r}, url='unix://{tmp_path}/none.sock')",
        )
        try:
            page.goto(f"/hosts/{name}/stats/")
            indicator = page.locator("[data-live]")
            expect(indicator).to_contain_text("disconnected — reconnecting in")
            expect(page.locator("[data-host-stats-empty]")).to_contain_text("none.sock")
            screenshot(page, "stats-host-down")
        finally:
            _manage(
                console_server["env"],
                "shell",
                "-c",
                f"from console.models import Host; Host.objects.filter(name={name!r}).delete()",
            )
