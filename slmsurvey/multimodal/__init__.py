"""Multimodal integration: speech together with text and lip video.

- :mod:`~slmsurvey.multimodal.contrastive` -- CLIP's symmetric contrastive
  loss over paired embeddings (:func:`clip_loss`, :func:`clip_logits`) and
  retrieval metrics (:func:`retrieval_ranks`, :func:`recall_at_k`);
- :mod:`~slmsurvey.multimodal.attention` -- :class:`CrossModalAttention`,
  multi-head attention whose keys and values come from another stream of
  another width (torch's ``kdim``/``vdim``);
- :mod:`~slmsurvey.multimodal.fusion` -- audio-visual word recognisers on
  log-mel frames and lip images: :class:`AudioOnlyRecognizer`,
  :class:`LateFusionRecognizer`, :class:`AttentionFusionRecognizer`, their
  training loop :func:`fit_recognizer` and :func:`masked_pool`;
- :mod:`~slmsurvey.multimodal.diagram` --
  :func:`draw_multimodal_architectures`, the book's architecture figure.

References
----------
Radford et al. (2021), "Learning transferable visual models from natural
language supervision" (CLIP). arXiv:2103.00020.
Akbari et al. (2021), "VATT: Transformers for multimodal self-supervised
learning from raw video, audio and text". arXiv:2104.11178.
Shi, Hsu, Lakhotia & Mohamed (2022), "Learning audio-visual speech
representation by masked multimodal cluster prediction" (AV-HuBERT).
arXiv:2201.02184.
"""

from slmsurvey.multimodal.attention import CrossModalAttention
from slmsurvey.multimodal.contrastive import (
    clip_logits,
    clip_loss,
    recall_at_k,
    retrieval_ranks,
)
from slmsurvey.multimodal.diagram import draw_multimodal_architectures
from slmsurvey.multimodal.fusion import (
    AttentionFusionRecognizer,
    AudioOnlyRecognizer,
    LateFusionRecognizer,
    fit_recognizer,
    masked_pool,
)

__all__ = [
    "AttentionFusionRecognizer",
    "AudioOnlyRecognizer",
    "CrossModalAttention",
    "LateFusionRecognizer",
    "clip_logits",
    "clip_loss",
    "draw_multimodal_architectures",
    "fit_recognizer",
    "masked_pool",
    "recall_at_k",
    "retrieval_ranks",
]
