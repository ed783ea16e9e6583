"""Use cases, constructor-injected with stores. Never imports strawberry or HTTP code."""
