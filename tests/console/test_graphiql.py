"""GraphiQL without a CDN on /graphql and /admin/graphql, and a browser opening the admin
endpoint without a key gets the page (or, in production, a clear 401), never a 500."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from tests.appclient import running_gateway
from tests.conftest import make_settings
from tests.console.conftest import Console

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("endpoint", ["/graphql", "/admin/graphql"])
async def test_graphiql_page_loads_only_vendored_files(endpoint: str) -> None:
    async with running_gateway(make_settings(), products=()) as gw:
        page = await gw.client.get(endpoint, headers={"accept": BROWSER_ACCEPT})
        assert page.status_code == 200, page.text
        assert page.headers["content-type"].startswith("text/html")
        assert "unpkg" not in page.text and "https://" not in page.text
        assert "script-src 'self';" in page.headers["content-security-policy"]
        assert f'data-endpoint="{endpoint}"' in page.text
        assets = re.findall(r'(?:src|href)="(/console/[^"]+)"', page.text)
        assert any("graphiql.min.js" in a for a in assets) and any("react-dom" in a for a in assets)
        for asset in assets:
            response = await gw.client.get(asset)
            assert response.status_code == 200, asset
            assert len(response.content) > 0


async def test_admin_endpoint_in_a_browser_without_a_key_is_never_a_500() -> None:
    async with running_gateway(make_settings(), products=()) as gw:
        page = await gw.client.get("/admin/graphql", headers={"accept": BROWSER_ACCEPT})
        assert page.status_code == 200 and "Vitrine admin API" in page.text
        # A browser GET that carries a query is an operation: it needs a key.
        operation = await gw.client.get("/admin/graphql?query={me{role}}", headers={"accept": BROWSER_ACCEPT})
        assert operation.status_code == 401
        assert operation.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    async with running_gateway(replace(make_settings(), environment="production"), products=()) as gw:
        refused = await gw.client.get("/admin/graphql", headers={"accept": BROWSER_ACCEPT})
        assert refused.status_code == 401
        assert "API key" in refused.json()["errors"][0]["message"]


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
