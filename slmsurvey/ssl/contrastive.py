r"""Contrastive self-supervision: InfoNCE and contrastive predictive coding.

A contrastive objective learns representations by telling the right partner
of an anchor apart from distractors. InfoNCE scores an anchor :math:`a`
against its positive :math:`p` and negatives :math:`n_1, \ldots, n_K`:

.. math::

    \mathcal{L}_{\mathrm{NCE}} = -\log
    \frac{\exp\bigl(s(a, p)/\tau\bigr)}
         {\exp\bigl(s(a, p)/\tau\bigr) + \sum_{k=1}^{K} \exp\bigl(s(a, n_k)/\tau\bigr)},

a cross-entropy that picks the positive out of :math:`K + 1` candidates; its
minimum over the critic is :math:`\log(K + 1) - I(a; p)` or more, which is why
minimising it raises a lower bound on the mutual information.

Contrastive predictive coding (CPC) applies it to speech: an encoder maps
frames :math:`x_t` to latents :math:`z_t = g_{enc}(x_t)`, an autoregressive
network summarises the past into a context :math:`c_t = g_{ar}(z_{\le t})`,
and for each step :math:`k = 1, \ldots, S` a linear map predicts the future
latent :math:`\hat z_{t+k} = W_k c_t`, scored by the log-bilinear
:math:`s(\hat z, z) = z^\top W_k c_t` (``similarity="dot"``, :math:`\tau = 1`).
wav2vec 2.0 uses the same objective with cosine similarity and
:math:`\tau = 0.1` (and predicts masked, not future, frames).

Symbols and code: :math:`a, p, n_k` are rows of ``anchors``, ``positives`` and
``negatives``; :math:`\tau` is ``temperature``; :math:`z_t, c_t` are
``latents[b, t]`` and ``context[b, t]``; :math:`W_k` is ``W[k - 1]``, shape
(d_z, d_c); :math:`S` (the paper's :math:`K`) is ``prediction_steps``.

References
----------
van den Oord, Li & Vinyals (2018), "Representation learning with contrastive
predictive coding", eqs. (3)-(4). arXiv:1807.03748.
Baevski, Zhou, Mohamed & Auli (2020), "wav2vec 2.0: a framework for
self-supervised learning of speech representations", sec. 3.2.
arXiv:2006.11477.
"""

# Shapes: B batch, D vector width, K negatives per anchor (info_nce),
#         T frames, F features per frame, d_z latent width, d_c context width,
#         S prediction steps (CPC's K), P (anchor, positive) pairs of one step,
#         N_v valid frames in the batch.

from __future__ import annotations

import torch
import torch.nn.functional as torch_F
from torch import nn

from slmsurvey._checks import check_int, check_real

__all__ = ["CPC", "cpc_loss", "info_nce"]

SIMILARITIES = ("cosine", "dot")


def _check_float(x: object, name: str, ndim: int) -> torch.Tensor:
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point torch.Tensor")
    if x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dims, got shape {tuple(x.shape)}")
    return x


def _check_scoring(similarity: object, temperature: object) -> float:
    if similarity not in SIMILARITIES:
        raise ValueError(
            f"similarity must be one of {SIMILARITIES}, got {similarity!r}"
        )
    return check_real(temperature, "temperature", low=0.0, open_low=True)


def _score(a: torch.Tensor, b: torch.Tensor, similarity: str) -> torch.Tensor:
    """s(a, b) over the last dim (broadcasting); cosine normalises first."""
    if similarity == "cosine":
        a, b = torch_F.normalize(a, dim=-1), torch_F.normalize(b, dim=-1)
    return (a * b).sum(-1)  # (..., D) -> (...)


def _pairwise(a: torch.Tensor, b: torch.Tensor, similarity: str) -> torch.Tensor:
    """s(a_i, b_j) for every pair, as one matrix product: (M, D), (N, D) -> (M, N)."""
    if similarity == "cosine":
        a, b = torch_F.normalize(a, dim=-1), torch_F.normalize(b, dim=-1)
    return a @ b.T  # (M, D) @ (D, N) -> (M, N)


def info_nce(
    anchors: torch.Tensor,
    positives: torch.Tensor,
    negatives: torch.Tensor | None = None,
    *,
    temperature: float = 0.1,
    similarity: str = "cosine",
) -> torch.Tensor:
    r"""InfoNCE: pick each anchor's positive out of it and the negatives.

    .. math::

        \mathcal{L} = -\frac{1}{B} \sum_{b=1}^{B} \log
        \frac{e^{s(a_b, p_b)/\tau}}
             {e^{s(a_b, p_b)/\tau} + \sum_{k} e^{s(a_b, n_{bk})/\tau}},
        \qquad s(a, p) = \frac{a^\top p}{\lVert a \rVert \lVert p \rVert}
        \ \text{or}\ a^\top p

    Without ``negatives`` the other positives of the batch are the
    negatives (:math:`n_{bk} = p_j,\ j \ne b`): the loss is then the
    cross-entropy of the (B, B) similarity matrix against its diagonal, one
    direction of CLIP's symmetric loss.

    Parameters
    ----------
    anchors, positives : torch.Tensor, shape (B, D)
    negatives : torch.Tensor, shape (B, K, D), optional
        :math:`K \ge 1` negatives per anchor; default: in-batch.
    temperature : float, keyword-only
        :math:`\tau > 0`.
    similarity : {"cosine", "dot"}, keyword-only

    Returns
    -------
    torch.Tensor
        The scalar mean loss, differentiable.

    Raises
    ------
    ValueError
        If :math:`\tau \le 0`, shapes disagree, or in-batch with :math:`B = 1`.

    Examples
    --------
    An anchor equal to its positive and orthogonal to its negative:

    >>> a = torch.tensor([[1.0, 0.0]])
    >>> loss = info_nce(a, a, torch.tensor([[[0.0, 1.0]]]), temperature=1.0)
    >>> round(loss.item(), 4)  # -log(e / (e + 1))
    0.3133
    >>> a = torch.eye(3)  # in-batch: each row is the others' negative
    >>> round(info_nce(a, a, temperature=1.0).item(), 4)  # -log(e / (e + 2))
    0.5514
    """
    tau = _check_scoring(similarity, temperature)
    a = _check_float(anchors, "anchors", 2)
    p = _check_float(positives, "positives", 2)
    if p.shape != a.shape:
        raise ValueError(
            f"positives has shape {tuple(p.shape)}, anchors {tuple(a.shape)}"
        )
    if a.shape[0] == 0:
        raise ValueError("anchors is empty")
    if negatives is None:
        if a.shape[0] < 2:
            raise ValueError("in-batch negatives need a batch of at least 2")
        # logits_bj = s(a_b, p_j) / tau; the positive of row b is column b
        logits = _pairwise(a, p, similarity) / tau  # (B, B)
        target = torch.arange(a.shape[0], device=a.device)  # (B,)
        return torch_F.cross_entropy(logits, target)
    n = _check_float(negatives, "negatives", 3)
    if n.shape[0] != a.shape[0] or n.shape[2] != a.shape[1] or n.shape[1] == 0:
        raise ValueError(
            f"negatives must have shape (B={a.shape[0]}, K >= 1, D={a.shape[1]}), "
            f"got {tuple(n.shape)}"
        )
    candidates = torch.cat([p[:, None, :], n], dim=1)  # (B, 1 + K, D): positive first
    logits = _score(a[:, None, :], candidates, similarity) / tau  # (B, 1 + K)
    # eq. (info-nce): -log softmax at the positive
    return -torch.log_softmax(logits, dim=1)[:, 0].mean()


def _check_lengths(lengths: torch.Tensor | None, B: int, T: int) -> torch.Tensor:
    if lengths is None:
        return torch.full((B,), T, dtype=torch.long)
    if not isinstance(lengths, torch.Tensor) or lengths.is_floating_point():
        raise TypeError("lengths must be an integer torch.Tensor")
    if lengths.shape != (B,):
        raise ValueError(f"lengths must have shape ({B},), got {tuple(lengths.shape)}")
    if bool((lengths < 1).any()) or bool((lengths > T).any()):
        raise ValueError(f"lengths must lie in [1, T={T}], got {lengths.tolist()}")
    return lengths.long().cpu()


def cpc_loss(
    context: torch.Tensor,
    latents: torch.Tensor,
    W: torch.Tensor,
    lengths: torch.Tensor | None = None,
    *,
    n_negatives: int | None = None,
    temperature: float = 1.0,
    similarity: str = "dot",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""CPC's InfoNCE loss: predict future latents from the context.

    .. math::

        \mathcal{L}_{\mathrm{CPC}} = \frac{1}{S} \sum_{k=1}^{S}
        \frac{1}{|P_k|} \sum_{(b, t) \in P_k} -\log
        \frac{\exp\bigl(s(W_k c_{bt},\ z_{b,t+k})/\tau\bigr)}
             {\sum_{z \in X_{btk}} \exp\bigl(s(W_k c_{bt},\ z)/\tau\bigr)}

    where :math:`P_k = \{(b, t) : t + k < L_b\}` are the pairs whose target
    lies within its utterance and :math:`X_{btk}` holds the positive
    :math:`z_{b,t+k}` and the negatives. Negatives come from the valid frames
    of the whole batch, other time steps and other utterances alike: with
    ``n_negatives=None`` every other valid frame is a negative (exact, no
    sampling); with ``n_negatives=N`` each pair gets :math:`N` frames drawn
    uniformly with replacement from the valid frames other than its positive
    (deterministic given ``generator``).

    Parameters
    ----------
    context : torch.Tensor, shape (B, T, d_c)
        :math:`c_t`.
    latents : torch.Tensor, shape (B, T, d_z)
        :math:`z_t`.
    W : torch.Tensor, shape (S, d_z, d_c)
        The predictors :math:`W_1, \ldots, W_S`.
    lengths : torch.Tensor of int, shape (B,), optional
        Valid frames :math:`L_b`; default all :math:`T`.
    n_negatives : int, optional, keyword-only
        :math:`N \ge 1`; default all other valid frames.
    temperature : float, keyword-only
        :math:`\tau > 0`.
    similarity : {"dot", "cosine"}, keyword-only
    generator : torch.Generator, optional, keyword-only
        For the sampled negatives.

    Returns
    -------
    torch.Tensor
        The scalar loss.

    Raises
    ------
    ValueError
        If shapes disagree, :math:`\tau \le 0`, or some step :math:`k`
        has no pair (every utterance is :math:`k` frames long or shorter).

    Examples
    --------
    With all latents equal, no candidate stands out: the loss is
    :math:`\log N_v` for :math:`N_v` valid frames.

    >>> c, z = torch.randn(2, 6, 3), torch.ones(2, 6, 4)
    >>> loss = cpc_loss(c, z, torch.randn(2, 4, 3))
    >>> round(loss.item(), 4), round(float(torch.log(torch.tensor(12.0))), 4)
    (2.4849, 2.4849)
    """
    tau = _check_scoring(similarity, temperature)
    c = _check_float(context, "context", 3)
    z = _check_float(latents, "latents", 3)
    W = _check_float(W, "W", 3)
    B, T, d_c = c.shape
    if z.shape[:2] != (B, T) or W.shape[1:] != (z.shape[2], d_c) or W.shape[0] == 0:
        raise ValueError(
            f"need context (B, T, d_c), latents (B, T, d_z), W (S, d_z, d_c); got "
            f"{tuple(c.shape)}, {tuple(z.shape)}, {tuple(W.shape)}"
        )
    L = _check_lengths(lengths, B, T)
    if n_negatives is not None:
        n_negatives = check_int(n_negatives, "n_negatives", 1)
    t = torch.arange(T)  # (T,)
    valid = t[None, :] < L[:, None]  # (B, T)
    flat_index = torch.cumsum(valid.flatten(), 0).reshape(B, T) - 1  # (B, T) into Z
    Z = z[valid.to(z.device)]  # (N_v, d_z): the candidates, valid frames only
    if n_negatives is not None and Z.shape[0] < 2:
        raise ValueError("sampled negatives need at least 2 valid frames")
    losses = []
    for k in range(1, W.shape[0] + 1):
        b, t_k = torch.nonzero(t[None, :] + k < L[:, None], as_tuple=True)  # P_k
        if b.numel() == 0:
            raise ValueError(f"no frame pair (t, t + {k}) lies within lengths")
        z_hat = c[b, t_k] @ W[k - 1].T  # (P, d_c) @ (d_c, d_z) -> (P, d_z): W_k c_t
        target = flat_index[b, t_k + k].to(z.device)  # (P,): z_{b, t+k} in Z
        if n_negatives is None:
            logits = _pairwise(z_hat, Z, similarity) / tau
            losses.append(torch_F.cross_entropy(logits, target))  # (P, N_v)
        else:
            shape = (b.numel(), n_negatives)
            j = torch.randint(Z.shape[0] - 1, shape, generator=generator)  # (P, N)
            j = j.to(z.device)
            j = j + (j >= target[:, None]).long()  # skip the positive
            losses.append(
                info_nce(z_hat, Z[target], Z[j], temperature=tau, similarity=similarity)
            )
    return torch.stack(losses).mean()  # (S,) -> mean over steps


class CPC(nn.Module):
    r"""Contrastive predictive coding on frames of speech features.

    :math:`z_t = g_{enc}(x_t)` is a per-frame two-layer MLP (a strided CNN on
    the waveform in the paper), :math:`c_t = g_{ar}(z_{\le t})` a GRU
    (``torch.nn.GRU``, causal, so padding after :math:`L_b` never reaches a
    valid frame), and ``W`` holds the predictors :math:`W_k` of
    :func:`cpc_loss`.

    Parameters
    ----------
    n_features : int
        Features per frame :math:`F` (e.g. log-mel bands).
    d_latent, d_context : int
        Widths of :math:`z_t` and :math:`c_t`.
    prediction_steps : int
        :math:`S`, how many frames ahead to predict (12 in the paper).
    temperature, similarity
        Passed to :func:`cpc_loss`.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> model = CPC(n_features=8, d_latent=16, d_context=12, prediction_steps=3)
    >>> x = torch.randn(2, 20, 8)  # (B, T, F)
    >>> lengths = torch.tensor([20, 15])
    >>> model.loss(x, lengths).ndim, model.representations(x, lengths).shape
    (0, torch.Size([2, 20, 12]))
    """

    def __init__(
        self,
        n_features: int,
        d_latent: int,
        d_context: int,
        prediction_steps: int = 12,
        *,
        temperature: float = 1.0,
        similarity: str = "dot",
    ) -> None:
        super().__init__()
        F_ = check_int(n_features, "n_features", 1)
        d_z = check_int(d_latent, "d_latent", 1)
        d_c = check_int(d_context, "d_context", 1)
        S = check_int(prediction_steps, "prediction_steps", 1)
        self.temperature = _check_scoring(similarity, temperature)
        self.similarity = similarity
        self.g_enc = nn.Sequential(nn.Linear(F_, d_z), nn.GELU(), nn.Linear(d_z, d_z))
        self.g_ar = nn.GRU(d_z, d_c, batch_first=True)
        self.W = nn.Parameter(torch.randn(S, d_z, d_c) / d_c**0.5)  # W_k = W[k - 1]

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Latents :math:`z` (B, T, d_z) and contexts :math:`c` (B, T, d_c)."""
        x = _check_float(features, "features", 3)
        z = self.g_enc(x)  # (B, T, F) -> (B, T, d_z)
        c, _ = self.g_ar(z)  # (B, T, d_c)
        return z, c

    def representations(
        self, features: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Contexts :math:`c_t` (B, T, d_c), zero after each length (for probes)."""
        _, c = self(features)
        L = _check_lengths(lengths, c.shape[0], c.shape[1]).to(c.device)
        valid = torch.arange(c.shape[1], device=c.device)[None, :] < L[:, None]
        return c * valid[:, :, None]  # (B, T, d_c)

    def loss(
        self,
        features: torch.Tensor,
        lengths: torch.Tensor | None = None,
        *,
        n_negatives: int | None = None,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """:func:`cpc_loss` of the batch ``features`` (B, T, F)."""
        z, c = self(features)
        return cpc_loss(
            c,
            z,
            self.W,
            lengths,
            n_negatives=n_negatives,
            temperature=self.temperature,
            similarity=self.similarity,
            generator=generator,
        )
