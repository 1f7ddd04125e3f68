import docker
import pytest
from playwright.sync_api import expect

from tests.conftest import LABELS, unique
from tests.e2e.conftest import screenshot


class TestContainersInTheBrowser:
    def test_it_runs_lists_stops_and_removes_a_container(self, page, engine, test_image, cleanup_names):
        name = unique("e2e")
        cleanup_names.append(name)

        page.goto("/hosts/local/run/")
        page.fill("input[name=image]", test_image)
        page.fill("input[name=name]", name)
        page.fill("input[name=command]", "sleep 3600")
        page.fill("textarea[name=labels]", "\n".join(f"{k}={v}" for k, v in LABELS.items()))
        expect(page.locator("[data-cli-preview]")).to_contain_text(f"--name {name}")
        screenshot(page, "run-form")
        page.click("button:has-text('Run')")

        expect(page.locator(".messages")).to_contain_text(f"Started container {name}")
        expect(page.locator(".messages .cli")).to_contain_text(f"docker run -d --name {name}")
        assert engine.containers.get(name).status == "running"
        screenshot(page, "container-detail")

        page.goto("/hosts/local/containers/")
        row = page.locator(f"tr[data-name='{name}']")
        expect(row).to_contain_text("Up")
        screenshot(page, "containers-list")

        row.locator("button:has-text('Stop')").click()
        expect(page.locator(".messages")).to_contain_text(f"Stopped container {name}")
        expect(page.locator(".messages .cli")).to_contain_text(f"docker stop {name}")
        assert engine.containers.get(name).status == "exited"

        page.goto("/hosts/local/containers/?all=1")
        row = page.locator(f"tr[data-name='{name}']")
        expect(row).to_contain_text("Exited (")
        row.locator("button:has-text('Remove')").click()
        dialog = page.locator("#confirm-dialog")
        expect(dialog).to_contain_text(f"docker rm {name}")
        screenshot(page, "remove-confirm")
        dialog.locator("button:has-text('Confirm')").click()
        expect(page.locator(".messages")).to_contain_text(f"Removed container {name}")
        with pytest.raises(docker.errors.NotFound):
            engine.containers.get(name)

    def test_a_page_without_login_goes_to_the_login_form(self, browser_page):
        browser_page.goto("/hosts/local/containers/")
        expect(browser_page.locator("h1")).to_have_text("Log in")
        screenshot(browser_page, "login")

    def test_the_host_page_and_images_render(self, page, test_image):
        page.goto("/hosts/local/")
        expect(page.locator(".stat").first).to_be_visible()
        screenshot(page, "host-detail")
        page.goto("/hosts/local/images/")
        expect(page.locator("table.images")).to_contain_text(test_image.split(":")[0])
        screenshot(page, "images-list")
