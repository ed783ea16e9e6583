"""Command line: `python -m gateway --help` lists every command."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gateway.kernel import ConfigError
from gateway.settings import Settings, load_settings

if TYPE_CHECKING:
    from gateway.platform.tracing import Tracing

cli = typer.Typer(help="Vitrine: a GraphQL personalization gateway for headless commerce.", no_args_is_help=True)
catalog_cli = typer.Typer(help="Catalogue data: import, generate.", no_args_is_help=True)
cli.add_typer(catalog_cli, name="catalog")
eval_cli = typer.Typer(help="Offline evaluation.", no_args_is_help=True)
cli.add_typer(eval_cli, name="eval")
KEEP_ALIVE_SECONDS = 5  # an idle keep-alive connection is closed after this

persisted_cli = typer.Typer(help="Trusted documents (persisted queries) for production.", no_args_is_help=True)
cli.add_typer(persisted_cli, name="persisted")


class FederationMode(StrEnum):
    owning = "owning"
    contributing = "contributing"


def _settings() -> Settings:
    try:
        return load_settings(os.environ)
    except ConfigError as exc:
        typer.echo(f"configuration error: {exc.message}", err=True)
        raise typer.Exit(2) from None


def _logging(settings: Settings) -> None:
    from gateway.platform.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format)


def _tracing(settings: Settings) -> Tracing | None:
    from gateway.platform.tracing import open_tracing

    return open_tracing(
        settings.traces_exporters,
        service_name=settings.service_name,
        sampler=settings.traces_sampler,
        sampler_arg=settings.traces_sampler_arg,
    )


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default VITRINE_HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default VITRINE_PORT or 8000).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Start the gateway: GraphQL at /graphql, events at /v1/events, the console at /console/, health."""
    import uvicorn

    settings = _settings()
    _logging(settings)
    bind_host, bind_port = host or settings.host, port or settings.port
    if settings.secret_is_ephemeral:
        # Every worker process must sign visitor ids with the same key.
        import secrets

        os.environ["VITRINE_SECRET_KEY"] = secrets.token_urlsafe(48)
    if settings.identity_token_is_ephemeral and settings.identity_token_secret:
        # Development only (production refuses to start without a key): every worker verifies
        # identity tokens with this one, and the demo can mint them.
        os.environ["VITRINE_IDENTITY_TOKEN_SECRET"] = settings.identity_token_secret
        typer.echo(
            "identity tokens: development key for this run (set VITRINE_IDENTITY_TOKEN_SECRET to choose one).\n"
            f"  Try stitching: python -m gateway identity-token --secret {settings.identity_token_secret} "
            "--visitor <viewer.visitorId> --customer-id cust-1"
        )
    typer.echo(f"Vitrine on http://{bind_host}:{bind_port}/graphql (GraphiQL in a browser)")
    typer.echo(f"Editor console: http://{bind_host}:{bind_port}/console/ (sign in with an admin API key)")
    uvicorn.run(
        "gateway.asgi:app",
        host=bind_host,
        port=bind_port,
        workers=workers,
        loop="uvloop",
        # httptools with a header read timeout (VITRINE_HEADER_TIMEOUT_SECONDS).
        http="gateway.http.server_protocol:HeaderTimeoutProtocol",
        access_log=False,
        log_level=settings.log_level.lower(),
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        # Half of the grace period for requests in flight; the exit guard ends the process at the
        # full period whatever still runs (gateway.exit_guard).
        timeout_graceful_shutdown=max(1, settings.shutdown_grace_seconds // 2),
        log_config=None,  # our handler (VITRINE_LOG_FORMAT), set by gateway.asgi in each worker process
    )


@cli.command()
def worker(
    port: Annotated[
        int | None, typer.Option(help="Serve /healthz, /readyz and /metrics on this port (0: none).")
    ] = 9100,
    host: Annotated[str, typer.Option(help="Interface for --port.")] = "0.0.0.0",
) -> None:
    """Run the schedulers (segments, automation timers and journeys, webhook delivery, event replay) without GraphQL."""
    from gateway.worker import run_worker

    settings = _settings()
    _logging(settings)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_worker(settings, port=port or None, host=host))


@cli.command("export-schema")
def export_schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    check: Annotated[bool, typer.Option(help="Exit 1 if OUTPUT differs from the code's schema.")] = False,
    mode: Annotated[
        FederationMode,
        typer.Option(help="owning (schema.graphql) or contributing (schema-contributing.graphql); docs/federation.md."),
    ] = FederationMode.owning,
) -> None:
    """Print the GraphQL SDL generated from the code (the contract in schema.graphql)."""
    from gateway.app import export_schema_sdl

    sdl = export_schema_sdl(mode.value)
    if check:
        if output is None:
            raise typer.BadParameter("--check needs --output FILE")
        if not output.exists() or output.read_text() != sdl:
            fix = f"python -m gateway export-schema --mode {mode.value} -o {output}"
            typer.echo(f"{output} differs from the schema in the code; run: {fix}", err=True)
            raise typer.Exit(1)
        typer.echo(f"{output} is up to date")
    elif output is not None:
        output.write_text(sdl)
        typer.echo(f"wrote {output}")
    else:
        sys.stdout.write(sdl)


@catalog_cli.command("import")
def catalog_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL file (docs/catalog-format.md).")],
    batch_size: Annotated[int, typer.Option(min=1, max=5000)] = 500,
) -> None:
    """Validate every line, upsert the valid items in atomic batches, report rejected lines.

    Streams the file (memory does not grow with its size). Shows a progress bar on a terminal
    and a progress line per tenth of the work otherwise. Exit code 0 when every line was
    imported, 1 when a line was rejected or a batch failed.
    """
    from rich.console import Console

    from gateway.catalogue import import_jsonl
    from gateway.cli_progress import progress_lines
    from gateway.wiring import connect

    settings = _settings()
    console = Console(stderr=True)

    async def run() -> bool:
        from contextlib import AsyncExitStack

        async with AsyncExitStack() as stack:
            stores = await connect(settings, stack)
            with progress_lines(console, "importing") as on_progress:
                report = await import_jsonl(stores.catalog, file, batch_size=batch_size, progress=on_progress)
        for rejected in report.rejected:
            console.print(f"[yellow]line {rejected.line_number}[/]: {rejected.reason}")
        accepted = ", ".join(f"{n} {kind}" for kind, n in sorted(report.accepted.items()))
        console.print(
            f"read {report.lines_read} lines; accepted {accepted or 'nothing'}; rejected {len(report.rejected)}"
        )
        if not report.ok:
            console.print(f"[red]import stopped[/]: {report.error}")
        return report.ok and not report.rejected

    if settings.mongodb_url.startswith("memory"):
        typer.echo("note: VITRINE_MONGODB_URL is memory://, so this import only validates (nothing persists)", err=True)
    ok = asyncio.run(run())
    raise typer.Exit(0 if ok else 1)


@catalog_cli.command("generate")
def catalog_generate(
    output: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the JSONL.")],
    count: Annotated[int, typer.Option(min=1, max=1_000_000)] = 2400,
    seed: Annotated[int, typer.Option()] = 20261122,
) -> None:
    """Write the deterministic demo catalogue as JSONL (the import format)."""
    from gateway.catalogue import write_jsonl
    from gateway.demo.catalog_generator import generate_catalog

    lines = write_jsonl(generate_catalog(count=count, seed=seed), output)
    typer.echo(f"wrote {lines} lines to {output}")


@cli.command("index")
def index(
    batch_size: Annotated[int, typer.Option(min=1, max=4096, help="Texts per embedding batch.")] = 64,
    precision: Annotated[str, typer.Option(help="auto (bf16 on CPUs that support it), fp32 or bf16.")] = "auto",
    device: Annotated[str | None, typer.Option(help="cpu, cuda, ... (default: cuda when present).")] = None,
) -> None:
    """Embed the catalogue for SIMILAR and FOR_YOU; products whose text is unchanged are skipped.

    Above VITRINE_RECS_EXACT_MAX products it then builds the HNSW graph on every core and
    publishes it (MongoDB GridFS), so instances map it instead of building their own. Then it
    commits the vectors once: running gateways pick them up within
    VITRINE_RECS_VECTOR_REFRESH_SECONDS, one reload per run, no restart.
    """
    from contextlib import AsyncExitStack

    from rich.console import Console

    from gateway.cli_progress import progress_lines
    from gateway.kernel import StoreUnavailable
    from gateway.recommendations import SentenceTransformerEmbedder, index_catalogue, publish_vectors
    from gateway.wiring import connect

    if precision not in {"auto", "fp32", "bf16"}:
        raise typer.BadParameter("must be auto, fp32 or bf16", param_hint="--precision")
    settings = _settings()
    _logging(settings)
    console = Console(stderr=True)
    if settings.mongodb_url.startswith("memory"):
        typer.echo("note: VITRINE_MONGODB_URL is memory://, so the vectors are not kept", err=True)
    model = SentenceTransformerEmbedder(device=device, precision=precision)
    console.print(f"model {model.name} on {model.device}, {'bf16' if model.bf16 else 'fp32'}")
    tracing = _tracing(settings)
    embedder: Any = model
    if tracing is not None:  # each embedding batch is a span
        from gateway.instrumentation import TracedEmbedder

        embedder = TracedEmbedder(model, tracing.tracer)

    async def run() -> None:
        from gateway.platform.tracing import span

        async with AsyncExitStack() as stack:
            stack.enter_context(span(tracing.tracer if tracing is not None else None, "index catalogue"))
            stores = await connect(settings, stack)
            vectors = stores.recommendations.vectors
            with progress_lines(console, "embedding") as on_progress:
                report = await index_catalogue(
                    stores.catalog, vectors, embedder, batch_size=batch_size, progress=on_progress
                )
            console.print(
                f"{report.products} products: {report.embedded} embedded, {report.unchanged} unchanged, "
                f"{report.removed} removed"
            )
            if settings.mongodb_url.startswith("memory"):
                return  # nothing is kept, so no instance could load them
            with console.status("publishing the vectors"):
                published = await publish_vectors(
                    vectors,
                    stores.recommendations.graphs,
                    embedder.name,
                    exact_max=settings.recs_exact_max,
                    threads=os.cpu_count() or 1,
                )
        if not published.graph:
            console.print(f"no HNSW graph: instances scan up to {settings.recs_exact_max} products exactly")
        elif published.built:
            console.print(
                f"HNSW graph of {published.rows} products published ({published.seconds:.1f} s, "
                f"{published.digest[:12]})"
            )
        else:
            console.print(f"HNSW graph of {published.rows} products already published ({published.digest[:12]})")
        if published.committed:
            console.print("vectors committed: running instances load them once")
        else:
            console.print("vectors unchanged since the last commit: instances keep their index")

    try:
        asyncio.run(run())
    except StoreUnavailable as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        if tracing is not None:
            tracing.shutdown()


@eval_cli.command("recs")
def eval_recs(
    interactions: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="CSV with header user_id,item_id,timestamp.")
    ],
    items: Annotated[
        Path,
        typer.Option(exists=True, dir_okay=False, help="CSV with header item_id,title[,description,category,brand]."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    seed: Annotated[int, typer.Option(help="Seeds tie-breaks and bootstrap resamples.")] = 0,
    embeddings: Annotated[
        bool, typer.Option(help="Embed item text for the SIMILAR signal, as the gateway does.")
    ] = True,
) -> None:
    """Leave-one-out evaluation of the served FOR_YOU pipeline against baselines (docs/recommendations.md)."""
    import orjson
    from rich.console import Console
    from rich.progress import Progress

    from gateway.kernel import InputError
    from gateway.recommendations import as_text, evaluate

    console = Console(stderr=True)
    vectors = None
    if embeddings:
        from gateway.recommendations import item_vectors

        vectors = item_vectors
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("evaluating", total=None)

            def on_progress(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            report = asyncio.run(evaluate(interactions, items, seed=seed, vectors=vectors, progress=on_progress))
    except InputError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        sys.stdout.write(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        typer.echo(as_text(report))


@persisted_cli.command("register")
def persisted_register(
    manifest: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Apollo manifest or {sha256: document} JSON.")
    ],
) -> None:
    """Check every document against the schema (of VITRINE_FEDERATION_MODE) and register them as trusted documents.

    Stored where VITRINE_REDIS_URL points (shared by every instance). With memory:// nothing
    persists: set VITRINE_TRUSTED_DOCUMENTS=MANIFEST.json so each instance loads it at startup.
    Serve only trusted documents with VITRINE_PERSISTED_QUERIES=trusted.
    """
    import orjson

    from gateway.app import document_errors
    from gateway.execution.persisted.documents import parse_manifest
    from gateway.kernel import InputError, StoreUnavailable
    from gateway.wiring import connect

    settings = _settings()
    try:
        documents = parse_manifest(orjson.loads(manifest.read_bytes()))
    except orjson.JSONDecodeError as exc:
        typer.echo(f"{manifest}: not JSON: {exc}", err=True)
        raise typer.Exit(2) from None
    except InputError as exc:
        typer.echo(f"{manifest}: {exc.message}", err=True)
        raise typer.Exit(2) from None
    failed = False
    for digest, document in documents.items():
        for problem in document_errors(document, settings.federation_mode):
            typer.echo(f"{digest[:12]}: {problem}", err=True)
            failed = True
    if failed:
        typer.echo("nothing registered: fix the documents above (they would not run)", err=True)
        raise typer.Exit(1)

    async def run() -> tuple[int, int]:
        from contextlib import AsyncExitStack

        async with AsyncExitStack() as stack:
            stores = await connect(settings, stack)
            added = await stores.persisted.register_trusted(documents)
            return added, await stores.persisted.count_trusted()

    try:
        added, total = asyncio.run(run())
    except StoreUnavailable as exc:
        typer.echo(f"not registered: {exc.message}", err=True)
        raise typer.Exit(1) from None
    if settings.redis_url.startswith("memory"):
        typer.echo("note: VITRINE_REDIS_URL is memory://, so this only validated the manifest", err=True)
    typer.echo(f"{len(documents)} documents checked; {added} new; {total} trusted documents registered")


@cli.command("redis-migrate-keys")
def redis_migrate_keys(
    dry_run: Annotated[bool, typer.Option(help="Count the keys to move; change nothing.")] = False,
) -> None:
    """Move Redis keys of releases before cluster support to their hash-tagged names (run once).

    Against the single Redis server (VITRINE_REDIS_URL) the previous release used, right after
    deploying this one; see gateway/platform/redis_migration.py and docs/operations.md.
    """
    from gateway.kernel import StoreUnavailable
    from gateway.platform.backends import CLUSTER_SCHEME
    from gateway.platform.redis import open_client, translated
    from gateway.platform.redis_migration import migrate_keys

    settings = _settings()
    if settings.redis_url.startswith("memory"):
        typer.echo("VITRINE_REDIS_URL is memory://: nothing to migrate")
        return
    if settings.redis_url.startswith(CLUSTER_SCHEME):
        typer.echo("a cluster never held the old key names: run this against the single server you move from", err=True)
        raise typer.Exit(2)

    async def run() -> str:
        client = open_client(settings.redis_url, max(settings.store_timeout_ms, 5000))
        try:
            async with translated("Redis", "migrate keys"):
                return str(await migrate_keys(client, settings.redis_prefix, dry_run=dry_run))
        finally:
            await client.aclose()

    try:
        report = asyncio.run(run())
    except StoreUnavailable as exc:
        typer.echo(f"not migrated: {exc.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(("dry run: " if dry_run else "") + report)


@cli.command("mongo-shard-commands")
def mongo_shard_commands() -> None:
    """Print the mongosh commands that shard the large collections of VITRINE_MONGODB_DATABASE.

    Run them once as a cluster admin, before the collections grow (docs/operations.md).
    """
    from gateway.platform.sharding import shard_commands

    for line in shard_commands(_settings().mongodb_database):
        typer.echo(line)


@cli.command("identity-token")
def identity_token(
    visitor: Annotated[str, typer.Option(help="The visitor the token is for (viewer.visitorId).")],
    customer_id: Annotated[str | None, typer.Option(help="The customer id your backend logged in.")] = None,
    email: Annotated[str | None, typer.Option(help="The customer's email address.")] = None,
    loyalty_card_id: Annotated[str | None, typer.Option(help="The customer's loyalty card.")] = None,
    ttl: Annotated[int, typer.Option(help="Seconds until it expires.")] = 300,
    secret: Annotated[str | None, typer.Option(help="The HS256 key (default: VITRINE_IDENTITY_TOKEN_SECRET).")] = None,
) -> None:
    """Mint an identity token as a shop backend would at login (development and testing).

    Pass it to the identify mutation: identify(identityToken: "...") links the visitor to the
    identifiers the token names. Production tokens come from your backend (docs/identity.md).
    """
    from gateway.identity import mint_identity_token

    key = secret or os.environ.get("VITRINE_IDENTITY_TOKEN_SECRET")
    if not key:
        typer.echo("no key: pass --secret or set VITRINE_IDENTITY_TOKEN_SECRET", err=True)
        raise typer.Exit(2)
    if not (customer_id or email or loyalty_card_id):
        typer.echo("name at least one identifier: --customer-id, --email or --loyalty-card-id", err=True)
        raise typer.Exit(2)
    audience = os.environ.get("VITRINE_IDENTITY_TOKEN_AUDIENCE", "vitrine")
    typer.echo(
        mint_identity_token(
            key,
            visitor,
            customer_id=customer_id,
            email=email,
            loyalty_card_id=loyalty_card_id,
            audience=audience,
            ttl_seconds=ttl,
        )
    )


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
