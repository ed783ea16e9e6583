"""gateway/audiences/values."""
