r"""Self-checks for the exercises of chapter 5.1.2, *Contextual embeddings*.

Each ``ex_5_1_2_<label>`` takes what exercise ``ex-5-1-2-<label>`` asks for
(a function), runs it on a few small cases, and compares it with the
package's own computation. A failed check names the first case that differs,
never the method.
"""

from __future__ import annotations

from collections.abc import Callable

from slmsurvey.check._core import Result, as_number, call, expect_close, self_check
from slmsurvey.nn.local_attention import attention_score_count

__all__ = ["ex_5_1_2_band_scores"]

_BAND_CASES = [(5, 1), (10, 2), (1, 0), (7, 0), (10, 9), (10, 50), (100, 8)]


@self_check
def ex_5_1_2_band_scores(band_scores: Callable) -> Result:
    r"""Check the number of scores of local attention (exercise 5.1.2, band).

    ``band_scores(T, w)`` must return how many (query, key) scores
    self-attention over ``T`` positions computes when each position may
    attend only to positions at most ``w`` away (itself included): the
    number of True entries of
    :func:`~slmsurvey.nn.local_attention.local_attention_mask`,

    .. math::

        N_{\mathrm{local}} = \sum_{i=0}^{T-1}
        \bigl(\min(T-1, i+w) - \max(0, i-w) + 1\bigr).

    The reference is
    :func:`~slmsurvey.nn.local_attention.attention_score_count`.

    Parameters
    ----------
    band_scores : callable
        Your function ``(T, w) -> int``.

    Returns
    -------
    Result

    Examples
    --------
    :math:`T (2w + 1)` counts keys beyond the ends of the sequence:

    >>> result = ex_5_1_2_band_scores(lambda T, w: T * (2 * w + 1))
    >>> bool(result)
    False
    >>> print(result)  # doctest: +ELLIPSIS
    Not yet: for T = 5, w = 1, you returned 15; expected 13. The first...
    >>> bool(ex_5_1_2_band_scores(
    ...     lambda T, w: sum(min(T - 1, i + w) - max(0, i - w) + 1
    ...                      for i in range(T))))
    True
    """
    for T, w in _BAND_CASES:
        context = f"for T = {T}, w = {w}"
        expected = attention_score_count(T, w)
        got = as_number(call(band_scores, T, w, context=context), context)
        hint = ""
        if got == T * (2 * w + 1):
            hint = (
                "The first and last positions have fewer than 2w + 1 "
                "neighbours inside the sequence."
            )
        elif got == T * T and expected != T * T:
            hint = "That is full attention; only keys within w positions count."
        elif got == T * (w + 1) - w * (w + 1) // 2:
            hint = "Keys on both sides of the query count, not only earlier ones."
        elif got == expected - T:
            hint = "Each position also scores itself."
        expect_close(got, expected, context, rtol=0, atol=0, hint=hint)
    return Result(
        True,
        f"your count equals attention_score_count on {len(_BAND_CASES)} cases.",
    )
