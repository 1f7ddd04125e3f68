"""A new user's reports, checked in the browser: the Tag… popover on the last row, live pages that
follow a start or a removal, buttons that show they work, the logs page's Since check and search."""

import json
import re
import time

import pytest
from playwright.sync_api import expect

from tests.conftest import build_image, unique
from tests.e2e.conftest import screenshot
from tests.e2e.test_live import write_to_log

IGNORES_TERM = ["sh", "-c", "trap '' TERM; echo up; while true; do sleep 0.1; done"]


def covers_its_own_centre(locator) -> bool:
    """Whether the element is what a click at its centre reaches (not clipped or covered)."""
    return locator.evaluate(
        """(el) => {
          const r = el.getBoundingClientRect();
          const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
          return r.height > 10 && (hit === el || el.contains(hit));
        }"""
    )


@pytest.fixture
def two_images(engine):
    tags = [f"dconsole-test/zz-last:{unique()}" for _ in range(2)]
    for tag in tags:
        build_image(engine, tag, f'LABEL purpose="{tag}"\n')
    yield tags
    for tag in tags:
        engine.images.remove(tag, force=True)


class TestTagPopover:
    def test_it_shows_on_the_last_row_takes_focus_and_closes_the_other(self, page, two_images):
        page.set_viewport_size({"width": 1360, "height": 700})
        page.goto("/hosts/local/images/")
        last = page.locator("table.images tbody tr").last
        last.scroll_into_view_if_needed()
        last.locator("summary:has-text('Tag…')").click()
        repository = last.locator(".tag-popover input[name=repository]")
        expect(repository).to_be_focused()
        assert covers_its_own_centre(repository)
        assert covers_its_own_centre(last.locator(".tag-popover button:has-text('Tag')"))
        screenshot(page, "images-tag-last-row")

        # Both images are made in the same second: either may sort last.
        other_ref = next(ref for ref in two_images if ref != last.get_attribute("data-ref"))
        other = page.locator(f"tr[data-ref='{other_ref}']")
        other.locator("summary:has-text('Tag…')").click()
        expect(other.locator(".tag-popover input[name=repository]")).to_be_focused()
        expect(page.locator("details.tag-form[open]")).to_have_count(1)
        page.keyboard.press("Escape")
        expect(page.locator("details.tag-form[open]")).to_have_count(0)


class TestLivePagesFollowTheContainer:
    def test_logs_resume_when_it_is_started_elsewhere(self, page, make_container):
        container = make_container(["sh", "-c", "echo run-$RANDOM; sleep 3600"], network_mode="none")
        page.goto(f"/hosts/local/containers/{container.name}/logs/")
        expect(page.locator("[data-log-view]")).to_contain_text("run-")
        container.kill()
        end = page.locator("[data-log-end]")
        expect(end).to_contain_text("exited with code 137")
        expect(page.locator(".pagehead button:has-text('Start')")).to_be_visible()
        container.start()  # as `docker start` in a shell
        expect(page.locator("[data-state-badge]")).to_have_text("running")
        expect(page.locator(".pagehead button:has-text('Stop')")).to_be_visible()
        expect(page.locator("[data-log-status]")).to_have_text("following")
        expect(end).to_be_hidden()
        expect(page.locator(".ln")).to_have_count(2)  # both runs' lines: the stream is back
        write_to_log(container, "after the start")
        expect(page.locator("[data-log-view]")).to_contain_text("after the start")
        screenshot(page, "logs-resumed")

    def test_logs_of_a_removed_container_say_removed_without_actions(self, page, make_container):
        container = make_container(["sh", "-c", "echo here; sleep 3600"], network_mode="none")
        page.goto(f"/hosts/local/containers/{container.name}/logs/")
        expect(page.locator("[data-log-view]")).to_contain_text("here")
        container.remove(force=True)
        end = page.locator("[data-log-end]")
        expect(end).to_contain_text(f"Container {container.name} was removed")
        expect(page.locator("[data-state-badge]")).to_have_text("removed")
        expect(page.locator(".pagehead form")).to_have_count(0)
        expect(end.locator("button:has-text('Reconnect')")).to_be_hidden()
        back = page.locator(".pagehead a:has-text('Back to containers')")
        expect(back).to_have_attribute("href", "/hosts/local/containers/")
        screenshot(page, "logs-removed-header")

    def test_stats_clear_the_cards_on_stop_and_resume_on_start(self, page, make_container):
        container = make_container("sleep 3600", network_mode="none")
        page.goto(f"/hosts/local/containers/{container.name}/stats/")
        expect(page.locator("[data-v=pids]")).to_have_text("1")
        container.kill()
        expect(page.locator("[data-stats-end]")).to_contain_text("exited with code 137")
        for key in ("cpu", "mem", "mem_limit", "mem_percent", "net", "blk", "pids"):
            expect(page.locator(f"[data-v={key}]")).to_have_text("—")
        screenshot(page, "stats-stopped-cards")
        container.start()
        expect(page.locator("[data-stats-status]")).to_have_text("live")
        expect(page.locator("[data-state-badge]")).to_have_text("running")
        expect(page.locator("[data-v=pids]")).to_have_text("1")
        expect(page.locator("[data-stats-end]")).to_be_hidden()
        container.remove(force=True)
        expect(page.locator("[data-state-badge]")).to_have_text("removed")
        expect(page.locator("[data-stats-reconnect]")).to_be_hidden()


class TestButtonsAtWork:
    def test_stop_says_stopping_while_the_engine_waits(self, page, make_container):
        container = make_container(IGNORES_TERM, network_mode="none")
        for _ in range(100):  # the trap is set once it says "up": a TERM before that stops it at once
            if b"up" in container.logs():
                break
            time.sleep(0.05)
        page.goto(f"/hosts/local/containers/{container.name}/")
        # While the form's POST is out, this Chromium runs no evaluate for Playwright: the page
        # records what its buttons said, and the record is read once the answer has arrived.
        page.evaluate(
            """() => new MutationObserver(() => {
                const buttons = [...document.querySelectorAll('.pagehead .actions-bar button')]
                  .map((b) => [b.textContent.trim(), b.disabled]);
                if (buttons.some(([text, disabled]) => text === 'Stopping…' && disabled)) {
                  sessionStorage.setItem('stop-buttons', JSON.stringify(buttons));
                }
              }).observe(document.querySelector('.pagehead'),
                         {subtree: true, childList: true, characterData: true, attributes: true})"""
        )
        page.locator(".pagehead button:has-text('Stop')").click(no_wait_after=True)  # it answers after 10 s
        expect(page.locator("[data-state-badge]")).to_have_text(re.compile(r"^exited"), timeout=30_000)
        buttons = json.loads(page.evaluate("() => sessionStorage.getItem('stop-buttons')") or "[]")
        assert ["Stopping…", True] in buttons
        assert ["Kill", False] in buttons  # still there: for a process that ignores the stop
        screenshot(page, "stop-finished")  # a screenshot waits for the navigation: the state after


class TestLogsPageChecks:
    def test_a_bad_since_is_refused_once_without_reconnect(self, page, make_container):
        container = make_container(["sh", "-c", "echo here; sleep 3600"], network_mode="none")
        page.goto(f"/hosts/local/containers/{container.name}/logs/")
        expect(page.locator("[data-log-view]")).to_contain_text("here")
        page.fill("input[name=since]", "yesterday")
        page.press("input[name=since]", "Enter")
        sentence = (
            "`since` must be unix seconds, a date like 2024-05-01T12:00:00Z, or a duration like 10m or 2h, "
            "not 'yesterday'."
        )
        end = page.locator("[data-log-end]")
        expect(end).to_contain_text(sentence)
        assert page.content().count("not 'yesterday'") == 1
        expect(end.locator("button:has-text('Reconnect')")).to_be_hidden()
        expect(page.locator("[data-log-status]")).not_to_have_text("stopped")
        expect(page.locator("input[name=since]")).to_have_attribute("aria-invalid", "")
        screenshot(page, "logs-bad-since")
        page.fill("input[name=since]", "10m")
        page.press("input[name=since]", "Enter")
        expect(page.locator("[data-log-view]")).to_contain_text("here")
        expect(end).to_be_hidden()

    def test_search_marks_lines_that_arrive_later(self, page, make_container):
        container = make_container(["sh", "-c", "echo first needle; sleep 3600"], network_mode="none")
        page.goto(f"/hosts/local/containers/{container.name}/logs/")
        expect(page.locator("[data-log-view]")).to_contain_text("first needle")
        page.fill("[data-log-search]", "needle")
        expect(page.locator("[data-log-search-count]")).to_have_text("1 match in 1 line")
        write_to_log(container, "second needle")
        expect(page.locator("[data-log-search-count]")).to_have_text("2 matches in 2 lines")
        marked = page.evaluate("() => [...CSS.highlights.get('log-search')].map((r) => r.toString())")
        assert marked == ["needle", "needle"]


class TestLayout:
    def test_the_memory_card_shows_the_whole_limit(self, page, make_container):
        container = make_container("sleep 3600", network_mode="none")
        page.goto(f"/hosts/local/containers/{container.name}/stats/")
        limit = page.locator("[data-v=mem_limit]")
        expect(limit).to_have_text(re.compile(r"^\d+(\.\d+)?(B|KiB|MiB|GiB|TiB)$"))
        card = page.locator(".stat-cards .num.wraps")
        assert card.evaluate("(el) => el.scrollWidth <= el.clientWidth")  # nothing cut off
        screenshot(page, "stats-cards")

    @pytest.mark.parametrize("width", [900, 1024])
    def test_the_nav_bar_stays_one_line(self, page, make_container, width):
        container = make_container("sleep 3600", network_mode="none")
        page.set_viewport_size({"width": width, "height": 700})
        page.goto(f"/hosts/local/containers/{container.name}/")
        bar = page.locator(".topbar").bounding_box()
        for item in page.locator(".topbar a, .topbar button, .topbar .hostname").all():
            box = item.bounding_box()
            assert box and box["y"] >= bar["y"] and box["y"] + box["height"] <= bar["y"] + bar["height"] + 1
            assert box["x"] + box["width"] <= width
        screenshot(page, f"navbar-{width}")
