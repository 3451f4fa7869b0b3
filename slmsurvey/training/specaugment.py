r"""SpecAugment: masks of time steps and frequency bands on log-mel features.

Park et al. (2019) regularise a recogniser by hiding, in each training
example, :math:`m_F` bands of up to :math:`F` consecutive mel channels and
:math:`m_T` spans of up to :math:`T` consecutive frames (at most a fraction
:math:`p` of the utterance each). Widths are drawn uniformly from
:math:`\{0, \dots, F\}` (or :math:`T`), starts uniformly where the span fits.
Time warping, the paper's third policy, is left out.

Symbols and code: :math:`m_F, F, m_T, T, p` are ``freq_masks``,
``freq_width``, ``time_masks``, ``time_width`` and ``max_time_fraction``,
:math:`\nu` the number of bands and :math:`\tau` (here :math:`L_b`) the
number of frames.

References
----------
Park et al. (2019), "SpecAugment: a simple data augmentation method for
automatic speech recognition", sec. 2. arXiv:1904.08779.
"""

# Shapes: B batch, N frames, C features per frame (mel bands), M masks.

from __future__ import annotations

import torch

from slmsurvey._checks import check_int, check_real

__all__ = ["spec_augment", "spec_augment_mask"]


def _spans(
    max_width: torch.Tensor, extent: torch.Tensor, M: int, g: torch.Generator | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """M spans per row: width w ~ U{0..max_width}, start ~ U{0..extent - w}."""
    B = extent.shape[0]
    u, v = torch.rand(2, B, M, generator=g, dtype=torch.float64)  # (B, M) each
    w = (u * (max_width[:, None] + 1)).floor().long()  # (B, M)
    start = (v * (extent[:, None] - w + 1)).floor().long()  # (B, M)
    return start, w


def _covered(start: torch.Tensor, w: torch.Tensor, size: int) -> torch.Tensor:
    i = torch.arange(size)  # (size,)
    inside = (i >= start[:, :, None]) & (i < (start + w)[:, :, None])  # (B, M, size)
    return inside.any(dim=1)  # (B, size)


def spec_augment_mask(
    lengths: torch.Tensor,
    n_frames: int,
    n_features: int,
    *,
    time_masks: int = 2,
    time_width: int = 40,
    freq_masks: int = 2,
    freq_width: int = 15,
    max_time_fraction: float = 1.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""SpecAugment's time and frequency masks, True where a value is masked.

    Each utterance *b* gets :math:`m_F` frequency masks and :math:`m_T` time
    masks (they may overlap), drawn independently:

    .. math::

        f \sim \mathcal U\{0, \ldots, F\},\ f_0 \sim \mathcal U\{0, \ldots,
        \nu - f\}: \text{bands } [f_0, f_0 + f); \qquad
        t \sim \mathcal U\{0, \ldots, T_b\},\ t_0 \sim \mathcal U\{0, \ldots,
        L_b - t\}: \text{frames } [t_0, t_0 + t)

    with :math:`T_b = \min(T, \lfloor p L_b \rfloor)` (and
    :math:`F \le \nu`). Frames at or after :math:`L_b` are never masked.
    (Time warping, the paper's third policy, is left out.)

    Parameters
    ----------
    lengths : torch.Tensor of int, shape (B,)
        Valid frames :math:`L_b \in [1, N]`.
    n_frames, n_features : int
        :math:`N` and :math:`\nu`.
    time_masks, time_width, freq_masks, freq_width : int, keyword-only
        :math:`m_T, T, m_F, F \ge 0` (LibriSpeech "LD" policy: 2, 100, 2, 27).
    max_time_fraction : float, keyword-only
        :math:`p \in (0, 1]` (0.2 in "LD").
    generator : torch.Generator, optional, keyword-only

    Returns
    -------
    torch.Tensor of bool, shape (B, N, C)

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> mask = spec_augment_mask(torch.tensor([100, 60]), 100, 40, generator=g)
    >>> mask.shape, bool(mask[1, 60:].any())
    (torch.Size([2, 100, 40]), False)
    """
    if not isinstance(lengths, torch.Tensor) or lengths.is_floating_point():
        raise TypeError("lengths must be an integer torch.Tensor")
    N = check_int(n_frames, "n_frames", 1)
    C = check_int(n_features, "n_features", 1)
    if lengths.ndim != 1 or bool((lengths < 1).any()) or bool((lengths > N).any()):
        raise ValueError(f"lengths must have shape (B,) and lie in [1, n_frames={N}]")
    m_T, T = (
        check_int(time_masks, "time_masks", 0),
        check_int(time_width, "time_width", 0),
    )
    m_F, F_ = (
        check_int(freq_masks, "freq_masks", 0),
        check_int(freq_width, "freq_width", 0),
    )
    p = check_real(max_time_fraction, "max_time_fraction", low=0.0, open_low=True)
    if p > 1.0:
        raise ValueError(f"max_time_fraction must lie in (0, 1], got {p}")
    L = lengths.long().cpu()  # (B,)
    T_b = torch.clamp((p * L).floor().long(), max=T)  # (B,): min(T, floor(p L_b))
    nu = torch.full_like(L, C)  # (B,)
    t0, t = _spans(T_b, L, m_T, generator)  # (B, m_T) each
    f0, f = _spans(torch.clamp(nu, max=F_), nu, m_F, generator)  # (B, m_F) each
    valid = torch.arange(N)[None, :] < L[:, None]  # (B, N)
    time = _covered(t0, t, N) & valid  # (B, N)
    freq = _covered(f0, f, C)  # (B, C)
    return (time[:, :, None] | freq[:, None, :]) & valid[:, :, None]  # (B, N, C)


def spec_augment(
    features: torch.Tensor,
    lengths: torch.Tensor | None = None,
    *,
    time_masks: int = 2,
    time_width: int = 40,
    freq_masks: int = 2,
    freq_width: int = 15,
    max_time_fraction: float = 1.0,
    mask_value: float = 0.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Mask random time spans and frequency bands of a batch of features.

    Returns a copy of ``features`` (B, N, C) set to ``mask_value`` where
    :func:`spec_augment_mask` is True, with the same options (Park et al.
    use the mean value, 0 for normalised features). ``lengths`` (B,)
    defaults to all N frames.

    Examples
    --------
    One mask of each kind, at most 5 bands and 10 frames wide:

    >>> x = torch.ones(1, 50, 20)  # (B, N, C)
    >>> g = torch.Generator().manual_seed(0)
    >>> y = spec_augment(x, freq_masks=1, freq_width=5, time_masks=1,
    ...                  time_width=10, generator=g)
    >>> masked = y[0] == 0  # (N, C)
    >>> masked.all(dim=0).nonzero().flatten().tolist()  # bands masked in every frame
    [17, 18]
    >>> masked.all(dim=1).nonzero().flatten().tolist()  # frames masked in every band
    [29, 30, 31, 32, 33, 34, 35, 36, 37, 38]
    """
    if not isinstance(features, torch.Tensor) or not features.is_floating_point():
        raise TypeError("features must be a floating-point torch.Tensor")
    if features.ndim != 3:
        raise ValueError(f"features must have shape (B, N, C), got {features.shape}")
    B, N, C = features.shape
    if lengths is None:
        lengths = torch.full((B,), N, dtype=torch.long)
    elif isinstance(lengths, torch.Tensor) and lengths.shape != (B,):
        raise ValueError(f"lengths must have shape ({B},), got {tuple(lengths.shape)}")
    value = check_real(mask_value, "mask_value")
    mask = spec_augment_mask(
        lengths,
        N,
        C,
        time_masks=time_masks,
        time_width=time_width,
        freq_masks=freq_masks,
        freq_width=freq_width,
        max_time_fraction=max_time_fraction,
        generator=generator,
    )
    return features.masked_fill(mask.to(features.device), value)  # (B, N, C)
