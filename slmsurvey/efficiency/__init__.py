"""Efficiency: what a speech language model costs, and how to make it cheaper.

- :mod:`~slmsurvey.efficiency.counting` -- parameters and forward-pass FLOPs
  (2 per multiply-add, checked against :mod:`torch.utils.flop_counter`);
- :mod:`~slmsurvey.efficiency.timing` -- latency: median and quartiles of
  repeated, warmed-up timings;
- :mod:`~slmsurvey.efficiency.scaling` -- power laws :math:`t = c\\,n^\\alpha`
  fitted on log-log axes, with a Student-*t* interval for :math:`\\alpha`;
- :mod:`~slmsurvey.efficiency.compression` -- magnitude pruning (Han et al.
  2015), int8 dynamic quantisation (Jacob et al. 2018), model size in bytes;
- :mod:`~slmsurvey.efficiency.distillation` -- Hinton et al.'s (2015)
  temperature-softened distillation loss;
- :mod:`~slmsurvey.efficiency.energy` -- FLOPs to kWh to kg CO2e (Strubell
  et al. 2019).

References
----------
Hinton, Vinyals & Dean (2015). arXiv:1503.02531.
Han, Pool, Tran & Dally (2015). arXiv:1506.02626.
Jacob et al. (2018). arXiv:1712.05877.
Strubell, Ganesh & McCallum (2019). arXiv:1906.02243.
"""

from slmsurvey.efficiency.compression import (
    magnitude_prune,
    model_size_bytes,
    quantize_dynamic,
    sparsity,
)
from slmsurvey.efficiency.counting import count_flops, count_parameters
from slmsurvey.efficiency.distillation import distillation_loss
from slmsurvey.efficiency.energy import JOULES_PER_KWH, co2_kg, energy_kwh
from slmsurvey.efficiency.scaling import PowerLaw, fit_power_law, student_t_quantile
from slmsurvey.efficiency.timing import Latency, measure_latency

__all__ = [
    "JOULES_PER_KWH",
    "Latency",
    "PowerLaw",
    "co2_kg",
    "count_flops",
    "count_parameters",
    "distillation_loss",
    "energy_kwh",
    "fit_power_law",
    "magnitude_prune",
    "measure_latency",
    "model_size_bytes",
    "quantize_dynamic",
    "sparsity",
    "student_t_quantile",
]
