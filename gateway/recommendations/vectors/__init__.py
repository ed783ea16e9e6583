"""Product embeddings: the embedder, the vector index, the stored vectors and their refresh."""
