"""docker/kubernetes/: every manifest, and the production overlay as kustomize renders it,
validated against the Kubernetes API schemas that kubernetes-validate bundles (offline, strict:
an unknown or misspelt field fails). Rendering is tests/deploy/kustomize.py; the one custom
resource (the Prometheus Operator's ServiceMonitor) has no bundled schema and is checked by hand.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy.kustomize import merge, render

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "docker" / "kubernetes"
VERSIONS = ("1.29", "1.37")  # the oldest Kubernetes still commonly run, and the newest bundled
SECRETS = {"VITRINE_SECRET_KEY", "VITRINE_IDENTITY_TOKEN_SECRET", "VITRINE_ADMIN_API_KEY", "VITRINE_WEBHOOK_SECRET"}


def validate(resource: dict[str, Any], version: str) -> None:
    if resource["apiVersion"].startswith("monitoring.coreos.com/"):
        return  # a CRD: checked in test_the_service_monitor_scrapes_both_services
    kubernetes_validate.validate(resource, version, strict=True)


def by_kind(resources: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["kind"], r["metadata"]["name"]): r for r in resources}


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return only


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("path", sorted(K8S.rglob("*.yaml")), ids=lambda p: str(p.relative_to(K8S)))
def test_every_manifest_file_is_valid(path: Path, version: str) -> None:
    documents = [d for d in yaml.safe_load_all(path.read_text()) if d]
    assert documents
    for document in documents:
        if document["kind"] == "Kustomization":
            continue
        if path.parent.name == "production" and path.name != "servicemonitor.yaml":
            continue  # partial patches: valid once merged (test_the_production_overlay_renders_valid)
        validate(document, version)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("overlay", ["base", "overlays/production"])
def test_the_rendered_kustomizations_are_valid(overlay: str, version: str) -> None:
    for resource in render(K8S / overlay):
        validate(resource, version)


def test_the_validator_is_strict() -> None:
    deployment = yaml.safe_load((K8S / "base" / "gateway-deployment.yaml").read_text())
    broken = copy.deepcopy(deployment)
    container(broken)["livenessProb"] = container(broken).pop("livenessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(broken, "1.37")


def test_gateway_and_worker_probes_resources_and_secrets() -> None:
    resources = by_kind(render(K8S / "overlays/production"))
    gateway = resources[("Deployment", "vitrine-gateway")]
    worker = resources[("Deployment", "vitrine-worker")]
    g, w = container(gateway), container(worker)
    assert g["livenessProbe"]["httpGet"]["path"] == "/healthz" and g["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert g["startupProbe"]["httpGet"]["path"] == "/startupz"  # a big catalogue loads before readiness counts
    assert w["livenessProbe"]["httpGet"]["path"] == "/healthz" and w["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert w["args"][:4] == ["python", "-m", "gateway", "worker"]
    assert "--port" in w["args"] and w["ports"][0]["containerPort"] == int(w["args"][w["args"].index("--port") + 1])
    for c in (g, w):
        assert set(c["resources"]) == {"requests", "limits"}
        assert c["image"] == "registry.example.com/vitrine:0.1.0"
        assert all("value" not in e for e in c["env"] if e["name"] in SECRETS)  # never inline
    secret_env = {e["name"] for c in (g, w) for e in c["env"] if "secretKeyRef" in e.get("valueFrom", {})}
    assert secret_env >= SECRETS
    assert g["resources"]["requests"]["memory"] == "2Gi"  # the overlay's patch merged by container name
    assert gateway["spec"]["replicas"] == 3 and worker["spec"]["replicas"] == 2
    config = resources[("ConfigMap", "vitrine-config")]["data"]
    assert config["VITRINE_WORKERS_IN_PROCESS"] == "false" and config["VITRINE_ENV"] == "production"
    assert config["OTEL_TRACES_EXPORTER"] == "otlp" and config["VITRINE_WEBHOOK_URL"].startswith("https://")
    assert all(r["metadata"]["namespace"] == "vitrine" for r in resources.values())
    hpa = resources[("HorizontalPodAutoscaler", "vitrine-gateway")]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "vitrine-gateway" and hpa["spec"]["minReplicas"] == 3
    pdb = resources[("PodDisruptionBudget", "vitrine-gateway")]
    labels = gateway["spec"]["template"]["metadata"]["labels"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert gateway["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_the_service_monitor_scrapes_both_services() -> None:
    resources = render(K8S / "overlays/production")
    (monitor,) = [r for r in resources if r["kind"] == "ServiceMonitor"]
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    services = [r for r in resources if r["kind"] == "Service"]
    wanted = monitor["spec"]["selector"]["matchLabels"].items()
    selected = [s for s in services if wanted <= s["metadata"]["labels"].items()]
    ports = {p["name"] for s in selected for p in s["spec"]["ports"]}
    assert {e["port"] for e in monitor["spec"]["endpoints"]} <= ports
    assert {e["path"] for e in monitor["spec"]["endpoints"]} == {"/metrics"}


def test_the_renderer_merges_lists_by_name() -> None:
    base = {"containers": [{"name": "a", "x": 1, "env": [{"name": "A", "value": "1"}]}, {"name": "b"}]}
    patch = {"containers": [{"name": "a", "env": [{"name": "B", "value": "2"}]}]}
    merged = merge(base, patch)
    env = [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert merged["containers"][0] == {"name": "a", "x": 1, "env": env}
    assert merged["containers"][1] == {"name": "b"}
