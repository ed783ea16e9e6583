"""Every main screen, filled with a realistic workspace: no serious or critical accessibility
violations (axe-core, from the pinned npm packages in tests/external/node), keyboard use, and a
screenshot of each. Screenshots go to a temporary folder, or to docs/console/ when
VITRINE_CONSOLE_SCREENSHOTS=1 (how the pictures in docs/console.md are made)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.console.browser import watch
from tests.console.conftest import Console, sign_in
from tests.console.seeding import storefront_traffic

ROOT = Path(__file__).parents[2]
AXE = ROOT / "tests" / "external" / "node" / "node_modules" / "axe-core" / "axe.min.js"
HERO = "/console/img/sample-hero.svg"
CALM = "/console/img/sample-calm.svg"

SLOTS = [
    {"key": "home-hero", "description": "Top of the home page", "channels": ["web", "app"], "contentType": "banner",
     "timeZone": "Europe/Warsaw",
     "default": {"title": "Welcome to Vitrine", "subtitle": "New season, new routes", "imageUrl": CALM,
                 "altText": "A quiet shop window", "cta": "Explore", "link": "/new"}},
    {"key": "home-strip", "description": "Under the hero", "contentType": "productCarousel",
     "default": {"title": "Picked for you", "strategy": "FOR_YOU", "productIds": ["p-00003", "p-00007"]}},
]  # fmt: skip
AUDIENCES = [
    {"key": "runners", "name": "Runners", "conditions": {"any": [
        {"field": "profile.traits.sport", "op": "equals", "value": "running"},
        {"behaviour": {"event": "Product Viewed", "category": "c-running", "withinDays": 7},
         "op": "gte", "value": 3}]}},
]  # fmt: skip
VARIANTS = [
    {"id": "bf-runners", "slot": "home-hero", "name": "Black Friday for runners", "status": "published", "priority": 20,
     "audience": "runners", "conditions": {"field": "session.country", "op": "equals", "value": "PL"},
     "schedule": {"start": "2026-11-27T00:00", "end": "2027-12-01T00:00", "timeZone": "Europe/Warsaw",
                  "daysOfWeek": ["friday", "saturday", "sunday", "monday"], "hours": {"from": "06:00", "to": "23:00"}},
     "frequencyCap": {"max": 3, "windowHours": 24},
     "content": {"title": "-30% on running shoes", "subtitle": "Only this weekend", "imageUrl": HERO,
                 "altText": "A runner on a city street at dawn", "cta": "Shop now", "link": "/c/running?sale=bf",
                 "textColour": "#ffffff", "backgroundColour": "#101820"}},
    {"id": "hero-bold", "slot": "home-hero", "name": "Bold copy", "status": "published", "priority": 5,
     "content": {"title": "RUN FURTHER", "imageUrl": HERO, "altText": "A runner at dawn", "cta": "Go",
                 "link": "/c/running", "backgroundColour": "#7a1020"}},
]  # fmt: skip
EXPERIMENT = {
    "key": "hero-copy-test", "name": "Bold or calm hero copy", "type": "ab", "status": "running", "slot": "home-hero",
    "arms": [{"key": "control", "variant": None, "weight": 50}, {"key": "bold", "variant": "hero-bold", "weight": 50}],
    "traffic": 100, "holdout": 10, "attributionDays": 7,
}  # fmt: skip

# (name, fragment, what to wait for, what to do first)
SCREENS = [
    ("slots", "#/slots", "table", None),
    ("slot", "#/slots/home-hero", ".sf-banner", None),
    ("variant", "#/variants/bf-runners", ".cond-leaf", None),
    ("audiences", "#/audiences", "td[data-audience-size] .audience-size", None),
    ("experiment", "#/experiments/hero-copy-test", "figure.chart", None),
    ("releases", "#/releases", "tr[data-version]", "compare"),
    ("preview", "#/preview", "form.preview-form", "preview"),
    ("keys", "#/keys", "tr[data-key]", None),
]


@pytest.fixture(scope="module")
def workspace(console: Console) -> Iterator[Console]:
    for slot in SLOTS:
        console.save("slots", slot)
    for audience in AUDIENCES:
        console.save("audiences", audience)
    for variant in VARIANTS:
        console.save("variants", variant)
    console.admin(
        'mutation($d: JSON!) { saveSegment(key: "vip", name: "VIP customers", definition: $d) { ok } }',
        {"d": {"field": "profile.purchases", "op": "gte", "value": 5}},
    )
    console.publish("Autumn hero and strip")
    saved = console.admin(
        "mutation($d: JSON!) { saveExperiment(definition: $d) { ok problems { message } } }", {"d": EXPERIMENT}
    )
    assert saved["saveExperiment"]["ok"], saved
    console.publish("Start the hero copy test")
    storefront_traffic(console.url, "home-hero", 120, {"control": 9, "bold": 4, "holdout": 12})
    console.save("variants", {**VARIANTS[1], "name": "Bold copy, new colour"})  # an unpublished change to compare
    SHOPPER["id"] = a_runner(console.url)
    yield console


SHOPPER: dict[str, str] = {}


def a_runner(url: str) -> str:
    """A storefront visitor who says they run and views running shoes: a real visitor to preview."""
    import httpx

    events = [
        {"messageId": "r0", "type": "IDENTIFY", "properties": {"traits": {"sport": "running"}}},
        *(
            {"messageId": f"r{i}", "name": "Product Viewed", "properties": {"product_id": f"p-0000{i}"}}
            for i in (1, 2, 5)
        ),
    ]
    track = "mutation($e: [EventInput!]!) { track(events: $e) { rejected } }"
    with httpx.Client(base_url=url, timeout=30) as shopper:
        assert shopper.post("/graphql", json={"query": track, "variables": {"e": events}}).json()["data"]["track"] == {
            "rejected": 0
        }
        visitor: str = shopper.post("/graphql", json={"query": "{ viewer { visitorId } }"}).json()["data"]["viewer"][
            "visitorId"
        ]
    return visitor


def screenshot_dir(tmp_path: Path) -> Path:
    if os.environ.get("VITRINE_CONSOLE_SCREENSHOTS") == "1":
        target = ROOT / "docs" / "console"
        target.mkdir(parents=True, exist_ok=True)
        return target
    return tmp_path


def act(page: Any, action: str | None) -> None:
    if action == "preview":
        page.get_by_label("Visitor id").fill(SHOPPER["id"])  # a real visitor: their profile and counts
        page.get_by_label("Country").fill("PL")
        page.get_by_role("button", name="Show preview").click()
        page.locator("article.decision[data-slot='home-strip'] .sf-card").first.wait_for()
        page.locator(".visitor-card[data-known='true']").wait_for()
    elif action == "compare":
        page.get_by_role("button", name="Compare").click()
        page.locator("tr.change-changed").first.wait_for()


def axe_problems(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(
            v => ({id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(("name", "fragment", "ready", "action"), SCREENS, ids=[s[0] for s in SCREENS])
def test_main_screens_are_accessible(
    browser: Any, workspace: Console, tmp_path: Path, name: str, fragment: str, ready: str, action: str | None
) -> None:
    if not AXE.is_file():
        pytest.skip(
            "axe-core is not installed: run `npm ci` in tests/external/node (scripts/test does with Node >= 20)"
        )
    # axe is injected as a script of its own: only this context lets it past the console's CSP.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    seen = watch(page, workspace.url)
    try:
        sign_in(page, workspace, "admin")
        page.goto(f"{workspace.url}/console/{fragment}")
        page.locator(ready).first.wait_for()
        act(page, action)
        page.wait_for_load_state("networkidle")
        image = screenshot_dir(tmp_path) / f"{name}.png"
        page.screenshot(path=str(image), full_page=True)
        assert image.stat().st_size > 10_000
        assert not re.search(r"\b(null|undefined|NaN)\b", page.locator("main").inner_text())  # no leaked JS values
        assert axe_problems(page) == []
    except Exception:
        seen.check()  # a script error explains a timeout better than the timeout does
        raise
    finally:
        context.close()
    seen.check()


def test_sign_in_screen_is_accessible_and_keyboard_only(browser: Any, console: Console, tmp_path: Path) -> None:
    if not AXE.is_file():
        pytest.skip("axe-core is not installed: run `npm ci` in tests/external/node")
    context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{console.url}/console/")
        page.get_by_label("Admin API key").wait_for()
        assert page.evaluate("document.activeElement.id") == page.get_by_label("Admin API key").get_attribute("id")
        page.screenshot(path=str(screenshot_dir(tmp_path) / "sign-in.png"))
        assert axe_problems(page) == []
        # Keyboard only: type the key, Enter, then Tab through to a section and open it.
        page.keyboard.type(console.keys["editor"])
        page.keyboard.press("Enter")
        page.get_by_role("heading", level=1, name="Slots").wait_for()
        for _ in range(12):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent") == "Releases":
                break
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"  # a visible focus ring
        page.keyboard.press("Enter")
        page.get_by_role("heading", level=1, name="Releases").wait_for()
        assert page.evaluate("document.activeElement.tagName") == "H1"
    finally:
        context.close()


def test_traffic_was_measured(workspace: Console) -> None:
    results = workspace.admin('{ experimentResults(key: "hero-copy-test") { totalExposures } }')
    assert results["experimentResults"]["totalExposures"] == 120
