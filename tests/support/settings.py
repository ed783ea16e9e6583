"""Settings for a test gateway: memory stores unless given server URLs, a fixed secret, no demo data."""

from __future__ import annotations

from dataclasses import replace

from gateway.settings import Settings


def make_settings(mongodb_url: str = "memory://", redis_url: str = "memory://", **overrides: object) -> Settings:
    base = Settings(
        mongodb_url=mongodb_url,
        redis_url=redis_url,
        secret_keys=("test-secret-key-0123456789-abcdefghijklmnop",),
        secret_is_ephemeral=False,
        demo_data=False,
        store_timeout_ms=2000,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]
