"""The shard key of every large MongoDB collection, and the commands that shard them.

Chosen so that everything a request or a worker does to one person's data goes to one shard:

- `events`: `{visitor_id: 1}`. Every write and a person's history name the visitor; visitor
  ids are random, so ranges spread evenly; the unique `_id` (`<visitor>:<messageId>`) always
  lands with its visitor, so the log stays idempotent.
- `profiles`: `{_id: 1}`. Read and written by id (random visitor ids).
- `identities`: `{_id: "hashed"}`. Looked up by identifier (`customer:123`, `email:...`);
  hashed, or sequential customer ids would all land on one shard.
- `segment_members`: `{profile: 1}`. A visitor's memberships are read with the page; the `_id`
  (`<segment>|<profile>`) holds the profile.
- `trigger_timers`: `{_id: "hashed"}`. Scheduled, claimed and deleted by key
  (`<trigger>:<profile>`); hashed, as the keys share prefixes.
- `webhook_outbox`: `{profile_id: 1}`. Enqueued, claimed, recorded and capped per profile.
- `product_vectors`: `{_id: "hashed"}`. Written by product id (often sequential); read whole
  by the index build.

Ranged keys on random visitor ids need no new index (an existing index starts with the field);
hashed keys need a hashed index, which `sh.shardCollection` builds on an empty collection.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ShardKey:
    collection: str
    field: str
    hashed: bool

    @property
    def spec(self) -> str:
        kind = '"hashed"' if self.hashed else "1"
        return f"{{{self.field}: {kind}}}"


SHARD_KEYS = (
    ShardKey("events", "visitor_id", hashed=False),
    ShardKey("profiles", "_id", hashed=False),
    ShardKey("identities", "_id", hashed=True),
    ShardKey("segment_members", "profile", hashed=False),
    ShardKey("trigger_timers", "_id", hashed=True),
    ShardKey("webhook_outbox", "profile_id", hashed=False),
    ShardKey("product_vectors", "_id", hashed=True),
)


def shard_commands(database: str) -> list[str]:
    """mongosh commands that shard the database's large collections (run once, as an admin)."""
    lines = [f'sh.enableSharding("{database}")']
    for key in SHARD_KEYS:
        lines.append(f'sh.shardCollection("{database}.{key.collection}", {key.spec})')
    return lines
