"""Speech without downloads: espeak-ng synthesis, features, augmentation, corpora.

- :mod:`~slmsurvey.speech.tts` -- ``synthesize``, ``phonemes``, ``voices``;
- :mod:`~slmsurvey.speech.resample` -- band-limited resampling;
- :mod:`~slmsurvey.speech.features` -- STFT, mel filterbank, log-mel, MFCC;
- :mod:`~slmsurvey.speech.augment` -- noise at an SNR, speed, reverberation;
- :mod:`~slmsurvey.speech.corpus` -- ``make_spoken_corpus``: generated corpora;
- :mod:`~slmsurvey.speech.audio` and :mod:`~slmsurvey.speech.loaders` -- audio
  files, and LibriSpeech / Common Voice layouts.
"""

from slmsurvey.speech.audio import audio_duration, read_audio, write_audio
from slmsurvey.speech.augment import (
    add_noise,
    reverberate,
    room_impulse_response,
    schroeder_rt60,
    snr_db,
    speed_perturb,
)
from slmsurvey.speech.corpus import (
    Batch,
    Speaker,
    SpokenCorpus,
    make_speakers,
    make_spoken_corpus,
)
from slmsurvey.speech.features import (
    feature_lengths,
    log_mel_spectrogram,
    mel_filterbank,
    mfcc,
    pad_batch,
    power_to_db,
    stft,
)
from slmsurvey.speech.loaders import (
    Recording,
    Utterance,
    load_common_voice,
    load_librispeech,
    write_common_voice_miniature,
    write_librispeech_miniature,
)
from slmsurvey.speech.resample import resample
from slmsurvey.speech.tts import (
    ENGLISH_ACCENTS,
    LANGUAGES,
    Voice,
    phonemes,
    synthesize,
    voices,
)

__all__ = [
    "ENGLISH_ACCENTS",
    "LANGUAGES",
    "Batch",
    "Recording",
    "Speaker",
    "SpokenCorpus",
    "Utterance",
    "Voice",
    "add_noise",
    "audio_duration",
    "feature_lengths",
    "load_common_voice",
    "load_librispeech",
    "log_mel_spectrogram",
    "make_speakers",
    "make_spoken_corpus",
    "mel_filterbank",
    "mfcc",
    "pad_batch",
    "phonemes",
    "power_to_db",
    "read_audio",
    "resample",
    "reverberate",
    "room_impulse_response",
    "schroeder_rt60",
    "snr_db",
    "speed_perturb",
    "stft",
    "synthesize",
    "voices",
    "write_audio",
    "write_common_voice_miniature",
    "write_librispeech_miniature",
]
