"""gateway/access/stores."""
