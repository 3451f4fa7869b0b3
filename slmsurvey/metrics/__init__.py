"""Evaluation metrics: perplexity, word and character error rates."""

from slmsurvey.metrics.perplexity import perplexity
from slmsurvey.metrics.wer import Alignment, cer, edit_distance, error_counts, wer

__all__ = ["Alignment", "cer", "edit_distance", "error_counts", "perplexity", "wer"]
