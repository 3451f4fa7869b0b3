r"""Contextual embeddings: one vector per occurrence of a word.

A static embedding gives a word type one vector :math:`v_w`. A contextual
encoder (ELMo, BERT, or the book's :class:`~slmsurvey.nn.TextEncoder`) gives
each *occurrence* its own vector, computed from the whole sentence:

.. math::

    z_i = f_\theta(x_1, \ldots, x_L)_i,

so "bank" in "the boat reached the bank" and in "she paid the bank" can get
different vectors. :func:`occurrence_vectors` collects those vectors for every
occurrence of one word in a list of sentences; layer 0 is the context-free
input embedding, the same for every occurrence.

References
----------
Peters et al. (2018), "Deep contextualized word representations", NAACL.
arXiv:1802.05365. Devlin et al. (2019), "BERT". arXiv:1810.04805.
"""

# Shapes: n occurrences, B sentences in a batch, T longest sentence,
#         d_model encoder width.

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch

from slmsurvey._checks import check_int
from slmsurvey.nn.bert import TextEncoder, contextual_embeddings

__all__ = ["contextual_embeddings", "occurrence_vectors"]


def occurrence_vectors(
    encoder: TextEncoder,
    vocab: Mapping[str, int],
    sentences: Sequence[Sequence[str]],
    word: str,
    *,
    layer: int | None = None,
    pad_id: int = 0,
    batch_size: int = 256,
) -> tuple[torch.Tensor, list[tuple[int, int]]]:
    r"""The contextual vector of every occurrence of ``word`` in ``sentences``.

    .. math::

        \{\, z^{(\ell)}_{s,i} : x_{s,i} = \text{word} \,\}

    Parameters
    ----------
    encoder : TextEncoder
        Run in evaluation mode without gradients (its mode is restored).
    vocab : mapping of str to int
        Word to token id, as the encoder was trained with.
    sentences : sequence of sequence of str
        Tokenised sentences, each at most ``encoder.max_len`` words.
    word : str
        The word whose occurrences are collected.
    layer : int, optional, keyword-only
        ``None`` gives the encoder's final output; ``0..N`` the input to
        (0) or output of layer :math:`\ell`, as in
        :func:`~slmsurvey.nn.contextual_embeddings`.
    pad_id : int, keyword-only
        Id used to pad the batches (never attended to).
    batch_size : int, keyword-only
        Sentences per forward pass.

    Returns
    -------
    vectors : torch.Tensor, shape (n, d_model)
        One row per occurrence, in reading order.
    where : list of (int, int)
        ``(sentence index, position)`` of each row.

    Raises
    ------
    KeyError
        If ``word`` or a word of a sentence is not in ``vocab``.
    ValueError
        If ``word`` never occurs, a sentence is empty, or ``batch_size < 1``.
    TypeError
        If a sentence is a string rather than a sequence of words.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> vocab = {"<pad>": 0, "the": 1, "bank": 2, "river": 3, "money": 4}
    >>> enc = TextEncoder(len(vocab), d_model=8, n_heads=2, n_layers=1)
    >>> sents = [["the", "river", "bank"], ["the", "bank"], ["money", "bank"]]
    >>> vecs, where = occurrence_vectors(enc, vocab, sents, "bank")
    >>> tuple(vecs.shape), where
    ((3, 8), [(0, 2), (1, 1), (2, 1)])

    "bank" at position 1 after "the" and after "money": the same input
    vector (layer 0), different contextual vectors.

    >>> h0, _ = occurrence_vectors(enc, vocab, sents, "bank", layer=0)
    >>> torch.equal(h0[1], h0[2]), torch.equal(vecs[1], vecs[2])
    (True, False)
    """
    if word not in vocab:
        raise KeyError(f"word {word!r} is not in vocab")
    batch_size = check_int(batch_size, "batch_size", 1)
    where = []
    for s_idx, s in enumerate(sentences):
        if isinstance(s, str):
            raise TypeError("sentences must be sequences of words, not strings")
        if len(s) == 0:
            raise ValueError(f"sentences[{s_idx}] is empty")
        where += [(s_idx, i) for i, w in enumerate(s) if w == word]
    if not where:
        raise ValueError(f"word {word!r} does not occur in sentences")
    needed = sorted({s for s, _ in where})
    rows: dict[int, torch.Tensor] = {}
    for start in range(0, len(needed), batch_size):
        chunk = needed[start : start + batch_size]
        lengths = torch.tensor([len(sentences[s]) for s in chunk])  # (B,)
        tokens = torch.full((len(chunk), int(lengths.max())), pad_id)  # (B, T)
        for b, s in enumerate(chunk):
            try:
                ids = [vocab[w] for w in sentences[s]]
            except KeyError as err:
                raise KeyError(
                    f"sentences[{s}] holds {err.args[0]!r}, which is not in vocab"
                ) from None
            tokens[b, : len(ids)] = torch.tensor(ids)
        z = contextual_embeddings(encoder, tokens, lengths, layer=layer)
        rows.update(zip(chunk, z, strict=True))  # each (L_b, d_model)
    vectors = torch.stack([rows[s][i] for s, i in where])  # (n, d_model)
    return vectors, where
