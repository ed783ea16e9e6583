"""Redis key names that keep an owner's keys in one hash slot (Redis Cluster).

A cluster spreads keys over 16,384 hash slots; a script, a transaction or a multi-key command
may only touch keys of one slot. Redis hashes only the part of a key between the first `{` and
the next `}` when there is one (a *hash tag*), so every key a store touches together carries
the same tag: its **owner**.

    <prefix><kind>:{<owner>}[:<rest>...]

| owner | keys (kind) | touched together by |
|---|---|---|
| visitor id | `s`, `sp`, `so` (session, profile copy, staged changes) | the visitor read, the session write |
| visitor id | `bcs`, `bc:<day>` (behaviour counts), `imp:<variant>` | the behaviour script; erasure |
| visitor id | `gh`, `gk:<message>` (recommendation history and applied marks) | the signal script's first step |
| experiment id | `xe`, `xc`, `xm:<metric>` | the exposure and metric scripts |
| intake partition | `ij` (stream), `ij:d:<visitor>` (seen message ids) | the intake journal's append script |
| `registry` | `apq` (index), `apq:<sha256>` (APQ documents) | the APQ registration script (bounded count) |

Keys used alone keep no tag and spread over the cluster: signal lists and boards (`g:<key>`),
clicks (`gc`), leases, rate-limit windows, persisted documents, release broadcasts.

The prefix (`VITRINE_REDIS_PREFIX`) must not contain `{` or `}`, or it would be the tag.
"""

from __future__ import annotations

TAG_CHARACTERS = frozenset("{}")


def owned(prefix: str, kind: str, owner: str, *rest: str) -> str:
    """`<prefix><kind>:{<owner>}:<rest>...`: every key of one owner hashes to the owner's slot."""
    key = f"{prefix}{kind}:{{{owner}}}"
    return key + "".join(f":{part}" for part in rest) if rest else key


def owner_of(key: str) -> str:
    """The owner between the braces of a key built by `owned` (or the key if it has none)."""
    start = key.find("{")
    end = key.find("}", start + 1)
    return key[start + 1 : end] if start >= 0 and end > start else key


def check_prefix(prefix: str) -> str:
    """The prefix, if usable in a cluster (no braces); ValueError otherwise."""
    if TAG_CHARACTERS & set(prefix):
        raise ValueError(f"must not contain '{{' or '}}' (they mark Redis Cluster hash tags), got {prefix!r}")
    return prefix
