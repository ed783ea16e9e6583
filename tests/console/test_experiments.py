"""An editor starts an A/B test in the console and reads its results: rates, uplift, P(best),
and the sample-ratio-mismatch warning when exposures stop matching the split."""

from __future__ import annotations

from typing import Any

from tests.console.conftest import Console, sign_in
from tests.console.seeding import storefront_traffic

BANNER = {"title": "Calm", "imageUrl": "/img/calm.jpg", "altText": "A calm street", "link": "/"}
RESULTS = """{ experimentResults(key: "hero-copy") { totalExposures srmDetected
  arms { arm exposures conversions probabilityBest conversionRateInterval { low high } } } }"""


def publish_in_ui(page: Any, console: Console, note: str) -> None:
    page.goto(f"{console.url}/console/#/releases")
    page.get_by_label("Release note").fill(note)
    page.get_by_role("button", name="Publish", exact=True).click()
    page.locator("tr", has_text=note).wait_for()


def test_start_an_experiment_and_read_its_results(page: Any, console: Console) -> None:
    console.save("slots", {"key": "exp-hero", "contentType": "banner", "default": BANNER})
    bold = {"id": "exp-bold", "slot": "exp-hero", "status": "published", "priority": 5,
            "content": {**BANNER, "title": "BOLD"}}  # fmt: skip
    console.save("variants", bold)
    sign_in(page, console, "editor")
    page.goto(f"{console.url}/console/#/experiments/new")
    page.get_by_role("textbox", name="Key", exact=True).fill("hero-copy")
    page.get_by_role("textbox", name="Name", exact=True).fill("Bold or calm hero")
    page.get_by_label("Status").select_option("running")
    page.get_by_label("Slot", exact=True).select_option("exp-hero")
    arms = page.locator(".arm-row")
    arms.nth(0).get_by_label("Control arm key").fill("control")
    arms.nth(0).get_by_label("Weight (%)").fill("50")
    arms.nth(1).get_by_label("Arm 2 key").fill("bold")
    arms.nth(1).get_by_label("Shows").select_option("exp-bold")
    arms.nth(1).get_by_label("Weight (%)").fill("50")
    page.get_by_role("button", name="Create experiment").click()
    page.get_by_role("heading", name="Experiment hero-copy").wait_for()
    # Not published yet: the server says so (no NOT_FOUND), and the arms are listed with nothing counted.
    page.locator(".results .notice.unpublished").get_by_text("Not published yet").wait_for()
    assert page.locator(".results tr[data-arm]").count() == 2
    publish_in_ui(page, console, "start hero-copy")

    seen = storefront_traffic(console.url, "exp-hero", 80, {"control": 8, "bold": 3})
    assert set(seen) == {"control", "bold"}
    expected = console.admin(RESULTS)["experimentResults"]
    assert expected["totalExposures"] == 80 and not expected["srmDetected"]

    page.goto(f"{console.url}/console/#/experiments/hero-copy")
    results = page.locator(".results")
    results.locator("[data-total]").wait_for()
    assert results.locator("[data-total]").get_attribute("data-total") == "80"
    for arm in expected["arms"]:
        row = results.locator(f"tr[data-arm='{arm['arm']}']")
        assert row.locator("[data-col='exposures']").inner_text() == str(arm["exposures"])
        assert row.locator("[data-col='conversions']").inner_text() == str(arm["conversions"])
        assert row.locator("[data-col='best']").inner_text() == f"{arm['probabilityBest'] * 100:.0f}%"
    # Five charts, each with a bar or an interval per arm, described for screen readers.
    assert results.locator("figure.chart").count() == 5
    assert results.locator("figure.chart svg[role='img'] desc").count() == 5
    rates = results.locator("figure.chart").nth(0)
    assert rates.locator("g[data-arm]").count() == 2
    # The conversion rate's error bar is the server's Wilson interval, not computed in the browser.
    for arm in expected["arms"]:
        bar = rates.locator(f"g[data-arm='{arm['arm']}'] g.error-bar")
        assert float(bar.get_attribute("data-low")) == arm["conversionRateInterval"]["low"]
        assert float(bar.get_attribute("data-high")) == arm["conversionRateInterval"]["high"]
    assert "95% interval" in (rates.locator("desc").text_content() or "")
    assert results.locator("figure.chart").nth(2).locator("g[data-arm='bold'] line.interval").count() == 1
    assert results.locator(".srm-warning").count() == 0
    assert "split matches" in results.locator(".srm-ok").inner_text()

    # The split changes under running traffic: the console warns loudly.
    form = page.get_by_role("form", name="Experiment")
    form.locator(".arm-row").nth(0).get_by_label("Weight (%)").fill("90")
    form.locator(".arm-row").nth(1).get_by_label("Weight (%)").fill("10")
    form.get_by_role("button", name="Save changes").click()
    page.get_by_role("status").filter(has_text="Saved experiment").wait_for(state="attached")
    publish_in_ui(page, console, "90/10")
    page.goto(f"{console.url}/console/#/experiments/hero-copy")
    warning = page.locator(".results .srm-warning")
    warning.wait_for()
    assert warning.get_attribute("role") == "alert"
    assert "Sample-ratio mismatch" in warning.inner_text()
    assert console.admin(RESULTS)["experimentResults"]["srmDetected"] is True


def test_weights_that_do_not_add_up_are_shown_at_the_arms(page: Any, console: Console) -> None:
    console.save("slots", {"key": "exp-strip", "contentType": "banner", "default": BANNER})
    sign_in(page, console, "editor")
    page.goto(f"{console.url}/console/#/experiments/new")
    page.get_by_role("textbox", name="Key", exact=True).fill("bad-weights")
    page.get_by_label("Slot", exact=True).select_option("exp-strip")
    arms = page.locator(".arm-row")
    arms.nth(0).get_by_label("Weight (%)").fill("50")
    arms.nth(1).get_by_label("Weight (%)").fill("40")
    page.get_by_role("button", name="Create experiment").click()
    problem = page.locator("fieldset[data-path='arms'] > .problem")
    problem.wait_for()
    assert "arm weights add up to 90%; they must add up to 100%" in problem.inner_text()


def test_a_multivariate_test_is_built_from_factors(page: Any, console: Console) -> None:
    for key in ("mvt-hero", "mvt-strip"):
        console.save("slots", {"key": key, "contentType": "banner", "default": BANNER})
    console.save("variants", {"id": "mvt-bold", "slot": "mvt-hero", "content": {**BANNER, "title": "BOLD"}})
    sign_in(page, console, "editor")
    page.goto(f"{console.url}/console/#/experiments/new")
    page.get_by_role("textbox", name="Key", exact=True).fill("home-mvt")
    page.get_by_label("Type").select_option("multivariate")
    page.get_by_label("Factor 1 slot").select_option("mvt-hero")
    page.get_by_label("Factor 2 slot").select_option("mvt-strip")
    first = page.get_by_role("group", name="Factor 1 levels")
    first.locator(".arm-row").nth(1).get_by_label("Shows").select_option("mvt-bold")
    page.get_by_role("button", name="Create experiment").click()
    page.get_by_role("heading", name="Experiment home-mvt").wait_for()
    saved = console.admin('{ definition(kind: EXPERIMENTS, key: "home-mvt") }')["definition"]
    assert saved["type"] == "multivariate" and "slot" not in saved
    assert [f["slot"] for f in saved["factors"]] == ["mvt-hero", "mvt-strip"]
    assert saved["factors"][0]["levels"][1] == {"key": "b", "variant": "mvt-bold"}
