"""What the gateway serves to browsers, checked over HTTP: the console's files (right types, a
strict CSP, nothing from outside, pickers generated from the domain, all shipped as package
data) and the offline GraphiQL pages, including the admin one opened without a key.

No browser here: the Playwright tests live in modules of their own, because the sync API keeps
an event loop marked as running while the browser is open, which async tests cannot share."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from gateway.audiences import FIELDS, Op
from gateway.http.console.files import HERE, STATIC
from gateway.slots import CAROUSEL_STRATEGIES, ContentKind
from tests.support.appclient import Gateway, running_gateway
from tests.support.settings import make_settings

ROOT = Path(__file__).parents[2]


@pytest.fixture
async def gw() -> AsyncIterator[Gateway]:
    async with running_gateway(make_settings(), products=()) as gateway:
        yield gateway


async def test_console_is_served_with_a_strict_csp(gw: Gateway) -> None:
    redirect = await gw.client.get("/console")
    assert redirect.status_code in (307, 308) and redirect.headers["location"].endswith("/console/")
    index = await gw.client.get("/console/")
    assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
    csp = index.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp and "'unsafe-inline'" not in csp
    assert index.headers["x-content-type-options"] == "nosniff"
    script = await gw.client.get("/console/js/main.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    style = await gw.client.get("/console/app.css")
    assert style.headers["content-type"].startswith("text/css")
    licence = await gw.client.get("/console/vendor/graphiql-3.8.3/LICENSE")
    assert licence.status_code == 200 and "MIT" in licence.text


@pytest.mark.parametrize(
    "path", ["/console/nope.js", "/console/%2e%2e/files.py", "/console/..%2Ffiles.py", "/console/vendor/../files.py"]
)
async def test_nothing_outside_the_folders_is_served(gw: Gateway, path: str) -> None:
    response = await gw.client.get(path)
    assert response.status_code == 404
    assert "console_mount" not in response.text


async def test_pickers_come_from_the_domain(gw: Gateway) -> None:
    module = (await gw.client.get("/console/js/vocabulary.js")).text
    assert module.startswith("// Generated")
    # Condition fields and operators are the admin API's (conditionVocabulary), not a second copy.
    assert not any(f'"{name}"' in module for name in FIELDS)
    assert '"' + Op.BETWEEN.value + '"' not in module
    for kind in ContentKind:
        assert f'"{kind.value}"' in module
    for strategy in CAROUSEL_STRATEGIES:
        assert f'"{strategy}"' in module


def test_no_inline_script_or_style_and_no_outside_urls() -> None:
    html = (STATIC / "index.html").read_text()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    for path in STATIC.rglob("*"):
        if path.suffix in {".html", ".js", ".css"}:
            text = path.read_text()
            assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)[a-z0-9]", text), f"{path} names an outside URL"
            assert "innerHTML" not in text and "style=" not in text, f"{path} builds HTML or inline styles"


def test_every_console_file_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["gateway.http.console"]
    shipped = [p for p in HERE.rglob("*") if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts]
    assert len(shipped) > 20
    for path in shipped:
        relative = path.relative_to(HERE).as_posix()
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), f"{relative} would not be shipped"


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
