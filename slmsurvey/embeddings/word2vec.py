r"""Static word vectors: word2vec's skip-gram with negative sampling (SGNS).

Every word :math:`w` of the vocabulary owns two vectors: an input ("centre")
vector :math:`v_w` and an output ("context") vector :math:`v'_w`. For each
centre word :math:`w_I` and each word :math:`w_O` within ``window``
positions of it, training maximises

.. math::

    \log \sigma\!\left({v'_{w_O}}^{\top} v_{w_I}\right)
    + \sum_{k=1}^{K} \mathbb{E}_{w_k \sim P_n(w)}
      \left[\log \sigma\!\left(-{v'_{w_k}}^{\top} v_{w_I}\right)\right],
    \qquad P_n(w) = \frac{c(w)^{3/4}}{\sum_u c(u)^{3/4}},

(Mikolov et al. 2013b, eq. 4): the true context word should score high, and
:math:`K` "noise" words drawn from the unigram counts :math:`c(w)` raised to
the power 3/4 should score low. Frequent words can be thinned first: each
occurrence is kept with probability :math:`\min(1, \sqrt{t / f(w)})`, with
:math:`f(w)` the word's relative frequency (eq. 5).

The result is *static*: one vector :math:`v_w` per word type, whatever the
sentence. A word with two meanings gets one vector, a blend of both.

Symbols and code: :math:`v` is ``W_in`` (rows are :math:`v_w`), :math:`v'` is
``W_out``; :math:`K` is ``negatives``; :math:`P_n` is
:func:`noise_distribution`; :math:`t` is ``subsample``.

References
----------
Mikolov, Chen, Corrado & Dean (2013a), "Efficient estimation of word
representations in vector space". arXiv:1301.3781. Mikolov, Sutskever, Chen,
Corrado & Dean (2013b), "Distributed representations of words and phrases
and their compositionality", NeurIPS. arXiv:1310.4546.
"""

# Shapes: V vocabulary, d vector size, P (centre, context) pairs,
#         B pairs in a batch, K negatives per pair.

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import torch
import torch.nn.functional as torch_F

from slmsurvey._checks import check_int, check_real
from slmsurvey.embeddings.similarity import nearest_neighbours

__all__ = ["Word2Vec", "noise_distribution", "sgns_loss", "skipgram_pairs"]


def sgns_loss(
    v_I: torch.Tensor, v_O_prime: torch.Tensor, v_neg_prime: torch.Tensor
) -> torch.Tensor:
    r"""Mean negative-sampling loss of a batch of (centre, context) pairs.

    .. math::

        \mathcal{L} = -\frac{1}{B} \sum_{b=1}^{B} \Bigl[
        \log \sigma\bigl({v'_{O,b}}^{\top} v_{I,b}\bigr)
        + \sum_{k=1}^{K} \log \sigma\bigl(-{v'_{k,b}}^{\top} v_{I,b}\bigr)
        \Bigr]

    Parameters
    ----------
    v_I : torch.Tensor, shape (B, d)
        Input vectors of the centre words.
    v_O_prime : torch.Tensor, shape (B, d)
        Output vectors of the observed context words.
    v_neg_prime : torch.Tensor, shape (B, K, d)
        Output vectors of the K noise words of each pair.

    Returns
    -------
    torch.Tensor
        A scalar (differentiable).

    Raises
    ------
    ValueError
        If the shapes disagree.

    References
    ----------
    Mikolov et al. (2013b), eq. (4). arXiv:1310.4546.

    Examples
    --------
    With all vectors zero every score is 0 and each term is
    :math:`\log \sigma(0) = -\log 2`:

    >>> z = torch.zeros(3, 4)
    >>> round(sgns_loss(z, z, torch.zeros(3, 5, 4)).item(), 4)  # 6 log 2
    4.1589
    """
    if v_I.ndim != 2 or v_O_prime.shape != v_I.shape:
        raise ValueError(
            "v_I and v_O_prime must both have shape (B, d), got "
            f"{tuple(v_I.shape)} and {tuple(v_O_prime.shape)}"
        )
    if v_neg_prime.ndim != 3 or v_neg_prime.shape[::2] != v_I.shape:
        raise ValueError(
            f"v_neg_prime must have shape (B, K, d) = ({v_I.shape[0]}, K, "
            f"{v_I.shape[1]}), got {tuple(v_neg_prime.shape)}"
        )
    positive = (v_O_prime * v_I).sum(-1)  # (B,)
    # (B, K, d) @ (B, d, 1) -> (B, K, 1)
    negative = (v_neg_prime @ v_I.unsqueeze(-1)).squeeze(-1)  # (B, K)
    # eq. (4): log sigma(s) for the context word, log sigma(-s) for the noise
    per_pair = torch_F.logsigmoid(positive) + torch_F.logsigmoid(-negative).sum(-1)
    return -per_pair.mean()


def noise_distribution(counts: Sequence[float], power: float = 0.75) -> np.ndarray:
    r"""The unigram distribution raised to ``power`` and renormalised.

    .. math::

        P_n(w) = \frac{c(w)^{\alpha}}{\sum_u c(u)^{\alpha}},
        \qquad \alpha = 3/4

    Raising to :math:`\alpha < 1` flattens the distribution: rare words are
    drawn as noise more often than their frequency alone would give.

    Parameters
    ----------
    counts : sequence of float, shape (V,)
        Non-negative counts, not all zero.
    power : float
        :math:`\alpha \ge 0`.

    Returns
    -------
    numpy.ndarray, shape (V,)
        Probabilities summing to 1.

    Raises
    ------
    ValueError
        If ``counts`` is empty, negative, non-finite or all zero, or
        ``power`` is negative.

    Examples
    --------
    >>> noise_distribution([16, 1]).round(3)  # 16**0.75 = 8
    array([0.889, 0.111])
    """
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 1 or c.size == 0:
        raise ValueError(f"counts must be a non-empty 1-D sequence, got {c.shape}")
    if not np.isfinite(c).all() or (c < 0).any():
        raise ValueError("counts must be finite and non-negative")
    if not c.any():
        raise ValueError("counts are all zero")
    power = check_real(power, "power", low=0.0)
    p = c**power * (c > 0)
    return p / p.sum()


def skipgram_pairs(sentences: Sequence[Sequence[int]], window: int) -> np.ndarray:
    r"""Every (centre, context) pair of word ids at distance :math:`\le` window.

    .. math::

        \{(w_t, w_{t+j}) : 1 \le |j| \le \text{window}\}

    Parameters
    ----------
    sentences : sequence of sequence of int
        Word ids; pairs never cross a sentence boundary.
    window : int
        At least 1.

    Returns
    -------
    numpy.ndarray of int64, shape (P, 2)

    Examples
    --------
    >>> skipgram_pairs([[0, 1, 2]], window=1).tolist()
    [[0, 1], [1, 0], [1, 2], [2, 1]]
    """
    window = check_int(window, "window", 1)
    pairs = []
    for ids in sentences:
        ids = np.asarray(ids, dtype=np.int64)
        n = ids.size
        for t in range(n):
            lo, hi = max(0, t - window), min(n, t + window + 1)
            ctx = np.concatenate([ids[lo:t], ids[t + 1 : hi]])
            pairs.append(np.stack([np.full(ctx.size, ids[t]), ctx], axis=1))
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    return np.concatenate(pairs).astype(np.int64)  # (P, 2)


class Word2Vec:
    r"""Skip-gram with negative sampling, trained from scratch in torch.

    Parameters
    ----------
    dim : int
        Vector size :math:`d \ge 1`.
    window : int
        Context half-width, at least 1.
    negatives : int
        :math:`K \ge 1` noise words per pair.
    min_count : int
        Words seen fewer times are dropped before training (at least 1).
    subsample : float, optional
        Threshold :math:`t > 0` for thinning frequent words; ``None`` (the
        default) keeps every occurrence.
    lr : float
        Adam's learning rate.
    batch_size : int
        Pairs per step.
    seed : int
        Seeds the initialisation, the subsampling, the shuffling and the
        noise words: the same seed gives the same vectors.

    Attributes
    ----------
    vocab_ : list of str
        Kept words, most frequent first (ties alphabetical).
    counts_ : numpy.ndarray of int, shape (V,)
        Their counts.
    W_in_, W_out_ : torch.Tensor, shape (V, d)
        The input vectors :math:`v` and output vectors :math:`v'`.
    losses_ : list of float
        Mean loss of each epoch.

    Examples
    --------
    "a" and "b" share their contexts ("x _ y"), as do "c" and "d":

    >>> sents = [["x", "a", "y"], ["x", "b", "y"], ["p", "c", "q"],
    ...          ["p", "d", "q"]] * 20
    >>> model = Word2Vec(dim=8, window=1, lr=0.05, batch_size=64, seed=0)
    >>> model = model.fit(sents, epochs=20)
    >>> model.vectors.shape
    (8, 8)
    >>> [w for w, _ in model.most_similar("a", k=1)]
    ['b']
    """

    def __init__(
        self,
        dim: int = 32,
        window: int = 2,
        negatives: int = 5,
        *,
        min_count: int = 1,
        subsample: float | None = None,
        lr: float = 0.02,
        batch_size: int = 256,
        seed: int = 0,
    ) -> None:
        self.dim = dim
        self.window = window
        self.negatives = negatives
        self.min_count = min_count
        self.subsample = subsample
        self.lr = lr
        self.batch_size = batch_size
        self.seed = seed

    def _check_params(self) -> None:
        check_int(self.dim, "dim", 1)
        check_int(self.window, "window", 1)
        check_int(self.negatives, "negatives", 1)
        check_int(self.min_count, "min_count", 1)
        check_int(self.batch_size, "batch_size", 1)
        check_int(self.seed, "seed", 0)
        check_real(self.lr, "lr", low=0.0, open_low=True)
        if self.subsample is not None:
            check_real(self.subsample, "subsample", low=0.0, open_low=True)

    def fit(
        self,
        sentences: Iterable[Sequence[str]],
        epochs: int = 5,
        *,
        progress: bool = False,
    ) -> Word2Vec:
        """Build the vocabulary and train the vectors; returns ``self``.

        Parameters
        ----------
        sentences : iterable of sequence of str
            Tokenised sentences.
        epochs : int
            Passes over all (centre, context) pairs, at least 1.
        progress : bool, keyword-only
            Show a tqdm progress bar over the epochs.

        Raises
        ------
        ValueError
            If a hyper-parameter is out of range, or no sentence has two
            kept words (no pairs to train on).
        TypeError
            If a sentence is a string rather than a sequence of words.
        """
        self._check_params()
        epochs = check_int(epochs, "epochs", 1)
        sentences = list(sentences)
        for s in sentences:
            if isinstance(s, str):
                raise TypeError("sentences must be sequences of words, not strings")
        counts = Counter(w for s in sentences for w in s)
        kept = sorted(
            (w for w, c in counts.items() if c >= self.min_count),
            key=lambda w: (-counts[w], w),
        )
        if not kept:
            raise ValueError(
                f"sentences hold no word seen min_count={self.min_count} times"
            )
        self.vocab_ = kept
        self._index = {w: i for i, w in enumerate(kept)}
        self.counts_ = np.array([counts[w] for w in kept], dtype=np.int64)
        ids = [[self._index[w] for w in s if w in self._index] for s in sentences]

        rng = np.random.default_rng(self.seed)
        gen = torch.Generator().manual_seed(self.seed)
        V, d, K = len(kept), self.dim, self.negatives
        # v and v' (Mikolov et al.): small random inputs, zero outputs
        self.W_in_ = ((torch.rand(V, d, generator=gen) - 0.5) / d).requires_grad_()
        self.W_out_ = torch.zeros(V, d, requires_grad=True)
        P_n = torch.as_tensor(noise_distribution(self.counts_), dtype=torch.float)
        optimizer = torch.optim.Adam([self.W_in_, self.W_out_], lr=self.lr)
        keep_p = None
        if self.subsample is not None:
            f = self.counts_ / self.counts_.sum()
            keep_p = np.minimum(1.0, np.sqrt(self.subsample / f))  # eq. (5)
        all_pairs = skipgram_pairs(ids, self.window)  # (P, 2)
        if all_pairs.shape[0] == 0:
            raise ValueError("sentences give no (centre, context) pairs to train on")

        self.losses_: list[float] = []
        bar = range(epochs)
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(bar, desc="word2vec")
        for _ in bar:
            if keep_p is None:
                pairs = all_pairs
            else:
                thinned = [[w for w in s if rng.random() < keep_p[w]] for s in ids]
                pairs = skipgram_pairs(thinned, self.window)
            order = torch.as_tensor(rng.permutation(pairs.shape[0]))
            pairs_t = torch.as_tensor(pairs)[order]  # (P, 2)
            total = 0.0
            for start in range(0, pairs_t.shape[0], self.batch_size):
                batch = pairs_t[start : start + self.batch_size]  # (B, 2)
                B = batch.shape[0]
                neg = torch.multinomial(P_n, B * K, replacement=True, generator=gen)
                loss = sgns_loss(
                    self.W_in_[batch[:, 0]],  # (B, d)
                    self.W_out_[batch[:, 1]],  # (B, d)
                    self.W_out_[neg.view(B, K)],  # (B, K, d)
                )
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * B
            self.losses_.append(total / max(1, pairs_t.shape[0]))
        self.W_in_ = self.W_in_.detach()
        self.W_out_ = self.W_out_.detach()
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "W_in_"):
            raise ValueError("this Word2Vec is not fitted yet; call fit first")

    @property
    def vectors(self) -> np.ndarray:
        """The input vectors :math:`v_w` as a (V, d) float64 array."""
        self._check_fitted()
        return self.W_in_.numpy().astype(np.float64)

    def vector(self, word: str) -> np.ndarray:
        """The vector :math:`v_w` (d,) of ``word``; KeyError names an unknown word."""
        self._check_fitted()
        if word not in self._index:
            raise KeyError(f"word {word!r} is not in the vocabulary")
        return self.vectors[self._index[word]]

    def most_similar(self, word: str, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` words whose vectors are most cosine-similar to ``word``'s.

        Uses :func:`~slmsurvey.embeddings.nearest_neighbours`, leaving the
        word itself out; returns ``(word, similarity)`` pairs, best first.
        """
        self._check_fitted()
        if word not in self._index:
            raise KeyError(f"word {word!r} is not in the vocabulary")
        hits = nearest_neighbours(self.vectors, self._index[word], k=k)
        return [(self.vocab_[i], s) for i, s in hits]
