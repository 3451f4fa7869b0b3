r"""One subword vocabulary for many languages: balanced sampling and fertility.

A multilingual model shares one vocabulary between its languages. The
vocabulary is learned from a sample of the training text, and the sample
decides which language's words become single tokens. Drawn in proportion to
the data, it is dominated by the high-resource languages. XLM and XLM-R
therefore sample language :math:`l` with an exponentially smoothed
probability (Conneau & Lample 2019, sec. 3.1; Conneau et al. 2020, sec. 3):

.. math::

    q_l = \frac{p_l^{\alpha}}{\sum_{k} p_k^{\alpha}}, \qquad
    p_l = \frac{n_l}{\sum_{k} n_k},

where :math:`n_l` is the amount of text in language :math:`l`. With
:math:`\alpha = 1` the sample follows the data, with :math:`\alpha = 0` every
language is equally likely, and values in between (0.5 in XLM, 0.3 in
XLM-R) move probability from the large languages to the small ones.

How well a vocabulary serves a language is measured by its *fertility*
(Rust et al. 2021), the mean number of tokens per word:

.. math::

    \mathrm{fertility} = \frac{\sum_{w} |\mathrm{tok}(w)|}{\#\,\text{words}},

1 when every word is a single token, and larger the more a language's words
are cut into pieces. Words here are the letter and digit chunks of
:func:`slmsurvey.text.bpe.pretokenize` (a word with its leading space, as it
appears in running text); punctuation and whitespace chunks are not words.

Symbols and code: :math:`n_l` is ``sizes[l]``, :math:`\alpha` is ``alpha``,
:math:`q_l` the returned probabilities.

References
----------
Conneau & Lample (2019), "Cross-lingual language model pretraining".
arXiv:1901.07291.
Conneau et al. (2020), "Unsupervised cross-lingual representation learning
at scale". arXiv:1911.02116.
Rust et al. (2021), "How good is your tokenizer? On the monolingual
performance of multilingual language models". arXiv:2012.15613.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from slmsurvey._checks import check_int, check_real
from slmsurvey.text.bpe import BPETokenizer, pretokenize

__all__ = [
    "balanced_sample",
    "fertility",
    "fertility_by_language",
    "language_sampling_probabilities",
    "train_shared_bpe",
]


def _check_sizes(sizes: object) -> dict[str, float]:
    if not isinstance(sizes, Mapping) or not sizes:
        raise ValueError("sizes must be a non-empty mapping language -> amount")
    out = {}
    for language, n in sizes.items():
        value = check_real(n, f"sizes[{language!r}]", low=0.0)
        out[language] = value
    if not any(out.values()):
        raise ValueError("sizes must have at least one positive amount")
    return out


def language_sampling_probabilities(
    sizes: Mapping[str, float], alpha: float
) -> dict[str, float]:
    r"""Exponentially smoothed language sampling probabilities :math:`q_l`.

    .. math::

        q_l = \frac{p_l^{\alpha}}{\sum_k p_k^{\alpha}}, \qquad
        p_l = \frac{n_l}{\sum_k n_k}

    Parameters
    ----------
    sizes : mapping str -> float
        :math:`n_l`, the amount of data of each language (lines, words or
        bytes), non-negative, at least one positive.
    alpha : float
        :math:`\alpha \ge 0`; 1 follows the data, 0 is uniform over the
        languages that have data.

    Returns
    -------
    dict str -> float
        :math:`q_l`, in the order of ``sizes``; they sum to 1. A language
        without data gets 0 for every :math:`\alpha`.

    Examples
    --------
    >>> q = language_sampling_probabilities({"en": 900, "sw": 100}, 1.0)
    >>> {k: round(v, 3) for k, v in q.items()}
    {'en': 0.9, 'sw': 0.1}
    >>> q = language_sampling_probabilities({"en": 900, "sw": 100}, 0.5)
    >>> {k: round(v, 3) for k, v in q.items()}  # 3:1 instead of 9:1
    {'en': 0.75, 'sw': 0.25}
    """
    n = _check_sizes(sizes)
    a = check_real(alpha, "alpha", low=0.0)
    total = sum(n.values())
    p = np.array([v / total for v in n.values()])
    # eq. (sampling): p_l^alpha, zero stays zero even for alpha = 0
    weights = np.where(p > 0, p**a, 0.0)
    q = weights / weights.sum()
    return {language: float(v) for language, v in zip(n, q, strict=True)}


def _check_corpus(texts_by_language: object) -> dict[str, list[str]]:
    if not isinstance(texts_by_language, Mapping) or not texts_by_language:
        raise ValueError(
            "texts_by_language must be a non-empty mapping language -> list of str"
        )
    out = {}
    for language, texts in texts_by_language.items():
        if isinstance(texts, str) or not isinstance(texts, Sequence):
            raise TypeError(
                f"texts_by_language[{language!r}] must be a list of str, "
                f"got {type(texts).__name__}"
            )
        if not texts or not all(isinstance(t, str) and t for t in texts):
            raise ValueError(
                f"texts_by_language[{language!r}] must hold at least one "
                "text, and only non-empty str"
            )
        out[language] = list(texts)
    return out


def balanced_sample(
    texts_by_language: Mapping[str, Sequence[str]],
    alpha: float,
    *,
    n_texts: int | None = None,
    seed: int = 0,
) -> dict[str, list[str]]:
    r"""Draw a training sample with language probabilities :math:`q_l`.

    Language :math:`l` contributes :math:`\mathrm{round}(q_l N)` texts
    (at least one), drawn with replacement from its own texts, so a small
    language's texts are repeated when :math:`\alpha < 1` (as in XLM).

    Parameters
    ----------
    texts_by_language : mapping str -> list of str
        Each language's texts; :math:`n_l` is the number of texts.
    alpha : float
        :math:`\alpha \ge 0` of :func:`language_sampling_probabilities`.
    n_texts : int, keyword-only, optional
        :math:`N`, the sample size; default the total number of texts.
    seed : int, keyword-only

    Returns
    -------
    dict str -> list of str
        The sample, per language.

    Examples
    --------
    >>> data = {"en": ["the dog"] * 90, "sw": ["mbwa"] * 10}
    >>> {k: len(v) for k, v in balanced_sample(data, 0.0).items()}
    {'en': 50, 'sw': 50}
    """
    corpus = _check_corpus(texts_by_language)
    q = language_sampling_probabilities({k: len(v) for k, v in corpus.items()}, alpha)
    total = sum(len(v) for v in corpus.values())
    N = total if n_texts is None else check_int(n_texts, "n_texts", 1)
    rng = np.random.default_rng(seed)
    sample = {}
    for language, texts in corpus.items():
        k = max(1, int(round(q[language] * N)))
        picks = rng.integers(0, len(texts), size=k)
        sample[language] = [texts[i] for i in picks]
    return sample


def train_shared_bpe(
    texts_by_language: Mapping[str, Sequence[str]],
    vocab_size: int,
    *,
    alpha: float = 0.3,
    n_texts: int | None = None,
    seed: int = 0,
) -> BPETokenizer:
    r"""Learn one byte-level BPE vocabulary from a balanced multilingual sample.

    Draws :func:`balanced_sample` with :math:`q_l \propto p_l^{\alpha}` and
    fits a :class:`~slmsurvey.text.BPETokenizer` on it.

    Parameters
    ----------
    texts_by_language : mapping str -> list of str
    vocab_size : int
        Final vocabulary size (at least 256, the byte values).
    alpha : float, keyword-only
        0.3 as in XLM-R by default.
    n_texts : int, keyword-only, optional
        Sample size :math:`N`; default the total number of texts.
    seed : int, keyword-only

    Returns
    -------
    BPETokenizer
        Fitted.

    Examples
    --------
    >>> data = {"en": ["water water house"] * 50, "fi": ["vesi talo"] * 2}
    >>> by_data = train_shared_bpe(data, 262, alpha=1.0)
    >>> uniform = train_shared_bpe(data, 262, alpha=0.0)
    >>> fertility(by_data, ["vesi talo"]) > fertility(uniform, ["vesi talo"])
    True
    """
    sample = balanced_sample(texts_by_language, alpha, n_texts=n_texts, seed=seed)
    texts = [t for language in sample for t in sample[language]]
    return BPETokenizer(vocab_size=vocab_size).fit(texts)


def _is_word(chunk: str) -> bool:
    return any(c.isalnum() for c in chunk)


def fertility(tokenizer: Any, texts: Sequence[str]) -> float:
    r"""Mean number of tokens per word, :math:`\sum_w |\mathrm{tok}(w)| / \#w`.

    Parameters
    ----------
    tokenizer : object with ``encode(str) -> list of int``
        E.g. a fitted :class:`~slmsurvey.text.BPETokenizer`.
    texts : list of str
        Running text; its words are the chunks of
        :func:`~slmsurvey.text.bpe.pretokenize` that hold a letter or digit,
        each encoded on its own.

    Returns
    -------
    float
        At least 1 for a tokenizer that gives every word a token or more.

    Examples
    --------
    >>> bpe = BPETokenizer(258).fit(["aa aa aa aa"])
    >>> bpe.tokenize("aa aa, bb")
    ['aa', ' aa', ',', ' ', 'b', 'b']
    >>> round(fertility(bpe, ["aa aa, bb"]), 3)  # (1 + 1 + 3) / 3 words
    1.667
    """
    encode = getattr(tokenizer, "encode", None)
    if not callable(encode):
        raise TypeError(
            f"tokenizer must have an encode(str) method, got {type(tokenizer).__name__}"
        )
    if isinstance(texts, str) or not isinstance(texts, Sequence) or not texts:
        raise ValueError("texts must be a non-empty list of str")
    n_tokens = n_words = 0
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] must be a str, got {type(text).__name__}")
        for chunk in pretokenize(text):
            if _is_word(chunk):
                n_tokens += len(encode(chunk))
                n_words += 1
    if n_words == 0:
        raise ValueError("texts contain no words (letters or digits)")
    # eq. (fertility): tokens per word
    return n_tokens / n_words


def fertility_by_language(
    tokenizer: Any, texts_by_language: Mapping[str, Sequence[str]]
) -> dict[str, float]:
    """:func:`fertility` of each language's texts.

    Examples
    --------
    >>> bpe = BPETokenizer(258).fit(["aa aa aa aa"])
    >>> fertility_by_language(bpe, {"x": ["aa aa"], "y": ["bb"]})
    {'x': 1.0, 'y': 2.0}
    """
    corpus = _check_corpus(texts_by_language)
    return {k: fertility(tokenizer, v) for k, v in corpus.items()}
