"""Commerce backends as product sources for standalone mode (`VITRINE_CATALOG_URL`)."""
