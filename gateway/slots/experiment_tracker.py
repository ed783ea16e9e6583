"""Experiment measurement: exposures on serve, clicks and conversions from events, results.

Choice (documented in docs/editors.md): the gateway logs an exposure when it serves an
experiment decision (arm or holdout) to a real request — previews never count — so
storefronts need no extra call. Clicks come from `Promotion Clicked` events carrying the
decision id (`properties.decision_id`, or `promotion_id`) of an experiment decision.
Conversions are `Order Completed` events within the experiment's attribution window after
the visitor's first exposure. All three count unique visitors per arm, so replays of the
same events (the listener contract) never double count.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.catalogue import Product, ProductId
from gateway.kernel import NotFound, VisitorId
from gateway.slots.stores.protocol import ExperimentStore
from gateway.slots.values.decision import Decision, decode_decision_id
from gateway.slots.values.experiment_stats import ArmCounts, Results, analyse
from gateway.slots.values.experiments import HOLDOUT_ARM, Experiment, ExperimentStatus, parse_experiment
from gateway.slots.workspace import SlotDefinitions
from gateway.visitors import Event

log = logging.getLogger(__name__)


class ExperimentTracker:
    def __init__(self, store: ExperimentStore, definitions: SlotDefinitions) -> None:
        self._store = store
        self._definitions = definitions

    async def expose(self, visitor_id: VisitorId, decisions: Sequence[Decision], at: datetime) -> None:
        seen: set[str] = set()
        for decision in decisions:
            a = decision.assignment
            if a is not None and a.experiment not in seen:  # a multivariate test spans several slots
                seen.add(a.experiment)
                await self._store.expose(a.experiment, a.arm, visitor_id, at)

    async def on_events(self, events: Sequence[Event], products: Mapping[ProductId, Product]) -> None:
        snapshot = self._definitions.snapshot
        for event in events:
            if event.name == "Promotion Clicked":
                props = event.properties
                ref = decode_decision_id(props.get("decision_id") or props.get("promotion_id"))
                if ref is None or ref.experiment is None:
                    continue
                (exposure,) = await self._store.exposures_of(event.visitor_id, [ref.experiment])
                if exposure is not None:
                    await self._store.mark(ref.experiment, "clicks", exposure.arm, event.visitor_id)
            elif event.name == "Order Completed":
                running = snapshot.running()
                if not running:
                    continue
                exposures = await self._store.exposures_of(event.visitor_id, [e.key for e in running])
                for experiment, exposure in zip(running, exposures, strict=True):
                    if exposure is None:
                        continue
                    window = timedelta(days=experiment.attribution_days)
                    if exposure.at <= event.timestamp <= exposure.at + window:
                        await self._store.mark(experiment.key, "conversions", exposure.arm, event.visitor_id)

    async def results(self, key: str) -> Report:
        """The experiment's numbers, from the release this instance serves or, for one not
        published yet, from the workspace (its arms, with whatever was counted: usually nothing)
        and a notice saying why. NotFound only when neither has it."""
        experiment = self._definitions.snapshot.experiments.get(key)
        published = experiment is not None
        if experiment is None:
            raw_definition = next(
                (e for e in (await self._definitions.workspace())["experiments"] if e.get("key") == key), None
            )
            if raw_definition is None:
                raise NotFound(f"no experiment {key!r} in the workspace or the served release")
            experiment = parse_experiment(raw_definition)
        raw = await self._store.counts(key)
        counts = {
            arm: ArmCounts(arm, c.get("exposures", 0), c.get("clicks", 0), c.get("conversions", 0))
            for arm, c in raw.items()
        }
        results = analyse(counts, expected_shares(experiment), experiment.control, HOLDOUT_ARM)
        return Report(experiment, results, published, _notice(experiment, published, results.total_exposures))

    async def reset(self, key: str) -> None:
        await self._store.reset(key)


@dataclass(frozen=True, slots=True)
class Report:
    experiment: Experiment  # as served, or as in the workspace when not published
    results: Results
    published: bool  # in the release this instance serves
    notice: str | None  # why there is nothing (yet) to read, in an editor's words


def _notice(experiment: Experiment, published: bool, exposures: int) -> str | None:
    if not published:
        return (
            "Not published yet: it is only in the workspace, so no visitor sees it and nothing is counted. "
            "Set its status to running and publish the workspace to start it."
        )
    if experiment.status is ExperimentStatus.DRAFT:
        return "Published as a draft: no visitor is exposed. Set its status to running and publish to start it."
    if experiment.status is ExperimentStatus.STOPPED:
        return "Stopped: nothing more is counted; these are the results up to when it stopped."
    if exposures == 0:
        return "Running, but no visitor has been exposed yet: results appear as the slot is served."
    return None


def expected_shares(experiment: Experiment) -> dict[str, float]:
    """Each arm's (and the holdout's) expected share of exposed visitors; control first."""
    holdout = experiment.holdout / 100.0
    shares = {arm: share * (1 - holdout) for arm, share in experiment.weights().items()}
    if holdout > 0:
        shares[HOLDOUT_ARM] = holdout
    return shares
