"""What a new user noticed, checked in the browser: dialogs that say what will run, tidy layouts."""

import pytest
from playwright.sync_api import expect

from tests.conftest import build_image, unique
from tests.e2e.conftest import _manage, screenshot

TRAPS_TERM = ["sh", "-c", "trap 'exit 3' TERM; while true; do sleep 0.1; done"]


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found, locator
    return found


@pytest.fixture
def second_host(console_server, tmp_path):
    """Another (dead) host in the browser's console, so the navbar offers a host picker."""
    name = unique("second")
    shell = "from console.models import Host; "
    _manage(
        console_server["env"],
        "shell",
        "-c",
        shell + f"Host.objects.create(name={name!r}, url='unix://{tmp_path}/x.sock')",
    )
    yield name
    _manage(console_server["env"], "shell", "-c", shell + f"Host.objects.filter(name={name!r}).delete()")


class TestContainerPage:
    def test_kill_with_a_signal_shows_that_signal_and_the_state_after(self, page, make_container):
        container = make_container(command=TRAPS_TERM)
        page.goto(f"/hosts/local/containers/{container.name}/")
        page.click("summary:has-text('Stop with a timeout')")
        page.select_option("select[name=signal]", "SIGTERM")
        page.fill("input[name=t]", "3")
        expect(page.locator(".more-actions [data-command-preview]").first).to_have_text(
            f"$ docker stop -t 3 {container.name}"
        )
        expect(page.locator(".more-actions [data-command-preview]").last).to_have_text(
            f"$ docker kill -s SIGTERM {container.name}"
        )
        page.click(".more-actions button:has-text('Kill')")
        dialog = page.locator("#confirm-dialog")
        expect(dialog.locator(".confirm-cli")).to_have_text(f"$ docker kill -s SIGTERM {container.name}")
        expect(dialog.locator(".confirm-text")).to_contain_text(
            f"Send SIGTERM to container {container.name}?"
        )
        expect(dialog.locator(".confirm-ok")).to_have_text("Send SIGTERM")
        screenshot(page, "kill-signal-confirm")
        dialog.locator(".confirm-ok").click()
        expect(page.locator(".messages")).to_contain_text(
            f"Sent SIGTERM to container {container.name}; it exited with code 3."
        )
        expect(page.locator("[data-state-badge]")).to_have_text("exited (3)")
        page.locator(".pagehead button:has-text('Remove')").click()
        expect(dialog.locator(".confirm-text")).to_have_text(f"Remove container {container.name}?")
        expect(dialog.locator(".confirm-cli")).to_have_text(f"$ docker rm {container.name}")
        screenshot(page, "kill-signal-after")
        dialog.locator("button:has-text('Cancel')").click()

    def test_no_progress_bar_before_an_upload(self, page, make_container):
        container = make_container()
        page.goto(f"/hosts/local/containers/{container.name}/")
        expect(page.locator("[data-progress]")).to_be_hidden()
        page.goto("/hosts/local/images/transfer/")
        expect(page.locator("[data-progress]")).to_be_hidden()
        expect(page.locator("[data-result]")).to_be_hidden()


class TestLayout:
    def test_the_host_picker_fits_the_bar(self, page, second_host):
        page.goto("/hosts/local/containers/")
        bar = box(page.locator(".topbar"))
        label = page.locator(".hostpick label")
        select = page.locator(".hostpick select")
        expect(select).to_be_visible()
        for part in (box(label), box(select)):
            assert part["y"] >= bar["y"] + 6 and part["y"] + part["height"] <= bar["y"] + bar["height"] - 6
        assert box(select)["x"] + box(select)["width"] < box(page.locator(".userbox"))["x"]
        assert box(label)["y"] - bar["y"] > 8  # not squeezed against the top edge
        screenshot(page, "navbar-host-picker")

    def test_the_hosts_list_links_have_room(self, page, second_host):
        page.goto("/hosts/")
        row = page.locator("tr", has=page.locator(f"a:text-is('{second_host}')"))
        containers, images = (
            box(row.locator(f".row-actions a:text-is('{t}')")) for t in ("Containers", "Images")
        )
        assert images["x"] - (containers["x"] + containers["width"]) >= 10
        screenshot(page, "hosts-list")

    def test_tag_opens_without_moving_the_row_buttons(self, page, test_image):
        page.goto("/hosts/local/images/")
        row = page.locator(f"tr[data-ref='{test_image}']")
        remove = row.locator("button.danger").first
        row.scroll_into_view_if_needed()
        before_row, before_button = box(row), box(remove)
        row.locator("summary:has-text('Tag…')").click()
        expect(row.locator(".tag-popover input[name=repository]")).to_be_visible()
        after_row, after_button = box(row), box(remove)
        assert after_row["height"] == before_row["height"]  # nothing wrapped into a second line
        assert after_button["x"] == before_button["x"]
        assert after_button["y"] - after_row["y"] == before_button["y"] - before_row["y"]
        screenshot(page, "images-tag-open")

    def test_removing_an_image_in_use_offers_force_or_its_container(self, page, engine, make_container):
        tag = f"dconsole-test/e2e-used:{unique()}"
        build_image(engine, tag, f'LABEL purpose="{tag}"\n')
        container = make_container(image=tag)
        try:
            page.goto("/hosts/local/images/")
            page.locator(f"tr[data-ref='{tag}'] button:has-text('Remove')").click()
            dialog = page.locator("#confirm-dialog")
            expect(dialog.locator(".confirm-text")).to_contain_text(f"used by container {container.name}")
            expect(dialog.locator(".confirm-cli")).to_have_text(f"$ docker rmi -f {tag}")
            expect(dialog.locator(".confirm-ok")).to_have_text("Force remove")
            alt = dialog.locator(".confirm-alt")
            expect(alt).to_be_visible()
            screenshot(page, "images-remove-in-use")
            alt.click()
            page.wait_for_url(f"**/containers/{container.name}/")
        finally:
            container.remove(force=True)
            engine.images.remove(tag)

    def test_the_setup_form_and_the_used_link(self, page, console_server, tmp_path):
        page.goto("/setup/used/")
        expect(page.locator("h1")).to_have_text("This set-up link is used")
        expect(page.locator("main a.button")).to_have_text("Go to the console")
        screenshot(page, "setup-used")
        # The setup form only shows while no user exists: its HTML from a fresh database.
        fresh = {**console_server["env"], "CONSOLE_DATA_DIR": str(tmp_path)}
        _manage(fresh, "migrate", "--noinput", "-v0")
        html = _manage(
            fresh,
            "shell",
            "-c",
            "import io; from django.core.management import call_command; from django.test import Client; "
            "out = io.StringIO(); call_command('setup_link', stdout=out); "
            "path = '/setup/' + out.getvalue().split('/setup/', 1)[1].split()[0]; "
            "print(Client(HTTP_HOST='127.0.0.1').get(path).content.decode())",
        )
        html = html[html.index("<!doctype") :]  # after the shell's own chatter
        assert 'name="password1"' in html
        page.set_content(html.replace('href="/static/', f'href="{console_server["url"]}/static/'))
        password = box(page.locator("#id_password1"))
        assert box(page.locator("#id_password1_helptext"))["y"] >= password["y"] + password["height"]
        screenshot(page, "setup-form")

    def test_the_used_link_logged_out_offers_log_in(self, browser_page):
        browser_page.goto("/setup/used/")
        expect(browser_page.locator("main code")).to_have_text("python manage.py createsuperuser")
        expect(browser_page.locator("main a.button")).to_have_text("Log in")
        expect(browser_page.locator("main")).not_to_contain_text("Try again")
        screenshot(browser_page, "setup-used-logged-out")
