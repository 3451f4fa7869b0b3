r"""A short, human-readable rationale generated from attributions.

Post-hoc rationales turn numbers into a sentence a non-expert can read. This
one is deliberately literal: it names the features with the largest
attributions, with their signs and values, and says what share of the
total attribution they carry, so that the sentence cannot claim more than
the attributions do:

.. math::

    \text{share} = \frac{\sum_{i \in \text{top}} |\phi_i|}{\sum_i |\phi_i|}.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["rationale"]


def _signed(value: float, digits: int) -> str:
    text = f"{value:+.{digits}f}"
    return text.replace("-", "\N{MINUS SIGN}")


def rationale(
    attributions: Sequence[float] | np.ndarray,
    feature_names: Sequence[str],
    *,
    top: int = 3,
    digits: int = 2,
) -> str:
    r"""Name the ``top`` features with the largest :math:`|\phi_i|`.

    Parameters
    ----------
    attributions : array-like, shape (M,)
        One attribution per feature (Shapley values, integrated gradients
        summed over a region, ...); positive pushes the prediction up.
    feature_names : sequence of str, length M
    top : int, keyword-only
        How many features to name, at least 1 (at most M are named).
    digits : int, keyword-only
        Decimals shown.

    Returns
    -------
    str
        One sentence, e.g. ``"The prediction rests mostly on pitch (+0.42)
        and duration (−0.10), which carry 87 % of the total attribution."``

    Examples
    --------
    >>> print(rationale([0.42, -0.1, 0.03], ["pitch", "length", "energy"], top=2))
    The prediction rests mostly on pitch (+0.42) and length (−0.10), which
    carry 95 % of the total attribution.
    >>> rationale([0.0, 0.0], ["a", "b"])
    'No feature moved the prediction: every attribution is zero.'
    """
    phi = np.asarray(attributions, dtype=np.float64)
    if phi.ndim != 1 or phi.size == 0:
        raise ValueError(
            f"attributions must be a non-empty 1-D array, got shape {phi.shape}"
        )
    if not np.isfinite(phi).all():
        raise ValueError("attributions contains NaN or infinite values")
    names = list(feature_names)
    if len(names) != phi.size or not all(isinstance(n, str) for n in names):
        raise ValueError(
            f"feature_names must be {phi.size} strings, one per attribution, "
            f"got {len(names)} items"
        )
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"top must be a positive int, got {top!r}")
    total = np.abs(phi).sum()
    if total == 0:
        return "No feature moved the prediction: every attribution is zero."
    order = np.argsort(-np.abs(phi), kind="stable")[:top]
    parts = [f"{names[i]} ({_signed(phi[i], digits)})" for i in order]
    listed = (
        parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    )
    share = np.abs(phi[order]).sum() / total
    verb = "carries" if len(parts) == 1 else "carry"
    return (
        f"The prediction rests mostly on {listed}, which {verb} "
        f"{100 * share:.0f} % of the total attribution."
    )
