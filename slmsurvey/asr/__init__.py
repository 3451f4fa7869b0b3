"""Speech recognition: CTC (loss, decoding, alignment) and end-to-end recognisers."""

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
from slmsurvey.asr.las import ListenAttendSpell
from slmsurvey.asr.recognizer import (
    CharacterSet,
    CTCRecognizer,
    FrontEnd,
    evaluate,
    recognizer_loss,
    stack_frames,
)

__all__ = [
    "CTCAlignment",
    "CTCRecognizer",
    "CharacterSet",
    "FrontEnd",
    "ListenAttendSpell",
    "evaluate",
    "recognizer_loss",
    "stack_frames",
    "collapse",
    "ctc_alignments_brute_force",
    "ctc_forced_align",
    "ctc_greedy_decode",
    "ctc_log_alpha",
    "ctc_loss",
    "ctc_prefix_beam_search",
]
