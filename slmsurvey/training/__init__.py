"""Training: a small reusable loop (and, as chapters land, fine-tuning tools)."""

from slmsurvey.training.loop import History, fit

__all__ = ["History", "fit"]
