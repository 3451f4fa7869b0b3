"""Embeddings: comparing learned vectors.

- :func:`cosine_similarity` -- cosine of the angle between vectors, pairwise
  for matrices of row vectors;
- :func:`nearest_neighbours` -- the rows of an embedding table closest to a
  query by cosine similarity.
"""

from slmsurvey.embeddings.similarity import cosine_similarity, nearest_neighbours

__all__ = ["cosine_similarity", "nearest_neighbours"]
