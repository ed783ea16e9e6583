"""Turning a request's document reference into document text: APQ and trusted documents.

Modes (`VITRINE_PERSISTED_QUERIES`):

- `off`: requests must carry the query text; a hash-only request gets PersistedQueryNotSupported.
- `apq` (default): Apollo's automatic persisted queries. A request with only
  `extensions.persistedQuery.sha256Hash` is served from the store, or answered
  `PersistedQueryNotFound` so the client retries with the text; a request with text and hash
  is checked (the hash must match) and remembered. Registered trusted documents are served too.
- `trusted`: production lock-down. Only documents registered from a manifest run, whether
  the client sends the hash, the text, or both; anything else is rejected with
  PERSISTED_QUERY_NOT_IN_LIST.

APQ registrations are bounded: a document over `max_document_bytes` runs but is not remembered
(the client keeps sending its text); the store keeps a bounded number of documents; and the
GraphQL view limits how many registrations one client address makes per minute.

Every resolved document has its SHA-256, the stable key a later compiled execution path can
cache plans under. Documents never change for a hash, so hits are also kept in a small
in-process LRU in front of the (shared) store.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway.execution.persisted.protocol import PersistedQueryStore
from gateway.kernel import ErrorCode, InputError, PersistedQueryError

MODES = ("off", "apq", "trusted")
LOCAL_CACHE_SIZE = 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ResolvedDocument:
    query: str
    sha256: str
    persisted: bool  # True when the text came from the store rather than the request
    register: bool = False  # APQ: the client sent text and hash; remember it once it validates


def requested_hash(extensions: Mapping[str, Any] | None) -> str | None:
    """The APQ hash in `extensions.persistedQuery`, validated; None when there is none."""
    if not extensions or "persistedQuery" not in extensions:
        return None
    pq = extensions["persistedQuery"]
    if not isinstance(pq, dict) or pq.get("version", 1) != 1:
        raise InputError("extensions.persistedQuery must be {version: 1, sha256Hash: <64 hex digits>}")
    digest = pq.get("sha256Hash")
    if not isinstance(digest, str) or not _SHA256.match(digest.lower()):
        raise InputError("extensions.persistedQuery.sha256Hash must be 64 hexadecimal digits")
    return digest.lower()


DEFAULT_MAX_DOCUMENT_BYTES = 16 * 1024


class PersistedDocuments:
    def __init__(
        self, store: PersistedQueryStore, mode: str = "apq", max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.mode = mode
        self.max_document_bytes = max_document_bytes
        self._store = store
        self._local: OrderedDict[str, str] = OrderedDict()
        self.hits = self.misses = 0  # lookups answered by the in-process cache, or not (/metrics)

    async def resolve(self, query: str | None, extensions: Mapping[str, Any] | None) -> ResolvedDocument | None:
        """The document to execute; None when the request names none (the view reports that).

        Raises PersistedQueryError (protocol outcomes clients act on) or InputError.
        """
        digest = requested_hash(extensions)
        if digest is None and query is None:
            return None
        if self.mode == "off" and digest is not None:
            raise PersistedQueryError(ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED, "PersistedQueryNotSupported")
        if query is not None:
            actual = sha256_hex(query)
            if digest is not None and digest != actual:
                raise InputError("provided sha256Hash does not match the query (hash the exact query text)")
            if self.mode == "trusted" and await self._lookup(actual) is None:
                raise self._not_in_list()
            register = (
                self.mode == "apq"
                and digest is not None
                and actual not in self._local
                and len(query.encode()) <= self.max_document_bytes
            )
            return ResolvedDocument(query, actual, persisted=False, register=register)
        assert digest is not None
        found = await self._lookup(digest)
        if found is None:
            if self.mode == "trusted":
                raise self._not_in_list()
            raise PersistedQueryError(ErrorCode.PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")
        return ResolvedDocument(found, digest, persisted=True)

    async def remember(self, document: ResolvedDocument) -> None:
        """Store an APQ document sent with its hash; call it only after the document validated,
        so the shared store never fills with text that cannot run."""
        if document.register:
            await self._store.put_automatic(document.sha256, document.query)
            self._remember(document.sha256, document.query)

    async def _lookup(self, digest: str) -> str | None:
        # The local cache only ever holds documents this mode may serve.
        cached = self._local.get(digest)
        if cached is not None:
            self.hits += 1
            self._local.move_to_end(digest)
            return cached
        self.misses += 1
        found = await self._store.get_trusted(digest)
        if found is None and self.mode == "apq":
            found = await self._store.get_automatic(digest)
        if found is not None:
            self._remember(digest, found)
        return found

    def _remember(self, digest: str, document: str) -> None:
        self._local[digest] = document
        if len(self._local) > LOCAL_CACHE_SIZE:
            self._local.popitem(last=False)

    @staticmethod
    def _not_in_list() -> PersistedQueryError:
        return PersistedQueryError(
            ErrorCode.PERSISTED_QUERY_NOT_IN_LIST,
            "This server only runs trusted documents: register the operation in the manifest "
            "(python -m gateway persisted register MANIFEST.json) and send its sha256Hash.",
        )


def parse_manifest(data: object) -> dict[str, str]:
    """Documents (sha256 -> text) from a manifest; raises InputError naming the bad entry.

    Accepts Apollo's persisted query manifest
    (`{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "body", ...}]}`)
    and the `{"<sha256>": "<text>"}` map that GraphQL Code Generator's client preset writes.
    Every id must be the SHA-256 of its text, which is what clients send.
    """
    pairs: list[tuple[str, object]]
    if isinstance(data, dict) and data.get("format") == "apollo-persisted-query-manifest":
        operations = data.get("operations")
        if data.get("version") != 1 or not isinstance(operations, list):
            raise InputError("an Apollo manifest needs version 1 and an operations list")
        pairs = []
        for i, op in enumerate(operations):
            if not isinstance(op, dict):
                raise InputError("must be an object with id and body", field=f"operations[{i}]")
            pairs.append((str(op.get("id", "")), op.get("body")))
    elif isinstance(data, dict):
        pairs = [(str(k), v) for k, v in data.items()]
    else:
        raise InputError("a manifest is a JSON object (Apollo manifest or {sha256: document})")
    documents: dict[str, str] = {}
    for digest, body in pairs:
        if not isinstance(body, str) or not body.strip():
            raise InputError("the document text is missing", field=digest or "(no id)")
        if sha256_hex(body) != digest.lower():
            raise InputError(f"the id is not the SHA-256 of the text (expected {sha256_hex(body)})", field=digest)
        documents[digest.lower()] = body
    return documents


async def register_manifest_file(store: PersistedQueryStore, path: str) -> int:
    """Register every document of a manifest file; raises ConfigError for an unusable file."""
    import asyncio
    from pathlib import Path

    import orjson

    from gateway.kernel import ConfigError

    try:
        raw = await asyncio.to_thread(Path(path).read_bytes)
        documents = parse_manifest(orjson.loads(raw))
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ConfigError("VITRINE_TRUSTED_DOCUMENTS", f"cannot read {path}: {exc}") from None
    except InputError as exc:
        raise ConfigError("VITRINE_TRUSTED_DOCUMENTS", f"{path}: {exc.message}") from None
    return await store.register_trusted(documents)
