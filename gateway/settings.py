"""Typed settings read from `VITRINE_*` environment variables.

Every variable has a default that runs the gateway with no servers at all (`memory://`).
A bad value raises `ConfigError` naming the variable, so startup fails with one clear line.
The reference table lives in docs/configuration.md; keep the two in step.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from gateway.kernel import ConfigError
from gateway.platform.backends import check_url
from gateway.platform.collector import DEFAULT_THRESHOLDS as DEFAULT_GC_THRESHOLDS
from gateway.platform.collector import parse_thresholds as parse_gc_thresholds
from gateway.platform.redis_keys import check_prefix
from gateway.visitors import DEFAULT_HALF_LIFE_DAYS

T = TypeVar("T")

MIN_SECRET_LENGTH = 32


@dataclass(frozen=True, slots=True)
class Settings:
    mongodb_url: str = "memory://"
    mongodb_database: str = "vitrine"
    redis_url: str = "memory://"
    redis_prefix: str = "vt:"
    host: str = "127.0.0.1"
    port: int = 8000
    environment: str = "development"
    secret_keys: tuple[str, ...] = field(default_factory=lambda: (secrets.token_urlsafe(48),))
    secret_is_ephemeral: bool = True
    # The key that turns a Segment anonymousId into a visitor id (docs/events.md); None: the
    # current secret key. Set it before rotating VITRINE_SECRET_KEY, or every anonymousId moves.
    anonymous_id_key: str | None = field(default=None, repr=False)
    demo_data: bool = True
    log_level: str = "INFO"
    events_max_batch: int = 100
    events_max_body_bytes: int = 512 * 1024
    interest_half_life_days: float = DEFAULT_HALF_LIFE_DAYS
    store_timeout_ms: int = 1000  # every wait on MongoDB or Redis (docs/limits.md)
    store_breaker_seconds: float = 5.0  # after a timeout, calls to that store fail at once this long
    # The durable intake, with Redis (gateway/visitors/durable_intake.py, docs/operations.md)
    intake_apply: str = "inline"  # inline: apply in the request (within the budget) | deferred: appliers only
    intake_apply_budget_ms: int = 300
    intake_partitions: int = 16
    intake_seen_seconds: int = 3600  # repeats of a messageId within this window answer DUPLICATE
    cookie_secure: bool = False
    visitor_idle_days: float = 365.0  # a visitor token expires after this long without a visit
    visitor_legacy_tokens: bool = True  # accept (and re-issue) tokens without an issue time
    catalog_preload_max: int = 200_000
    debug: bool = False
    # Identity (docs/identity.md)
    identity_max_identifiers: int = 50
    identity_blocklist: frozenset[str] = frozenset()
    identity_unlinked_channels: frozenset[str] = frozenset({"kiosk", "pos"})
    hash_emails: bool = True
    # Identity tokens the shop's backend issues at login (gateway/identity/tokens.py)
    identity_token_secret: str | None = None  # HS256 key shared with the shop's backend
    identity_token_is_ephemeral: bool = False  # development: a random key made at start-up
    identity_jwks_url: str | None = None  # RS256/ES256 public keys of the shop's backend
    identity_token_audience: str = "vitrine"
    identity_token_max_age_seconds: int = 600
    identify_attempts_per_minute: int = 10  # per visitor and per identifier
    # Lists and slot inputs kept per visitor state, per process (0: none; docs/performance.md)
    visitor_cache_size: int = 20_000
    # The garbage collector's thresholds in serving processes (None: the interpreter's; gateway/platform/collector.py)
    gc_thresholds: tuple[int, int, int] | None = DEFAULT_GC_THRESHOLDS
    # Consent (docs/privacy.md)
    consent_required: bool = False
    consent_allowed_events: frozenset[str] = frozenset({"Order Completed"})
    # Engagement (docs/identity.md)
    engagement_half_life_days: float = 30.0
    engagement_points: Mapping[str, float] | None = None  # None: the built-in table
    engagement_tiers: tuple[float, float] = (10.0, 2.0)  # active >= first, lapsing >= second
    segment_reevaluate_seconds: float = 3600.0
    # Triggers (docs/triggers.md)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_max_attempts: int = 8
    webhook_backoff_seconds: float = 30.0
    webhook_concurrency: int = 8  # deliveries in flight to one receiver, per process
    # How long claimed work belongs to its worker: a worker that dies holds it up so long.
    webhook_claim_seconds: float = 60.0
    trigger_claim_seconds: float = 120.0
    trigger_abandoned_cart_minutes: float = 60.0
    trigger_inactivity_days: float = 30.0
    trigger_holdout_percent: float = 10.0
    trigger_cap_count: int = 1
    trigger_cap_days: float = 7.0
    trigger_affinity_score: float = 5.0
    trigger_tick_seconds: float = 5.0  # how often workers look for due timers, journey steps, deliveries
    journey_lease_seconds: float = 30.0  # a worker's hold on a person's journey step; a dead worker's ends then
    workers_in_process: bool = True
    # The bootstrap admin API key; never printed (repr=False) nor logged.
    admin_api_key: str | None = field(default=None, repr=False)
    # The HTTP edge: persisted queries, limits, CORS, rate limits (docs/clients.md)
    persisted_queries: str = "apq"  # off | apq | trusted
    apq_ttl_seconds: int = 86_400
    public_cache_seconds: int = 60  # max-age of hashed GETs that read no visitor data; 0: never public
    apq_max_documents: int = 2000  # APQ documents kept at most (the oldest registrations go first)
    apq_max_document_bytes: int = 16 * 1024  # larger documents run but are not remembered
    apq_registrations_per_minute: int = 30  # per client address; 0 = no limit
    trusted_documents: str = ""  # a manifest file registered at startup (optional)
    introspection: bool = True
    compiled_execution: str = "persisted"  # off | persisted | all (docs/compiled-execution.md)
    # owning: Vitrine's subgraph owns Product; contributing: another subgraph does (docs/federation.md)
    federation_mode: str = "owning"
    graphql_max_body_bytes: int = 256 * 1024
    validation_budget_ms: int = 250  # CPU time validating one unknown document may take (docs/limits.md)
    shutdown_grace_seconds: int = 10  # SIGTERM to exit, at most (docs/limits.md)
    header_timeout_seconds: float = 10.0  # a request's line and headers must arrive within this
    body_timeout_seconds: float = 10.0  # and its body within this, once the app reads it
    cors_origins: tuple[str, ...] = ()
    rate_limit_ip_per_minute: int = 0  # 0 = off
    rate_limit_visitor_per_minute: int = 0
    # Standalone mode: products from a commerce backend (docs/connectors.md)
    catalog_url: str = ""  # empty: the MongoDB / memory catalogue
    catalog_auth_header: str = ""  # "Name: value", sent to the backend
    catalog_field_map: tuple[tuple[str, str], ...] = ()
    catalog_timeout_ms: int = 2000
    catalog_cache_seconds: float = 30.0
    # Recommendations (docs/recommendations.md)
    recs_exact_max: int = 20_000  # exact vector search up to this many products, HNSW above
    recs_exclude_viewed: bool = True  # leave the session's recently viewed products out of lists
    recs_vector_refresh_seconds: float = 60.0
    # Above recs_exact_max: how long an instance waits for `index` to publish the HNSW graph of new
    # vectors (serving its current index meanwhile) before it builds one itself.
    recs_graph_wait_seconds: int = 1200
    recs_boosts: tuple[tuple[str, float], ...] = ()  # ("brand:<id>" | "category:<id>", multiplier)
    # Observability (docs/operations.md): log lines, and traces configured by the standard OTEL_* variables
    log_format: str = "text"  # json | text (VITRINE_LOG_FORMAT; json by default in production)
    traces_exporters: tuple[str, ...] = ()  # OTEL_TRACES_EXPORTER: otlp and/or console; empty: tracing off
    service_name: str = "vitrine"  # OTEL_SERVICE_NAME
    traces_sampler: str = "parentbased_always_on"  # OTEL_TRACES_SAMPLER
    traces_sampler_arg: float = 1.0  # OTEL_TRACES_SAMPLER_ARG: the ratio of the *traceidratio samplers

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def anonymous_key(self) -> str:
        """The key of the anonymousId -> visitor hash (never rotates with the signing keys)."""
        return self.anonymous_id_key or self.secret_keys[0]


def _parse_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _int_in(lo: int, hi: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"expected an integer, got {raw!r}") from None
        if not lo <= value <= hi:
            raise ValueError(f"must be between {lo} and {hi}, got {value}")
        return value

    return parse


def _positive_float(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"expected a number, got {raw!r}") from None
    if not value > 0:
        raise ValueError(f"must be greater than 0, got {raw}")
    return value


def _non_negative_float(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"expected a number, got {raw!r}") from None
    if not value >= 0:
        raise ValueError(f"must be 0 or more, got {raw}")
    return value


def _url(schemes: tuple[str, ...]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        scheme = urlsplit(raw).scheme
        if scheme not in schemes:
            allowed = " or ".join(f"{s}://" for s in schemes)
            raise ValueError(f"must start with {allowed}, got {raw.split('://')[0]!r}")
        return raw

    return parse


def _redis_url(raw: str) -> str:
    """redis://, rediss://, unix://, redis+cluster://a:1,b:2 or redis+sentinel://a:1/service."""
    return check_url(_url(("memory", "redis", "rediss", "unix", "redis+cluster", "redis+sentinel"))(raw))


def _csv(raw: str) -> frozenset[str]:
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def _percent(raw: str) -> float:
    value = _positive_float(raw) if raw.strip() not in {"0", "0.0"} else 0.0
    if value > 100:
        raise ValueError(f"must be between 0 and 100, got {raw}")
    return value


def _points(raw: str) -> Mapping[str, float]:
    table: dict[str, float] = {}
    for part in raw.split(","):
        name, eq, value = part.partition("=")
        if not eq or not name.strip():
            raise ValueError(f"expected 'Event Name=points,...', got {part!r}")
        try:
            table[name.strip()] = float(value)
        except ValueError:
            raise ValueError(f"points for {name.strip()!r} must be a number, got {value!r}") from None
    return table


def _tiers(raw: str) -> tuple[float, float]:
    parts = dict(p.strip().partition("=")[::2] for p in raw.split(","))
    try:
        active, lapsing = float(parts["active"]), float(parts["lapsing"])
    except (KeyError, ValueError):
        raise ValueError(f"expected 'active=10,lapsing=2', got {raw!r}") from None
    if not active > lapsing >= 0:
        raise ValueError("the active threshold must be greater than the lapsing threshold (and both >= 0)")
    return (active, lapsing)


def _secret(raw: str) -> str:
    if len(raw) < MIN_SECRET_LENGTH:
        raise ValueError(f"must be at least {MIN_SECRET_LENGTH} characters")
    return raw


def _identity_token_keys(
    env: Mapping[str, str], get: Callable[..., Any], environment: str
) -> tuple[str | None, bool, str | None]:
    """(HS256 secret, whether it was made up for development, JWKS URL)."""
    if env.get("VITRINE_IDENTIFY_SECRET"):
        raise ConfigError(
            "VITRINE_IDENTIFY_SECRET",
            "is replaced by VITRINE_IDENTITY_TOKEN_SECRET: identify now takes an identity token that names the visitor "
            "and every identifier (docs/identity.md)",
        )
    secret = get("VITRINE_IDENTITY_TOKEN_SECRET", _secret, None)
    jwks_url = get("VITRINE_IDENTITY_JWKS_URL", _url(("http", "https")), None)
    if secret is None and jwks_url is None:
        if environment == "production":
            raise ConfigError(
                "VITRINE_IDENTITY_TOKEN_SECRET",
                "(or VITRINE_IDENTITY_JWKS_URL) is required when VITRINE_ENV=production: without it no login can be "
                "proven and no profiles are ever linked",
            )
        return secrets.token_urlsafe(32), True, None
    return secret, False, jwks_url


def _choice(*options: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in options:
            raise ValueError(f"must be one of {', '.join(options)}, got {raw!r}")
        return raw

    return parse


def _origins(raw: str) -> tuple[str, ...]:
    origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    for origin in origins:
        if origin != "*" and urlsplit(origin).scheme not in ("http", "https"):
            raise ValueError(f"each origin must look like https://shop.example, got {origin!r}")
    return origins


def _header(raw: str) -> str:
    name, sep, value = raw.partition(":")
    if not sep or not name.strip() or not value.strip() or any(c in raw for c in "\r\n"):
        raise ValueError("expected 'Header-Name: value', e.g. 'Authorization: Bearer TOKEN'")
    return f"{name.strip()}: {value.strip()}"


def _field_map(raw: str) -> tuple[tuple[str, str], ...]:
    import json

    try:
        mapping = json.loads(raw)
    except json.JSONDecodeError:
        raise ValueError('expected a JSON object such as {"name": "title"}') from None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise ValueError('expected a JSON object of strings such as {"name": "title"}')
    return tuple(sorted(mapping.items()))


def _boosts(raw: str) -> tuple[tuple[str, float], ...]:
    """`brand:b-x=1.5,category:c-y=0`: multiply scores (0 buries the items)."""
    out: list[tuple[str, float]] = []
    for part in (p.strip() for p in raw.split(",") if p.strip()):
        target, sep, factor = part.partition("=")
        kind, colon, key = target.strip().partition(":")
        if not sep or not colon or kind not in ("brand", "category") or not key:
            raise ValueError(f"each entry must look like brand:<id>=1.5 or category:<id>=0, got {part!r}")
        try:
            value = float(factor)
        except ValueError:
            raise ValueError(f"{part!r}: the multiplier must be a number") from None
        if not 0 <= value <= 100:
            raise ValueError(f"{part!r}: the multiplier must be between 0 and 100")
        out.append((f"{kind}:{key.strip()}", value))
    return tuple(out)


LOG_FORMATS = ("json", "text")
SAMPLERS = (
    "always_on",
    "always_off",
    "traceidratio",
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
)


def _exporters(raw: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(n.strip().lower() for n in raw.split(",") if n.strip()))
    for name in names:
        if name not in ("otlp", "console", "none"):
            raise ValueError(f"each exporter must be otlp, console or none, got {name!r}")
    return tuple(n for n in names if n != "none")


def _ratio(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"expected a number between 0 and 1, got {raw!r}") from None
    if not 0 <= value <= 1:
        raise ValueError(f"must be between 0 and 1, got {raw}")
    return value


def _otel(env: Mapping[str, str], get: Callable[..., Any]) -> dict[str, Any]:
    """Tracing, from the standard OpenTelemetry variables: off unless OTEL_TRACES_EXPORTER names an exporter."""
    exporters: tuple[str, ...] = get("OTEL_TRACES_EXPORTER", _exporters, ())
    if get("OTEL_SDK_DISABLED", _parse_bool, False):
        exporters = ()
    for name in ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"):
        protocol = env.get(name, "").strip()
        if "otlp" in exporters and protocol and protocol != "http/protobuf":
            raise ConfigError(name, f"Vitrine exports OTLP over HTTP: use http/protobuf (port 4318), got {protocol!r}")
    return {
        "traces_exporters": exporters,
        "service_name": get("OTEL_SERVICE_NAME", str, "vitrine"),
        "traces_sampler": get("OTEL_TRACES_SAMPLER", _choice(*SAMPLERS), "parentbased_always_on"),
        "traces_sampler_arg": get("OTEL_TRACES_SAMPLER_ARG", _ratio, 1.0),
    }


_GC_DEFAULT: tuple[int, int, int] | None = DEFAULT_GC_THRESHOLDS


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build settings from `env` (normally `os.environ`); raises ConfigError on a bad value."""

    def get(name: str, parse: Callable[[str], T], default: T) -> T:
        raw = env.get(name)
        if raw is None or raw == "":
            return default
        try:
            return parse(raw)
        except ValueError as exc:
            raise ConfigError(name, str(exc)) from None

    environment = get("VITRINE_ENV", _choice("development", "production"), "development")
    mongodb_url = get("VITRINE_MONGODB_URL", _url(("memory", "mongodb", "mongodb+srv")), "memory://")
    redis_url = get("VITRINE_REDIS_URL", _redis_url, "memory://")

    secret = env.get("VITRINE_SECRET_KEY", "")
    previous = [s for s in env.get("VITRINE_SECRET_KEY_PREVIOUS", "").split(",") if s]
    if secret:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError("VITRINE_SECRET_KEY", f"must be at least {MIN_SECRET_LENGTH} characters")
        keys, ephemeral = (secret, *previous), False
    elif environment == "production":
        raise ConfigError("VITRINE_SECRET_KEY", "is required when VITRINE_ENV=production")
    else:
        keys, ephemeral = (secrets.token_urlsafe(48),), True
    for old in previous:
        if len(old) < MIN_SECRET_LENGTH:
            raise ConfigError(
                "VITRINE_SECRET_KEY_PREVIOUS", f"each key must be at least {MIN_SECRET_LENGTH} characters"
            )

    anonymous_id_key = env.get("VITRINE_ANONYMOUS_ID_KEY") or None
    if anonymous_id_key is not None and len(anonymous_id_key) < MIN_SECRET_LENGTH:
        raise ConfigError("VITRINE_ANONYMOUS_ID_KEY", f"must be at least {MIN_SECRET_LENGTH} characters")

    admin_api_key = env.get("VITRINE_ADMIN_API_KEY") or None
    if admin_api_key is not None and len(admin_api_key) < MIN_SECRET_LENGTH:
        raise ConfigError("VITRINE_ADMIN_API_KEY", f"must be at least {MIN_SECRET_LENGTH} characters")

    token_secret, token_ephemeral, jwks_url = _identity_token_keys(env, get, environment)

    in_memory = mongodb_url.startswith("memory")
    settings = Settings(
        mongodb_url=mongodb_url,
        mongodb_database=get("VITRINE_MONGODB_DATABASE", str, "vitrine"),
        redis_url=redis_url,
        redis_prefix=get("VITRINE_REDIS_PREFIX", check_prefix, "vt:"),
        host=get("VITRINE_HOST", str, "127.0.0.1"),
        port=get("VITRINE_PORT", _int_in(1, 65535), 8000),
        environment=environment,
        secret_keys=keys,
        secret_is_ephemeral=ephemeral,
        anonymous_id_key=anonymous_id_key,
        demo_data=get(
            "VITRINE_DEMO_DATA",
            _parse_bool,
            in_memory and environment != "production" and not env.get("VITRINE_CATALOG_URL"),
        ),
        log_level=get("VITRINE_LOG_LEVEL", _choice("DEBUG", "INFO", "WARNING", "ERROR"), "INFO"),
        events_max_batch=get("VITRINE_EVENTS_MAX_BATCH", _int_in(1, 1000), 100),
        events_max_body_bytes=get("VITRINE_EVENTS_MAX_BODY_BYTES", _int_in(1024, 16 * 1024 * 1024), 512 * 1024),
        interest_half_life_days=get("VITRINE_INTEREST_HALF_LIFE_DAYS", _positive_float, DEFAULT_HALF_LIFE_DAYS),
        store_timeout_ms=get("VITRINE_STORE_TIMEOUT_MS", _int_in(10, 60_000), 1000),
        store_breaker_seconds=get("VITRINE_STORE_BREAKER_SECONDS", _positive_float, 5.0),
        intake_apply=get("VITRINE_INTAKE_APPLY", _choice("inline", "deferred"), "inline"),
        intake_apply_budget_ms=get("VITRINE_INTAKE_APPLY_BUDGET_MS", _int_in(10, 60_000), 300),
        intake_partitions=get("VITRINE_INTAKE_PARTITIONS", _int_in(1, 1024), 16),
        intake_seen_seconds=get("VITRINE_INTAKE_SEEN_SECONDS", _int_in(60, 30 * 86_400), 3600),
        cookie_secure=get("VITRINE_COOKIE_SECURE", _parse_bool, environment == "production"),
        visitor_idle_days=get("VITRINE_VISITOR_IDLE_DAYS", _positive_float, 365.0),
        visitor_legacy_tokens=get("VITRINE_VISITOR_LEGACY_TOKENS", _parse_bool, True),
        catalog_preload_max=get("VITRINE_CATALOG_PRELOAD_MAX", _int_in(0, 10_000_000), 200_000),
        debug=get("VITRINE_DEBUG", _parse_bool, False),
        identity_max_identifiers=get("VITRINE_IDENTITY_MAX_IDENTIFIERS", _int_in(2, 10_000), 50),
        identity_blocklist=get("VITRINE_IDENTITY_BLOCKLIST", _csv, frozenset()),
        identity_unlinked_channels=get("VITRINE_IDENTITY_UNLINKED_CHANNELS", _csv, frozenset({"kiosk", "pos"})),
        hash_emails=get("VITRINE_HASH_EMAILS", _parse_bool, True),
        identity_token_secret=token_secret,
        identity_token_is_ephemeral=token_ephemeral,
        identity_jwks_url=jwks_url,
        identity_token_audience=get("VITRINE_IDENTITY_TOKEN_AUDIENCE", str, "vitrine"),
        identity_token_max_age_seconds=get("VITRINE_IDENTITY_TOKEN_MAX_AGE_SECONDS", _int_in(30, 86_400), 600),
        identify_attempts_per_minute=get("VITRINE_IDENTIFY_ATTEMPTS_PER_MINUTE", _int_in(1, 10_000), 10),
        visitor_cache_size=get("VITRINE_VISITOR_CACHE_SIZE", _int_in(0, 10_000_000), 20_000),
        gc_thresholds=get("VITRINE_GC_THRESHOLDS", parse_gc_thresholds, _GC_DEFAULT),
        consent_required=get("VITRINE_CONSENT_REQUIRED", _parse_bool, False),
        consent_allowed_events=get("VITRINE_CONSENT_ALLOWED_EVENTS", _csv, frozenset({"Order Completed"})),
        engagement_half_life_days=get("VITRINE_ENGAGEMENT_HALF_LIFE_DAYS", _positive_float, 30.0),
        engagement_points=get("VITRINE_ENGAGEMENT_POINTS", _points, None),
        engagement_tiers=get("VITRINE_ENGAGEMENT_TIERS", _tiers, (10.0, 2.0)),
        segment_reevaluate_seconds=get("VITRINE_SEGMENT_REEVALUATE_SECONDS", _positive_float, 3600.0),
        webhook_url=get("VITRINE_WEBHOOK_URL", _url(("http", "https")), None),
        webhook_secret=get("VITRINE_WEBHOOK_SECRET", _secret, None),
        webhook_max_attempts=get("VITRINE_WEBHOOK_MAX_ATTEMPTS", _int_in(1, 50), 8),
        webhook_backoff_seconds=get("VITRINE_WEBHOOK_BACKOFF_SECONDS", _positive_float, 30.0),
        webhook_concurrency=get("VITRINE_WEBHOOK_CONCURRENCY", _int_in(1, 100), 8),
        webhook_claim_seconds=get("VITRINE_WEBHOOK_CLAIM_SECONDS", _positive_float, 60.0),
        trigger_claim_seconds=get("VITRINE_TRIGGER_CLAIM_SECONDS", _positive_float, 120.0),
        trigger_abandoned_cart_minutes=get("VITRINE_TRIGGER_ABANDONED_CART_MINUTES", _positive_float, 60.0),
        trigger_inactivity_days=get("VITRINE_TRIGGER_INACTIVITY_DAYS", _positive_float, 30.0),
        trigger_holdout_percent=get("VITRINE_TRIGGER_HOLDOUT_PERCENT", _percent, 10.0),
        trigger_cap_count=get("VITRINE_TRIGGER_CAP_COUNT", _int_in(1, 1000), 1),
        trigger_cap_days=get("VITRINE_TRIGGER_CAP_DAYS", _positive_float, 7.0),
        trigger_affinity_score=get("VITRINE_TRIGGER_AFFINITY_SCORE", _positive_float, 5.0),
        trigger_tick_seconds=get("VITRINE_TRIGGER_TICK_SECONDS", _positive_float, 5.0),
        journey_lease_seconds=get("VITRINE_JOURNEY_LEASE_SECONDS", _positive_float, 30.0),
        workers_in_process=get("VITRINE_WORKERS_IN_PROCESS", _parse_bool, True),
        admin_api_key=admin_api_key,
        persisted_queries=get("VITRINE_PERSISTED_QUERIES", _choice("off", "apq", "trusted"), "apq"),
        apq_ttl_seconds=get("VITRINE_APQ_TTL_SECONDS", _int_in(60, 30 * 86_400), 86_400),
        public_cache_seconds=get("VITRINE_PUBLIC_CACHE_SECONDS", _int_in(0, 86_400), 60),
        apq_max_documents=get("VITRINE_APQ_MAX_DOCUMENTS", _int_in(1, 1_000_000), 2000),
        apq_max_document_bytes=get("VITRINE_APQ_MAX_DOCUMENT_BYTES", _int_in(256, 16 * 1024 * 1024), 16 * 1024),
        apq_registrations_per_minute=get("VITRINE_APQ_REGISTRATIONS_PER_MINUTE", _int_in(0, 1_000_000), 30),
        trusted_documents=get("VITRINE_TRUSTED_DOCUMENTS", str, ""),
        introspection=get("VITRINE_INTROSPECTION", _parse_bool, environment != "production"),
        compiled_execution=get("VITRINE_COMPILED_EXECUTION", _choice("off", "persisted", "all"), "persisted"),
        federation_mode=get("VITRINE_FEDERATION_MODE", _choice("owning", "contributing"), "owning"),
        graphql_max_body_bytes=get("VITRINE_GRAPHQL_MAX_BODY_BYTES", _int_in(1024, 16 * 1024 * 1024), 256 * 1024),
        validation_budget_ms=get("VITRINE_VALIDATION_BUDGET_MS", _int_in(10, 10_000), 250),
        shutdown_grace_seconds=get("VITRINE_SHUTDOWN_GRACE_SECONDS", _int_in(2, 3600), 10),
        header_timeout_seconds=get("VITRINE_HEADER_TIMEOUT_SECONDS", _positive_float, 10.0),
        body_timeout_seconds=get("VITRINE_BODY_TIMEOUT_SECONDS", _positive_float, 10.0),
        cors_origins=get("VITRINE_CORS_ORIGINS", _origins, ()),
        rate_limit_ip_per_minute=get(
            "VITRINE_RATE_LIMIT_IP_PER_MINUTE", _int_in(0, 1_000_000), 1200 if environment == "production" else 0
        ),
        rate_limit_visitor_per_minute=get(
            "VITRINE_RATE_LIMIT_VISITOR_PER_MINUTE", _int_in(0, 1_000_000), 600 if environment == "production" else 0
        ),
        catalog_url=get("VITRINE_CATALOG_URL", _url(("http", "https")), ""),
        catalog_auth_header=get("VITRINE_CATALOG_AUTH_HEADER", _header, ""),
        catalog_field_map=get("VITRINE_CATALOG_FIELD_MAP", _field_map, ()),
        catalog_timeout_ms=get("VITRINE_CATALOG_TIMEOUT_MS", _int_in(10, 60_000), 2000),
        catalog_cache_seconds=get("VITRINE_CATALOG_CACHE_SECONDS", _non_negative_float, 30.0),
        recs_exact_max=get("VITRINE_RECS_EXACT_MAX", _int_in(0, 10_000_000), 20_000),
        recs_exclude_viewed=get("VITRINE_RECS_EXCLUDE_VIEWED", _parse_bool, True),
        recs_vector_refresh_seconds=get("VITRINE_RECS_VECTOR_REFRESH_SECONDS", _positive_float, 60.0),
        recs_graph_wait_seconds=get("VITRINE_RECS_GRAPH_WAIT_SECONDS", _int_in(0, 86_400), 1200),
        recs_boosts=get("VITRINE_RECS_BOOSTS", _boosts, ()),
        log_format=get("VITRINE_LOG_FORMAT", _choice(*LOG_FORMATS), "json" if environment == "production" else "text"),
        **_otel(env, get),
    )
    if settings.webhook_url and not settings.webhook_secret:
        raise ConfigError("VITRINE_WEBHOOK_SECRET", "is required when VITRINE_WEBHOOK_URL is set (receivers verify it)")
    return settings
