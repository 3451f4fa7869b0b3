"""A small spoken-word classifier: pooled log-mel statistics and an MLP.

The simplest recogniser that still learns from data: summarise each utterance
by the mean and standard deviation of its log-mel frames (a fixed-length
vector, whatever the duration), standardise, and classify with a one-hidden-
layer network. The data chapters use it to measure how training data,
augmentation and noise change an error rate.

Shapes: B utterances, N frames, F mel bands, C classes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

__all__ = ["WordClassifier", "pooled_features"]


def pooled_features(features: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    r"""Mean and standard deviation of each utterance's valid frames.

    .. math:: z = \big[\tfrac{1}{N}\textstyle\sum_n x_n,\;
              \sqrt{\tfrac{1}{N}\sum_n (x_n - \bar{x})^2}\big]

    Parameters
    ----------
    features : Tensor, shape (B, N, F)
        Padded frames, e.g. from ``SpokenCorpus.features``.
    lengths : Tensor, shape (B,)
        Number of valid frames of each utterance.

    Returns
    -------
    Tensor, shape (B, 2F)

    Examples
    --------
    >>> x = torch.tensor([[[1.0], [3.0], [0.0]]])  # one utterance, 2 valid frames
    >>> pooled_features(x, torch.tensor([2])).tolist()
    [[2.0, 1.0]]
    """
    if features.ndim != 3:
        raise ValueError(
            f"features must have shape (B, N, F), got {tuple(features.shape)}"
        )
    if lengths.shape != features.shape[:1] or (lengths < 1).any():
        raise ValueError("lengths must hold one positive frame count per utterance")
    if (lengths > features.shape[1]).any():
        raise ValueError("lengths must not exceed the number of frames")
    N = features.shape[1]
    mask = (torch.arange(N)[None, :] < lengths[:, None]).unsqueeze(-1)  # (B, N, 1)
    count = lengths[:, None].to(features.dtype)  # (B, 1)
    mean = (features * mask).sum(1) / count  # (B, F)
    var = (((features - mean[:, None]) * mask) ** 2).sum(1) / count  # (B, F)
    return torch.cat([mean, var.sqrt()], dim=1)  # (B, 2F)


class WordClassifier:
    """Standardise, then a one-hidden-layer network trained with Adam.

    Follows scikit-learn: ``fit(X, labels)`` returns ``self``,
    ``predict(X)`` returns labels, ``error_rate(X, labels)`` a float.

    Parameters
    ----------
    hidden : int
        Hidden units (0 for a linear classifier).
    epochs : int
        Full-batch training steps.
    lr, weight_decay : float
        Adam's step size and L2 penalty.
    seed : int
        Seeds the initial weights.

    Examples
    --------
    >>> X = torch.cat([torch.randn(20, 4) + 3, torch.randn(20, 4) - 3])
    >>> labels = ["up"] * 20 + ["down"] * 20
    >>> clf = WordClassifier(epochs=50).fit(X, labels)
    >>> clf.error_rate(X, labels)
    0.0
    """

    def __init__(
        self, hidden: int = 64, epochs: int = 200, lr: float = 1e-2,
        weight_decay: float = 1e-4, seed: int = 0,
    ) -> None:  # fmt: skip
        self.hidden = hidden
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.seed = seed

    def fit(self, X: torch.Tensor, labels: Sequence[str]) -> WordClassifier:
        X = self._check(X, labels)
        self.classes_ = sorted(set(labels))
        if len(self.classes_) < 2:
            raise ValueError("labels must contain at least two classes")
        if self.hidden < 0 or self.epochs < 1 or not self.lr > 0:
            raise ValueError("hidden must be >= 0, epochs >= 1 and lr > 0")
        y = torch.tensor([self.classes_.index(c) for c in labels])
        self.mean_, self.std_ = X.mean(0), X.std(0).clamp_min(1e-6)
        gen = torch.Generator().manual_seed(self.seed)
        D, C = X.shape[1], len(self.classes_)
        layers = [nn.Linear(D, C)] if self.hidden == 0 else [
            nn.Linear(D, self.hidden), nn.ReLU(), nn.Linear(self.hidden, C)
        ]  # fmt: skip
        self.net_ = nn.Sequential(*layers)
        with torch.no_grad():
            for p in self.net_.parameters():
                p.uniform_(-0.1, 0.1, generator=gen)
        opt = torch.optim.Adam(
            self.net_.parameters(), lr=self.lr, weight_decay=self.weight_decay
        )
        Z = (X - self.mean_) / self.std_
        for _ in range(self.epochs):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(self.net_(Z), y)
            loss.backward()
            opt.step()
        return self

    def predict(self, X: torch.Tensor) -> list[str]:
        if not hasattr(self, "net_"):
            raise ValueError("this WordClassifier is not fitted yet: call fit")
        X = self._check(X)
        with torch.no_grad():
            scores = self.net_((X - self.mean_) / self.std_)  # (B, C)
        return [self.classes_[i] for i in scores.argmax(1).tolist()]

    def error_rate(self, X: torch.Tensor, labels: Sequence[str]) -> float:
        """Fraction of utterances whose predicted label is wrong."""
        self._check(X, labels)
        return float(
            np.mean([p != t for p, t in zip(self.predict(X), labels, strict=True)])
        )

    def _check(self, X, labels=None) -> torch.Tensor:
        if not isinstance(X, torch.Tensor) or X.ndim != 2 or not X.is_floating_point():
            raise TypeError("X must be a float tensor of shape (B, D)")
        if not torch.isfinite(X).all():
            raise ValueError("X contains NaN or infinite values")
        if labels is not None and len(labels) != len(X):
            raise ValueError(f"X has {len(X)} rows but labels has {len(labels)}")
        return X
