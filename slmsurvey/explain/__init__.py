"""Explainability: which inputs a prediction rests on.

- :mod:`~slmsurvey.explain.shapley` -- exact Shapley values with a baseline
  value function (Shapley 1953), the Shapley kernel and KernelSHAP (Lundberg
  & Lee 2017), checked against the ``shap`` package;
- :mod:`~slmsurvey.explain.gradients` -- saliency maps (Simonyan et al.
  2014) and integrated gradients (Sundararajan et al. 2017);
- :mod:`~slmsurvey.explain.rollout` -- attention rollout (Abnar & Zuidema
  2020);
- :mod:`~slmsurvey.explain.rationale` -- a one-sentence rationale that
  names the largest attributions.

References
----------
Lundberg & Lee (2017). arXiv:1705.07874.
Simonyan, Vedaldi & Zisserman (2014). arXiv:1312.6034.
Sundararajan, Taly & Yan (2017). arXiv:1703.01365.
Abnar & Zuidema (2020). arXiv:2005.00928.
"""

from slmsurvey.explain.gradients import integrated_gradients, saliency
from slmsurvey.explain.rationale import rationale
from slmsurvey.explain.rollout import attention_rollout
from slmsurvey.explain.shapley import (
    MAX_EXACT_FEATURES,
    kernel_shap,
    shapley_kernel,
    shapley_values,
)

__all__ = [
    "MAX_EXACT_FEATURES",
    "attention_rollout",
    "integrated_gradients",
    "kernel_shap",
    "rationale",
    "saliency",
    "shapley_kernel",
    "shapley_values",
]
