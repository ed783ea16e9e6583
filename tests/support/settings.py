"""Settings for a test gateway: memory stores unless given server URLs, a fixed secret, no demo data."""

from __future__ import annotations

from dataclasses import replace

from gateway.settings import Settings

# The key the tests' "shop backend" signs identity tokens with (tests/support/identity_helpers.py).
TEST_IDENTITY_SECRET = "test-identity-token-secret-0123456789-abcdef"
# A server's key (shop backend, till): sent as the bootstrap key, whose admin role vouches for
# the identifiers its events name, like an ingest key.
TEST_SERVER_KEY = "test-server-key-0123456789-abcdefghijklmnop"
SERVER = {"authorization": f"Bearer {TEST_SERVER_KEY}"}


def make_settings(mongodb_url: str = "memory://", redis_url: str = "memory://", **overrides: object) -> Settings:
    base = Settings(
        mongodb_url=mongodb_url,
        redis_url=redis_url,
        secret_keys=("test-secret-key-0123456789-abcdefghijklmnop",),
        secret_is_ephemeral=False,
        demo_data=False,
        store_timeout_ms=2000,
        # The MongoDB-protocol test server writes at 100-1,000 ops/s: applying one event can take
        # longer than the production budget (300 ms) on a busy machine, and then the intake would
        # leave events to appliers that tests do not run. Tests about the budget set their own.
        intake_apply_budget_ms=10_000,
        identity_token_secret=TEST_IDENTITY_SECRET,
        admin_api_key=TEST_SERVER_KEY,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]
