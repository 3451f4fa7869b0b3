r"""Offline speech synthesis with espeak-ng: voices, accents, languages, phonemes.

`espeak-ng <https://github.com/espeak/espeak-ng>`_ turns text into speech in
two stages. A rule-based front end normalises the text and converts it,
clause by clause, to phonemes with stress marks (what :func:`phonemes`
returns); a formant synthesiser then renders each phoneme as a sum of
resonances (formants) excited by a glottal source whose fundamental
frequency :math:`f_0` follows the intonation contour. The library and its
voice data come inside the PyPI wheel ``espeakng-loader``: nothing is
installed system-wide or downloaded.

espeak-ng renders 16-bit samples at :data:`NATIVE_SAMPLE_RATE` (22 050 Hz);
:func:`synthesize` scales them to :math:`[-1, 1]` and resamples with
:func:`slmsurvey.speech.resample.resample`. The short silences espeak puts
at both ends (about 10 ms) and between clauses are kept, untrimmed.

Determinism: espeak-ng keeps synthesis state in C statics that no API call
resets (the phase of its pitch "flutter", its gain control, its noise
generator), so the same text would come out slightly differently depending
on what was spoken before. Each call here therefore unloads the library
(``dlclose``), loads it afresh (about 1 ms, plus a few to reload the voice),
seeds its random generator (used for the breath noise of voice variants
such as ``+f3``) and sets the voice and every parameter it uses: the output
depends on the arguments only, and no setting leaks from one call to the
next.

Thread safety: espeak-ng's state is global and it is not re-entrant. Every
use of the library holds one module-level :class:`threading.Lock`, so these
functions may be called from several threads; the calls are serialised, not
parallel (use processes to synthesise in parallel). Nothing else in the
process should load ``libespeak-ng`` (e.g. through another binding).
"""

from __future__ import annotations

import ctypes
import difflib
import numbers
import os
import threading
from ctypes import POINTER, c_char_p, c_int, c_size_t, c_uint, c_void_p
from dataclasses import dataclass
from typing import Any

import espeakng_loader
import numpy as np

from slmsurvey.speech.resample import resample

__all__ = [
    "ENGLISH_ACCENTS",
    "LANGUAGES",
    "NATIVE_SAMPLE_RATE",
    "Voice",
    "phonemes",
    "synthesize",
    "variants",
    "voices",
]

NATIVE_SAMPLE_RATE = 22050
"""espeak-ng's own output rate in Hz."""

ENGLISH_ACCENTS = (
    "en-us",  # General American
    "en-gb",  # British (espeak's default English)
    "en-gb-x-rp",  # Received Pronunciation
    "en-gb-scotland",  # Scottish
    "en-gb-x-gbclan",  # Lancastrian
    "en-gb-x-gbcwmd",  # West Midlands
    "en-us-nyc",  # New York City
    "en-029",  # Caribbean
)
"""The book's English accents: espeak-ng voice codes, all tested."""

LANGUAGES = {
    "de": "Guten Morgen, wie geht es dir?",
    "fr": "Bonjour, comment allez-vous ?",
    "es": "Buenos días, ¿cómo estás?",
    "it": "Buongiorno, come stai?",
    "pt": "Bom dia, como está?",
    "nl": "Goedemorgen, hoe gaat het met je?",
    "sv": "God morgon, hur mår du?",
    "pl": "Dzień dobry, jak się masz?",
    "fi": "Hyvää huomenta, mitä kuuluu?",
    "cs": "Dobré ráno, jak se máš?",
    "tr": "Günaydın, nasılsın?",
    "id": "Selamat pagi, apa kabar?",
    "sw": "Habari ya asubuhi, habari yako?",
    "ru": "Доброе утро, как дела?",
    "el": "Καλημέρα, τι κάνεις;",
    "hi": "सुप्रभात, आप कैसे हैं?",
    "cmn": "早上好，你好吗？",
}
"""The book's other languages: voice code -> a greeting in that language.

Every entry is tested: it synthesises, and espeak reads the greeting with the
language's own rules (it does not fall back to English).
"""

_SYNCHRONOUS = 2  # AUDIO_OUTPUT_SYNCHRONOUS: samples go to our callback
_DONT_EXIT = 0x8000  # espeakINITIALIZE_DONT_EXIT: error codes, not exit()
_POS_CHARACTER, _CHARS_UTF8 = 1, 1
_RATE, _VOLUME, _PITCH, _RANGE, _WORDGAP = 1, 2, 3, 4, 7
_GENDERS = {1: "male", 2: "female"}

_lock = threading.Lock()
_state: dict[str, Any] = {}  # the library and voice tables, under _lock
_chunks: list[np.ndarray] = []  # int16 blocks from the callback, under _lock


class _EspeakVoice(ctypes.Structure):
    _fields_ = [
        ("name", c_char_p),
        ("languages", c_void_p),  # ([priority byte][code]\0)*, then \0
        ("identifier", c_char_p),
        *[(f, ctypes.c_ubyte) for f in ("gender", "age", "variant", "xx1")],
        ("score", c_int),
        ("spare", c_void_p),
    ]


_SynthCallback = ctypes.CFUNCTYPE(c_int, POINTER(ctypes.c_short), c_int, c_void_p)


@_SynthCallback
def _on_audio(wav: Any, n: int, events: Any) -> int:
    # espeak calls this from inside espeak_Synth (same thread, lock held).
    if n > 0 and wav:
        _chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
    return 0  # 0 = continue synthesis


@dataclass(frozen=True)
class Voice:
    """One espeak-ng voice.

    Attributes
    ----------
    name : str
        Human-readable name, e.g. ``"English (Scotland)"``.
    identifier : str
        Path of the voice file, e.g. ``"gmw/en-GB-scotland"``.
    languages : tuple of str
        Language codes the voice speaks, its own first, e.g.
        ``("en-gb-scotland", "en")``.
    gender : str
        ``"male"``, ``"female"`` or ``"unknown"``.

    Examples
    --------
    >>> voice = voices("en-gb-scotland")[0]
    >>> voice.name, voice.languages
    ('English (Scotland)', ('en-gb-scotland', 'en'))
    >>> synthesize("aye", voice=voice.languages[0]).dtype
    dtype('float32')
    """

    name: str
    identifier: str
    languages: tuple[str, ...]
    gender: str


_PROTOTYPES = {  # name: (argtypes, restype)
    "espeak_Initialize": ([c_int, c_int, c_char_p, c_int], c_int),
    "espeak_Terminate": ([], c_int),
    "espeak_ng_SetRandSeed": ([ctypes.c_long], None),
    "espeak_SetSynthCallback": ([_SynthCallback], None),
    "espeak_SetVoiceByName": ([c_char_p], c_int),
    "espeak_SetParameter": ([c_int, c_int, c_int], c_int),
    # text, its size in bytes (NUL included), position, position type,
    # end position, flags, unique identifier, user data
    "espeak_Synth": (
        [c_void_p, c_size_t, c_uint, c_int, c_uint, c_uint, POINTER(c_uint), c_void_p],
        c_int,
    ),
    "espeak_TextToPhonemes": ([POINTER(c_void_p), c_int, c_int], c_char_p),
    "espeak_ListVoices": ([POINTER(_EspeakVoice)], POINTER(POINTER(_EspeakVoice))),
}


def _engine() -> ctypes.CDLL:
    """espeak-ng, freshly (re)loaded and initialised; hold ``_lock``."""
    old = _state.pop("lib", None)
    if old is not None:
        old.espeak_Terminate()
        _unload(old._handle)
    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    for name, (argtypes, restype) in _PROTOTYPES.items():
        getattr(lib, name).argtypes = argtypes
        getattr(lib, name).restype = restype
    data = os.fspath(espeakng_loader.get_data_path())
    sr = lib.espeak_Initialize(_SYNCHRONOUS, 0, data.encode(), _DONT_EXIT)
    if sr != NATIVE_SAMPLE_RATE:
        raise RuntimeError(f"espeak-ng failed to initialise (returned {sr})")
    lib.espeak_SetSynthCallback(_on_audio)
    lib.espeak_ng_SetRandSeed(0)  # breathy variants (f2, f3, ...) draw noise
    if "voices" not in _state:
        _state["voices"], _state["lookup"] = _read_voices(lib, data)
        _state["variants"] = sorted(os.listdir(os.path.join(data, "voices", "!v")))
    _state["lib"] = lib
    return lib


def _tables() -> None:
    """Read the voice tables once; call with ``_lock`` held."""
    if "voices" not in _state:
        _engine()


def _engine_with_voice(voice: object) -> ctypes.CDLL:
    """Validate ``voice``, reload espeak-ng and select it; hold ``_lock``."""
    _tables()
    name = _resolve(voice)
    lib = _engine()
    if lib.espeak_SetVoiceByName(name) != 0:
        raise ValueError(f"espeak-ng could not load voice {voice!r}")
    return lib


def _unload(handle: int) -> None:
    import _ctypes  # dlclose on POSIX, FreeLibrary on Windows

    (getattr(_ctypes, "dlclose", None) or _ctypes.FreeLibrary)(handle)


def _has_dictionary(data: str, identifier: str) -> bool:
    """Whether the voice's pronunciation dictionary is in the data folder."""
    name = None  # "dictionary xx", else the first "language xx-yy" gives xx
    path = os.path.join(data, "lang", identifier)
    if not os.path.isfile(path):
        return True  # not a voice file we know how to read: keep it
    with open(path, encoding="utf-8") as f:
        for words in map(str.split, f):
            if len(words) > 1 and words[0] == "dictionary":
                name = words[1]
                break
            if len(words) > 1 and words[0] == "language" and name is None:
                name = words[1].split("-")[0]
    return name is not None and os.path.exists(os.path.join(data, f"{name}_dict"))


def _read_voices(
    lib: ctypes.CDLL, data: str
) -> tuple[tuple[Voice, ...], dict[str, Voice]]:
    """The voice table, and a lookup from every accepted spelling to a voice."""
    table = lib.espeak_ListVoices(None)  # NULL-terminated array of pointers
    found, coded = [], []
    i = 0
    while table[i]:
        v = table[i].contents
        i += 1
        identifier = v.identifier.decode()
        if not _has_dictionary(data, identifier):
            continue  # it would speak only silence
        address, languages = v.languages, []
        while priority := ctypes.c_ubyte.from_address(address).value:  # 0 ends
            code = ctypes.string_at(address + 1)
            address += len(code) + 2
            languages.append(code.decode())
            coded.append((priority, len(found), code.decode()))
        gender = _GENDERS.get(v.gender, "unknown")
        found.append(Voice(v.name.decode().strip(), identifier, (*languages,), gender))
    # Precedence: identifier, its file name, language code (lowest priority
    # number first: "en" is British English, "zh" Mandarin), display name.
    lookup: dict[str, Voice] = {}
    for v in found:
        lookup.setdefault(v.identifier.lower(), v)
    for v in found:
        lookup.setdefault(v.identifier.rsplit("/", 1)[-1].lower(), v)
    for _, index, code in sorted(coded):
        lookup.setdefault(code.lower(), found[index])
    for v in found:
        lookup.setdefault(v.name.lower(), v)
    return tuple(found), lookup


def voices(language: str | None = None) -> list[Voice]:
    """The voices of this espeak-ng build, optionally for one language.

    Parameters
    ----------
    language : str, optional
        Keep the voices that speak ``language`` or one of its sub-tags
        (case-insensitive, whole tags): ``"en"`` gives every English accent,
        ``"en-gb"`` the British ones.

    Returns
    -------
    list of Voice
        In espeak-ng's order (alphabetical by language code). Voices whose
        pronunciation dictionary is missing from the wheel are left out: they
        produce only silence (in espeakng-loader 0.2.4: Faroese, Karakalpak
        and "xextan-test").

    Examples
    --------
    >>> [v.languages[0] for v in voices("en-gb")][:3]
    ['en-gb', 'en-gb-scotland', 'en-gb-x-gbclan']
    >>> voices("de")[0]
    Voice(name='German', identifier='gmw/de', languages=('de',), gender='male')
    """
    if language is not None and not isinstance(language, str):
        raise TypeError(f"language must be a str, got {type(language).__name__}")
    with _lock:
        _tables()
        found = _state["voices"]
    if language is None:
        return list(found)
    tag = language.lower()
    return [
        v
        for v in found
        if any(code == tag or code.startswith(tag + "-") for code in v.languages)
    ]


def variants() -> list[str]:
    """Names of espeak-ng's voice variants (speakers), e.g. ``"f3"``, ``"m2"``.

    Append one to any voice with ``+``: ``synthesize(..., voice="en-us+f3")``.
    ``"f1"``-``"f5"`` are female, ``"m1"``-``"m8"`` male.

    Examples
    --------
    >>> {"f1", "f5", "m1", "klatt"} <= set(variants())
    True
    """
    with _lock:
        _tables()
        return list(_state["variants"])


def _resolve(voice: object) -> bytes:
    """The name to pass to espeak_SetVoiceByName; call with ``_lock`` held."""
    if not isinstance(voice, str):
        raise TypeError(f"voice must be a str, got {type(voice).__name__}")
    base, plus, variant = voice.partition("+")
    lookup = _state["lookup"]
    chosen = lookup.get(base.strip().lower())
    if chosen is None:
        close = difflib.get_close_matches(base.strip().lower(), lookup, n=5)
        hint = f"close matches: {close}" if close else "see voices()"
        raise ValueError(f"unknown voice {voice!r}; {hint}")
    if not plus:
        return chosen.identifier.encode()
    if variant not in _state["variants"]:
        close = difflib.get_close_matches(variant, _state["variants"], n=5)
        hint = f"close matches: {close}" if close else "see variants()"
        raise ValueError(f"unknown variant {variant!r} in voice {voice!r}; {hint}")
    return f"{chosen.identifier}+{variant}".encode()


def _check_text(text: object) -> bytes:
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not text.strip():
        raise ValueError("text is empty (or only whitespace)")
    if "\0" in text:
        raise ValueError("text must not contain NUL characters")
    return text.encode("utf-8")


def _check_int(value: object, name: str, low: int, high: float) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{name} must lie in [{low}, {high}], got {value}")
    return int(value)


def synthesize(
    text: str,
    *,
    voice: str = "en-us",
    rate: int = 175,
    pitch: int = 50,
    pitch_range: int = 50,
    sample_rate: int = 16000,
) -> np.ndarray:
    """Speak ``text`` with espeak-ng; return the waveform.

    Parameters
    ----------
    text : str
        Plain text (not SSML), any length; sentences and clauses are spoken
        with the pauses and intonation espeak gives them.
    voice : str, keyword-only
        A language code (``"en-us"``, ``"de"``, ``"zh"``), voice identifier
        (``"gmw/en-US"``) or name (``"English (America)"``), see
        :func:`voices`; optionally ``+`` a variant (speaker) from
        :func:`variants`, e.g. ``"en-gb+f3"``.
    rate : int, keyword-only
        Speaking rate in words per minute, 80 to 450.
    pitch : int, keyword-only
        Base pitch, 0 to 100; 50 is the voice's own. The scale is roughly
        logarithmic: for the default voice :math:`f_0` goes from about 55 Hz
        (0) through 85 Hz (50) to 150 Hz (100).
    pitch_range : int, keyword-only
        Intonation range, 0 (monotone) to 100 (50 is normal).
    sample_rate : int, keyword-only
        Output rate in Hz; espeak renders at 22 050 Hz and the result is
        resampled (:func:`~slmsurvey.speech.resample.resample`) when they
        differ.

    Returns
    -------
    numpy.ndarray, shape (T,), float32
        Mono samples in :math:`[-1, 1]` (espeak's 16-bit output divided by
        32 768, clipped after resampling), leading and trailing silence kept.

    Notes
    -----
    Under the module lock: reload espeak-ng (see the module notes on
    determinism), select the voice, set rate, volume 100, pitch, range and
    word gap 0, and synthesise synchronously; the callback collects int16
    samples :math:`s[n]` at 22 050 Hz. Then :math:`x[n] = s[n] / 32768`,
    resampled to ``sample_rate`` with eqs. (resample-filter) and
    (resample-polyphase) of :mod:`slmsurvey.speech.resample`.

    References
    ----------
    Dunn, Vitolo et al., *eSpeak NG*, https://github.com/espeak/espeak-ng.
    Klatt (1980), "Software for a cascade/parallel formant synthesizer",
    JASA 67(3), doi:10.1121/1.383940.

    Examples
    --------
    >>> wave = synthesize("the dog often chases a cat")
    >>> wave.dtype, 1.0 < len(wave) / 16000 < 2.5
    (dtype('float32'), True)
    >>> bool(np.array_equal(wave, synthesize("the dog often chases a cat")))
    True
    >>> fast = synthesize("the dog often chases a cat", rate=300)
    >>> len(fast) < len(wave)
    True
    """
    data = _check_text(text)
    rate = _check_int(rate, "rate", 80, 450)
    pitch = _check_int(pitch, "pitch", 0, 100)
    pitch_range = _check_int(pitch_range, "pitch_range", 0, 100)
    sample_rate = _check_int(sample_rate, "sample_rate", 1, float("inf"))
    buffer = ctypes.create_string_buffer(data)  # NUL-terminated copy
    with _lock:
        lib = _engine_with_voice(voice)
        # every call sets every parameter: nothing leaks between calls
        settings = {_RATE: rate, _VOLUME: 100, _PITCH: pitch, _RANGE: pitch_range}
        for param, value in (settings | {_WORDGAP: 0}).items():
            lib.espeak_SetParameter(param, value, 0)  # 0: absolute, not relative
        _chunks.clear()
        try:
            status = lib.espeak_Synth(
                buffer, len(buffer), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            pcm = np.concatenate(_chunks) if _chunks else np.zeros(0, np.int16)
        finally:
            _chunks.clear()
    if status != 0:
        raise RuntimeError(f"espeak_Synth failed with error code {status}")
    wave = pcm.astype(np.float32) / 32768.0
    if sample_rate != NATIVE_SAMPLE_RATE and len(wave):
        wave = resample(wave, NATIVE_SAMPLE_RATE, sample_rate)
        np.clip(wave, -1.0, 1.0, out=wave)
    return wave


def phonemes(
    text: str, *, voice: str = "en-us", ipa: bool = True, separator: str | None = None
) -> str:
    """The phonemes espeak-ng would speak for ``text``.

    espeak's front end works one clause at a time; this calls
    ``espeak_TextToPhonemes`` until the text is used up and joins the
    clauses with spaces. Words are separated by spaces and punctuation is
    dropped. Stress marks (``ˈ`` primary, ``ˌ`` secondary) stand right before
    the stressed vowel, espeak's convention, not at the start of the syllable
    as in dictionaries.

    Parameters
    ----------
    text : str
        Plain text.
    voice : str, keyword-only
        As for :func:`synthesize` (the language decides the rules).
    ipa : bool, keyword-only
        International Phonetic Alphabet (UTF-8) if true, else espeak's ASCII
        phoneme mnemonics (e.g. ``D@2`` for *the*, ``2`` marking no stress).
    separator : str, optional, keyword-only
        One character to put between the phonemes of a word.

    Returns
    -------
    str

    Examples
    --------
    >>> phonemes("The cat sat.")
    'ðə kˈæt sˈæt'
    >>> phonemes("The cat sat.", ipa=False)
    "D@2 k'at s'at"
    >>> phonemes("cat", separator="_")
    'k_ˈæ_t'
    >>> phonemes("Guten Morgen", voice="de")
    'ɡˈuːtən mˈɔɾɡən'
    """
    data = _check_text(text)
    if not isinstance(ipa, bool):
        raise TypeError(f"ipa must be a bool, got {type(ipa).__name__}")
    mode = 2 if ipa else 0  # bit 1: IPA
    if separator is not None:
        if (
            not isinstance(separator, str)
            or len(separator) != 1
            or separator > "\uffff"
        ):
            raise ValueError(f"separator must be one BMP character, got {separator!r}")
        mode |= ord(separator) << 8  # bits 8-23: separator character
    buffer = ctypes.create_string_buffer(data)
    pointer = ctypes.c_void_p(ctypes.addressof(buffer))
    clauses = []
    with _lock:
        lib = _engine_with_voice(voice)
        while pointer.value:  # espeak sets it to NULL after the last clause
            clause = lib.espeak_TextToPhonemes(ctypes.byref(pointer), _CHARS_UTF8, mode)
            if clause:
                clauses.append(clause.decode("utf-8").strip())
    return " ".join(c for c in clauses if c)
