"""Fixtures for the console tests: the real gateway (real Redis and MongoDB-protocol servers)
on a loopback port, keys of every role, and one Chromium for the session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import Settings
from tests.console.browser import BROWSER_PROBLEM, PageWatch, launched, watch
from tests.support.asgiserver import serve_asgi
from tests.support.nodetools import seed
from tests.support.settings import make_settings

BOOTSTRAP = "console-bootstrap-key-0123456789-abcdefghij"


@dataclass
class Console:
    url: str
    app: Any
    keys: dict[str, str]  # role (viewer, editor, admin) -> secret

    def admin(self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None) -> dict[str, Any]:
        """Call the admin API directly (seeding, and checking what the UI did)."""
        response = httpx.post(
            f"{self.url}/admin/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {key or self.keys['admin']}"},
            timeout=30,
        )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]

    def save(self, kind: str, definition: dict[str, Any]) -> None:
        name = {"slots": "saveSlot", "variants": "saveVariant", "audiences": "saveAudience"}[kind]
        payload = self.admin(
            f"mutation($d: JSON!) {{ {name}(definition: $d) {{ ok problems {{ path message }} }} }}", {"d": definition}
        )[name]
        assert payload["ok"], payload

    def publish(self, note: str = "") -> int:
        version: int = self.admin("mutation($n: String!) { publish(note: $n) { version } }", {"n": note})["publish"][
            "version"
        ]
        return version


def console_settings(mongodb_url: str, redis_url: str, name: str) -> Settings:
    return make_settings(
        mongodb_url,
        redis_url,
        mongodb_database=f"console_{name}",
        redis_prefix=f"console{name}:",
        admin_api_key=BOOTSTRAP,
    )


@pytest.fixture(scope="module")
def console(mongodb_url: str, redis_url: str, request: pytest.FixtureRequest) -> Iterator[Console]:
    """The gateway with the test catalogue, real stores, and a key of each role."""
    import uuid

    settings = console_settings(mongodb_url, redis_url, uuid.uuid4().hex[:10])
    app = create_app(settings, background=False, freeze_gc=False)

    async def prepare() -> None:
        await seed(app.state.runtime)

    with serve_asgi(app, prepare) as url:
        keys = {}
        for role in ("viewer", "editor", "admin"):
            response = httpx.post(
                f"{url}/admin/graphql",
                json={
                    "query": "mutation($n: String!, $r: Role!) { createApiKey(name: $n, role: $r) { secret } }",
                    "variables": {"n": f"Test {role}", "r": role.upper()},
                },
                headers={"authorization": f"Bearer {BOOTSTRAP}"},
                timeout=30,
            )
            keys[role] = response.json()["data"]["createApiKey"]["secret"]
        yield Console(url, app, keys)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if BROWSER_PROBLEM is not None:
        pytest.skip(f"browser tests: {BROWSER_PROBLEM}")
    with launched() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Any, console: Console) -> Iterator[Any]:
    """A fresh browser context (empty session storage) that may only talk to the gateway."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    seen: PageWatch = watch(tab, console.url)
    tab.watch = seen
    try:
        yield tab
    finally:
        context.close()
    seen.check()


def sign_in(page: Any, console: Console, role: str) -> None:
    page.goto(f"{console.url}/console/")
    page.get_by_label("Admin API key").fill(console.keys[role])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1, name="Slots").wait_for()
