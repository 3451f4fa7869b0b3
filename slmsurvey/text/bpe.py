"""Byte-level byte-pair encoding (BPE).

BPE starts from a base vocabulary of symbols and greedily grows it
(Sennrich et al., 2016). Let :math:`\\mathcal{D}` be the training corpus, each
word :math:`w` written as a sequence of symbols and counted :math:`n(w)` times.
At every step the most frequent adjacent pair

.. math::

    (a^*, b^*) = \\operatorname*{arg\\,max}_{(a, b)}
        \\sum_{w \\in \\mathcal{D}} n(w)\\, c_{ab}(w),

where :math:`c_{ab}(w)` counts the occurrences of :math:`a` immediately followed
by :math:`b` in :math:`w`, becomes a new symbol :math:`a^* b^*` and replaces
every occurrence of the pair. The ordered list of merges is the model; encoding
new text replays the merges in the order they were learned.

Byte-level BPE (Radford et al., 2019) takes the 256 byte values as the base
vocabulary and the UTF-8 bytes of the text as the symbols, so every string can
be encoded (no ``<unk>``) and decoding is exact.

References
----------
.. [1] R. Sennrich, B. Haddow, A. Birch, "Neural machine translation of rare words
   with subword units", ACL 2016. arXiv:1508.07909.
.. [2] A. Radford, J. Wu, R. Child, D. Luan, D. Amodei, I. Sutskever, "Language
   models are unsupervised multitask learners", OpenAI technical report, 2019.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import pairwise

from slmsurvey.text.tokenize import _check_ids, _check_text, _check_texts

__all__ = ["BPETokenizer", "pretokenize"]

# GPT-2-like pre-tokeniser, written for the standard-library ``re``: English
# contractions, an optional space plus letters, plus digits, plus other symbols,
# then runs of whitespace (the last space of a run is left to the next word).
# Every character falls in some alternative, so the chunks cover the text.
_CHUNK_RE = re.compile(
    r"'(?:[sdmt]|ll|ve|re)| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+"
)
_N_BYTES = 256
_CACHE_SIZE = 100_000
# Python strings may hold lone surrogates; "surrogatepass" keeps them encodable.
_ERRORS = "surrogatepass"


def pretokenize(text: str) -> list[str]:
    """Split text into the chunks that BPE merges never cross.

    Parameters
    ----------
    text : str
        The text to split.

    Returns
    -------
    list of str
        Chunks whose concatenation is ``text``.

    Examples
    --------
    >>> pretokenize("Hello, world!  It's 2024.")
    ['Hello', ',', ' world', '!', ' ', ' It', "'s", ' 2024', '.']
    """
    _check_text(text, "text")
    return _CHUNK_RE.findall(text)


def _merge(symbols: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace every non-overlapping occurrence of ``pair``, left to right."""
    a, b = pair
    out, i, n = [], 0, len(symbols)
    while i < n:
        if i + 1 < n and symbols[i] == a and symbols[i + 1] == b:
            out.append(new_id)
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


class BPETokenizer:
    """Byte-level byte-pair-encoding tokenizer.

    Text is first cut into chunks by :func:`pretokenize` (merges never cross a
    chunk), each chunk is turned into its UTF-8 bytes (ids 0-255), and the
    learned merges are applied. Token ``256 + k`` is the ``k``-th merge.

    Training (:meth:`fit`) counts chunks once, keeps a table of pair counts and
    an index from each pair to the chunks that contain it, and after each merge
    updates only the chunks that contained the merged pair. The most frequent
    pair is taken from a lazy max-heap; **ties are broken by the
    lexicographically smallest pair of token ids** ``(id_a, id_b)``. Training
    stops when ``vocab_size`` tokens exist or no pair occurs at least twice.

    Parameters
    ----------
    vocab_size : int, default 512
        Size of the final vocabulary, at least 256 (the byte values).

    Attributes
    ----------
    merges_ : list of tuple of int
        The learned merges ``(id_a, id_b)``, in order; merge ``k`` creates token
        ``256 + k``.
    vocab_ : list of bytes
        The byte string of every token; a token's id is its position.

    Notes
    -----
    ``decode(encode(x)) == x`` holds for every Python string ``x``, including
    characters never seen in training (they fall back to their bytes) and lone
    surrogates (encoded with ``errors="surrogatepass"``). Decoding an arbitrary
    id sequence that is not valid UTF-8 inserts U+FFFD replacement characters.

    References
    ----------
    .. [1] R. Sennrich, B. Haddow, A. Birch, ACL 2016. arXiv:1508.07909.
    .. [2] A. Radford et al., "Language models are unsupervised multitask
       learners", 2019 (GPT-2).

    Examples
    --------
    >>> corpus = ["low low low low low lower lower newest newest newest newest",
    ...           "newest newest widest widest widest"]
    >>> bpe = BPETokenizer(vocab_size=260).fit(corpus)
    >>> bpe.vocab_[256:]
    [b'es', b'est', b'lo', b'low']
    >>> bpe.tokenize("the lowest")
    ['t', 'h', 'e', ' ', 'low', 'est']
    >>> bpe.decode(bpe.encode("the lowest ünïcode"))
    'the lowest ünïcode'
    """

    def __init__(self, vocab_size: int = 512) -> None:
        self.vocab_size = vocab_size

    def _check_params(self) -> None:
        if isinstance(self.vocab_size, bool) or not isinstance(self.vocab_size, int):
            raise TypeError(
                f"vocab_size must be an int, got {type(self.vocab_size).__name__}"
            )
        if self.vocab_size < _N_BYTES:
            raise ValueError(
                f"vocab_size must be >= {_N_BYTES} (the byte values), "
                f"got {self.vocab_size}"
            )

    def _check_fitted(self) -> None:
        if not hasattr(self, "merges_"):
            raise ValueError("this BPETokenizer is not fitted yet: call fit first")

    def fit(self, texts: Iterable[str]) -> BPETokenizer:
        """Learn merges from an iterable of training texts; returns self.

        Parameters
        ----------
        texts : iterable of str
            The training corpus; at least one string must be non-empty.

        Returns
        -------
        BPETokenizer
            ``self``, fitted.
        """
        self._check_params()
        texts = _check_texts(texts)
        chunk_counts = Counter(c for text in texts for c in _CHUNK_RE.findall(text))
        # words[j]: chunk j as a list of token ids; freqs[j]: its count n(w)
        words = [list(c.encode("utf-8", _ERRORS)) for c in chunk_counts]
        freqs = list(chunk_counts.values())

        pair_counts: dict[tuple[int, int], int] = defaultdict(int)
        where: dict[tuple[int, int], set[int]] = defaultdict(set)
        for j, (word, n) in enumerate(zip(words, freqs, strict=True)):
            for pair in pairwise(word):
                pair_counts[pair] += n
                where[pair].add(j)
        # Max-heap by count, then smallest pair; stale entries are skipped on pop.
        heap = [(-c, p) for p, c in pair_counts.items()]
        heapq.heapify(heap)

        merges: list[tuple[int, int]] = []
        vocab = [bytes([b]) for b in range(_N_BYTES)]
        while len(vocab) < self.vocab_size and heap:
            neg_count, pair = heapq.heappop(heap)
            if pair_counts.get(pair, 0) != -neg_count:
                continue  # stale entry
            if -neg_count < 2:
                break
            new_id = len(vocab)
            merges.append(pair)
            vocab.append(vocab[pair[0]] + vocab[pair[1]])
            changed = set()
            for j in where.pop(pair):
                word, n = words[j], freqs[j]
                # eq. (argmax) bookkeeping: remove the chunk's old pairs, add new
                for p in pairwise(word):
                    pair_counts[p] -= n
                    changed.add(p)
                word = words[j] = _merge(word, pair, new_id)
                for p in pairwise(word):
                    pair_counts[p] += n
                    where[p].add(j)
                    changed.add(p)
            pair_counts.pop(pair, None)
            for p in changed:
                count = pair_counts.get(p, 0)
                if count > 0:
                    heapq.heappush(heap, (-count, p))
                else:
                    pair_counts.pop(p, None)
        self.merges_ = merges
        self.vocab_ = vocab
        self._ranks = {p: _N_BYTES + k for k, p in enumerate(merges)}
        self._cache: dict[str, list[int]] = {}
        return self

    def _encode_chunk(self, chunk: str) -> list[int]:
        """Apply the merges to one chunk, lowest rank (earliest merge) first."""
        ids = self._cache.get(chunk)
        if ids is not None:
            return ids
        ids = list(chunk.encode("utf-8", _ERRORS))
        ranks = self._ranks
        while len(ids) >= 2:
            pair = min(pairwise(ids), key=lambda p: ranks.get(p, float("inf")))
            if pair not in ranks:
                break
            ids = _merge(ids, pair, ranks[pair])
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[chunk] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        """Encode text as token ids.

        Parameters
        ----------
        text : str
            Any string.

        Returns
        -------
        list of int
            Token ids in ``[0, len(vocab_))``.
        """
        self._check_fitted()
        _check_text(text, "text")
        return [
            i for chunk in _CHUNK_RE.findall(text) for i in self._encode_chunk(chunk)
        ]

    def decode(self, ids: Iterable[int]) -> str:
        """Decode token ids to text.

        Parameters
        ----------
        ids : iterable of int
            Token ids in ``[0, len(vocab_))``.

        Returns
        -------
        str
            The UTF-8 decoding of the tokens' concatenated bytes; invalid
            sequences become U+FFFD.
        """
        self._check_fitted()
        data = b"".join(self.vocab_[i] for i in _check_ids(ids, len(self.vocab_)))
        try:
            return data.decode("utf-8", _ERRORS)
        except UnicodeDecodeError:
            return data.decode("utf-8", "replace")

    def tokenize(self, text: str) -> list[str]:
        """Encode text and return each token as a string.

        Token bytes are decoded with ``errors="replace"``, so a token holding
        only part of a multi-byte character shows as U+FFFD.

        Parameters
        ----------
        text : str
            Any string.

        Returns
        -------
        list of str
            One string per id of :meth:`encode`.
        """
        return [self.vocab_[i].decode("utf-8", "replace") for i in self.encode(text)]
