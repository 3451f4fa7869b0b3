r"""Word and character error rate: Levenshtein alignment of a hypothesis.

A recogniser's output (the hypothesis) is aligned to the reference with the
fewest edits. Each reference token is then a hit, a substitution or a
deletion, and each extra hypothesis token an insertion, and

.. math::

    \mathrm{WER} = \frac{S + D + I}{N}, \qquad N = S + D + H,

summed over the whole corpus before dividing (a corpus rate, not the mean of
per-utterance rates). The minimum number of edits is the Levenshtein distance,
computed by dynamic programming over the prefixes of the two sequences:

.. math::

    d_{i,0} = i, \quad d_{0,j} = j, \quad
    d_{i,j} = \min\bigl(d_{i-1,j} + 1,\; d_{i,j-1} + 1,\;
              d_{i-1,j-1} + [r_i \ne h_j]\bigr).

Notation (code name in brackets): :math:`r` the reference tokens (``ref``,
length :math:`n`), :math:`h` the hypothesis tokens (``hyp``, length
:math:`m`), :math:`d_{i,j}` the distance between :math:`r_{1..i}` and
:math:`h_{1..j}` (``d[i][j]``); :math:`S, D, I, H` the numbers of
substitutions, deletions, insertions and hits, :math:`N` the number of
reference tokens. CER is the same with characters for tokens.

Defaults follow jiwer (>= 3), so that the numbers here equal the ones most
papers report: words are split on whitespace; for CER, leading and trailing
whitespace is dropped and every other character, spaces included, is a token.

References
----------
Levenshtein (1966), "Binary codes capable of correcting deletions, insertions,
and reversals", Soviet Physics Doklady 10(8):707-710. Wagner & Fischer (1974),
"The string-to-string correction problem", doi:10.1145/321796.321811.
Morris, Maier & Green (2004), "From WER and RIL to MER and WIL", Interspeech.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Alignment", "cer", "edit_distance", "error_counts", "wer"]

_UNITS = ("word", "char")


@dataclass(frozen=True)
class Alignment:
    """The result of :func:`edit_distance`: edit counts and the alignment.

    Attributes
    ----------
    substitutions, deletions, insertions, hits : int
        :math:`S, D, I, H`.
    operations : tuple of (str, token or None, token or None)
        The alignment, in order: ``("equal", r, h)``, ``("substitute", r, h)``,
        ``("delete", r, None)`` or ``("insert", None, h)``.

    Examples
    --------
    >>> a = edit_distance("a b c".split(), "a x c d".split())
    >>> a.distance, a.hits, a.operations[1]
    (2, 2, ('substitute', 'b', 'x'))
    """

    substitutions: int
    deletions: int
    insertions: int
    hits: int
    operations: tuple[tuple[str, Any, Any], ...]

    @property
    def distance(self) -> int:
        """The Levenshtein distance :math:`S + D + I`."""
        return self.substitutions + self.deletions + self.insertions


def edit_distance(
    reference: str | Sequence[Any], hypothesis: str | Sequence[Any]
) -> Alignment:
    r"""Levenshtein distance and a minimum-edit alignment of two sequences.

    .. math::

        d_{i,j} = \min\bigl(d_{i-1,j} + 1,\; d_{i,j-1} + 1,\;
                  d_{i-1,j-1} + [r_i \ne h_j]\bigr),
        \qquad \text{distance} = d_{n,m}.

    Several alignments can reach the minimum, with different :math:`S, D, I`
    (``"a b"`` to ``"b c"`` is two substitutions, or a deletion and an
    insertion). Ties are broken as jiwer (>= 3, through rapidfuzz) breaks
    them, so the counts agree: the longest common prefix and suffix are
    matched first; then the table is traced back from :math:`(n, m)`, each
    step taking the first optimal move in the order deletion, substitution,
    insertion, match.

    Parameters
    ----------
    reference : str or sequence of tokens, shape (n,)
        :math:`r`. A string is a sequence of characters; for words pass a
        list such as ``text.split()``. Tokens are compared with ``==``.
    hypothesis : str or sequence of tokens, shape (m,)
        :math:`h`, of the same kind as ``reference``.

    Returns
    -------
    Alignment
        :math:`S, D, I, H`, the distance :math:`S + D + I` and the operations.

    Raises
    ------
    TypeError
        If an argument is not a string, list or tuple, or one is a string and
        the other a sequence of tokens.

    References
    ----------
    Wagner & Fischer (1974), doi:10.1145/321796.321811. Hyyrö (2004), "A note
    on bit-parallel alignment computation", Stringology (the traceback of
    rapidfuzz, whose tie-breaking this reproduces).

    Examples
    --------
    >>> a = edit_distance("the cat sat".split(), "the bat sat down".split())
    >>> a.distance, a.substitutions, a.deletions, a.insertions, a.hits
    (2, 1, 0, 1, 2)
    >>> a.operations[1:]
    (('substitute', 'cat', 'bat'), ('equal', 'sat', 'sat'), ('insert', None, 'down'))

    A tie: two substitutions, rather than a deletion and an insertion.

    >>> edit_distance(["a", "b"], ["b", "c"]).operations
    (('substitute', 'a', 'b'), ('substitute', 'b', 'c'))
    >>> edit_distance("kitten", "sitting").distance
    3
    """
    for name, x in (("reference", reference), ("hypothesis", hypothesis)):
        if not isinstance(x, (str, list, tuple)):
            raise TypeError(
                f"{name} must be a string or a list/tuple of tokens, "
                f"got {type(x).__name__}"
            )
    if isinstance(reference, str) != isinstance(hypothesis, str):
        raise TypeError(
            "reference and hypothesis must both be strings (characters) or both "
            "sequences of tokens; got "
            f"{type(reference).__name__} and {type(hypothesis).__name__}"
        )
    ref, hyp = list(reference), list(hypothesis)
    n, m = len(ref), len(hyp)

    # The common prefix and suffix are matched without search (as rapidfuzz).
    prefix = 0
    while prefix < min(n, m) and ref[prefix] == hyp[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(n, m) - prefix and ref[n - 1 - suffix] == hyp[m - 1 - suffix]:
        suffix += 1
    r, h = ref[prefix : n - suffix], hyp[prefix : m - suffix]

    # eq. (levenshtein): fill the (len(r) + 1) x (len(h) + 1) table row by row
    d = [[j for j in range(len(h) + 1)]]
    for i in range(1, len(r) + 1):
        row = [i]
        for j in range(1, len(h) + 1):
            row.append(
                min(
                    d[i - 1][j] + 1,  # delete r_i
                    row[j - 1] + 1,  # insert h_j
                    d[i - 1][j - 1] + (r[i - 1] != h[j - 1]),  # substitute or hit
                )
            )
        d.append(row)

    # Trace back from (n, m): first optimal of delete, substitute, insert, hit.
    middle: list[tuple[str, Any, Any]] = []
    i, j = len(r), len(h)
    while i > 0 or j > 0:
        if i > 0 and d[i][j] == d[i - 1][j] + 1:
            middle.append(("delete", r[i - 1], None))
            i -= 1
        elif (
            i > 0 and j > 0 and r[i - 1] != h[j - 1] and d[i][j] == d[i - 1][j - 1] + 1
        ):
            middle.append(("substitute", r[i - 1], h[j - 1]))
            i, j = i - 1, j - 1
        elif j > 0 and d[i][j] == d[i][j - 1] + 1:
            middle.append(("insert", None, h[j - 1]))
            j -= 1
        else:
            assert i > 0 and j > 0 and r[i - 1] == h[j - 1], "broken traceback"
            middle.append(("equal", r[i - 1], h[j - 1]))
            i, j = i - 1, j - 1
    middle.reverse()

    operations = (
        [("equal", ref[k], hyp[k]) for k in range(prefix)]
        + middle
        + [("equal", ref[k], hyp[k - n + m]) for k in range(n - suffix, n)]
    )
    kinds = [op for op, _, _ in operations]
    alignment = Alignment(
        substitutions=kinds.count("substitute"),
        deletions=kinds.count("delete"),
        insertions=kinds.count("insert"),
        hits=kinds.count("equal"),
        operations=tuple(operations),
    )
    assert alignment.distance == d[len(r)][len(h)], "traceback lost edits"
    return alignment


def _as_corpus(texts: object, name: str) -> list[str]:
    if isinstance(texts, str):
        return [texts]
    if not isinstance(texts, (list, tuple)):
        raise TypeError(
            f"{name} must be a string or a list/tuple of strings, "
            f"got {type(texts).__name__}"
        )
    for k, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{name}[{k}] must be a string, got {type(text).__name__}")
    return list(texts)


def _normalise(text: str, *, lowercase: bool, remove_punctuation: bool) -> str:
    if lowercase:
        text = text.lower()
    if remove_punctuation:
        # Unicode categories P* (as jiwer.RemovePunctuation), e.g. . , ! ? ' " -
        text = "".join(c for c in text if not unicodedata.category(c).startswith("P"))
    return text


def error_counts(
    references: str | Sequence[str],
    hypotheses: str | Sequence[str],
    *,
    unit: str = "word",
    lowercase: bool = False,
    remove_punctuation: bool = False,
) -> dict[str, int]:
    r"""Corpus totals of substitutions, deletions, insertions, hits and N.

    .. math::

        S = \sum_u S_u, \quad D = \sum_u D_u, \quad I = \sum_u I_u, \quad
        H = \sum_u H_u, \quad N = S + D + H,

    over the utterances :math:`u`, each aligned by :func:`edit_distance`.

    Parameters
    ----------
    references : str or sequence of str, shape (U,)
        The true transcripts (one string is a corpus of one utterance).
    hypotheses : str or sequence of str, shape (U,)
        The recognised transcripts, one per reference; may be empty strings.
    unit : {"word", "char"}, keyword-only
        ``"word"``: tokens are ``text.split()`` (runs of whitespace separate
        words). ``"char"``: tokens are the characters of ``text.strip()``,
        spaces between words included, as in jiwer's CER.
    lowercase : bool, keyword-only
        Lower-case both sides first (off by default, as in jiwer).
    remove_punctuation : bool, keyword-only
        Delete Unicode punctuation (categories ``P*``) first (off by default).

    Returns
    -------
    dict
        ``{"S": ..., "D": ..., "I": ..., "H": ..., "N": ...}``, Python ints.
        :math:`N = 0` is allowed here (every error is then an insertion).

    Raises
    ------
    TypeError
        If ``references`` or ``hypotheses`` is not a string or a list/tuple of
        strings (naming the first bad item), or a flag is not a bool.
    ValueError
        If they hold different numbers of utterances, or ``unit`` is unknown.

    Examples
    --------
    >>> error_counts(["the cat sat", "a dog"], ["the cat sit", "a big dog"])
    {'S': 1, 'D': 0, 'I': 1, 'H': 4, 'N': 5}
    >>> error_counts("abc", "abd", unit="char")
    {'S': 1, 'D': 0, 'I': 0, 'H': 2, 'N': 3}
    """
    refs = _as_corpus(references, "references")
    hyps = _as_corpus(hypotheses, "hypotheses")
    if len(refs) != len(hyps):
        raise ValueError(
            "references and hypotheses must hold the same number of utterances, "
            f"got {len(refs)} references and {len(hyps)} hypotheses"
        )
    if unit not in _UNITS:
        raise ValueError(f"unit must be one of {_UNITS}, got {unit!r}")
    for name, flag in (
        ("lowercase", lowercase),
        ("remove_punctuation", remove_punctuation),
    ):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be a bool, got {type(flag).__name__}")

    def tokens(text: str) -> list[str]:
        text = _normalise(
            text, lowercase=lowercase, remove_punctuation=remove_punctuation
        )
        return text.split() if unit == "word" else list(text.strip())

    counts = {"S": 0, "D": 0, "I": 0, "H": 0, "N": 0}
    for ref, hyp in zip(refs, hyps, strict=True):
        a = edit_distance(tokens(ref), tokens(hyp))
        counts["S"] += a.substitutions
        counts["D"] += a.deletions
        counts["I"] += a.insertions
        counts["H"] += a.hits
    counts["N"] = counts["S"] + counts["D"] + counts["H"]
    return counts


def _rate(counts: dict[str, int], unit: str) -> float:
    if counts["N"] == 0:
        raise ValueError(
            f"references contain no {unit}s (N = 0), so the error rate is undefined"
        )
    # eq. (wer): (S + D + I) / N, totals over the corpus
    return float((counts["S"] + counts["D"] + counts["I"]) / counts["N"])


def wer(
    references: str | Sequence[str],
    hypotheses: str | Sequence[str],
    *,
    lowercase: bool = False,
    remove_punctuation: bool = False,
) -> float:
    r"""Word error rate of a corpus.

    .. math::

        \mathrm{WER} = \frac{S + D + I}{N},

    with :math:`S, D, I` and :math:`N` summed over all utterances (see
    :func:`error_counts`); words are ``text.split()``. WER is 0 for a perfect
    transcript and exceeds 1 when there are more insertions than hits.

    Parameters
    ----------
    references : str or sequence of str, shape (U,)
        The true transcripts.
    hypotheses : str or sequence of str, shape (U,)
        The recognised transcripts, one per reference.
    lowercase, remove_punctuation : bool, keyword-only
        Optional normalisation of both sides, off by default.

    Returns
    -------
    float
        The corpus WER, at least 0 (not bounded by 1).

    Raises
    ------
    TypeError, ValueError
        As :func:`error_counts`; also ``ValueError`` if the references hold
        no words at all (:math:`N = 0`).

    References
    ----------
    Morris, Maier & Green (2004), "From WER and RIL to MER and WIL",
    Interspeech.

    Examples
    --------
    >>> round(wer("the cat sat on the mat", "the cat sit on mat"), 4)  # S=1, D=1
    0.3333
    >>> wer(["a b", "c d"], ["a b", "x y z"])  # (0 + 3) / 4, not (0 + 1.5) / 2
    0.75
    >>> wer("yes", "yes yes yes")
    2.0
    """
    counts = error_counts(
        references,
        hypotheses,
        unit="word",
        lowercase=lowercase,
        remove_punctuation=remove_punctuation,
    )
    return _rate(counts, "word")


def cer(
    references: str | Sequence[str],
    hypotheses: str | Sequence[str],
    *,
    lowercase: bool = False,
    remove_punctuation: bool = False,
) -> float:
    r"""Character error rate of a corpus.

    .. math::

        \mathrm{CER} = \frac{S + D + I}{N}

    over characters, summed over all utterances. As in jiwer's default,
    leading and trailing whitespace is dropped and every other character is a
    token, so the spaces between words count (and a missing space is a
    deletion); runs of spaces are not collapsed.

    Parameters
    ----------
    references : str or sequence of str, shape (U,)
        The true transcripts.
    hypotheses : str or sequence of str, shape (U,)
        The recognised transcripts, one per reference.
    lowercase, remove_punctuation : bool, keyword-only
        Optional normalisation of both sides, off by default.

    Returns
    -------
    float
        The corpus CER, at least 0 (not bounded by 1).

    Raises
    ------
    TypeError, ValueError
        As :func:`error_counts`; also ``ValueError`` if the references hold
        no characters at all (:math:`N = 0`).

    Examples
    --------
    >>> cer("kitten", "sitting")  # 2 substitutions, 1 insertion, N = 6
    0.5
    >>> cer("a b", "ab")  # the space counts
    0.3333333333333333
    """
    counts = error_counts(
        references,
        hypotheses,
        unit="char",
        lowercase=lowercase,
        remove_punctuation=remove_punctuation,
    )
    return _rate(counts, "character")
