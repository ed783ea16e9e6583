"""gateway/execution/persisted."""
