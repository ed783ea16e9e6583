"""gateway/visitors/stores."""
