"""Language models: n-grams, hidden Markov models, a neural n-gram model."""

from slmsurvey.lm.hmm import (
    BaumWelchResult,
    baum_welch,
    gaussian_log_likelihoods,
    hmm_backward,
    hmm_forward,
    hmm_posteriors,
    hmm_viterbi,
)
from slmsurvey.lm.neural import FeedForwardLM, context_windows, fit_lm, lm_perplexity
from slmsurvey.lm.ngram import BOS, EOS, UNK, NGramLM

__all__ = [
    "BOS",
    "EOS",
    "UNK",
    "BaumWelchResult",
    "FeedForwardLM",
    "NGramLM",
    "baum_welch",
    "context_windows",
    "fit_lm",
    "gaussian_log_likelihoods",
    "hmm_backward",
    "hmm_forward",
    "hmm_posteriors",
    "hmm_viterbi",
    "lm_perplexity",
]
