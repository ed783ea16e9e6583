"""gateway/triggers/stores."""
