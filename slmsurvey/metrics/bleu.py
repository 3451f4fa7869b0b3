r"""BLEU: clipped n-gram precisions and a brevity penalty (Papineni et al., 2002).

.. math::

    \mathrm{BLEU} = \mathrm{BP} \cdot \exp\Bigl(\sum_{n=1}^{N} w_n \log p_n\Bigr),
    \qquad w_n = \frac{1}{N},

    p_n = \frac{\sum_s \sum_{g \in G_n(h_s)}
                \min\bigl(\#_{h_s}(g),\ \max_{r \in R_s} \#_r(g)\bigr)}
               {\sum_s \sum_{g \in G_n(h_s)} \#_{h_s}(g)},
    \qquad
    \mathrm{BP} = \begin{cases} 1 & c > r \\ e^{\,1 - r/c} & c \le r \end{cases}

Each hypothesis n-gram is credited at most as many times as it occurs in any
one reference (the *clipped* count), so repeating a correct word does not pay;
short hypotheses would still get high precision, which the brevity penalty
takes back. Counts are summed over the corpus before dividing: corpus BLEU is
not the mean of sentence BLEUs.

Notation (code name in brackets): :math:`h_s` the tokens of hypothesis *s*
(``hyp``), :math:`R_s` its references (``refs``), :math:`G_n(x)` the distinct
n-grams of :math:`x`, :math:`\#_x(g)` the count of :math:`g` in :math:`x`;
:math:`N` is ``max_n``; :math:`c = \sum_s |h_s|` (``c``) and
:math:`r = \sum_s r_s` (``r``), where :math:`r_s` is the length of the
reference closest in length to :math:`h_s`, the shorter on a tie.

The value lies in [0, 1], as in the survey and the paper; sacrebleu reports
100 times it. Tokens are the whitespace-separated words of each string (no
other tokenisation), so ``bleu(refs, hyps)`` equals
``sacrebleu.corpus_bleu(hyps, streams, tokenize="none").score / 100`` with
``streams = [list(s) for s in zip(*refs)]``. The smoothing methods are
sacrebleu's, after Chen & Cherry (2014), for an order with no match
(:math:`m_n = 0` clipped matches out of :math:`t_n` n-grams):

- ``"none"``: :math:`p_n = 0`, so BLEU is 0;
- ``"floor"``: :math:`p_n = \epsilon / t_n` (default :math:`\epsilon = 0.1`);
- ``"add-k"``: :math:`p_n = (m_n + k) / (t_n + k)` for every :math:`n \ge 2`
  (default :math:`k = 1`);
- ``"exp"``: :math:`p_n = 1 / (2^{j}\, t_n)` for the *j*-th order without a
  match (NIST's mteval-v13a; sacrebleu's default).

A corpus with no match at all scores 0 whatever the smoothing, and so does
one whose hypotheses are all shorter than :math:`N` words (:math:`t_N = 0`),
unless ``effective_order`` averages over the orders that exist.

References
----------
Papineni, Roukos, Ward & Zhu (2002), "BLEU: a method for automatic evaluation
of machine translation", ACL, doi:10.3115/1073083.1073135.
Chen & Cherry (2014), "A systematic comparison of smoothing techniques for
sentence-level BLEU", WMT, doi:10.3115/v1/W14-3346.
Post (2018), "A call for clarity in reporting BLEU scores" (sacrebleu).
arXiv:1804.08771.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from slmsurvey._checks import check_int, check_real

__all__ = ["BleuDetails", "bleu", "bleu_details", "sentence_bleu"]

SMOOTHING = ("none", "floor", "add-k", "exp")
_SMOOTH_DEFAULTS = {"floor": 0.1, "add-k": 1.0}


@dataclass(frozen=True)
class BleuDetails:
    """BLEU and the corpus statistics it is made of.

    Attributes
    ----------
    score : float
        BLEU, in [0, 1].
    precisions : tuple of float
        :math:`p_1, \\ldots, p_N` after smoothing, each in [0, 1].
    brevity_penalty : float
        :math:`\\mathrm{BP}`.
    matches, totals : tuple of int
        Clipped matches :math:`m_n` and hypothesis n-grams :math:`t_n`.
    hyp_length, ref_length : int
        :math:`c` and :math:`r`.

    Examples
    --------
    >>> details = bleu_details(["the cat sat"], ["the cat sat"], max_n=2)
    >>> details.score, details.matches, details.totals
    (1.0, (3, 2), (3, 2))
    """

    score: float
    precisions: tuple[float, ...]
    brevity_penalty: float
    matches: tuple[int, ...]
    totals: tuple[int, ...]
    hyp_length: int
    ref_length: int


def _ngrams(tokens: list[str], max_n: int) -> Counter[tuple[str, ...]]:
    """Counts :math:`\\#_x(g)` of every n-gram, :math:`1 \\le n \\le N`."""
    return Counter(
        tuple(tokens[i : i + n])
        for n in range(1, max_n + 1)
        for i in range(len(tokens) - n + 1)
    )


def _check_corpus(
    references: object, hypotheses: object
) -> tuple[list[list[str]], list[str]]:
    """Hypotheses as strings; references as one list of strings per hypothesis."""
    if isinstance(hypotheses, str) or not isinstance(hypotheses, Sequence):
        raise TypeError(
            f"hypotheses must be a list of strings, got {type(hypotheses).__name__}"
        )
    if isinstance(references, str) or not isinstance(references, Sequence):
        raise TypeError(
            f"references must be a list of strings, got {type(references).__name__}"
        )
    if len(hypotheses) == 0:
        raise ValueError("hypotheses is empty")
    if len(references) != len(hypotheses):
        raise ValueError(
            f"references has {len(references)} entries, hypotheses {len(hypotheses)}"
        )
    for s, hyp in enumerate(hypotheses):
        if not isinstance(hyp, str):
            raise TypeError(f"hypotheses[{s}] must be a str, got {type(hyp).__name__}")
    refs = []
    for s, ref in enumerate(references):
        group = [ref] if isinstance(ref, str) else ref
        if not isinstance(group, Sequence) or not all(
            isinstance(x, str) for x in group
        ):
            raise TypeError(
                f"references[{s}] must be a str or a list of str, got {ref!r}"
            )
        if len(group) == 0:
            raise ValueError(f"references[{s}] holds no reference")
        refs.append(list(group))
    return refs, list(hypotheses)


def _smoothing_value(smooth: object, smooth_value: object) -> float:
    if smooth not in SMOOTHING:
        raise ValueError(f"smooth must be one of {SMOOTHING}, got {smooth!r}")
    if smooth_value is None:
        return _SMOOTH_DEFAULTS.get(smooth, 0.0)
    if smooth not in _SMOOTH_DEFAULTS:
        raise ValueError(f"smooth_value applies to 'floor' and 'add-k', not {smooth!r}")
    return check_real(smooth_value, "smooth_value", low=0.0, open_low=True)


def bleu_details(
    references: Sequence[str | Sequence[str]],
    hypotheses: Sequence[str],
    *,
    max_n: int = 4,
    smooth: str = "exp",
    smooth_value: float | None = None,
    effective_order: bool = False,
) -> BleuDetails:
    r"""Corpus BLEU with its n-gram precisions, brevity penalty and counts.

    See :func:`bleu` for the parameters and the equations.

    Examples
    --------
    >>> d = bleu_details(["the cat sat on the mat"], ["the cat the cat on the mat"])
    >>> d.matches, d.totals
    ((5, 3, 1, 0), (7, 6, 5, 4))
    >>> round(d.precisions[3], 4)  # exp smoothing: 1 / (2 * 4)
    0.125
    """
    refs, hyps = _check_corpus(references, hypotheses)
    N = check_int(max_n, "max_n", 1)
    k = _smoothing_value(smooth, smooth_value)
    m = [0] * N  # clipped matches m_n
    t = [0] * N  # hypothesis n-grams t_n
    c = r = 0
    for hyp_str, ref_strs in zip(hyps, refs, strict=True):
        hyp = hyp_str.split()
        ref_tokens = [x.split() for x in ref_strs]
        max_ref = _ngrams(ref_tokens[0], N)  # max_r #_r(g)
        for ref in ref_tokens[1:]:
            max_ref |= _ngrams(ref, N)  # | keeps the larger count
        for g, count in _ngrams(hyp, N).items():
            t[len(g) - 1] += count
            m[len(g) - 1] += min(count, max_ref[g])  # clipped count
        c += len(hyp)
        # r_s: the closest reference length, the shorter on a tie
        r += min((abs(len(x) - len(hyp)), len(x)) for x in ref_tokens)[1]
    BP = 1.0 if c > r else (math.exp(1 - r / c) if c > 0 else 0.0)
    p = [0.0] * N
    N_eff = 0  # orders that some hypothesis is long enough to have
    if any(m):
        j = 0  # orders without a match so far ("exp")
        for n in range(N):
            m_n, t_n = float(m[n]), float(t[n])
            if smooth == "add-k" and n > 0:
                m_n, t_n = m_n + k, t_n + k
            if t_n == 0:
                break  # no hypothesis is n + 1 tokens long
            N_eff = n + 1
            if m_n > 0:
                p[n] = m_n / t_n
            elif smooth == "exp":
                j += 1
                p[n] = 1.0 / (2**j * t_n)
            elif smooth == "floor":
                p[n] = k / t_n
    N_eff = N_eff if effective_order else N
    if any(m) and all(x > 0 for x in p[:N_eff]):
        # eq. (bleu): BP exp(sum_n w_n log p_n), w_n = 1 / N
        score = BP * math.exp(sum(math.log(x) for x in p[:N_eff]) / N_eff)
    else:
        score = 0.0
    return BleuDetails(score, tuple(p), BP, tuple(m), tuple(t), c, r)


def bleu(
    references: Sequence[str | Sequence[str]],
    hypotheses: Sequence[str],
    *,
    max_n: int = 4,
    smooth: str = "exp",
    smooth_value: float | None = None,
    effective_order: bool = False,
) -> float:
    r"""Corpus BLEU of whitespace-tokenised hypotheses, in [0, 1].

    .. math::

        \mathrm{BLEU} = \mathrm{BP} \cdot
        \exp\Bigl(\frac{1}{N} \sum_{n=1}^{N} \log p_n\Bigr),
        \qquad \mathrm{BP} = \min\bigl(1,\ e^{\,1 - r/c}\bigr)

    with the clipped precisions :math:`p_n` summed over the corpus (see the
    module docstring).

    Parameters
    ----------
    references : list of (str or list of str)
        ``references[s]`` is the reference of hypothesis *s*, or a list of
        its references (at least one; their number may vary).
    hypotheses : list of str
        At least one; empty strings are allowed.
    max_n : int, keyword-only
        :math:`N`, the longest n-gram, at least 1.
    smooth : {"exp", "none", "floor", "add-k"}, keyword-only
        What to do with an order without a match (see the module docstring).
    smooth_value : float, optional, keyword-only
        :math:`\epsilon` for ``"floor"`` (0.1), :math:`k` for ``"add-k"`` (1).
    effective_order : bool, keyword-only
        Average only over the orders :math:`n` that some hypothesis is long
        enough to have (:math:`t_n > 0`), as for sentence BLEU.

    Returns
    -------
    float
        BLEU in [0, 1] (sacrebleu's score / 100).

    Raises
    ------
    TypeError
        If a hypothesis or reference is not a string.
    ValueError
        If ``hypotheses`` is empty, ``references`` has a different length,
        a hypothesis has no reference, or an option is out of range.

    Examples
    --------
    Worked by hand: the hypothesis has 7 words, the reference 6. The
    unigram "the" occurs 3 times but only twice in the reference, so
    :math:`p_1 = 5/7`; "the cat" is clipped from 2 to 1, so
    :math:`p_2 = 3/6`; :math:`p_3 = 1/5` ("on the mat"); no 4-gram matches,
    so ``"exp"`` smoothing sets :math:`p_4 = 1/(2 \cdot 4)`. With
    :math:`c = 7 > r = 6`, :math:`\mathrm{BP} = 1` and

    .. math::

        \mathrm{BLEU} = \bigl(\tfrac57 \cdot \tfrac36 \cdot \tfrac15 \cdot
        \tfrac18\bigr)^{1/4} = 112^{-1/4} \approx 0.3074.

    >>> ref, hyp = ["the cat sat on the mat"], ["the cat the cat on the mat"]
    >>> round(bleu(ref, hyp), 4)
    0.3074
    >>> round((5 / 7 * 3 / 6 * 1 / 5 * 1 / 8) ** 0.25, 4)
    0.3074
    >>> bleu(ref, hyp, smooth="none")  # an order without a match gives 0
    0.0
    >>> bleu(ref, ref)
    1.0

    Two references; the closer one has 3 words, so :math:`\mathrm{BP} = 1`.
    A 3-word corpus has no 4-grams: :math:`p_4` is undefined and BLEU is 0
    unless the effective order drops :math:`n = 4`:

    >>> refs = [["a b c d e", "a b c"]]
    >>> bleu(refs, ["a b c"]), bleu(refs, ["a b c"], effective_order=True)
    (0.0, 1.0)
    """
    return bleu_details(
        references,
        hypotheses,
        max_n=max_n,
        smooth=smooth,
        smooth_value=smooth_value,
        effective_order=effective_order,
    ).score


def sentence_bleu(
    references: str | Sequence[str],
    hypothesis: str,
    *,
    max_n: int = 4,
    smooth: str = "exp",
    smooth_value: float | None = None,
    effective_order: bool = True,
) -> float:
    r"""BLEU of one hypothesis against its reference(s), in [0, 1].

    :func:`bleu` of a one-sentence corpus, with sacrebleu's sentence-level
    defaults (``"exp"`` smoothing and the effective order), so it equals
    ``sacrebleu.sentence_bleu(hypothesis, refs, tokenize="none").score / 100``.
    BLEU is a corpus metric: averaging sentence BLEUs does not give it.

    Parameters
    ----------
    references : str or list of str
        One reference or several.
    hypothesis : str
    max_n, smooth, smooth_value, effective_order
        As for :func:`bleu` (``effective_order`` defaults to True here).

    Returns
    -------
    float

    Examples
    --------
    Only orders 1 and 2 exist for a two-word hypothesis; both match fully,
    and :math:`\mathrm{BP} = e^{1 - 3/2}`:

    >>> round(sentence_bleu("a b c", "a b"), 4)
    0.6065
    >>> sentence_bleu(["a b c", "x y"], "a b")  # the closest reference has length 2
    1.0
    """
    if not isinstance(hypothesis, str):
        raise TypeError(f"hypothesis must be a str, got {type(hypothesis).__name__}")
    if isinstance(references, str):
        references = [references]
    return bleu(
        [references],
        [hypothesis],
        max_n=max_n,
        smooth=smooth,
        smooth_value=smooth_value,
        effective_order=effective_order,
    )
