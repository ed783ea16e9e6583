"""Tracing is configured by the standard OTEL_* variables only, and is off unless asked for."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from gateway.kernel import ConfigError
from gateway.platform.tracing import open_tracing, sampler_for
from gateway.settings import load_settings


def test_off_unless_an_exporter_is_named() -> None:
    assert load_settings({}).traces_exporters == ()
    assert load_settings({"OTEL_TRACES_EXPORTER": "none"}).traces_exporters == ()
    assert load_settings({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"}).traces_exporters == ()
    assert open_tracing((), service_name="vitrine", sampler="always_on", sampler_arg=1.0) is None


def test_standard_variables_are_read() -> None:
    settings = load_settings(
        {
            "OTEL_TRACES_EXPORTER": "otlp,console",
            "OTEL_SERVICE_NAME": "vitrine-eu",
            "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
            "OTEL_TRACES_SAMPLER_ARG": "0.1",
        }
    )
    assert settings.traces_exporters == ("otlp", "console")
    assert (settings.service_name, settings.traces_sampler, settings.traces_sampler_arg) == (
        "vitrine-eu",
        "parentbased_traceidratio",
        0.1,
    )
    sampler = sampler_for(settings.traces_sampler, settings.traces_sampler_arg)
    assert isinstance(sampler, ParentBased) and "TraceIdRatioBased{0.1}" in sampler.get_description()
    assert isinstance(sampler_for("traceidratio", 0.5), TraceIdRatioBased)
    tracing = open_tracing(("console",), service_name="vitrine-eu", sampler="always_on", sampler_arg=1.0)
    assert tracing is not None
    assert tracing.provider.resource.attributes["service.name"] == "vitrine-eu"
    tracing.shutdown()


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"OTEL_TRACES_EXPORTER": "zipkin"}, "OTEL_TRACES_EXPORTER"),
        ({"OTEL_TRACES_SAMPLER": "jaeger_remote"}, "OTEL_TRACES_SAMPLER"),
        ({"OTEL_TRACES_SAMPLER_ARG": "1.5"}, "OTEL_TRACES_SAMPLER_ARG"),
        ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "OTEL_EXPORTER_OTLP_PROTOCOL"),
        ({"VITRINE_LOG_FORMAT": "xml"}, "VITRINE_LOG_FORMAT"),
    ],
)
def test_bad_values_name_their_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(env)
    assert raised.value.message.startswith(variable)
