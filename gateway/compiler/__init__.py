"""Compiled execution: operations turned into specialised Python, with graphql-core's results.

- `plan`: the cache of compiled operations and the fallback decision;
- `codegen`: the generated function per object selection set;
- `completers`: value completion specialised per type;
- `executor`: graphql-core's executor running the plans;
- `integration`: the strawberry hook (`execution_context_class`) and the request policy;
- `report`: which executor answered a request.

See docs/compiled-execution.md.
"""
