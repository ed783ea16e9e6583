"""GraphiQL on /graphql and /admin/graphql runs in a browser with no internet: every file it
loads comes from the gateway (the page's own HTTP checks are in test_served_files.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.console.conftest import Console


@pytest.mark.parametrize("endpoint", ["/graphql", "/admin/graphql"])
def test_graphiql_runs_offline_in_a_browser(page: Any, console: Console, endpoint: str) -> None:
    page.goto(f"{console.url}{endpoint}")
    page.locator(".graphiql-container .graphiql-editor").first.wait_for()
    assert page.locator(".graphiql-container").count() == 1
    if endpoint == "/admin/graphql":
        # The key goes into the headers tab; the run button then answers with the role.
        headers = page.locator(".graphiql-editor-tool .CodeMirror").last
        headers.click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(f'{{"Authorization": "Bearer {console.keys["viewer"]}"}}')
        page.get_by_role("button", name=re.compile("Execute query")).click()
        page.locator(".result-window").get_by_text('"VIEWER"').wait_for()
