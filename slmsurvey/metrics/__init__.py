"""Evaluation metrics: perplexity, word and character error rates, BLEU."""

from slmsurvey.metrics.bleu import BleuDetails, bleu, bleu_details, sentence_bleu
from slmsurvey.metrics.perplexity import perplexity
from slmsurvey.metrics.wer import Alignment, cer, edit_distance, error_counts, wer

__all__ = [
    "Alignment",
    "BleuDetails",
    "bleu",
    "bleu_details",
    "cer",
    "edit_distance",
    "error_counts",
    "perplexity",
    "sentence_bleu",
    "wer",
]
