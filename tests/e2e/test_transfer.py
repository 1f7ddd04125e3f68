"""Moving images and files in a real browser: load a tar with an upload progress bar, pull
from a local registry with per-layer bars (with and without a login), copy files into a
container, commit one. The same transfers at the HTTP level through daphne itself:
tests/e2e/test_transfer_daphne.py."""

import re
import tarfile

import pytest
from playwright.sync_api import expect

from tests.conftest import unique
from tests.e2e.conftest import screenshot
from tests.images.test_pull import PASSWORD, USER, _push, _start_registry


@pytest.fixture(scope="module")
def registries(tmp_path_factory):
    started = [
        _start_registry(tmp_path_factory.mktemp("e2e-registry"), auth=False),
        _start_registry(tmp_path_factory.mktemp("e2e-private-registry"), auth=True),
    ]
    yield [address for _, _, address in started]
    for process, log, _ in started:
        process.terminate()
        process.wait(timeout=10)
        log.close()


class TestLoadPage:
    def test_it_uploads_a_tar_with_a_progress_bar_and_names_the_image(self, page, engine, saved_tar):
        path, tag, image_id = saved_tar
        page.goto("/hosts/local/images/transfer/")
        screenshot(page, "transfer-page")

        load = page.locator("section", has=page.locator("form[data-kind=load]"))
        load.locator("input[type=file]").set_input_files(str(path))
        load.locator("button:has-text('Load')").click()

        expect(load.locator("[data-progress]")).to_be_visible()
        result = load.locator("[data-result]")
        expect(result).to_contain_text(f"Loaded {tag}.", timeout=60_000)
        expect(result.locator(".cli")).to_have_text("$ docker load -i 'e2e image.tar'")
        text = load.locator("[data-progress-text]").inner_text()
        assert re.fullmatch(r"2\d MB uploaded in \d+\.\d s \(\d+ MB/s\)", text), text  # units, time, speed
        bar = load.locator("[data-progress-bar]")
        assert bar.evaluate("b => b.value === b.max && b.max > 1")
        assert engine.images.get(tag).id == image_id
        screenshot(page, "transfer-loaded")

    def test_it_says_plainly_that_a_file_is_not_an_image_tar(self, page, tmp_path):
        junk = tmp_path / "notes.tar"
        junk.write_bytes(b"these are notes, not a tar\n" * 100)
        page.goto("/hosts/local/images/transfer/")
        load = page.locator("section", has=page.locator("form[data-kind=load]"))
        load.locator("input[type=file]").set_input_files(str(junk))
        load.locator("button:has-text('Load')").click()
        result = load.locator("[data-result]")
        expect(result).to_contain_text("is not a tar as docker save makes it")
        expect(result.locator("code")).to_have_text("docker save")
        expect(result).to_have_class("result msg error")
        screenshot(page, "transfer-load-error")


class TestSavePage:
    def test_it_downloads_a_tar_named_after_the_image(self, page, engine, test_image, tmp_path):
        page.goto("/hosts/local/images/transfer/")
        page.select_option("form[data-save] select[name=ref]", [test_image])
        name = test_image.split("/")[-1].replace(":", "_") + ".tar"
        with page.expect_download() as download_info:
            page.click("form[data-save] button:has-text('Download tar')")
        download = download_info.value
        assert download.suggested_filename == name
        path = tmp_path / name
        download.save_as(path)
        with tarfile.open(path) as tar:
            assert "manifest.json" in tar.getnames()
        result = page.locator("[data-save-result]")
        expect(result).to_contain_text(f"Saving {test_image} to {name}")
        expect(result.locator(".cli")).to_have_text(f"$ docker save -o {name} {test_image}")
        screenshot(page, "transfer-saved")

    def test_an_image_gone_before_the_download_gets_a_page_with_the_sentence(self, page, engine, test_image):
        tag = f"dconsole-test/e2e-gone:{unique('g')}"
        engine.images.get(test_image).tag(tag)
        page.goto("/hosts/local/images/transfer/")
        page.select_option("form[data-save] select[name=ref]", [tag])
        engine.images.remove(tag)  # removed by someone else while the form was open
        page.click("form[data-save] button:has-text('Download tar')")
        expect(page.locator(".error-panel h1")).to_have_text("Not found")
        expect(page.locator(".error-panel .sentence")).to_contain_text(
            f"There is no image '{tag}' on host local, so nothing was saved."
        )
        page.click(".error-panel a:has-text('Back')")
        expect(page).to_have_url(re.compile(r"/hosts/local/images/transfer/$"))
        screenshot(page, "transfer-save-gone")


class TestPullPage:
    def test_it_pulls_with_per_layer_progress(self, page, engine, registries, test_image):
        reference, image_id = _push(engine, registries[0])
        page.goto("/hosts/local/images/transfer/")
        page.fill("form[data-pull] input[name=ref]", reference)
        page.click("form[data-pull] button:has-text('Pull')")

        result = page.locator("[data-pull-result]")
        expect(result).to_contain_text(f"Pulled {reference} ({image_id.removeprefix('sha256:')[:12]})")
        expect(result.locator(".cli")).to_have_text(f"$ docker pull {reference}")
        rows = page.locator("[data-pull-layers] tbody tr")
        expect(rows).to_have_count(3)  # two busybox layers of the test image and the image's own
        # The engine knows the busybox layers as "Already exists" only while it remembers their
        # registry digests: a test that removed and loaded the test image again makes it fetch them.
        expect(rows.filter(has_text=re.compile("Already exists|Pull complete"))).to_have_count(3)
        pulled = rows.filter(has_text="Pull complete")
        assert pulled.count() >= 1  # the image's own layer at least
        for bar in pulled.locator("progress").all():
            assert bar.evaluate("b => b.value === b.max")
        assert engine.images.get(reference).id == image_id
        screenshot(page, "transfer-pulled")

    def test_it_pulls_with_a_login_and_says_unauthorized_without(self, page, engine, registries, test_image):
        reference, image_id = _push(engine, registries[1], {"username": USER, "password": PASSWORD})
        page.goto("/hosts/local/images/transfer/")
        page.fill("form[data-pull] input[name=ref]", reference)
        page.click("form[data-pull] button:has-text('Pull')")
        result = page.locator("[data-pull-result]")
        expect(result).to_contain_text(f"The registry refused to give {reference}: unauthorized.")
        screenshot(page, "transfer-pull-unauthorized")

        page.click("form[data-pull] summary")
        page.fill("form[data-pull] input[name=username]", USER)
        page.fill("form[data-pull] input[name=password]", PASSWORD)
        page.click("form[data-pull] button:has-text('Pull')")
        expect(result).to_contain_text(f"Pulled {reference}")
        assert engine.images.get(reference).id == image_id


class TestFilesOnTheContainerPage:
    def test_it_copies_two_files_in_with_a_progress_line(self, page, make_container, tmp_path):
        container = make_container()
        container.exec_run(["mkdir", "-p", "/srv/app"])
        first, second = tmp_path / "my notes.txt", tmp_path / "run.sh"
        first.write_text("hello\n")
        second.write_text("#!/bin/sh\necho hi\n")
        page.goto(f"/hosts/local/containers/{container.name}/")
        form = page.locator("form[data-kind=cp]")
        form.locator("input[name=path]").fill("/srv/app")
        form.locator("input[name=mode]").fill("755")
        form.locator("input[type=file]").set_input_files([str(first), str(second)])
        form.locator("button:has-text('Upload')").click()
        section = page.locator("section", has=form)
        result = section.locator("[data-result]")
        expect(result).to_contain_text("Copied my notes.txt, run.sh (")
        expect(result.locator(".cli")).to_contain_text(f"docker cp 'my notes.txt' {container.name}:/srv/app")
        code, output = container.exec_run(["stat", "-c", "%a %n", "/srv/app/my notes.txt", "/srv/app/run.sh"])
        assert output.decode().split("\n")[:2] == ["755 /srv/app/my notes.txt", "755 /srv/app/run.sh"]
        page.locator("h2:has-text('Files')").scroll_into_view_if_needed()
        screenshot(page, "container-files")

    def test_a_failed_copy_says_so_on_the_progress_line_and_shows_code(self, page, make_container, tmp_path):
        container = make_container()
        note = tmp_path / "note.txt"
        note.write_text("x\n")
        page.goto(f"/hosts/local/containers/{container.name}/")
        form = page.locator("form[data-kind=cp]")
        form.locator("input[name=path]").fill("/no/such/dir")
        form.locator("input[type=file]").set_input_files([str(note)])
        form.locator("button:has-text('Upload')").click()
        section = page.locator("section", has=form)
        result = section.locator("[data-result]")
        expect(result).to_contain_text("There is no directory /no/such/dir in container")
        expect(result.locator("code")).to_have_text(f"docker exec {container.name} mkdir -p /no/such/dir")
        expect(section.locator("[data-progress-text]")).to_contain_text("not copied")
        expect(section.locator("[data-progress-text]")).not_to_contain_text("copying…")


class TestCommitOnTheContainerPage:
    def test_a_bad_name_is_explained_next_to_the_form_which_keeps_what_was_typed(
        self, page, engine, make_container
    ):
        container = make_container()
        page.goto(f"/hosts/local/containers/{container.name}/")
        form = page.locator("form[data-commit]")
        form.locator("input[name=repository]").fill("Bad Repo")
        form.locator("input[name=tag]").fill("v1")
        form.locator("input[name=message]").fill("first try")
        form.locator("button:has-text('Commit')").click()
        result = page.locator("[data-commit-result]")
        expect(result).to_contain_text("'Bad Repo' is not a valid repository name")
        expect(result).to_have_class("result msg error")
        expect(form.locator("input[name=repository]")).to_have_value("Bad Repo")
        expect(form.locator("input[name=message]")).to_have_value("first try")
        screenshot(page, "container-commit-bad-name")

        repository = f"dconsole-test/e2e-commit-{unique('c').lower()}"
        form.locator("input[name=repository]").fill(repository)
        form.locator("button:has-text('Commit')").click()
        expect(result).to_contain_text(f"Committed container {container.name} as image {repository}:v1 (")
        expect(result.locator(".cli")).to_have_text(
            f"$ docker commit -m 'first try' {container.name} {repository}:v1"
        )
        assert engine.images.get(f"{repository}:v1").attrs["Comment"] == "first try"
