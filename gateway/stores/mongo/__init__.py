"""MongoDB stores over PyMongo's async API (`AsyncMongoClient`)."""
