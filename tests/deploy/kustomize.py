"""A small kustomize, enough to render docker/kubernetes/ without the kustomize binary.

It understands what our kustomizations use and refuses anything else, so what it renders is
what `kubectl apply -k` renders: `resources` (files and directories with a
kustomization.yaml), `namespace`, `labels` (pairs added to metadata.labels), `images`
(newName/newTag), and `patches` with `path` (strategic merge: maps merge, lists of maps with a
`name` merge by name, other lists are replaced), matched to a resource by kind and name.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"}
Resource = dict[str, Any]


def render(directory: Path) -> list[Resource]:
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(spec) - SUPPORTED
    if unknown:
        raise ValueError(f"{directory}: kustomization fields this renderer does not know: {sorted(unknown)}")
    resources: list[Resource] = []
    for entry in spec.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            resources += render(path)
        else:
            resources += [r for r in yaml.safe_load_all(path.read_text()) if r]
    for patch_entry in spec.get("patches", []):
        if set(patch_entry) != {"path"}:
            raise ValueError(f"only `path` patches are supported, got {patch_entry}")
        patch = yaml.safe_load((directory / patch_entry["path"]).read_text())
        targets = [r for r in resources if _key(r) == _key(patch)]
        if len(targets) != 1:
            raise ValueError(f"patch {patch_entry['path']} matches {len(targets)} resources")
        index = resources.index(targets[0])
        resources[index] = merge(targets[0], patch)
    for group in spec.get("labels", []):
        for resource in resources:
            resource.setdefault("metadata", {}).setdefault("labels", {}).update(group["pairs"])
    if "namespace" in spec:
        for resource in resources:
            resource["metadata"]["namespace"] = spec["namespace"]
    for image in spec.get("images", []):
        for resource in resources:
            for container in _containers(resource):
                name, _, _ = container["image"].partition(":")
                if name == image["name"]:
                    container["image"] = f"{image.get('newName', name)}:{image['newTag']}"
    return resources


def _key(resource: Resource) -> tuple[str, str]:
    return resource["kind"], resource["metadata"]["name"]


def _containers(resource: Resource) -> list[dict[str, Any]]:
    spec = resource.get("spec", {}).get("template", {}).get("spec", {})
    return [*spec.get("containers", []), *spec.get("initContainers", [])]


def merge(base: Any, patch: Any) -> Any:
    """Strategic merge of `patch` into a copy of `base` (the subset described above)."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = copy.deepcopy(base)
        for key, value in patch.items():
            out[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    if isinstance(base, list) and isinstance(patch, list) and all(isinstance(i, dict) and "name" in i for i in patch):
        out_list = copy.deepcopy(base)
        for item in patch:
            match = [n for n, existing in enumerate(out_list) if existing.get("name") == item["name"]]
            if match:
                out_list[match[0]] = merge(out_list[match[0]], item)
            else:
                out_list.append(copy.deepcopy(item))
        return out_list
    return copy.deepcopy(patch)
