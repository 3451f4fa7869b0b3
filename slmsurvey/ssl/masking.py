r"""Masked language modelling: hide some tokens, predict them from both sides.

BERT's pre-training corrupts a sequence :math:`x` into :math:`\tilde x` by
selecting each token with probability :math:`p` (``mask_prob``, 15 %) and
replacing a selected token by ``[MASK]`` 80 % of the time, by a random token
10 % of the time, and leaving it unchanged 10 % of the time (so the model
cannot rely on ``[MASK]`` being present when it is fine-tuned). An encoder
turns :math:`\tilde x` into contextual vectors :math:`z_i`, and a linear layer
with a softmax scores every vocabulary entry at every position (the survey's
eq. in 3.2.1; in 2.2.1 the score is written :math:`f(w)`):

.. math::

    P(x_i \mid x_{i-k}, \ldots, x_{i+k}) = \mathrm{softmax}(W z_i + b),
    \qquad
    P_{\text{masked}}(w \mid \text{context}) =
    \frac{\exp f(w)}{\sum_{w'} \exp f(w')}, \quad f(w) = (W z_i + b)_w .

The loss is the cross-entropy over the selected positions :math:`M` only:

.. math::

    \mathcal{L}_{\mathrm{MLM}} = -\frac{1}{|M|} \sum_{i \in M}
    \log P(x_i \mid \tilde x).

Symbols and code: :math:`W` (V, d_model) and :math:`b` (V,) are ``W`` and
``b`` (``MaskedLMHead.W.weight`` and ``.bias``, the weight stored as in the
paper since ``nn.Linear`` computes :math:`z W^\top + b`); :math:`z_i` is a row
of ``z``; :math:`M` is where ``labels != IGNORE_INDEX``. Labels follow
PyTorch's convention: -100 marks a position that is not predicted, the default
``ignore_index`` of :func:`torch.nn.functional.cross_entropy`.

References
----------
Devlin, Chang, Lee & Toutanova (2019), "BERT: pre-training of deep
bidirectional Transformers for language understanding", NAACL, sec. 3.1.
arXiv:1810.04805.
"""

# Shapes: B batch, L sequence length, d_model model width, V vocabulary size,
#         ... any leading dims.

from __future__ import annotations

from collections.abc import Iterable

import torch
import torch.nn.functional as torch_F
from torch import nn

from slmsurvey._checks import check_int, check_real

__all__ = [
    "IGNORE_INDEX",
    "MaskedLMHead",
    "mask_tokens",
    "masked_lm_log_probs",
    "masked_lm_loss",
]

IGNORE_INDEX = -100  # labels at positions that are not predicted


def _check_tokens(x: object, name: str) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.is_floating_point() or x.is_complex() or x.dtype == torch.bool:
        raise TypeError(f"{name} must be an integer tensor, got {x.dtype}")
    if x.ndim == 0 or x.numel() == 0:
        raise ValueError(f"{name} must be non-empty with shape (B, L), got {x.shape}")
    return x


def mask_tokens(
    tokens: torch.Tensor,
    *,
    mask_id: int,
    vocab_size: int,
    mask_prob: float = 0.15,
    special_ids: Iterable[int] = (),
    padding_mask: torch.Tensor | None = None,
    p_mask: float = 0.8,
    p_random: float = 0.1,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""BERT's corruption: select ~``mask_prob`` of the tokens, 80/10/10 them.

    Each token that is neither special nor padding is selected independently
    with probability :math:`p`; a selected token becomes

    .. math::

        \tilde x_i = \begin{cases}
            \texttt{[MASK]} & \text{with probability } p_{mask} = 0.8 \\
            w \sim \mathcal U(\mathcal V \setminus S) &
                \text{with probability } p_{random} = 0.1 \\
            x_i & \text{otherwise (0.1)}
        \end{cases}

    where :math:`S` holds ``mask_id`` and ``special_ids``. The random token
    may happen to equal :math:`x_i` (probability :math:`1/|\mathcal V
    \setminus S|`), as in BERT.

    Parameters
    ----------
    tokens : torch.Tensor of int, shape (B, L)
        Token ids :math:`x` in ``[0, vocab_size)``; not modified.
    mask_id : int, keyword-only
        The id of ``[MASK]``.
    vocab_size : int, keyword-only
        :math:`|\mathcal V|`.
    mask_prob : float, keyword-only
        :math:`p \in (0, 1)`.
    special_ids : iterable of int, keyword-only
        Ids never selected and never drawn as random tokens (``[CLS]``,
        ``[SEP]``, padding, ...).
    padding_mask : torch.Tensor of bool, shape (B, L), optional
        True at padded positions, which are never selected.
    p_mask, p_random : float, keyword-only
        The replacement probabilities, non-negative with sum at most 1.
    generator : torch.Generator, optional
        Source of randomness (on the device of ``tokens``).

    Returns
    -------
    inputs : torch.Tensor, shape (B, L)
        :math:`\tilde x`.
    labels : torch.Tensor of int64, shape (B, L)
        :math:`x_i` where selected, ``IGNORE_INDEX`` (-100) elsewhere.

    Raises
    ------
    ValueError
        If ``mask_prob`` is outside (0, 1), an id is outside the vocabulary,
        the probabilities do not add up, or shapes disagree.

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> x = torch.randint(3, 100, (64, 500), generator=g)  # (B, L)
    >>> inputs, labels = mask_tokens(x, mask_id=0, vocab_size=100, generator=g)
    >>> selected = labels != IGNORE_INDEX
    >>> bool((labels[selected] == x[selected]).all())
    True
    >>> bool((inputs[~selected] == x[~selected]).all())  # the rest is untouched
    True
    >>> abs(selected.float().mean().item() - 0.15) < 0.01  # about mask_prob
    True
    >>> abs((inputs[selected] == 0).float().mean().item() - 0.8) < 0.02  # [MASK]
    True
    """
    x = _check_tokens(tokens, "tokens")
    V = check_int(vocab_size, "vocab_size", 2)
    mask_id = check_int(mask_id, "mask_id", 0)
    if mask_id >= V:
        raise ValueError(f"mask_id must be below vocab_size={V}, got {mask_id}")
    p = check_real(mask_prob, "mask_prob", low=0.0, open_low=True)
    if p >= 1.0:
        raise ValueError(f"mask_prob must lie in (0, 1), got {p}")
    p_mask = check_real(p_mask, "p_mask", low=0.0)
    p_random = check_real(p_random, "p_random", low=0.0)
    if p_mask + p_random > 1.0:
        raise ValueError(
            f"p_mask + p_random must be at most 1, got {p_mask + p_random}"
        )
    special = {check_int(s, "special_ids", 0) for s in special_ids}
    if any(s >= V for s in special):
        raise ValueError(f"special_ids must lie in [0, vocab_size={V}), got {special}")
    if bool((x < 0).any()) or bool((x >= V).any()):
        raise ValueError(f"tokens must lie in [0, vocab_size={V})")
    allowed = [w for w in range(V) if w != mask_id and w not in special]
    if not allowed:
        raise ValueError("every id is special: no random replacement can be drawn")
    eligible = torch.ones_like(x, dtype=torch.bool)  # (B, L)
    for s in special:
        eligible &= x != s
    if padding_mask is not None:
        if (
            not isinstance(padding_mask, torch.Tensor)
            or padding_mask.dtype != torch.bool
        ):
            raise TypeError("padding_mask must be a bool tensor")
        if padding_mask.shape != x.shape:
            raise ValueError(
                f"padding_mask has shape {tuple(padding_mask.shape)}, "
                f"tokens {tuple(x.shape)}"
            )
        eligible &= ~padding_mask

    def uniform() -> torch.Tensor:
        return torch.rand(x.shape, generator=generator, device=x.device)  # (B, L)

    selected = eligible & (uniform() < p)  # each token with probability p
    u = uniform()  # (B, L): which of the three replacements
    to_mask = selected & (u < p_mask)
    to_random = selected & (u >= p_mask) & (u < p_mask + p_random)
    choices = torch.tensor(allowed, dtype=x.dtype, device=x.device)  # (|V \ S|,)
    k = torch.randint(len(allowed), x.shape, generator=generator, device=x.device)
    inputs = torch.where(to_mask, torch.full_like(x, mask_id), x)  # (B, L)
    inputs = torch.where(to_random, choices[k], inputs)  # (B, L)
    labels = torch.where(selected, x.long(), IGNORE_INDEX)  # (B, L)
    return inputs, labels


def masked_lm_log_probs(
    z: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None = None
) -> torch.Tensor:
    r"""Log of :math:`\mathrm{softmax}(W z_i + b)` at every position.

    .. math::

        \log P(w \mid \tilde x) = f(w) - \log \sum_{w'} \exp f(w'),
        \qquad f = W z_i + b

    Parameters
    ----------
    z : torch.Tensor, shape (..., d_model)
        Contextual vectors :math:`z_i`.
    W : torch.Tensor, shape (V, d_model)
    b : torch.Tensor, shape (V,), optional

    Returns
    -------
    torch.Tensor, shape (..., V)
        Log-probabilities; each row's exponentials sum to 1.

    Examples
    --------
    >>> z = torch.zeros(1, 2, 3)  # (B, L, d_model)
    >>> masked_lm_log_probs(z, torch.ones(4, 3)).exp()  # uniform over V = 4
    tensor([[[0.2500, 0.2500, 0.2500, 0.2500],
             [0.2500, 0.2500, 0.2500, 0.2500]]])
    """
    for name, t in (("z", z), ("W", W)):
        if not isinstance(t, torch.Tensor) or not t.is_floating_point():
            raise TypeError(f"{name} must be a floating-point torch.Tensor")
    if W.ndim != 2 or z.ndim == 0 or z.shape[-1] != W.shape[1]:
        raise ValueError(
            f"W must have shape (V, d_model={z.shape[-1] if z.ndim else '?'}), "
            f"got {tuple(W.shape)}"
        )
    if b is not None and b.shape != (W.shape[0],):
        raise ValueError(f"b must have shape ({W.shape[0]},), got {tuple(b.shape)}")
    f = z @ W.T  # (..., d_model) @ (d_model, V) -> (..., V)
    if b is not None:
        f = f + b
    return torch.log_softmax(f, dim=-1)  # (..., V)


def masked_lm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    r"""Mean cross-entropy over the selected positions only.

    .. math::

        \mathcal{L}_{\mathrm{MLM}} = -\frac{1}{|M|} \sum_{i \in M}
        \log \mathrm{softmax}(f_i)_{x_i},
        \qquad M = \{i : \text{labels}_i \ne -100\}

    Parameters
    ----------
    logits : torch.Tensor, shape (B, L, V)
        Scores :math:`f_i` (log-probabilities work too: the log-softmax of
        log-probabilities is themselves).
    labels : torch.Tensor of int, shape (B, L)
        From :func:`mask_tokens`.

    Returns
    -------
    torch.Tensor
        The scalar loss, differentiable with respect to ``logits``.

    Raises
    ------
    ValueError
        If no position is selected (the mean over :math:`M` is undefined) or
        a label is outside the vocabulary.

    Examples
    --------
    >>> logits = torch.zeros(1, 3, 5)  # uniform over V = 5
    >>> labels = torch.tensor([[IGNORE_INDEX, 2, IGNORE_INDEX]])
    >>> round(masked_lm_loss(logits, labels).item(), 4)  # log 5
    1.6094
    """
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point():
        raise TypeError("logits must be a floating-point torch.Tensor")
    y = _check_tokens(labels, "labels")
    if logits.shape[:-1] != y.shape:
        raise ValueError(
            f"logits must have shape labels.shape + (V,) = {tuple(y.shape)} + (V,), "
            f"got {tuple(logits.shape)}"
        )
    M = y != IGNORE_INDEX  # (B, L)
    if not bool(M.any()):
        raise ValueError("labels select no position: nothing to predict")
    V = logits.shape[-1]
    if bool((y[M] < 0).any()) or bool((y[M] >= V).any()):
        raise ValueError(f"labels must lie in [0, V={V}) or be {IGNORE_INDEX}")
    # eq. (mlm-loss): cross-entropy at i in M only
    return torch_F.cross_entropy(logits[M], y[M].long())  # (|M|, V), (|M|,)


class MaskedLMHead(nn.Module):
    r"""The output layer :math:`\mathrm{softmax}(W z_i + b)` of a masked LM.

    Parameters
    ----------
    d_model : int
        Width of :math:`z_i`.
    vocab_size : int
        :math:`V`.
    embedding : torch.nn.Embedding, optional
        Tie :math:`W` to this (V, d_model) input embedding, as BERT does; then
        only :math:`b` is a new parameter.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> head = MaskedLMHead(8, 20)
    >>> log_p = head(torch.randn(2, 5, 8))  # (B, L, d_model) -> (B, L, V)
    >>> log_p.shape, torch.allclose(log_p.exp().sum(-1), torch.ones(2, 5))
    (torch.Size([2, 5, 20]), True)
    >>> emb = nn.Embedding(20, 8)
    >>> MaskedLMHead(8, 20, embedding=emb).W.weight is emb.weight
    True
    """

    def __init__(
        self, d_model: int, vocab_size: int, *, embedding: nn.Embedding | None = None
    ) -> None:
        super().__init__()
        self.d_model = check_int(d_model, "d_model", 1)
        self.vocab_size = check_int(vocab_size, "vocab_size", 2)
        self.W = nn.Linear(d_model, vocab_size)  # weight (V, d_model), bias b (V,)
        if embedding is not None:
            if not isinstance(embedding, nn.Embedding):
                raise TypeError("embedding must be a torch.nn.Embedding")
            if embedding.weight.shape != (vocab_size, d_model):
                raise ValueError(
                    f"embedding must be ({vocab_size}, {d_model}), "
                    f"got {tuple(embedding.weight.shape)}"
                )
            self.W.weight = embedding.weight  # tied: the same Parameter

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Log-probabilities (..., V) from contextual vectors (..., d_model)."""
        return masked_lm_log_probs(z, self.W.weight, self.W.bias)
