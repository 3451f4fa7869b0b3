r"""Self-checks for the exercises of chapter 5.2.1, *Integration with other modalities*.

Each ``ex_<chapter>_<label>`` takes what exercise ``ex-<chapter>-<label>``
asks for, runs it on a few small cases, and compares it with the package's
own computation. A failed check names the first case that differs, never the
method.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from slmsurvey.check._core import Result, call, expect_close, self_check
from slmsurvey.multimodal.contrastive import clip_loss

__all__ = ["ex_5_2_1_clip_loss"]


# ---------------------------------------------------------------- 5.2.1
_CLIP_CASES = [(2, 3, 1.0, 0), (4, 2, 0.5, 1), (6, 5, 0.07, 2), (8, 4, 0.2, 3)]


def _clip_variants(a: torch.Tensor, b: torch.Tensor, tau: float) -> dict[str, float]:
    """Values of the usual slips, to recognise them."""
    a_hat = a / a.norm(dim=1, keepdim=True)
    b_hat = b / b.norm(dim=1, keepdim=True)
    target = torch.arange(a.shape[0])

    def ce(S: torch.Tensor) -> float:
        return float(torch.nn.functional.cross_entropy(S, target))

    S = a_hat @ b_hat.T / tau  # (B, B)
    return {
        "one direction": ce(S),
        "unnormalised": 0.5 * (ce(a @ b.T / tau) + ce(b @ a.T / tau)),
        "no temperature": 0.5 * (ce(a_hat @ b_hat.T) + ce(b_hat @ a_hat.T)),
        "sum": a.shape[0] * (0.5 * (ce(S) + ce(S.T))),
    }


_CLIP_HINTS = {
    "one direction": "That is one direction only (each a picks its b); average "
    "it with the other direction, where each b picks its a.",
    "unnormalised": "Normalise each embedding to unit length before the dot products.",
    "no temperature": "Divide the cosine similarities by the temperature.",
    "sum": "Average the cross-entropies over the batch rather than adding them.",
}


@self_check
def ex_5_2_1_clip_loss(loss_fn: Callable) -> Result:
    r"""Check a CLIP loss written by hand (exercise 5.2.1, CLIP loss).

    ``loss_fn(a, b, temperature)`` takes two (B, D) tensors of paired
    embeddings and :math:`\tau > 0`, and returns the symmetric contrastive
    loss: the mean of the row-wise and column-wise cross-entropies of
    :math:`S_{ij} = \hat a_i^\top \hat b_j / \tau` against the diagonal. The
    reference is :func:`~slmsurvey.multimodal.clip_loss`.

    Parameters
    ----------
    loss_fn : callable
        Your function ``(a, b, temperature) -> scalar tensor or float``.

    Returns
    -------
    Result

    Examples
    --------
    Forgetting one of the two directions:

    >>> import torch.nn.functional as F
    >>> def one_way(a, b, temperature):
    ...     S = F.normalize(a, dim=1) @ F.normalize(b, dim=1).T / temperature
    ...     return F.cross_entropy(S, torch.arange(len(a)))
    >>> result = ex_5_2_1_clip_loss(one_way)
    >>> bool(result)
    False
    >>> print(result)  # doctest: +ELLIPSIS
    Not yet: for B = 2, D = 3, temperature = 1, you returned ... one direction only ...
    >>> bool(ex_5_2_1_clip_loss(lambda a, b, t: clip_loss(a, b, temperature=t)))
    True
    """
    for B, D, tau, seed in _CLIP_CASES:
        gen = torch.Generator().manual_seed(seed)
        a = torch.randn(B, D, generator=gen, dtype=torch.float64)
        b = torch.randn(B, D, generator=gen, dtype=torch.float64)
        context = f"for B = {B}, D = {D}, temperature = {tau:g}"
        expected = clip_loss(a, b, temperature=tau).item()
        got = call(loss_fn, a.clone(), b.clone(), tau, context=context)
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.detach().double().item()
        hint = ""
        if isinstance(got, float) and math.isfinite(got):
            for name, value in _clip_variants(a, b, tau).items():
                if math.isclose(got, value, rel_tol=1e-5) and not math.isclose(
                    value, expected, rel_tol=1e-5
                ):
                    hint = _CLIP_HINTS[name]
                    break
        expect_close(got, expected, context, rtol=1e-5, atol=1e-8, hint=hint)
    return Result(
        True, f"your loss equals clip_loss on {len(_CLIP_CASES)} batches of pairs."
    )
