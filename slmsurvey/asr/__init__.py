"""Speech recognition: CTC loss, decoding and alignment (attention models to come)."""

from slmsurvey.asr.ctc import (
    collapse,
    ctc_alignments_brute_force,
    ctc_log_alpha,
    ctc_loss,
)
from slmsurvey.asr.ctc_decode import (
    CTCAlignment,
    ctc_forced_align,
    ctc_greedy_decode,
    ctc_prefix_beam_search,
)

__all__ = [
    "CTCAlignment",
    "collapse",
    "ctc_alignments_brute_force",
    "ctc_forced_align",
    "ctc_greedy_decode",
    "ctc_log_alpha",
    "ctc_loss",
    "ctc_prefix_beam_search",
]
