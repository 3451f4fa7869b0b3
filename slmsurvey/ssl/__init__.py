"""Self-supervised learning: masked language modelling and contrastive objectives.

- :mod:`~slmsurvey.ssl.masking` -- BERT's 80/10/10 token masking, the masked-LM
  head :math:`\\mathrm{softmax}(W z_i + b)` and its loss;
- :mod:`~slmsurvey.ssl.contrastive` -- InfoNCE and contrastive predictive
  coding (CPC) on speech frames.
"""

from slmsurvey.ssl.contrastive import CPC, cpc_loss, info_nce
from slmsurvey.ssl.masking import (
    IGNORE_INDEX,
    MaskedLMHead,
    mask_tokens,
    masked_lm_log_probs,
    masked_lm_loss,
)

__all__ = [
    "CPC",
    "IGNORE_INDEX",
    "MaskedLMHead",
    "cpc_loss",
    "info_nce",
    "mask_tokens",
    "masked_lm_log_probs",
    "masked_lm_loss",
]
