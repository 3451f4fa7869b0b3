"""Evaluation metrics: perplexity (and, as chapters land, BLEU, WER, ...)."""

from slmsurvey.metrics.perplexity import perplexity

__all__ = ["perplexity"]
