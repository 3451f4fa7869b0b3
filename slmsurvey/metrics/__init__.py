"""Evaluation metrics: perplexity, error rates, BLEU, rater agreement and MOS."""

from slmsurvey.metrics.agreement import (
    category_counts,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
)
from slmsurvey.metrics.bleu import BleuDetails, bleu, bleu_details, sentence_bleu
from slmsurvey.metrics.mos import MOS, mos, mos_per_item
from slmsurvey.metrics.perplexity import perplexity
from slmsurvey.metrics.wer import Alignment, cer, edit_distance, error_counts, wer

__all__ = [
    "MOS",
    "Alignment",
    "BleuDetails",
    "bleu",
    "bleu_details",
    "category_counts",
    "cer",
    "cohen_kappa",
    "edit_distance",
    "error_counts",
    "fleiss_kappa",
    "krippendorff_alpha",
    "mos",
    "mos_per_item",
    "perplexity",
    "sentence_bleu",
    "wer",
]
