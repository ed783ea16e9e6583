"""HTTP endpoints: the GraphQL view, the events API, health and readiness."""
