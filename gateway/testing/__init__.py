"""Developer tooling shared by tests and benchmarks (needs the `dev` extra)."""
