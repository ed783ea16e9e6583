"""The garbage collector in a serving process: thresholds from VITRINE_GC_THRESHOLDS, pauses in /metrics."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from gateway.app import create_app
from gateway.kernel.errors import ConfigError
from gateway.platform.collector import DEFAULT_THRESHOLDS
from gateway.settings import load_settings
from tests.platform.test_metrics import samples, value
from tests.support.appclient import running_gateway
from tests.support.settings import make_settings

BASE = {"VITRINE_SECRET_KEY": "test-secret-key-0123456789-abcdefghijklmnop"}


def test_thresholds_default_to_the_serving_ones_and_python_keeps_the_interpreters() -> None:
    assert load_settings(BASE).gc_thresholds == DEFAULT_THRESHOLDS == (20_000, 20, 50)
    assert load_settings({**BASE, "VITRINE_GC_THRESHOLDS": " 5000, 10 ,10"}).gc_thresholds == (5000, 10, 10)
    assert load_settings({**BASE, "VITRINE_GC_THRESHOLDS": "Python"}).gc_thresholds is None


@pytest.mark.parametrize("raw", ["20000,20", "20000,0,50", "a,b,c", "-1,2,3", "1,2,3,4"])
def test_bad_thresholds_say_what_is_expected(raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({**BASE, "VITRINE_GC_THRESHOLDS": raw})
    assert caught.value.variable == "VITRINE_GC_THRESHOLDS"
    assert "three positive integers like 20000,20,50" in caught.value.message and "or python" in caught.value.message


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    """A serving app freezes what it loaded (gc.freeze): give the test process its collector back."""
    yield
    gc.unfreeze()


async def test_a_serving_app_sets_its_thresholds_and_gives_them_back() -> None:
    before = gc.get_threshold()
    app = create_app(make_settings(gc_thresholds=(12_345, 11, 13)), background=False, freeze_gc=True)
    async with app.router.lifespan_context(app):
        assert gc.get_threshold() == (12_345, 11, 13)
    assert gc.get_threshold() == before


async def test_tests_and_the_interpreters_choice_leave_the_thresholds_alone() -> None:
    before = gc.get_threshold()
    for freeze, thresholds in ((False, (12_345, 11, 13)), (True, None)):
        app = create_app(make_settings(gc_thresholds=thresholds), background=False, freeze_gc=freeze)
        async with app.router.lifespan_context(app):
            assert gc.get_threshold() == before


async def test_every_collection_is_a_pause_in_metrics_until_the_app_stops() -> None:
    async with running_gateway(make_settings(), products=[]) as gw:
        gc.collect(0)
        gc.collect(2)
        gc.collect(2)
        found = samples((await gw.client.get("/metrics")).text)
        callbacks = len(gc.callbacks)
    assert value(found, "vitrine_gc_pause_seconds_count", generation="2") >= 2
    assert value(found, "vitrine_gc_pause_seconds_count", generation="0") >= 1
    assert value(found, "vitrine_gc_pause_seconds_sum", generation="2") > 0
    assert len(gc.callbacks) == callbacks - 1  # removed when the app stopped
