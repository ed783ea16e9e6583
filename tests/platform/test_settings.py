"""Configuration: defaults run with no servers; bad values fail with one line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gateway.kernel.errors import ConfigError
from gateway.settings import load_settings


def test_defaults_are_embedded() -> None:
    s = load_settings({})
    assert s.mongodb_url == "memory://" and s.redis_url == "memory://"
    assert (s.host, s.port) == ("127.0.0.1", 8000)
    assert s.demo_data is True and s.secret_is_ephemeral is True
    assert s.federation_mode == "owning"
    assert load_settings({"VITRINE_FEDERATION_MODE": "contributing"}).federation_mode == "contributing"


@pytest.mark.parametrize(
    ("env", "variable", "fragment"),
    [
        ({"VITRINE_PORT": "eighty"}, "VITRINE_PORT", "expected an integer"),
        ({"VITRINE_PORT": "70000"}, "VITRINE_PORT", "between 1 and 65535"),
        ({"VITRINE_MONGODB_URL": "postgres://x"}, "VITRINE_MONGODB_URL", "must start with memory:// or mongodb://"),
        ({"VITRINE_REDIS_URL": "http://x"}, "VITRINE_REDIS_URL", "redis://"),
        ({"VITRINE_ENV": "prod"}, "VITRINE_ENV", "development, production"),
        ({"VITRINE_ENV": "production"}, "VITRINE_SECRET_KEY", "required when VITRINE_ENV=production"),
        ({"VITRINE_SECRET_KEY": "short"}, "VITRINE_SECRET_KEY", "at least 32"),
        ({"VITRINE_DEMO_DATA": "maybe"}, "VITRINE_DEMO_DATA", "true or false"),
        ({"VITRINE_INTEREST_HALF_LIFE_DAYS": "-1"}, "VITRINE_INTEREST_HALF_LIFE_DAYS", "greater than 0"),
        ({"VITRINE_RECS_EXACT_MAX": "lots"}, "VITRINE_RECS_EXACT_MAX", "expected an integer"),
        ({"VITRINE_RECS_BOOSTS": "nordvik=2"}, "VITRINE_RECS_BOOSTS", "brand:<id>=1.5"),
        ({"VITRINE_RECS_BOOSTS": "brand:b-x=lots"}, "VITRINE_RECS_BOOSTS", "must be a number"),
        ({"VITRINE_RECS_EXCLUDE_VIEWED": "sometimes"}, "VITRINE_RECS_EXCLUDE_VIEWED", "true or false"),
        ({"VITRINE_RECS_VECTOR_REFRESH_SECONDS": "0"}, "VITRINE_RECS_VECTOR_REFRESH_SECONDS", "greater than 0"),
        ({"VITRINE_RECS_GRAPH_WAIT_SECONDS": "-5"}, "VITRINE_RECS_GRAPH_WAIT_SECONDS", "between 0 and 86400"),
        (
            {"VITRINE_ENV": "production", "VITRINE_SECRET_KEY": "s" * 40},
            "VITRINE_IDENTITY_TOKEN_SECRET",
            "(or VITRINE_IDENTITY_JWKS_URL) is required when VITRINE_ENV=production",
        ),
        ({"VITRINE_IDENTIFY_SECRET": "s" * 40}, "VITRINE_IDENTIFY_SECRET", "replaced by VITRINE_IDENTITY_TOKEN_SECRET"),
        ({"VITRINE_IDENTITY_TOKEN_SECRET": "short"}, "VITRINE_IDENTITY_TOKEN_SECRET", "at least 32"),
        ({"VITRINE_IDENTITY_JWKS_URL": "ftp://x"}, "VITRINE_IDENTITY_JWKS_URL", "http://"),
        ({"VITRINE_IDENTITY_TOKEN_MAX_AGE_SECONDS": "5"}, "VITRINE_IDENTITY_TOKEN_MAX_AGE_SECONDS", "between 30"),
        ({"VITRINE_FEDERATION_MODE": "shared"}, "VITRINE_FEDERATION_MODE", "owning, contributing"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], variable: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    assert caught.value.variable == variable
    assert caught.value.message.startswith(variable + ": ") and fragment in caught.value.message


def test_key_rotation_keeps_previous_keys_for_verification() -> None:
    s = load_settings({"VITRINE_SECRET_KEY": "n" * 40, "VITRINE_SECRET_KEY_PREVIOUS": "o" * 40})
    assert s.secret_keys == ("n" * 40, "o" * 40) and not s.secret_is_ephemeral


def test_serve_with_bad_config_exits_with_one_line() -> None:
    env = {**os.environ, "VITRINE_PORT": "not-a-port"}
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "configuration error: VITRINE_PORT: expected an integer, got 'not-a-port'"


def test_help_lists_every_command() -> None:
    done = subprocess.run([sys.executable, "-m", "gateway", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for command in ("serve", "export-schema", "catalog", "index", "eval"):
        assert command in done.stdout


def test_admin_api_key_is_checked_and_never_shown() -> None:
    with pytest.raises(ConfigError, match="VITRINE_ADMIN_API_KEY: must be at least 32"):
        load_settings({"VITRINE_ADMIN_API_KEY": "short"})
    key = "k" * 40
    settings = load_settings({"VITRINE_ADMIN_API_KEY": key})
    assert settings.admin_api_key == key and key not in repr(settings)


@pytest.mark.parametrize(
    ("env", "variable", "fragment"),
    [
        ({"VITRINE_WEBHOOK_URL": "http://hooks.example/x"}, "VITRINE_WEBHOOK_SECRET", "required when"),
        ({"VITRINE_WEBHOOK_URL": "ftp://x"}, "VITRINE_WEBHOOK_URL", "http://"),
        ({"VITRINE_ENGAGEMENT_TIERS": "active=1,lapsing=5"}, "VITRINE_ENGAGEMENT_TIERS", "greater than"),
        ({"VITRINE_ENGAGEMENT_POINTS": "Order Completed:20"}, "VITRINE_ENGAGEMENT_POINTS", "Event Name=points"),
        ({"VITRINE_TRIGGER_HOLDOUT_PERCENT": "120"}, "VITRINE_TRIGGER_HOLDOUT_PERCENT", "between 0 and 100"),
        ({"VITRINE_IDENTIFY_SECRET": "short"}, "VITRINE_IDENTIFY_SECRET", "replaced by"),
    ],
)
def test_identity_and_trigger_settings_fail_with_the_variable_named(
    env: dict[str, str], variable: str, fragment: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(env)
    assert raised.value.variable == variable and fragment in raised.value.message


def test_identity_and_trigger_settings_parse() -> None:
    s = load_settings(
        {
            "VITRINE_ENGAGEMENT_POINTS": "Order Completed=25, Product Viewed=0.5",
            "VITRINE_ENGAGEMENT_TIERS": "active=20,lapsing=4",
            "VITRINE_IDENTITY_BLOCKLIST": "customer:guest, customer:0",
            "VITRINE_TRIGGER_HOLDOUT_PERCENT": "0",
        }
    )
    assert s.engagement_points == {"Order Completed": 25.0, "Product Viewed": 0.5}
    assert s.engagement_tiers == (20.0, 4.0) and s.trigger_holdout_percent == 0.0
    assert s.identity_blocklist == frozenset({"customer:guest", "customer:0"})


def test_identity_tokens_are_on_in_every_mode() -> None:
    """Development makes up a key (printed by `serve`) so stitching works in the demo; production
    starts with a configured key or JWKS URL only (see the parametrized cases above)."""
    dev = load_settings({})
    assert dev.identity_token_secret and dev.identity_token_is_ephemeral
    prod = load_settings(
        {"VITRINE_ENV": "production", "VITRINE_SECRET_KEY": "s" * 40, "VITRINE_IDENTITY_JWKS_URL": "https://shop/jwks"}
    )
    assert prod.identity_jwks_url == "https://shop/jwks" and not prod.identity_token_is_ephemeral


def test_identity_token_command_mints_what_the_gateway_verifies() -> None:
    import asyncio

    from gateway.identity import IdentityTokenVerifier
    from gateway.kernel import VisitorId

    key = "k" * 40
    token = subprocess.run(
        [sys.executable, "-m", "gateway", "identity-token", "--secret", key, "--visitor", "v_x", "--customer-id", "c1"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    verifier = IdentityTokenVerifier(secret=key, jwks_url=None, audience="vitrine", max_age_seconds=600)
    claims = asyncio.run(verifier.verify(token, VisitorId("v_x")))
    assert claims.identifiers == ("customer:c1",)
