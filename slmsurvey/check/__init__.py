"""Self-checks: test your answer to an exercise without seeing the solution.

Each chapter's exercises that ask for a number or a function have a check
named after the exercise's label: exercise ``ex-2-1-1-underflow`` is checked
by ``check.ex_2_1_1_underflow(your_function)``. A check runs your answer on a
few small cases, compares it with the package's own computation, and returns
a :class:`Result`: true when every case agrees, and otherwise a hint that
names the first case that differs (what you gave, and what was expected for
that one case), never the method. An error raised by your code is reported
the same way, instead of stopping the notebook.

- :mod:`~slmsurvey.check.background` -- Part 2 (chapters 2.1 and 2.2);
- :mod:`~slmsurvey.check.advances` -- Part 3, architectures (3.1);
- :mod:`~slmsurvey.check.training` -- Part 3, training strategies (3.2);
- :mod:`~slmsurvey.check.data` -- Part 3, data and resources (3.3);
- :mod:`~slmsurvey.check.challenges` -- Part 4, challenges and limitations;
- :mod:`~slmsurvey.check.multilingual`, :mod:`~slmsurvey.check.embeddings`,
  :mod:`~slmsurvey.check.multimodal`, :mod:`~slmsurvey.check.explain` --
  Part 5, trends and future directions.

Examples
--------
>>> from slmsurvey import check
>>> result = check.ex_3_1_1_forget(lambda f: 1)
>>> bool(result)
False
>>> result.message.startswith("for f = 0.5, you returned 1; expected 10.")
True
"""

from slmsurvey.check._core import Result
from slmsurvey.check.advances import (
    ex_3_1_1_forget,
    ex_3_1_2_one_head,
    ex_3_1_3_audio,
    ex_3_1_3_params,
)
from slmsurvey.check.background import (
    ex_2_1_1_chain_rule,
    ex_2_1_1_underflow,
    ex_2_1_2_units,
    ex_2_2_1_mask_rate,
    ex_2_2_2_count,
    ex_2_2_2_stack,
)
from slmsurvey.check.challenges import (
    ex_4_1_1_encoder_flops,
    ex_4_1_2_training_co2,
    ex_4_2_1_equalized_odds,
    ex_4_2_2_advantage,
    ex_4_2_2_clip,
    ex_4_3_1_clipped_precision,
    ex_4_3_2_cohen_kappa,
)
from slmsurvey.check.data import (
    ex_3_3_1_heaps,
    ex_3_3_1_split_report,
    ex_3_3_2_lead,
    ex_3_3_3_wiener_vs_subtraction,
)
from slmsurvey.check.embeddings import ex_5_1_2_band_scores
from slmsurvey.check.explain import ex_5_2_2_permutations
from slmsurvey.check.multilingual import ex_5_1_1_sampling
from slmsurvey.check.multimodal import ex_5_2_1_clip_loss
from slmsurvey.check.training import (
    ex_3_2_1_chance,
    ex_3_2_2_budget,
    ex_3_2_2_random_labels,
    ex_3_2_3_one_percent,
)

__all__ = [
    "Result",
    "ex_2_1_1_chain_rule",
    "ex_2_1_1_underflow",
    "ex_2_1_2_units",
    "ex_2_2_1_mask_rate",
    "ex_2_2_2_count",
    "ex_2_2_2_stack",
    "ex_3_1_1_forget",
    "ex_3_1_2_one_head",
    "ex_3_1_3_audio",
    "ex_3_1_3_params",
    "ex_3_2_1_chance",
    "ex_3_2_2_budget",
    "ex_3_2_2_random_labels",
    "ex_3_2_3_one_percent",
    "ex_3_3_1_heaps",
    "ex_3_3_1_split_report",
    "ex_3_3_2_lead",
    "ex_3_3_3_wiener_vs_subtraction",
    "ex_4_1_1_encoder_flops",
    "ex_4_1_2_training_co2",
    "ex_4_2_1_equalized_odds",
    "ex_4_2_2_advantage",
    "ex_4_2_2_clip",
    "ex_4_3_1_clipped_precision",
    "ex_4_3_2_cohen_kappa",
    "ex_5_1_1_sampling",
    "ex_5_1_2_band_scores",
    "ex_5_2_1_clip_loss",
    "ex_5_2_2_permutations",
]
