"""Embeddings: static word vectors, contextual vectors, and comparing them.

- :func:`cosine_similarity` -- cosine of the angle between vectors, pairwise
  for matrices of row vectors;
- :func:`nearest_neighbours` -- the rows of an embedding table closest to a
  query by cosine similarity;
- :class:`Word2Vec` -- skip-gram with negative sampling, one static vector
  per word (with :func:`sgns_loss`, :func:`noise_distribution` and
  :func:`skipgram_pairs`);
- :func:`contextual_embeddings` -- a :class:`~slmsurvey.nn.TextEncoder`'s
  vectors, one per token of each sentence;
- :func:`occurrence_vectors` -- the contextual vector of every occurrence of
  one word across sentences.
"""

from slmsurvey.embeddings.contextual import contextual_embeddings, occurrence_vectors
from slmsurvey.embeddings.similarity import cosine_similarity, nearest_neighbours
from slmsurvey.embeddings.word2vec import (
    Word2Vec,
    noise_distribution,
    sgns_loss,
    skipgram_pairs,
)

__all__ = [
    "Word2Vec",
    "contextual_embeddings",
    "cosine_similarity",
    "nearest_neighbours",
    "noise_distribution",
    "occurrence_vectors",
    "sgns_loss",
    "skipgram_pairs",
]
