"""Training: a reusable loop, fine-tuning tools, adapters and SpecAugment."""

from slmsurvey.training.adapters import (
    AdaptedLayer,
    Adapter,
    add_adapters,
    trainable_parameters,
)
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
    "AdaptedLayer",
    "Adapter",
    "GradualUnfreezing",
    "History",
    "add_adapters",
    "fit",
    "freeze",
    "l2_sp_penalty",
    "layerwise_lr_decay_groups",
    "parameter_snapshot",
    "set_dropout",
    "spec_augment",
    "spec_augment_mask",
    "trainable_parameters",
    "unfreeze",
]
