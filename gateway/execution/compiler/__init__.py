"""Compiled execution: operations turned into specialised Python, with graphql-core's results.

- `plan`: the cache of compiled operations and the fallback decision;
- `codegen`: the generated function per object selection set;
- `completers`: value completion specialised per type;
- `projection`: pure selections completed in one pass, and the memo of immutable snapshots;
- `arguments`: strawberry's argument conversion with its type decisions made once per field;
- `resolvers`: strawberry resolvers called without strawberry's per-call wrapper;
- `type_checks`: declaring an `is_type_of` that depends on the class only;
- `executor`: graphql-core's executor running the plans;
- `prepared`: hot compiled queries executed without re-parsing and re-validating;
- `integration`: the strawberry hook (`execution_context_class`) and the request policy;
- `report`: which executor answered a request.

See docs/compiled-execution.md.
"""
