"""Speech without downloads: espeak-ng synthesis, features, augmentation, corpora.

- :mod:`~slmsurvey.speech.tts` -- ``synthesize``, ``phonemes``, ``voices``;
- :mod:`~slmsurvey.speech.resample` -- band-limited resampling;
- :mod:`~slmsurvey.speech.features` -- STFT, mel filterbank, log-mel, MFCC;
- :mod:`~slmsurvey.speech.augment` -- noise at an SNR, speed, reverberation;
- :mod:`~slmsurvey.speech.enhance` -- spectral subtraction, Wiener filter;
- :mod:`~slmsurvey.speech.corpus` -- ``make_spoken_corpus``: generated corpora;
- :mod:`~slmsurvey.speech.audiovisual` -- a synthetic lip stream paired with it;
- :mod:`~slmsurvey.speech.classify` -- a small spoken-word classifier;
- :mod:`~slmsurvey.speech.audio` and :mod:`~slmsurvey.speech.loaders` -- audio
  files, and LibriSpeech / Common Voice layouts (:mod:`~slmsurvey.speech.miniature`
  writes small copies of them).
"""

from slmsurvey.speech.audio import audio_duration, read_audio, write_audio
from slmsurvey.speech.audiovisual import (
    AudiovisualBatch,
    AudiovisualCorpus,
    AudiovisualUtterance,
    lip_frames,
    make_audiovisual_corpus,
    mouth_opening,
    n_video_frames,
    video_to_audio_frames,
)
from slmsurvey.speech.augment import (
    add_noise,
    reverberate,
    room_impulse_response,
    schroeder_rt60,
    snr_db,
    speed_perturb,
)
from slmsurvey.speech.classify import WordClassifier, pooled_features
from slmsurvey.speech.corpus import (
    Batch,
    Speaker,
    SpokenCorpus,
    make_speakers,
    make_spoken_corpus,
)
from slmsurvey.speech.enhance import (
    istft,
    noise_power,
    spectral_subtraction,
    spectral_subtraction_gain,
    wiener_filter,
    wiener_gain,
)
from slmsurvey.speech.features import (
    feature_lengths,
    log_mel_spectrogram,
    mel_filterbank,
    mfcc,
    pad_batch,
    power_to_db,
    stft,
    stft_window,
)
from slmsurvey.speech.loaders import Utterance, load_common_voice, load_librispeech
from slmsurvey.speech.miniature import (
    Recording,
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
    "AudiovisualBatch",
    "AudiovisualCorpus",
    "AudiovisualUtterance",
    "Batch",
    "ENGLISH_ACCENTS",
    "LANGUAGES",
    "Recording",
    "Speaker",
    "SpokenCorpus",
    "Utterance",
    "Voice",
    "WordClassifier",
    "add_noise",
    "audio_duration",
    "feature_lengths",
    "istft",
    "lip_frames",
    "load_common_voice",
    "load_librispeech",
    "log_mel_spectrogram",
    "make_audiovisual_corpus",
    "make_speakers",
    "make_spoken_corpus",
    "mel_filterbank",
    "mfcc",
    "mouth_opening",
    "n_video_frames",
    "noise_power",
    "pad_batch",
    "phonemes",
    "pooled_features",
    "power_to_db",
    "read_audio",
    "resample",
    "reverberate",
    "room_impulse_response",
    "schroeder_rt60",
    "snr_db",
    "spectral_subtraction",
    "spectral_subtraction_gain",
    "speed_perturb",
    "stft",
    "stft_window",
    "synthesize",
    "video_to_audio_frames",
    "voices",
    "wiener_filter",
    "wiener_gain",
    "write_audio",
    "write_common_voice_miniature",
    "write_librispeech_miniature",
]
