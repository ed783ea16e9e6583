"""gateway/catalogue/stores."""
