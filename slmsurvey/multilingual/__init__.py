"""Multilingual models: shared vocabularies, language adapters, language ID.

- :mod:`~slmsurvey.multilingual.lexicon` -- a hand-checked parallel lexicon
  (numbers one to ten and twelve nouns in thirteen languages);
- :mod:`~slmsurvey.multilingual.vocabulary` -- exponentially smoothed
  language sampling :math:`q_l \\propto p_l^\\alpha` (XLM, XLM-R), a shared
  byte-level BPE vocabulary trained on such a sample, and fertility (tokens
  per word, Rust et al. 2021);
- :mod:`~slmsurvey.multilingual.adapters` -- :class:`LanguageAdapters`: a
  frozen shared encoder with one set of bottleneck adapters per language
  (MAD-X, Pfeiffer et al. 2020);
- :mod:`~slmsurvey.multilingual.lid` -- :class:`PooledEncoder`,
  :class:`LanguageIdHead`, and full-batch training (:func:`fit_full_batch`,
  :func:`accuracy`).

References
----------
Conneau & Lample (2019). arXiv:1901.07291.
Conneau et al. (2020). arXiv:1911.02116.
Rust et al. (2021). arXiv:2012.15613.
Pfeiffer et al. (2020). arXiv:2005.00052.
"""

from slmsurvey.multilingual.adapters import LanguageAdapters
from slmsurvey.multilingual.lexicon import (
    LEXICON,
    LEXICON_LANGUAGES,
    NOUNS,
    NUMBERS,
    lexicon_words,
)
from slmsurvey.multilingual.lid import (
    LanguageIdHead,
    PooledEncoder,
    accuracy,
    fit_full_batch,
)
from slmsurvey.multilingual.vocabulary import (
    balanced_sample,
    fertility,
    fertility_by_language,
    language_sampling_probabilities,
    train_shared_bpe,
)

__all__ = [
    "LEXICON",
    "LEXICON_LANGUAGES",
    "NOUNS",
    "NUMBERS",
    "LanguageAdapters",
    "LanguageIdHead",
    "PooledEncoder",
    "accuracy",
    "balanced_sample",
    "fertility",
    "fertility_by_language",
    "fit_full_batch",
    "language_sampling_probabilities",
    "lexicon_words",
    "train_shared_bpe",
]
