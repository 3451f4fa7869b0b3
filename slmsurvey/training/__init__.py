"""Training: a reusable loop, fine-tuning tools and SpecAugment."""

from slmsurvey.training.finetune import (
    GradualUnfreezing,
    freeze,
    l2_sp_penalty,
    layerwise_lr_decay_groups,
    parameter_snapshot,
    set_dropout,
    unfreeze,
)
from slmsurvey.training.loop import History, fit
from slmsurvey.training.specaugment import spec_augment, spec_augment_mask

__all__ = [
    "GradualUnfreezing",
    "History",
    "fit",
    "freeze",
    "l2_sp_penalty",
    "layerwise_lr_decay_groups",
    "parameter_snapshot",
    "set_dropout",
    "spec_augment",
    "spec_augment_mask",
    "unfreeze",
]
