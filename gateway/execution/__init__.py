"""gateway/execution."""
