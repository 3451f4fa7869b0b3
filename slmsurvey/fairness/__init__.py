"""Bias and fairness (survey sec. 4.2.1): group criteria and per-group error rates.

- :mod:`~slmsurvey.fairness.group` -- demographic parity and equalized odds
  of a binary classifier, with per-group rates;
- :mod:`~slmsurvey.fairness.bootstrap` -- a corpus metric (e.g. WER) per
  speaker group, with percentile bootstrap confidence intervals.
"""

from slmsurvey.fairness.bootstrap import GroupEstimate, group_error_rates
from slmsurvey.fairness.group import (
    DemographicParity,
    EqualizedOdds,
    demographic_parity_difference,
    equalized_odds_difference,
)

__all__ = [
    "DemographicParity",
    "EqualizedOdds",
    "GroupEstimate",
    "demographic_parity_difference",
    "equalized_odds_difference",
    "group_error_rates",
]
