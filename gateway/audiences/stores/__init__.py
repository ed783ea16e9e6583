"""gateway/audiences/stores."""
