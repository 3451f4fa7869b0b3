r"""n-gram language models: maximum likelihood, add-k and Kneser-Ney.

An n-gram model truncates the chain rule to the last :math:`n-1` tokens,

.. math::

    P(w_1, \dots, w_N) = \prod_{t=1}^{N} P(w_t \mid w_{<t})
    \approx \prod_{t=1}^{N} P(w_t \mid w_{t-n+1}, \dots, w_{t-1}),

with each sentence padded by :math:`n-1` start symbols ``<s>`` on the left and
one end symbol ``</s>`` on the right, so that where a sentence stops is
predicted like any word. Words not seen in training map to ``<unk>``. The
vocabulary of predicted tokens is the training words, ``</s>`` and ``<unk>``;
``<s>`` is only ever context.

Notation: :math:`c(h\,w)` is the count of word :math:`w` after context
:math:`h`, :math:`c(h) = \sum_w c(h\,w)`, :math:`N_{1+}(h\,\bullet)` the number
of distinct words seen after :math:`h`, :math:`V` the vocabulary size.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import repeat

import numpy as np

from slmsurvey.metrics.perplexity import perplexity as _perplexity

__all__ = ["BOS", "EOS", "UNK", "NGramLM"]

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
_SMOOTHINGS = ("kneser_ney", "add_k", "mle")
_BOS_ID = -1  # context-only symbol, outside the predicted vocabulary


class NGramLM:
    r"""An n-gram language model over string tokens.

    Three estimators of :math:`P(w \mid h)`, for a context :math:`h` of the
    last :math:`n-1` tokens:

    ``"mle"``, maximum likelihood (relative frequency),

    .. math:: P(w \mid h) = \frac{c(h\,w)}{c(h)},

    falling back to the longest suffix of :math:`h` seen in training. Unseen
    events get probability 0, hence infinite perplexity.

    ``"add_k"``, additive (Laplace for :math:`k = 1`) smoothing,

    .. math:: P(w \mid h) = \frac{c(h\,w) + k}{c(h) + kV}.

    ``"kneser_ney"``, interpolated Kneser-Ney with one absolute discount
    :math:`D_m` per order :math:`m`,

    .. math::

        P_m(w \mid h) = \frac{\max(a(h\,w) - D_m, 0)}{a(h)}
        + \frac{D_m\, N_{1+}(h\,\bullet)}{a(h)}\, P_{m-1}(w \mid h'),

    where :math:`h'` drops the oldest token of :math:`h`, :math:`P_0 = 1/V`,
    and the adjusted count :math:`a` is the raw count at the highest order
    (and for contexts that begin with ``<s>``) and the continuation count
    :math:`N_{1+}(\bullet\,h\,w)` (the number of distinct words seen before
    :math:`h\,w`) below it. An order whose context was never seen passes the
    lower-order estimate through unchanged. By default
    :math:`D_m = n_1 / (n_1 + 2 n_2)` from the numbers :math:`n_1, n_2` of
    n-grams with adjusted count one and two.

    Parameters
    ----------
    order : int
        :math:`n`: 1 for a unigram model, 2 for bigrams, 3 for trigrams...
    smoothing : {"kneser_ney", "add_k", "mle"}
        The estimator.
    k : float, keyword-only
        Pseudo-count for ``"add_k"``; must be positive.
    discount : float, optional, keyword-only
        A fixed Kneser-Ney discount in (0, 1) for every order, instead of
        the estimate above.

    Attributes
    ----------
    vocab_ : tuple of str
        Predicted vocabulary: training words (sorted), ``</s>``, ``<unk>``.
    counts_ : list of dict
        ``counts_[m - 1][h][w]``: the (adjusted, for Kneser-Ney) count of
        vocabulary index ``w`` after the context ``h`` (a tuple of ``m - 1``
        indices, ``-1`` standing for ``<s>``).
    discounts_ : list of float
        :math:`D_1, \dots, D_n` (Kneser-Ney only; empty otherwise).

    References
    ----------
    Kneser & Ney (1995), doi:10.1109/ICASSP.1995.479394. Chen & Goodman
    (1999), "An empirical study of smoothing techniques for language
    modeling", doi:10.1006/csla.1999.0128. Jurafsky & Martin, *Speech and
    Language Processing* (3rd ed. draft), chapter 3.

    Examples
    --------
    >>> corpus = [["the", "cat", "sat"], ["the", "dog", "sat"]]
    >>> lm = NGramLM(order=2, smoothing="mle").fit(corpus)
    >>> lm.prob("cat", ["the"])
    0.5
    >>> lm.prob("sat", ["the", "dog"])
    1.0
    >>> round(lm.perplexity([["the", "cat", "sat"]]), 4)
    1.1892
    >>> kn = NGramLM(order=2).fit(corpus)
    >>> round(float(kn.distribution(["the"]).sum()), 12)
    1.0
    """

    def __init__(
        self,
        order: int = 3,
        smoothing: str = "kneser_ney",
        *,
        k: float = 1.0,
        discount: float | None = None,
    ) -> None:
        if not isinstance(order, int) or isinstance(order, bool):
            raise TypeError(f"order must be an int, got {type(order).__name__}")
        if order < 1:
            raise ValueError(f"order must be at least 1, got {order}")
        if smoothing not in _SMOOTHINGS:
            raise ValueError(
                f"unknown smoothing {smoothing!r}; choose one of {_SMOOTHINGS}"
            )
        if not k > 0:
            raise ValueError(f"k must be positive, got {k}")
        if discount is not None and not 0 < discount < 1:
            raise ValueError(f"discount must lie in (0, 1), got {discount}")
        self.order = order
        self.smoothing = smoothing
        self.k = k
        self.discount = discount

    def __repr__(self) -> str:
        return f"NGramLM(order={self.order}, smoothing={self.smoothing!r})"

    # ------------------------------------------------------------------ fit
    def fit(self, sentences: Iterable[Sequence[str]]) -> NGramLM:
        """Count n-grams in ``sentences`` (each a list of string tokens).

        Returns
        -------
        NGramLM
            ``self``, fitted.
        """
        sentences = [_check_sentence(s, "sentences") for s in sentences]
        if not any(sentences):
            raise ValueError("sentences is empty: the corpus has no tokens")
        seen = set().union(*sentences)
        if BOS in seen or EOS in seen:
            raise ValueError(
                "sentences must not contain '<s>' or '</s>': the model adds them"
            )
        self.vocab_ = (*sorted(seen - {UNK}), EOS, UNK)
        self._index = {w: i for i, w in enumerate(self.vocab_)}
        n, index = self.order, self._index
        # Raw counts at the highest order: one n-gram per predicted token.
        top: dict = defaultdict(dict)
        for sentence in sentences:
            ids = [_BOS_ID] * (n - 1) + [index[w] for w in sentence] + [index[EOS]]
            for t in range(n - 1, len(ids)):
                followers, w = top[tuple(ids[t - n + 1 : t])], ids[t]
                followers[w] = followers.get(w, 0) + 1
        counts = [dict(top)]
        for m in range(n - 1, 0, -1):  # orders n-1 ... 1, from the one above
            counts.insert(0, self._lower_order(counts[0], m))
        self.counts_ = counts
        self._totals: list[dict] = [{} for _ in counts]  # filled as contexts are met
        self.discounts_ = (
            [self._estimate_discount(level) for level in counts]
            if self.smoothing == "kneser_ney"
            else []
        )
        return self

    def _lower_order(self, upper: dict, m: int) -> dict:
        """Counts of order ``m`` from those of order ``m + 1``."""
        lower: dict = defaultdict(dict)
        continuation = self.smoothing == "kneser_ney"
        for h_up, followers in upper.items():
            h = h_up[1:]  # drop the oldest token
            into = lower[h]
            if continuation and not (m > 1 and h[0] == _BOS_ID):
                for w in followers:  # continuation counts: distinct h_up[0]
                    into[w] = into.get(w, 0) + 1
            else:
                for w, c in followers.items():  # raw counts add up
                    into[w] = into.get(w, 0) + c
        return dict(lower)

    def _estimate_discount(self, level: dict) -> float:
        if self.discount is not None:
            return self.discount
        count_of_counts = Counter(c for f in level.values() for c in f.values())
        n1, n2 = count_of_counts[1], count_of_counts[2]
        return n1 / (n1 + 2 * n2) if n1 and n2 else 0.75

    # ------------------------------------------------------------ scoring
    def _check_fitted(self) -> None:
        if not hasattr(self, "vocab_"):
            raise ValueError("this NGramLM is not fitted yet: call fit(sentences)")

    def _context_ids(self, context: Sequence[str]) -> tuple[int, ...]:
        context = _check_sentence(context, "context")
        unk = self._index[UNK]
        recent = context[len(context) - (self.order - 1) :] if self.order > 1 else []
        ids = [_BOS_ID if w == BOS else self._index.get(w, unk) for w in recent]
        return (_BOS_ID,) * (self.order - 1 - len(ids)) + tuple(ids)

    def _probs(self, h: tuple[int, ...], ws: np.ndarray) -> np.ndarray:
        """P(w | h) for the vocabulary indices ``ws`` (h already padded)."""

        def count(m: int, h_m: tuple[int, ...]):
            followers = self.counts_[m - 1].get(h_m)
            if not followers:
                return None, 0, 0
            c = np.fromiter((followers.get(w, 0) for w in ws), float, len(ws))
            totals = self._totals[m - 1]
            if h_m not in totals:  # c(h) and N1+(h .), once per context
                totals[h_m] = sum(followers.values()), len(followers)
            return c, *totals[h_m]

        n, V = self.order, len(self.vocab_)
        if self.smoothing == "add_k":
            c, total, _ = count(n, h)
            c = np.zeros(len(ws)) if c is None else c
            return (c + self.k) / (total + self.k * V)
        if self.smoothing == "mle":
            for m in range(n, 0, -1):  # longest seen suffix of the context
                c, total, _ = count(m, h[n - m :])
                if c is not None:
                    return c / total
        p = np.full(len(ws), 1.0 / V)  # P_0: uniform
        for m in range(1, n + 1):
            c, a_h, types = count(m, h[n - m :])
            if c is None:
                continue  # unseen context: pass the lower order through
            D = self.discounts_[m - 1]
            # eq. (kneser-ney): discounted estimate + back-off mass * P_{m-1}
            p = np.maximum(c - D, 0.0) / a_h + (D * types / a_h) * p
        return p

    def prob(self, word: str, context: Sequence[str] = ()) -> float:
        """:math:`P(\\text{word} \\mid \\text{context})`; context is the list of
        preceding tokens of the sentence (shorter than ``order - 1`` means
        the sentence has just begun)."""
        self._check_fitted()
        if not isinstance(word, str):
            raise TypeError(f"word must be a str, got {type(word).__name__}")
        if word == BOS:
            raise ValueError("word must not be '<s>': it is never predicted")
        w = self._index.get(word, self._index[UNK])
        return float(self._probs(self._context_ids(context), np.array([w]))[0])

    def distribution(self, context: Sequence[str] = ()) -> np.ndarray:
        """The next-token distribution after ``context``, aligned with
        ``vocab_``; it sums to 1 for every context, seen or not."""
        self._check_fitted()
        return self._probs(self._context_ids(context), np.arange(len(self.vocab_)))

    def token_logprobs(
        self, sentence: Sequence[str], *, base: float = 2.0
    ) -> list[float]:
        """:math:`\\log_b P(w_t \\mid w_{<t})` for each token of ``sentence``
        and for the closing ``</s>``: the factors of the chain rule."""
        self._check_fitted()
        sentence = [*_check_sentence(sentence, "sentence"), EOS]
        out = []
        for t, word in enumerate(sentence):
            p = self.prob(word, sentence[:t])
            if p == 0.0:
                warnings.warn(
                    f"P({word!r} | {sentence[max(0, t - self.order + 1) : t]}) "
                    "= 0: maximum likelihood gives events unseen in training "
                    "zero probability, so the log-probability is -inf and the "
                    "perplexity infinite; use smoothing='kneser_ney' or 'add_k'",
                    RuntimeWarning,
                    stacklevel=2,
                )
            out.append(math.log(p, base) if p > 0 else -math.inf)
        return out

    def logprob(self, sentence: Sequence[str], *, base: float = 2.0) -> float:
        """:math:`\\log_b P(\\text{sentence}, \\texttt{</s>})` by the chain rule."""
        return float(sum(self.token_logprobs(sentence, base=base)))

    def perplexity(self, sentences: Iterable[Sequence[str]]) -> float:
        """Perplexity per predicted token (words and ``</s>``) of a corpus."""
        log_probs = [lp for s in sentences for lp in self.token_logprobs(s)]
        if not log_probs:
            raise ValueError("sentences is empty")
        return _perplexity(log_probs, base=2.0)

    def generate(
        self,
        *,
        max_len: int = 30,
        seed: int | None = None,
        context: Sequence[str] = (),
    ) -> list[str]:
        """Sample one sentence (without ``</s>``), continuing ``context``."""
        self._check_fitted()
        if max_len < 1:
            raise ValueError(f"max_len must be at least 1, got {max_len}")
        rng = np.random.default_rng(seed)
        out = list(_check_sentence(context, "context"))
        for _ in range(max_len):
            p = self.distribution(out)
            word = self.vocab_[rng.choice(len(p), p=p / p.sum())]
            if word == EOS:
                break
            out.append(word)
        return out[len(context) :]


def _check_sentence(sentence, name: str) -> list[str]:
    if isinstance(sentence, str):
        raise TypeError(
            f"{name} must hold lists of string tokens, not a str "
            f"(got {sentence[:30]!r}); split it into tokens first"
        )
    sentence = list(sentence)
    if not all(map(isinstance, sentence, repeat(str))):
        raise TypeError(f"{name} must contain string tokens only")
    return sentence
