"""gateway/identity/stores."""
