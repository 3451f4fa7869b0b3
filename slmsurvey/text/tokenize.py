"""Word and sentence tokenisation, and word- and character-level vocabularies.

A tokenizer maps text to a sequence of integer ids drawn from a finite
vocabulary :math:`\\mathcal{V}`, and back:

.. math::

    \\operatorname{encode}: \\Sigma^* \\to \\{0, \\dots, |\\mathcal{V}| - 1\\}^*,
    \\qquad
    \\operatorname{decode}: \\{0, \\dots, |\\mathcal{V}| - 1\\}^* \\to \\Sigma^*.

The two fitted tokenizers here reserve id 0 for ``<unk>``, the token that every
string outside the vocabulary maps to. :class:`CharTokenizer` is lossless on text
made of seen characters; :class:`WordTokenizer` is lossy (it forgets spacing).
Byte-level BPE, which is lossless on every string, is in
:mod:`slmsurvey.text.bpe`.
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from collections.abc import Iterable

__all__ = ["UNK", "CharTokenizer", "WordTokenizer", "split_sentences", "word_tokenize"]

UNK = "<unk>"

# A decimal number ("3.5", "1,000"), a word of letters/digits with inner
# apostrophes or hyphens ("don't", "state-of-the-art"), or one punctuation mark.
_WORD_RE = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['’\-][^\W_]+)*|[^\w\s]|_")

# A candidate sentence end: terminal marks, closing quotes/brackets, whitespace.
_END_RE = re.compile(r"[.!?]+[\"'”’)\]]*\s+")
_LAST_WORD_RE = re.compile(r"(\S+)$")
# Words that end in a full stop without ending the sentence (compared lower-cased,
# with the final stop removed and leading brackets/quotes stripped).
_ABBREVIATIONS = frozenset(
    "e.g i.e al cf vs fig figs eq eqs sec ch approx resp "
    "dr mr mrs ms prof vol pp".split()
)


def word_tokenize(text: str, *, lower: bool = True) -> list[str]:
    """Split text into words, numbers and punctuation marks.

    A token is the longest match of, in order of preference: a decimal number
    (``3.5``, ``1,000``), a word of letters and digits whose inner apostrophes
    and hyphens are kept (``don't``, ``state-of-the-art``), or a single
    punctuation mark. Whitespace separates tokens and is dropped.

    Parameters
    ----------
    text : str
        The text to split.
    lower : bool, default True
        Lower-case the text first.

    Returns
    -------
    list of str
        The tokens, in order.

    Examples
    --------
    >>> word_tokenize("Don't panic: state-of-the-art WER fell 3.5%!")
    ["don't", 'panic', ':', 'state-of-the-art', 'wer', 'fell', '3.5', '%', '!']
    >>> word_tokenize("Speech (ASR)", lower=False)
    ['Speech', '(', 'ASR', ')']
    """
    _check_text(text, "text")
    if lower:
        text = text.lower()
    return _WORD_RE.findall(text)


def split_sentences(text: str) -> list[str]:
    """Split text into sentences.

    A sentence ends at ``.``, ``!`` or ``?`` (possibly repeated and followed by
    closing quotes or brackets) when whitespace and then an upper-case letter or
    a digit follow. A full stop does not end a sentence after a common
    abbreviation (``e.g.``, ``i.e.``, ``et al.``, ``cf.``, ``vs.``, ``Fig.``,
    ``Eq.``, ``Sec.``, ``Dr.``, ...) or after a single capital letter (an
    initial, as in ``J. Smith``). Decimals such as ``3.5`` contain no whitespace
    and are never split.

    Parameters
    ----------
    text : str
        The text to split.

    Returns
    -------
    list of str
        The sentences, stripped of surrounding whitespace; empty ones dropped.

    Examples
    --------
    >>> split_sentences("WER fell to 3.5 per cent. See Fig. 2, e.g. Table 1! Why?")
    ['WER fell to 3.5 per cent.', 'See Fig. 2, e.g. Table 1!', 'Why?']
    """
    _check_text(text, "text")
    sentences, start = [], 0
    for match in _END_RE.finditer(text):
        following = text[match.end() : match.end() + 1]
        if not (following.isupper() or following.isdigit()):
            continue
        # only the last word matters: a bounded window keeps this linear
        before = text[max(0, match.start() - 64) : match.start()]
        if text[match.start()] == "." and _is_abbreviation(before):
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def _is_abbreviation(before: str) -> bool:
    """Whether the word just before a full stop is an abbreviation or an initial."""
    match = _LAST_WORD_RE.search(before)
    if match is None:
        return False
    word = match.group(1).lstrip("([{\"'“‘")
    if len(word) == 1 and word.isupper():
        return True
    return word.lower() in _ABBREVIATIONS


def _check_text(text: object, name: str) -> None:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__}")


def _check_texts(texts: object) -> list[str]:
    """Validate a corpus: an iterable of strings, not a single string."""
    if isinstance(texts, (str, bytes)):
        raise TypeError("texts must be an iterable of str, not a single string")
    try:
        texts = list(texts)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(
            f"texts must be an iterable of str, got {type(texts).__name__}"
        ) from None
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] must be a str, got {type(text).__name__}")
    if not any(texts):
        raise ValueError("texts is empty: fit needs at least one non-empty string")
    return texts


class _VocabTokenizer:
    """Shared encode/decode for tokenizers whose vocabulary is a list of strings."""

    vocab_: list[str]
    _index: dict[str, int]

    def tokenize(self, text: str) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _joiner(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_fitted(self) -> None:
        if not hasattr(self, "vocab_"):
            raise ValueError(
                f"this {type(self).__name__} is not fitted yet: call fit first"
            )

    @property
    def vocab_size(self) -> int:
        """Number of tokens in the vocabulary, ``<unk>`` included."""
        self._check_fitted()
        return len(self.vocab_)

    def encode(self, text: str) -> list[int]:
        """Map text to token ids; tokens outside the vocabulary map to 0 (``<unk>``).

        Parameters
        ----------
        text : str
            The text to encode.

        Returns
        -------
        list of int
            One id per token of :meth:`tokenize`.
        """
        self._check_fitted()
        _check_text(text, "text")
        return [self._index.get(token, 0) for token in self.tokenize(text)]

    def decode(self, ids: Iterable[int]) -> str:
        """Map token ids back to text (id 0 becomes the string ``<unk>``).

        Parameters
        ----------
        ids : iterable of int
            Token ids in ``[0, vocab_size)``.

        Returns
        -------
        str
            The tokens joined together.
        """
        self._check_fitted()
        tokens = [self.vocab_[i] for i in _check_ids(ids, len(self.vocab_))]
        return self._joiner().join(tokens)


def _check_ids(ids: object, vocab_size: int) -> list[int]:
    """Validate token ids: integers in ``[0, vocab_size)``."""
    if isinstance(ids, (str, bytes)):
        raise TypeError("ids must be an iterable of int, not a string")
    try:
        items = list(ids)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(
            f"ids must be an iterable of int, got {type(ids).__name__}"
        ) from None
    out = []
    for i in items:
        if isinstance(i, bool):
            raise TypeError("ids must be integers, got bool")
        try:
            i = operator.index(i)
        except TypeError:
            raise TypeError(f"ids must be integers, got {type(i).__name__}") from None
        if not 0 <= i < vocab_size:
            raise ValueError(f"ids must lie in [0, {vocab_size}), got {i}")
        out.append(i)
    return out


class WordTokenizer(_VocabTokenizer):
    """Word-level tokenizer: one id per word, number or punctuation mark.

    Tokens come from :func:`word_tokenize`. The vocabulary is ``<unk>`` followed
    by every token seen at least ``min_count`` times in the training texts,
    most frequent first (ties in alphabetical order).

    Decoding joins tokens with single spaces, so it is lossy:
    ``decode(encode("Hi, you."))`` gives ``"hi , you ."``.

    Parameters
    ----------
    lower : bool, default True
        Lower-case text before tokenising.
    min_count : int, default 1
        Tokens seen fewer times than this map to ``<unk>``.

    Attributes
    ----------
    vocab_ : list of str
        The vocabulary; a token's id is its position. ``vocab_[0] == "<unk>"``.
    counts_ : collections.Counter
        Frequency of every token in the training texts.

    Examples
    --------
    >>> tok = WordTokenizer().fit(["the cat sat.", "the dog sat."])
    >>> tok.vocab_
    ['<unk>', '.', 'sat', 'the', 'cat', 'dog']
    >>> tok.encode("The bird sat.")
    [3, 0, 2, 1]
    >>> tok.decode([3, 0, 2, 1])
    'the <unk> sat .'
    """

    def __init__(self, lower: bool = True, min_count: int = 1) -> None:
        self.lower = lower
        self.min_count = min_count

    def fit(self, texts: Iterable[str]) -> WordTokenizer:
        """Build the vocabulary from an iterable of training texts; returns self."""
        if isinstance(self.min_count, bool) or not isinstance(self.min_count, int):
            raise TypeError(
                f"min_count must be an int, got {type(self.min_count).__name__}"
            )
        if self.min_count < 1:
            raise ValueError(f"min_count must be >= 1, got {self.min_count}")
        texts = _check_texts(texts)
        counts = Counter(t for text in texts for t in self.tokenize(text))
        if not counts:
            raise ValueError("texts contain no tokens: nothing to build a vocabulary")
        kept = [t for t, c in counts.items() if c >= self.min_count]
        kept.sort(key=lambda t: (-counts[t], t))
        self.counts_ = counts
        self.vocab_ = [UNK, *kept]
        self._index = {t: i for i, t in enumerate(self.vocab_)}
        return self

    def tokenize(self, text: str) -> list[str]:
        """Split text into tokens with :func:`word_tokenize`."""
        return word_tokenize(text, lower=self.lower)

    def _joiner(self) -> str:
        return " "


class CharTokenizer(_VocabTokenizer):
    """Character-level tokenizer: one id per Unicode code point.

    The vocabulary is ``<unk>`` followed by the characters of the training
    texts in code-point order. ``decode(encode(x)) == x`` for every ``x`` made
    of seen characters; an unseen character decodes to ``<unk>``.

    Attributes
    ----------
    vocab_ : list of str
        The vocabulary; a character's id is its position.
        ``vocab_[0] == "<unk>"``.

    Examples
    --------
    >>> tok = CharTokenizer().fit(["abba", "cab"])
    >>> tok.vocab_
    ['<unk>', 'a', 'b', 'c']
    >>> tok.encode("cabd")
    [3, 1, 2, 0]
    >>> tok.decode(tok.encode("abc"))
    'abc'
    """

    def fit(self, texts: Iterable[str]) -> CharTokenizer:
        """Build the vocabulary from an iterable of training texts; returns self."""
        texts = _check_texts(texts)
        self.vocab_ = [UNK, *sorted(set().union(*texts))]
        self._index = {t: i for i, t in enumerate(self.vocab_)}
        return self

    def tokenize(self, text: str) -> list[str]:
        """Split text into its characters."""
        _check_text(text, "text")
        return list(text)

    def _joiner(self) -> str:
        return ""
