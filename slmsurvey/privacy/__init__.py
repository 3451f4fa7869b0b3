r"""Differential privacy and membership inference (survey sec. 4.2.2).

- :mod:`~slmsurvey.privacy.mechanisms` -- the Laplace and Gaussian
  mechanisms, with classical and analytic Gaussian calibration;
- :mod:`~slmsurvey.privacy.dpsgd` -- per-example gradients (``torch.func``),
  clipping and the noisy DP-SGD gradient;
- :mod:`~slmsurvey.privacy.training` -- the DP-SGD update and a trainer that
  keeps the privacy ledger;
- :mod:`~slmsurvey.privacy.rdp` -- Rényi DP of the sampled Gaussian
  mechanism;
- :mod:`~slmsurvey.privacy.accountant` -- composition over steps and
  conversion to :math:`(\varepsilon, \delta)`;
- :mod:`~slmsurvey.privacy.attacks` -- the loss-threshold membership
  inference attack (AUC and advantage).
"""

from slmsurvey.privacy.accountant import PrivacySpent, rdp_epsilon, rdp_to_epsilon
from slmsurvey.privacy.attacks import loss_threshold_attack, membership_advantage
from slmsurvey.privacy.dpsgd import (
    clip_per_example,
    per_example_gradients,
    private_gradient,
)
from slmsurvey.privacy.mechanisms import (
    gaussian_mechanism,
    gaussian_sigma,
    laplace_mechanism,
)
from slmsurvey.privacy.rdp import DEFAULT_ORDERS, sgm_rdp
from slmsurvey.privacy.training import DPSGD, DPStepResult, dp_sgd_step

__all__ = [
    "DEFAULT_ORDERS",
    "DPSGD",
    "DPStepResult",
    "PrivacySpent",
    "clip_per_example",
    "dp_sgd_step",
    "gaussian_mechanism",
    "gaussian_sigma",
    "laplace_mechanism",
    "loss_threshold_attack",
    "membership_advantage",
    "per_example_gradients",
    "private_gradient",
    "rdp_epsilon",
    "rdp_to_epsilon",
    "sgm_rdp",
]
