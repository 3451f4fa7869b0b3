r"""Training with DP-SGD: the update step and a trainer that keeps the privacy ledger.

The update of Abadi et al. (2016), Algorithm 1, with the noisy mean gradient
:math:`\tilde g` of :func:`slmsurvey.privacy.dpsgd.private_gradient`:

.. math::

    \theta_{t+1} = \theta_t - \eta\, \tilde g_t .

After :math:`T` steps with noise multiplier :math:`\sigma` and sampling rate
:math:`q`, the model is :math:`(\varepsilon, \delta)`-DP with
:math:`\varepsilon` from :func:`slmsurvey.privacy.accountant.rdp_epsilon`.
Any optimiser that only post-processes :math:`\tilde g` (momentum, Adam)
keeps the guarantee: to use one, write ``private_gradient``'s result into
each parameter's ``.grad`` and call its ``step()``.

Notation (code name in brackets): :math:`\theta` the trainable parameters,
:math:`\eta` (``lr``), :math:`\tilde g` (``gradient``), :math:`C`
(``max_grad_norm``), :math:`\sigma` (``noise_multiplier``), :math:`q`
(``sample_rate``), :math:`T` (``steps``).

References
----------
Abadi, Chu, Goodfellow, McMahan, Mironov, Talwar & Zhang (2016), "Deep
learning with differential privacy", CCS, Algorithm 1. arXiv:1607.00133.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from slmsurvey._checks import check_real
from slmsurvey.privacy.accountant import PrivacySpent, rdp_epsilon
from slmsurvey.privacy.dpsgd import LossFn, private_gradient

__all__ = ["DPSGD", "DPStepResult", "dp_sgd_step"]


@dataclass(frozen=True)
class DPStepResult:
    """What one DP-SGD step reports.

    Attributes
    ----------
    loss : float
        The mean loss of the batch before the step.
    clipped_fraction : float
        The fraction of examples whose gradient norm exceeded :math:`C`.

    Examples
    --------
    >>> DPStepResult(loss=0.7, clipped_fraction=0.25).clipped_fraction
    0.25
    """

    loss: float
    clipped_fraction: float


def dp_sgd_step(
    model: nn.Module,
    loss_fn: LossFn,
    batch: tuple,
    *,
    lr: float,
    max_grad_norm: float,
    noise_multiplier: float,
    generator: torch.Generator | None = None,
) -> DPStepResult:
    r"""One DP-SGD step, in place: :math:`\theta \leftarrow \theta - \eta\,\tilde g`.

    .. math::

        \theta \leftarrow \theta - \frac{\eta}{B}\left(\sum_{i=1}^{B}
        \frac{g_i}{\max(1, \lVert g_i\rVert_2 / C)}
        + \mathcal{N}(0, \sigma^2 C^2 I)\right).

    Parameters
    ----------
    model, loss_fn, batch, max_grad_norm, noise_multiplier, generator
        As :func:`slmsurvey.privacy.dpsgd.private_gradient`.
    lr : float, keyword-only
        The learning rate :math:`\eta > 0`.

    Returns
    -------
    DPStepResult
        The batch's mean loss (before the step) and the fraction clipped.

    Raises
    ------
    TypeError, ValueError
        As :func:`~slmsurvey.privacy.dpsgd.private_gradient`; ``ValueError``
        also if ``lr <= 0``.

    References
    ----------
    Abadi et al. (2016), Algorithm 1. arXiv:1607.00133.

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> model = torch.nn.Linear(3, 1)
    >>> batch = (torch.randn(8, 3), torch.randn(8, 1))
    >>> result = dp_sgd_step(model, torch.nn.functional.mse_loss, batch, lr=0.1,
    ...                      max_grad_norm=1.0, noise_multiplier=1.0)
    >>> 0.0 <= result.clipped_fraction <= 1.0
    True
    """
    eta = check_real(lr, "lr", low=0.0, open_low=True)
    gradient, norms = private_gradient(
        model,
        loss_fn,
        batch,
        max_grad_norm=max_grad_norm,
        noise_multiplier=noise_multiplier,
        generator=generator,
    )
    x, y = batch
    with torch.no_grad():
        loss = float(loss_fn(model(x), y))
        for k, theta in model.named_parameters():
            if k in gradient:
                theta -= eta * gradient[k]  # Algorithm 1: theta - eta g_tilde
    clipped = float((norms > max_grad_norm).float().mean())
    return DPStepResult(loss=loss, clipped_fraction=clipped)


class DPSGD:
    r"""DP-SGD with its privacy ledger: :func:`dp_sgd_step` plus an accountant.

    Holds :math:`\eta`, :math:`C`, :math:`\sigma` and the sampling rate
    :math:`q`, counts the steps :math:`T`, and reports
    :math:`\varepsilon(\delta)` with
    :func:`~slmsurvey.privacy.accountant.rdp_epsilon`. The accounting assumes
    each batch is a Poisson sample at rate :math:`q` (expected batch size over
    dataset size); shuffled fixed-size batches are the common, slightly
    optimistic, approximation.

    Parameters
    ----------
    model : torch.nn.Module
        The model being trained.
    loss_fn : callable
        ``loss_fn(outputs, targets) -> scalar``.
    lr : float, keyword-only
        :math:`\eta > 0`.
    max_grad_norm : float, keyword-only
        :math:`C > 0`.
    noise_multiplier : float, keyword-only
        :math:`\sigma \ge 0`.
    sample_rate : float, keyword-only
        :math:`q \in (0, 1]`.
    generator : torch.Generator, optional, keyword-only
        The noise source (the global generator if ``None``).

    Attributes
    ----------
    steps : int
        Steps taken so far, :math:`T`.

    Raises
    ------
    TypeError, ValueError
        If a hyper-parameter is out of range (``lr <= 0``,
        ``max_grad_norm <= 0``, ``noise_multiplier < 0``, ``sample_rate``
        outside (0, 1]).

    References
    ----------
    Abadi et al. (2016). arXiv:1607.00133.

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> model = torch.nn.Linear(3, 1)
    >>> dp = DPSGD(model, torch.nn.functional.mse_loss, lr=0.1,
    ...            max_grad_norm=1.0, noise_multiplier=1.0, sample_rate=0.01)
    >>> for _ in range(3):
    ...     _ = dp.step((torch.randn(8, 3), torch.randn(8, 1)))
    >>> dp.steps
    3
    >>> eps, order = dp.epsilon(1e-5)
    >>> bool(0 < eps < 1)
    True
    """

    def __init__(
        self,
        model: nn.Module,
        loss_fn: LossFn,
        *,
        lr: float,
        max_grad_norm: float,
        noise_multiplier: float,
        sample_rate: float,
        generator: torch.Generator | None = None,
    ) -> None:
        self.lr = check_real(lr, "lr", low=0.0, open_low=True)
        self.max_grad_norm = check_real(
            max_grad_norm, "max_grad_norm", low=0.0, open_low=True
        )
        self.noise_multiplier = check_real(noise_multiplier, "noise_multiplier", low=0)
        q = check_real(sample_rate, "sample_rate", low=0.0, open_low=True)
        if q > 1:
            raise ValueError(f"sample_rate must lie in (0, 1], got {q}")
        self.model, self.loss_fn = model, loss_fn
        self.sample_rate, self.generator = q, generator
        self.steps = 0

    def step(self, batch: tuple) -> DPStepResult:
        """One :func:`dp_sgd_step` on ``batch``; counted for the accountant."""
        result = dp_sgd_step(
            self.model,
            self.loss_fn,
            batch,
            lr=self.lr,
            max_grad_norm=self.max_grad_norm,
            noise_multiplier=self.noise_multiplier,
            generator=self.generator,
        )
        self.steps += 1
        return result

    def epsilon(self, delta: float) -> PrivacySpent:
        r"""The :math:`(\varepsilon, \alpha)` spent so far; 0 before any step."""
        if self.steps == 0:
            return PrivacySpent(0.0, math.nan)
        return rdp_epsilon(self.noise_multiplier, self.sample_rate, self.steps, delta)
