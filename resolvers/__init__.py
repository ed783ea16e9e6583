"""GraphQL types and resolvers (strawberry, code-first). Thin: parse, call a service, map.

Types expose domain values directly: leaf fields are plain attributes of the objects the
services return, so they run on the default resolver with no per-field work.
"""
