"""The Grafana dashboard, the alert rules, the compose file and the collector configuration:
parseable, and every metric their PromQL names exists in what /metrics serves."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from gateway.platform.metrics import Metrics

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")
PROMETHEUS_OWN = {"up"}  # series Prometheus makes itself


def served_families() -> set[str]:
    """Metric family names in /metrics (gateway and worker share the registry's definitions)."""
    metrics = Metrics()
    metrics.watch_cache("compiled_plans", lambda: (1, 1))
    return {f.name for f in text_string_to_metric_families(metrics.render().decode())}


def selectors(node: Any) -> list[str]:
    """Metric names of every vector selector in a parsed PromQL expression."""
    found: list[str] = []
    name = getattr(node, "name", None)
    if type(node).__name__ == "VectorSelector" and name:
        found.append(name)
    for attribute in ("lhs", "rhs", "expr", "args", "param", "vector_selector"):
        child = getattr(node, attribute, None)
        for item in child if isinstance(child, list) else [child]:
            if item is not None and not isinstance(item, str | int | float):
                found += selectors(item)
    return found


def family(metric: str) -> str:
    for suffix in SUFFIXES:
        if metric.endswith(suffix):
            return metric.removesuffix(suffix)
    return metric


def check_expressions(expressions: list[str]) -> set[str]:
    served = served_families()
    used: set[str] = set()
    for expression in expressions:
        parsed = promql_parser.parse(expression.replace("$__rate_interval", "5m"))
        names = selectors(parsed)
        assert names, expression
        used |= set(names)
        missing = [n for n in names if n not in PROMETHEUS_OWN and family(n) not in served]
        assert not missing, f"{missing} in {expression!r} are not served by /metrics"
    return used


def test_the_dashboard_is_grafana_json_on_served_metrics() -> None:
    dashboard = json.loads((DOCKER / "grafana" / "vitrine.json").read_text())
    assert dashboard["uid"] and dashboard["title"] and dashboard["schemaVersion"] >= 36
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
    expressions = [t["expr"] for p in panels for t in p["targets"]]
    used = check_expressions(expressions)
    # The list: per operation and executor, stores, intake, triggers, fallbacks, caches.
    for needed in (
        "vitrine_graphql_operation_seconds_bucket",
        "vitrine_store_call_seconds_bucket",
        "vitrine_store_errors_total",
        "vitrine_events_rejected_total",
        "vitrine_webhook_attempts_total",
        "vitrine_recommendation_fallbacks_total",
        "vitrine_cache_lookups_total",
    ):
        assert needed in used


def test_alert_rules_parse_and_use_served_metrics() -> None:
    rules = yaml.safe_load((DOCKER / "prometheus" / "alerts.yaml").read_text())
    alerts = [rule for group in rules["groups"] for rule in group["rules"]]
    assert len({a["alert"] for a in alerts}) == len(alerts) >= 10
    for alert in alerts:
        assert set(alert) <= {"alert", "expr", "for", "labels", "annotations"}
        assert alert["labels"]["severity"] in {"critical", "warning", "info"}
        assert alert["annotations"]["summary"] and alert["annotations"]["description"]
        if "for" in alert:
            assert re.fullmatch(r"\d+[smh]", alert["for"])
    check_expressions([a["expr"] for a in alerts])


def test_every_alert_is_explained_in_the_operations_guide() -> None:
    guide = (ROOT / "docs" / "operations.md").read_text()
    rules = yaml.safe_load((DOCKER / "prometheus" / "alerts.yaml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert f"`{rule['alert']}`" in guide, rule["alert"]


def test_compose_runs_the_gateway_the_worker_and_a_collector() -> None:
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    services = compose["services"]
    assert {"gateway", "worker", "otel-collector", "mongodb", "redis", "prometheus"} <= set(services)
    worker = services["worker"]
    assert worker["command"][:4] == ["python", "-m", "gateway", "worker"]
    assert worker["environment"]["VITRINE_SECRET_KEY"] == services["gateway"]["environment"]["VITRINE_SECRET_KEY"]
    assert services["gateway"]["environment"]["VITRINE_WORKERS_IN_PROCESS"] == "false"
    assert services["gateway"]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (DOCKER / source).is_file(), source


def test_the_collector_pipeline_is_complete() -> None:
    config = yaml.safe_load((DOCKER / "otel-collector.yaml").read_text())
    (pipeline,) = config["service"]["pipelines"].values()
    for kind in ("receivers", "processors", "exporters"):
        assert set(pipeline[kind]) <= set(config[kind]), kind
    assert config["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":4318")
    prometheus = yaml.safe_load((DOCKER / "prometheus" / "prometheus.yml").read_text())
    assert {j["job_name"] for j in prometheus["scrape_configs"]} == {"vitrine-gateway", "vitrine-worker"}


def test_the_check_catches_unknown_metrics_and_bad_syntax() -> None:
    with pytest.raises(AssertionError, match="vitrine_nope_total"):
        check_expressions(["rate(vitrine_nope_total[5m])"])
    with pytest.raises(ValueError):
        check_expressions(["sum(rate(vitrine_events_total[5m])"])
