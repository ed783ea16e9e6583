"""gateway/recommendations/stores."""
