"""Sentences with `backticked` commands: code on pages; the API's text keeps the backticks."""

import pytest

from console.templatetags.console_tags import sentence

pytestmark = pytest.mark.django_db


def test_backticked_parts_become_code_and_the_rest_is_escaped():
    html = sentence("Run `docker ps -a` or <b>not</b>: `a<b`.")
    assert html == "Run <code>docker ps -a</code> or &lt;b&gt;not&lt;/b&gt;: <code>a&lt;b</code>."


def test_an_odd_backtick_is_left_as_text():
    assert sentence("it's `odd & <x>") == "it&#x27;s `odd &amp; &lt;x&gt;"


def test_an_api_path_without_its_slash_is_pointed_to_the_right_one(api):
    answer = api.get("/api/v1/hosts/local/containers").json()
    assert answer["code"] == "not_found"
    assert "Did you mean /api/v1/hosts/local/containers/ (with the slash)?" in answer["error"]
    assert "Did you mean" not in api.get("/api/v1/no/such/thing").json()["error"]
