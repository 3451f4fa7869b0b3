r"""Contrastive learning of a joint embedding space for two modalities.

CLIP trains an image encoder and a text encoder together so that an image and
its caption land close to each other and far from the other captions of the
batch. With a batch of :math:`B` pairs whose embeddings are :math:`a_i` (one
modality) and :math:`b_i` (the other), both L2-normalised, the logits are the
scaled cosine similarities and the loss is the mean of two cross-entropies,
one picking the right :math:`b` for each :math:`a` (rows) and one the right
:math:`a` for each :math:`b` (columns):

.. math::

    s_{ij} = \frac{\hat a_i^\top \hat b_j}{\tau}, \qquad
    \mathcal{L} = \frac{1}{2B} \sum_{i=1}^{B} \Big(
        -\log \frac{e^{s_{ii}}}{\sum_j e^{s_{ij}}}
        -\log \frac{e^{s_{ii}}}{\sum_j e^{s_{ji}}} \Big),
    \qquad \hat x = x / \lVert x \rVert

Each direction is InfoNCE with in-batch negatives, so :func:`clip_loss` calls
:func:`slmsurvey.ssl.info_nce` twice. Nothing in the loss is specific to
images: the book uses it for spoken words and their spelling.

A trained joint space is judged by retrieval: embed :math:`Q` queries of one
modality and :math:`N` items of the other, rank the items of each query by
similarity, and count how often the right one is among the first :math:`k`
(:func:`recall_at_k`). Choosing at random gives :math:`k / N`.

Symbols and code: :math:`a_i, b_i` are rows ``a[i]``, ``b[i]``; :math:`\tau`
is ``temperature`` (CLIP learns :math:`\log(1/\tau)` and starts at
:math:`\tau = 0.07`); :math:`s_{ij}` is ``similarity[i, j]``.

References
----------
Radford et al. (2021), "Learning transferable visual models from natural
language supervision", sec. 2.3 and fig. 3. arXiv:2103.00020.
van den Oord, Li & Vinyals (2018), "Representation learning with contrastive
predictive coding". arXiv:1807.03748.
"""

# Shapes: B batch of pairs, D embedding width, Q queries, N items.

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as torch_F

from slmsurvey._checks import check_int
from slmsurvey.ssl.contrastive import info_nce

__all__ = ["clip_loss", "clip_logits", "recall_at_k", "retrieval_ranks"]


def _check_embeddings(a: object, b: object) -> tuple[torch.Tensor, torch.Tensor]:
    for name, x in (("a", a), ("b", b)):
        if not isinstance(x, torch.Tensor) or not x.is_floating_point():
            raise TypeError(f"{name} must be a floating-point torch.Tensor")
        if x.ndim != 2:
            raise ValueError(f"{name} must have shape (B, D), got {tuple(x.shape)}")
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"a and b must hold the same number of pairs: a has {a.shape[0]} "
            f"rows, b has {b.shape[0]}"
        )
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"a and b must have the same width D: a has {a.shape[1]}, "
            f"b has {b.shape[1]} (project both to one width first)"
        )
    if a.shape[0] < 2:
        raise ValueError("a and b need a batch of at least 2 pairs")
    return a, b


def _check_temperature(temperature: object) -> float:
    if not isinstance(temperature, int | float) or isinstance(temperature, bool):
        raise TypeError(
            f"temperature must be a real number, got {type(temperature).__name__}"
        )
    tau = float(temperature)
    if not (math.isfinite(tau) and tau > 0):
        raise ValueError(f"temperature must be finite and > 0, got {temperature}")
    return tau


def clip_logits(
    a: torch.Tensor, b: torch.Tensor, *, temperature: float
) -> torch.Tensor:
    r"""The (B, B) matrix :math:`s_{ij} = \hat a_i^\top \hat b_j / \tau`.

    Examples
    --------
    >>> a = torch.tensor([[2.0, 0.0], [0.0, 3.0]])
    >>> clip_logits(a, a, temperature=0.5).tolist()
    [[2.0, 0.0], [0.0, 2.0]]
    """
    a, b = _check_embeddings(a, b)
    tau = _check_temperature(temperature)
    a_hat, b_hat = torch_F.normalize(a, dim=1), torch_F.normalize(b, dim=1)
    return a_hat @ b_hat.T / tau  # (B, D) @ (D, B) -> (B, B)


def clip_loss(a: torch.Tensor, b: torch.Tensor, *, temperature: float) -> torch.Tensor:
    r"""CLIP's symmetric contrastive loss over a batch of paired embeddings.

    .. math::

        \mathcal{L} = \tfrac12 \big(\mathrm{CE}(S, I) + \mathrm{CE}(S^\top, I)
        \big), \qquad S_{ij} = \frac{\hat a_i^\top \hat b_j}{\tau}

    where :math:`\mathrm{CE}(S, I)` is the mean cross-entropy of the rows of
    :math:`S` against the diagonal (pair :math:`i` matches item :math:`i`).
    Each half is :func:`slmsurvey.ssl.info_nce` with cosine similarity and
    in-batch negatives.

    Parameters
    ----------
    a, b : torch.Tensor, shape (B, D)
        Embeddings of the two modalities; row :math:`i` of each is one pair.
        They are L2-normalised here, so their scale does not matter.
    temperature : float, keyword-only
        :math:`\tau > 0`; smaller values sharpen the softmax.

    Returns
    -------
    torch.Tensor
        The scalar loss, differentiable in ``a`` and ``b``. It is
        :math:`\log B` when all embeddings are equal, and tends to 0 as
        matching pairs align and the others separate.

    Raises
    ------
    TypeError
        If ``a`` or ``b`` is not a floating-point tensor, or ``temperature``
        is not a number.
    ValueError
        If ``a`` or ``b`` is not 2-D, their batch sizes or widths differ,
        :math:`B < 2`, or ``temperature`` is not finite and positive.

    References
    ----------
    Radford et al. (2021), fig. 3. arXiv:2103.00020.

    Examples
    --------
    Orthogonal pairs at :math:`\tau = 1`: each row picks its match out of
    :math:`B = 3` with probability :math:`e / (e + 2)`.

    >>> a = torch.eye(3)
    >>> round(clip_loss(a, a, temperature=1.0).item(), 4)  # -log(e / (e + 2))
    0.5514
    >>> same = torch.ones(4, 2)  # nothing to tell apart: log 4
    >>> round(clip_loss(same, same, temperature=0.1).item(), 4)
    1.3863
    """
    a, b = _check_embeddings(a, b)
    tau = _check_temperature(temperature)
    # eq. (clip-loss): rows pick b for each a, columns pick a for each b
    a_to_b = info_nce(a, b, temperature=tau, similarity="cosine")
    b_to_a = info_nce(b, a, temperature=tau, similarity="cosine")
    return 0.5 * (a_to_b + b_to_a)


def _check_similarity(similarity: object, targets: object = None) -> tuple:
    if isinstance(similarity, torch.Tensor):
        similarity = similarity.detach().cpu().numpy()
    if not isinstance(similarity, np.ndarray):
        raise TypeError(
            "similarity must be a numpy array or torch tensor, got "
            f"{type(similarity).__name__}"
        )
    S = similarity.astype(np.float64)
    if S.ndim != 2 or S.shape[0] == 0:
        raise ValueError(
            f"similarity must have shape (Q, N) with Q >= 1, got {S.shape}"
        )
    if not np.isfinite(S).all():
        raise ValueError("similarity contains NaN or infinite values")
    Q, N = S.shape
    if targets is None:
        if Q > N:
            raise ValueError(
                f"similarity has {Q} queries but only {N} items; query i's "
                "match is item i, so Q <= N (or pass targets)"
            )
        return S, np.arange(Q)
    if isinstance(targets, torch.Tensor):
        targets = targets.detach().cpu().numpy()
    y = np.asarray(targets)
    if y.shape != (Q,) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"targets must hold {Q} integer item indices, got {y!r}")
    if Q and (y.min() < 0 or y.max() >= N):
        raise ValueError(f"targets must lie in [0, {N - 1}]")
    return S, y.astype(np.int64)


def retrieval_ranks(
    similarity: np.ndarray | torch.Tensor,
    *,
    targets: np.ndarray | torch.Tensor | None = None,
) -> np.ndarray:
    r"""The rank of each query's correct item among all items (1 = best).

    Query :math:`i`'s correct item is item :math:`c_i = i`, or
    :math:`c_i` = ``targets[i]`` when given. Ties count against the
    query: the rank is the number of items scoring at least as high as the
    correct one,

    .. math:: r_i = \big|\{\, j : s_{ij} \ge s_{i c_i} \,\}\big|

    Parameters
    ----------
    similarity : numpy.ndarray or torch.Tensor, shape (Q, N)
        Score of item :math:`j` for query :math:`i`, higher is better;
        :math:`Q \le N` unless ``targets`` is given. For the other direction
        pass its transpose.
    targets : array of int, shape (Q,), optional, keyword-only
        The correct item of each query (several queries may share one).

    Returns
    -------
    numpy.ndarray of int, shape (Q,)

    Examples
    --------
    >>> retrieval_ranks(np.array([[0.9, 0.1, 0.0], [0.8, 0.5, 0.7]])).tolist()
    [1, 3]
    >>> retrieval_ranks(np.array([[0.9, 0.1], [0.8, 0.5]]), targets=[1, 0]).tolist()
    [2, 1]
    """
    S, c = _check_similarity(similarity, targets)
    correct = S[np.arange(S.shape[0]), c]  # (Q,)
    return (S >= correct[:, None]).sum(axis=1)  # (Q, N) -> (Q,)


def recall_at_k(
    similarity: np.ndarray | torch.Tensor,
    k: int,
    *,
    targets: np.ndarray | torch.Tensor | None = None,
) -> float:
    r"""Share of queries whose correct item is among the :math:`k` best.

    .. math:: \mathrm{R@}k = \frac{1}{Q} \sum_{i=1}^{Q} [\, r_i \le k \,]

    with :math:`r_i` from :func:`retrieval_ranks` (ties count against the
    query). Random scores give :math:`k / N` on average.

    Parameters
    ----------
    similarity : numpy.ndarray or torch.Tensor, shape (Q, N)
        Query :math:`i`'s correct item is item :math:`i`; :math:`Q \le N`.
        Pass ``similarity.T`` to retrieve the other way.
    k : int
        :math:`1 \le k \le N`.
    targets : array of int, shape (Q,), optional, keyword-only
        As in :func:`retrieval_ranks`: query :math:`i`'s correct item.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``k`` is not an int or ``similarity`` not an array.
    ValueError
        If ``k`` is outside :math:`[1, N]` or ``similarity`` is malformed.

    Examples
    --------
    >>> S = np.array([[0.9, 0.1, 0.0], [0.8, 0.5, 0.7], [0.0, 0.2, 0.3]])
    >>> recall_at_k(S, 1), recall_at_k(S, 2), recall_at_k(S, 3)
    (0.6666666666666666, 0.6666666666666666, 1.0)
    """
    S, c = _check_similarity(similarity, targets)
    k = check_int(k, "k", 1)
    if k > S.shape[1]:
        raise ValueError(f"k must be at most the number of items N={S.shape[1]}")
    return float(np.mean(retrieval_ranks(S, targets=c) <= k))
