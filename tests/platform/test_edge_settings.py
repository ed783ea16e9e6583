"""Settings of the HTTP edge and the commerce connector: defaults and one-line errors."""

from __future__ import annotations

import pytest

from gateway.kernel.errors import ConfigError
from gateway.settings import load_settings

PROD = {"VITRINE_ENV": "production", "VITRINE_SECRET_KEY": "k" * 40, "VITRINE_IDENTITY_TOKEN_SECRET": "t" * 40}


def test_development_defaults() -> None:
    s = load_settings({})
    assert s.persisted_queries == "apq" and s.introspection is True
    assert (s.rate_limit_ip_per_minute, s.rate_limit_visitor_per_minute) == (0, 0)
    assert s.cors_origins == () and s.catalog_url == ""


def test_production_defaults_close_introspection_and_limit_rates() -> None:
    s = load_settings(PROD)
    assert s.introspection is False
    assert (s.rate_limit_ip_per_minute, s.rate_limit_visitor_per_minute) == (1200, 600)


def test_values_are_parsed() -> None:
    s = load_settings(
        {
            "VITRINE_PERSISTED_QUERIES": "trusted",
            "VITRINE_CORS_ORIGINS": "https://shop.example/, https://m.shop.example",
            "VITRINE_CATALOG_URL": "https://commerce.example/api",
            "VITRINE_CATALOG_AUTH_HEADER": "Authorization:  Bearer abc",
            "VITRINE_CATALOG_FIELD_MAP": '{"name": "title", "price.amount": "price.value"}',
        }
    )
    assert s.persisted_queries == "trusted"
    assert s.cors_origins == ("https://shop.example", "https://m.shop.example")
    assert s.catalog_auth_header == "Authorization: Bearer abc"
    assert dict(s.catalog_field_map) == {"name": "title", "price.amount": "price.value"}


@pytest.mark.parametrize(
    ("env", "variable", "fragment"),
    [
        ({"VITRINE_PERSISTED_QUERIES": "yes"}, "VITRINE_PERSISTED_QUERIES", "off, apq, trusted"),
        ({"VITRINE_CORS_ORIGINS": "shop.example"}, "VITRINE_CORS_ORIGINS", "https://shop.example"),
        ({"VITRINE_RATE_LIMIT_IP_PER_MINUTE": "-1"}, "VITRINE_RATE_LIMIT_IP_PER_MINUTE", "between 0"),
        ({"VITRINE_CATALOG_URL": "ftp://x"}, "VITRINE_CATALOG_URL", "http:// or https://"),
        ({"VITRINE_CATALOG_AUTH_HEADER": "Bearer abc"}, "VITRINE_CATALOG_AUTH_HEADER", "Header-Name: value"),
        ({"VITRINE_CATALOG_FIELD_MAP": "[1]"}, "VITRINE_CATALOG_FIELD_MAP", "JSON object"),
        ({"VITRINE_GRAPHQL_MAX_BODY_BYTES": "10"}, "VITRINE_GRAPHQL_MAX_BODY_BYTES", "between 1024"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], variable: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    assert caught.value.variable == variable and fragment in caught.value.message
