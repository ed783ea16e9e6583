"""Automatic persisted queries (APQ) and trusted documents, through the real HTTP app."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gateway.execution.persisted.documents import sha256_hex
from gateway.settings import Settings
from tests.conftest import REDIS_BACKENDS
from tests.support.appclient import Gateway, running_gateway
from tests.support.settings import make_settings

GQL = {"accept": "application/graphql-response+json"}
DOC = 'query One { product(id: "p-00002") { id name } }'
H = sha256_hex(DOC)
ROOT = Path(__file__).parent.parent.parent


def pq(digest: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def post(gw: Gateway, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = await gw.client.post("/graphql", json=body, headers=GQL)
    return response.status_code, response.json()


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_apq_round_trip_on_both_backends(gateway: Gateway) -> None:
    status, body = await post(gateway, {"extensions": pq(H)})
    assert (status, codes(body)) == (200, ["PERSISTED_QUERY_NOT_FOUND"])
    assert body["errors"][0]["message"] == "PersistedQueryNotFound"

    status, body = await post(gateway, {"query": DOC, "extensions": pq(H)})
    assert status == 200 and body["data"]["product"]["name"] == "Trail runner 2"

    status, body = await post(gateway, {"extensions": pq(H)})
    assert status == 200 and body["data"]["product"]["id"] == "p-00002"
    # ...also over GET, the way CDN-cacheable clients send it.
    response = await gateway.client.get(
        "/graphql", params={"extensions": json.dumps(pq(H)), "operationName": "One"}, headers=GQL
    )
    assert response.status_code == 200 and response.json()["data"]["product"]["id"] == "p-00002"


async def test_apq_hash_must_match_and_invalid_documents_are_not_stored(gateway: Gateway) -> None:
    status, body = await post(gateway, {"query": DOC, "extensions": pq("0" * 64)})
    assert status == 400 and "does not match" in body["errors"][0]["message"]
    status, body = await post(gateway, {"query": DOC, "extensions": {"persistedQuery": {"sha256Hash": "xyz"}}})
    assert status == 400 and "64 hexadecimal digits" in body["errors"][0]["message"]

    invalid = "query { nosuchfield }"
    status, body = await post(gateway, {"query": invalid, "extensions": pq(sha256_hex(invalid))})
    assert status == 400 and "data" not in body
    status, body = await post(gateway, {"extensions": pq(sha256_hex(invalid))})
    assert codes(body) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_persisted_queries_off_says_not_supported() -> None:
    async with running_gateway(make_settings(persisted_queries="off")) as gw:
        status, body = await post(gw, {"extensions": pq(H)})
        assert codes(body) == ["PERSISTED_QUERY_NOT_SUPPORTED"]
        status, body = await post(gw, {"query": DOC})
        assert status == 200 and body["data"]["product"]["id"] == "p-00002"


def register(manifest: Path, settings: Settings) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "VITRINE_REDIS_URL": settings.redis_url,
        "VITRINE_REDIS_PREFIX": settings.redis_prefix,
    }
    return subprocess.run(
        [sys.executable, "-m", "gateway", "persisted", "register", str(manifest)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def apollo_manifest(*documents: str) -> dict[str, Any]:
    return {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": sha256_hex(d), "name": "op", "type": "query", "body": d} for d in documents],
    }


@pytest.mark.real
async def test_trusted_documents_registered_by_the_cli_are_the_only_ones_that_run(
    redis_url: str, unique: str, tmp_path: Path
) -> None:
    settings = make_settings(redis_url=redis_url, redis_prefix=f"t{unique}:", persisted_queries="trusted")
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(apollo_manifest(DOC)))
    done = register(manifest, settings)
    assert done.returncode == 0, done.stderr
    assert "1 new; 1 trusted documents registered" in done.stdout

    async with running_gateway(settings) as gw:
        status, body = await post(gw, {"extensions": pq(H)})
        assert status == 200 and body["data"]["product"]["id"] == "p-00002"
        status, body = await post(gw, {"query": DOC})  # the registered text itself is fine too
        assert status == 200 and body["data"]["product"]["id"] == "p-00002"

        other = 'query { product(id: "p-00003") { id } }'
        for request in (
            {"query": other},
            {"extensions": pq(sha256_hex(other))},
            {"query": other, "extensions": pq(sha256_hex(other))},
        ):
            status, body = await post(gw, request)
            assert (status, codes(body)) == (400, ["PERSISTED_QUERY_NOT_IN_LIST"]), request
            assert "persisted register" in body["errors"][0]["message"]
            assert "data" not in body


def test_cli_refuses_manifests_whose_documents_would_not_run(tmp_path: Path) -> None:
    settings = make_settings()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(apollo_manifest(DOC, "query { product { nosuch } }")))
    done = register(bad, settings)
    assert done.returncode == 1
    assert "nothing registered" in done.stderr and "nosuch" in done.stderr

    wrong_id = tmp_path / "wrong.json"
    wrong_id.write_text(json.dumps({"0" * 64: DOC}))
    done = register(wrong_id, settings)
    assert done.returncode == 2 and "not the SHA-256 of the text" in done.stderr


async def test_trusted_documents_file_is_loaded_at_startup(tmp_path: Path) -> None:
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps({H: DOC}))  # graphql-codegen client preset format
    async with running_gateway(make_settings(persisted_queries="trusted", trusted_documents=str(manifest))) as gw:
        status, body = await post(gw, {"extensions": pq(H)})
        assert status == 200 and body["data"]["product"]["id"] == "p-00002"
        status, body = await post(gw, {"query": "{ categories { id } }"})
        assert codes(body) == ["PERSISTED_QUERY_NOT_IN_LIST"]


@REDIS_BACKENDS  # the registration script keeps its keys in one slot (Redis Cluster)
async def test_apq_registrations_are_bounded_in_size_count_and_rate(backend_settings: Settings) -> None:
    from dataclasses import replace

    def doc(i: int, pad: int = 0) -> str:
        return f'query Q{i} {{ product(id: "p-{i:05d}") {{ id }} }}' + " " * pad

    settings = replace(
        backend_settings, apq_max_documents=3, apq_max_document_bytes=1024, apq_registrations_per_minute=5
    )
    async with running_gateway(settings) as gw:

        async def register(text: str) -> None:
            status, body = await post(gw, {"query": text, "extensions": pq(sha256_hex(text))})
            assert status == 200 and "errors" not in body, body  # it runs, remembered or not

        async def known(text: str) -> bool:
            _, body = await post(gw, {"extensions": pq(sha256_hex(text))})
            return "PERSISTED_QUERY_NOT_FOUND" not in codes(body)

        big = doc(0, pad=2000)  # over 1,024 bytes: runs, is not remembered
        await register(big)
        assert not await known(big)
        store = gw.runtime.stores.persisted
        for i in range(1, 5):  # four registrations, three kept in the shared store: the oldest goes
            await register(doc(i))
            await asyncio.sleep(1.01 if i == 1 else 0)  # registration times are in seconds
        kept = [await store.get_automatic(sha256_hex(doc(i))) is not None for i in range(1, 5)]
        assert kept == [False, True, True, True]
        for i in range(5, 8):  # its fifth registration this minute is kept; the sixth and seventh are not
            await register(doc(i))
        assert [await known(doc(i)) for i in range(5, 8)] == [True, False, False]
