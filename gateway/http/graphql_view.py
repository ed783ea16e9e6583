"""The GraphQL endpoint: strawberry's ASGI view made GraphQL-over-HTTP compliant, plus
persisted documents and request limits.

On top of strawberry's view (context, cookie, orjson):

- Media types: `Accept` is negotiated (q-values honoured). Clients that accept
  `application/graphql-response+json` get it, and a request error (the document does not
  parse or validate, variables do not coerce: `data` is null and no error has a `path`) is
  answered 400 without a `data` key. Legacy `application/json` clients get 200, as the spec
  asks. Every error the view itself raises is GraphQL-shaped JSON, never text/plain.
- Methods: GET runs queries only (a mutation via GET is 405 with `Allow: POST`).
- Bodies: POST needs `Content-Type: application/json` (else 415; the media type is parsed
  exactly, parameters never count), at most `VITRINE_GRAPHQL_MAX_BODY_BYTES` (else 413), all of
  it within `VITRINE_BODY_TIMEOUT_SECONDS` (else 408); invalid JSON or UTF-8, or JSON that is not
  an object (`null`, `42`), is 400.
- Caching: a hashed GET of an operation that reads only the catalogue is `public` for CDNs,
  without the visitor cookie; every other answer is `private, no-store` (gateway.http.caching).
- With introspection off, no message suggests names of the schema ("Did you mean ...?").
- Responses always encode (gateway.http.encoding): a value orjson refuses never turns an
  answer into a plain-text 500.
- Persisted documents (APQ / trusted documents, `gateway.execution.persisted.documents`) are
  resolved before execution; an APQ document is remembered only once it has validated, if it
  is small enough, and at most VITRINE_APQ_REGISTRATIONS_PER_MINUTE times per client address.

`execute_single` is where an operation runs through strawberry's whole pipeline; a query that
ran compiled there is remembered as prepared, and later POSTs of it take `_run_prepared`
(gateway.execution.compiler.prepared: no re-parsing or re-validation, the same execution, error policy
and response).
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any, cast

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.schema import Schema
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from gateway.execution.compiler import report
from gateway.execution.compiler.integration import EXTENSION_KEY
from gateway.execution.compiler.prepared import PreparedOperations
from gateway.execution.context import LOCALE_HEADER, RequestContext, build_context, pick_locale
from gateway.execution.persisted.documents import ResolvedDocument
from gateway.http.body import BodyTooLarge, BodyTooSlow, read_limited
from gateway.http.caching import PRIVATE, CachePolicy
from gateway.http.console import graphiql_page
from gateway.http.encoding import dumps
from gateway.http.media import GRAPHQL_RESPONSE_JSON, JSON, media_type, negotiate
from gateway.http.state import edge_of, storefront_of
from gateway.http.visitor_cookie import issue_cookie, visitor_of
from gateway.kernel import ErrorCode, InputError, PersistedQueryError, StoreUnavailable

log = logging.getLogger(__name__)


def error_body(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def graphql_error_response(status: int, message: str, code: str, media: str = JSON) -> Response:
    """A request-level error in GraphQL's response shape (no `data` key)."""
    return Response(dumps(error_body(message, code)), status_code=status, media_type=media)


def _is_request_error(result: ExecutionResult) -> bool:
    return result.data is None and bool(result.errors) and all(e.path is None for e in result.errors or ())


async def read_body(request: Request, limit: int, seconds: float) -> bytes:
    """The whole body, or HTTPException(413) as soon as it grows past `limit` bytes, or (408) when
    it has not all arrived within `seconds`."""
    try:
        return await read_limited(request, limit, seconds)
    except BodyTooLarge as exc:
        raise HTTPException(413, str(exc)) from None
    except BodyTooSlow as exc:
        raise HTTPException(408, str(exc)) from None


_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def hide_suggestions(body: GraphQLHTTPResponse) -> None:
    """Drop graphql-core's "Did you mean 'myData'?" from every message: with introspection off,
    the schema must not be discoverable one suggestion at a time (validation, and the coercion
    of variables at execution, both make them)."""
    for error in body.get("errors") or ():
        message = error.get("message") if isinstance(error, dict) else None
        if isinstance(error, dict) and isinstance(message, str) and "Did you mean" in message:
            error["message"] = _SUGGESTION.sub("", message)


def check_body_shape(data: object) -> None:
    """A GraphQL POST body is a JSON object (a list is a batch, which strawberry refuses itself)."""
    if not isinstance(data, dict | list):
        raise HTTPException(400, 'the body must be a JSON object such as {"query": "{ __typename }"}')


HTTP_ERROR_CODES = {
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    408: "REQUEST_TIMEOUT",
    413: "REQUEST_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    503: "STORE_UNAVAILABLE",
}
PREPARED_EXTENSIONS = frozenset({"persistedQuery", EXTENSION_KEY})
_UNRESOLVED = object()  # `request.state.vt_resolved` not set: the prepared lane did not resolve it


class GraphQLView(GraphQL[RequestContext, None]):
    def __init__(self, schema: Schema, *, prepared: PreparedOperations | None = None, **options: Any) -> None:
        super().__init__(schema, **options)
        self.prepared = prepared
        self.caching = CachePolicy(schema._schema)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        media = negotiate(request.headers.get("accept"))
        request.state.vt_media = media
        try:
            if media is None and not (request.method == "GET" and "query" not in request.query_params):
                raise HTTPException(406, f"accept {GRAPHQL_RESPONSE_JSON} or {JSON}")
            if request.method == "POST":
                if media_type(request.headers.get("content-type")) != JSON:
                    raise HTTPException(415, "send the operation as JSON with Content-Type: application/json")
                settings = edge_of(request).settings
                # Starlette keeps the body it read; strawberry reads this copy.
                request._body = await read_body(request, settings.graphql_max_body_bytes, settings.body_timeout_seconds)
            response = await self._run_prepared(request) if request.method == "POST" else None
            if response is None:
                response = await self.run(request)
        except HTTPException as exc:
            response = self._http_error(exc, media or JSON)
        if media == GRAPHQL_RESPONSE_JSON and response.media_type == JSON:
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
        status = getattr(request.state, "vt_status", None)
        if status is not None:
            response.status_code = status
        response.headers.setdefault("cache-control", PRIVATE)  # only a public operation says otherwise
        await response(scope, receive, send)

    async def _run_prepared(self, request: Request) -> Response | None:
        """The response for a prepared query (see gateway.execution.compiler.prepared), or None to take
        strawberry's whole pipeline: anything unusual about the request takes it too."""
        prepared_operations = self.prepared
        if prepared_operations is None or not len(prepared_operations):
            return None
        accept = request.headers.get("accept", "")
        if "multipart" in accept or "event-stream" in accept:
            return None
        try:
            data = orjson.loads(request._body)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(data, dict):
            return None
        query, variables = data.get("query"), data.get("variables")
        extensions, operation_name = data.get("extensions"), data.get("operationName")
        if not (
            isinstance(query, str | None)
            and isinstance(variables, dict | None)
            and isinstance(extensions, dict | None)
            and isinstance(operation_name, str | None)
            and (extensions is None or extensions.keys() <= PREPARED_EXTENSIONS)
        ):
            return None
        try:
            resolved = await edge_of(request).persisted.resolve(query, extensions)
        except (PersistedQueryError, InputError, StoreUnavailable):
            return None  # the whole pipeline resolves it again and answers the error
        request.state.vt_resolved = resolved  # not read twice if the whole pipeline runs it
        text = resolved.query if resolved is not None else query
        prepared = prepared_operations.lookup(text, operation_name, extensions)
        if prepared is None:
            return None
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, sub_response)
        result = await prepared_operations.execute(prepared, variables, context, extensions)
        if resolved is not None and resolved.register and not _is_request_error(result):
            await self._remember(request, resolved)
        return self.create_response(await self.process_result(request, result), sub_response)

    @staticmethod
    def _http_error(exc: HTTPException, media: str) -> Response:
        if isinstance(exc.__cause__, InvalidOperationTypeError) and exc.reason.endswith("GET"):
            response = graphql_error_response(405, f"{exc.reason}: send them with POST", "METHOD_NOT_ALLOWED", media)
            response.headers["allow"] = "POST"
            return response
        code = HTTP_ERROR_CODES.get(exc.status_code, "BAD_REQUEST")
        response = graphql_error_response(exc.status_code, exc.reason, code, media)
        if exc.status_code == 408:  # the rest of the body may still be on its way: do not read it as a request
            response.headers["connection"] = "close"
        return response

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> RequestContext:
        settings = edge_of(request).settings
        visitor = visitor_of(request, settings)
        if isinstance(response, Response):
            issue_cookie(response, visitor, settings)
        locale = pick_locale(request.headers.get(LOCALE_HEADER), request.headers.get("accept-language"))
        context = build_context(storefront_of(request), visitor, locale)
        if isinstance(response, Response):  # resetVisitor gives the device a new id in this response
            context.issue_visitor = lambda new: issue_cookie(response, new, settings)
        return context

    def decode_json(self, data: str | bytes) -> object:
        # orjson rejects invalid UTF-8 with a JSONDecodeError (the stdlib raises UnicodeDecodeError).
        return orjson.loads(data)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> Any:
        if request.method == "POST":
            check_body_shape(self.parse_json(await request.get_body()))
        return await super().parse_http_body(request)

    def encode_json(self, data: Any) -> bytes:
        return dumps(data)

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET carrying only an APQ hash is an operation, not a browser asking for the IDE.
        return super().should_render_graphql_ide(request) and request.query_params.get("extensions") is None

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_page(request, admin=False)  # the vendored GraphiQL: no CDN

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: RequestContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        persisted = edge_of(request).persisted
        try:
            stashed = getattr(request.state, "vt_resolved", _UNRESOLVED)
            if stashed is _UNRESOLVED:
                resolved = await persisted.resolve(request_data.query, request_data.extensions)
            else:
                resolved = cast(ResolvedDocument | None, stashed)
        except PersistedQueryError as exc:
            return ExecutionResult(data=None, errors=[GraphQLError(exc.message, extensions={"code": exc.code.value})])
        except InputError as exc:
            raise HTTPException(400, exc.message) from exc
        except StoreUnavailable as exc:
            return self._persisted_store_down(request_data, exc)
        if resolved is not None:
            request_data = replace(request_data, query=resolved.query)
        result = await super().execute_single(request, request_adapter, sub_response, context, root_value, request_data)
        self.caching.apply(
            sub_response,
            method=request.method,
            extensions=request_data.extensions,
            document=request_data.query,
            succeeded=not result.errors,
            max_age=edge_of(request).settings.public_cache_seconds,
        )
        request_error = _is_request_error(result)
        if resolved is not None and resolved.register and not request_error:
            await self._remember(request, resolved)
        note = report.current()
        if (
            self.prepared is not None
            and note is not None
            and note.compiled
            and not request_error
            and request_data.query
        ):
            self.prepared.remember(request_data.query, request_data.operation_name)
        return result

    def _persisted_store_down(self, request_data: GraphQLRequestData, exc: StoreUnavailable) -> ExecutionResult:
        log.warning("persisted documents unavailable: %s", exc.message)
        if request_data.query is not None:  # trusted mode cannot check its list: refuse rather than run unchecked text
            raise HTTPException(503, "persisted documents are unavailable; retry later") from exc
        # Hash only: ask the client for the text (APQ clients retry with it).
        code = ErrorCode.PERSISTED_QUERY_NOT_FOUND
        return ExecutionResult(
            data=None, errors=[GraphQLError("PersistedQueryNotFound", extensions={"code": code.value})]
        )

    @staticmethod
    async def _remember(request: Request, resolved: ResolvedDocument) -> None:
        """Store an APQ registration, at most VITRINE_APQ_REGISTRATIONS_PER_MINUTE per client
        address; past that the operation still ran, and the client sends its text again next time."""
        edge = edge_of(request)
        per_minute = edge.settings.apq_registrations_per_minute
        try:
            if per_minute and request.client is not None:
                decision = await edge.rate_limits.hit(f"apq:{request.client.host}", per_minute, 60)
                if not decision.allowed:
                    log.debug("APQ registration refused: %s registers too often", request.client.host)
                    return
            await edge.persisted.remember(resolved)
        except StoreUnavailable as exc:  # the client will simply send the text again
            log.warning("could not store a persisted query: %s", exc.message)

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        body = process_result(result)
        if not edge_of(request).settings.introspection:
            hide_suggestions(body)
        if not _is_request_error(result):
            return body
        codes = {(e.extensions or {}).get("code") for e in result.errors or ()}
        if ErrorCode.PERSISTED_QUERY_NOT_FOUND.value in codes:
            return body  # a protocol signal: 200 so every APQ client retries with the text
        if getattr(request.state, "vt_media", None) == GRAPHQL_RESPONSE_JSON:
            body.pop("data", None)
            request.state.vt_status = 400
        return body
