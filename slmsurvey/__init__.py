"""slmsurvey: the package behind *Speech Language Models, Executable*.

Every equation and model that the book's chapters use is implemented here from
scratch, and tested against a trusted reference (see ``tests/``).

Subpackages follow the argument of the survey:

- :mod:`slmsurvey.lm` -- n-gram language models and hidden Markov models (2.1);
- :mod:`slmsurvey.text` -- grammars, corpora and tokenizers;
- :mod:`slmsurvey.metrics` -- perplexity, error rates, BLEU, rater agreement, MOS;
- :mod:`slmsurvey.nn` -- neural building blocks (RNNs, attention, Conformer);
- :mod:`slmsurvey.asr` -- CTC, decoding, and two end-to-end recognisers;
- :mod:`slmsurvey.speech` -- synthetic speech, features, corpora;
- :mod:`slmsurvey.ssl` -- masked and contrastive self-supervised objectives;
- :mod:`slmsurvey.training` -- the training loop and fine-tuning tools (3.2);
- :mod:`slmsurvey.efficiency` -- parameters, FLOPs, latency, compression, energy (4.1);
- :mod:`slmsurvey.fairness` -- group fairness measures and error rates per group (4.2);
- :mod:`slmsurvey.privacy` -- differential privacy, DP-SGD, membership inference (4.2);
- :mod:`slmsurvey.multilingual` -- shared vocabularies, fertility, adapters (5.1);
- :mod:`slmsurvey.embeddings` -- word2vec, contextual vectors, similarity (5.1);
- :mod:`slmsurvey.multimodal` -- audio-text contrastive training, AV fusion (5.2);
- :mod:`slmsurvey.explain` -- Shapley values, gradients, attention rollout (5.2);
- :mod:`slmsurvey.check` -- self-checks for the exercises;
- :mod:`slmsurvey.widgets` -- interactive figures that also work without a kernel.

Examples
--------
>>> import slmsurvey
>>> device = slmsurvey.setup(seed=0)
>>> device.type in {"cpu", "cuda", "mps"}
True
"""

from slmsurvey.runtime import env_report, glue, setup

__version__ = "0.1.0"
__all__ = ["env_report", "glue", "setup", "__version__"]
