r"""A toy acoustic front end: words as left-to-right HMMs over formant frames.

Each phone is a target point in the plane of the first two formants
:math:`(F_1, F_2)`; a spoken word is a sequence of phones, each held for a
random number of frames, and every frame is the phone's target plus Gaussian
noise. That is exactly the generative story of a left-to-right hidden Markov
model with one state per phone, self-loop probability :math:`p` and Gaussian
emissions, so the HMM algorithms of :mod:`slmsurvey.lm.hmm` can recognise
these words (the classic isolated-word recogniser of the 1970s-80s;
Rabiner 1989, section VI).

Vowel targets are rounded averages of the adult male values measured by
Peterson & Barney (1952); consonants are given made-up "locus" points so
that every phone is distinct. Frames are in kHz.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["PHONE_FORMANTS", "left_to_right", "sample_word", "word_model"]

# (F1, F2) in kHz. Vowels: Peterson & Barney (1952), men; consonants: loci.
PHONE_FORMANTS: dict[str, tuple[float, float]] = {
    "i": (0.27, 2.29),
    "e": (0.53, 1.84),
    "a": (0.73, 1.09),
    "o": (0.57, 0.84),
    "u": (0.30, 0.87),
    "y": (0.25, 2.60),
    "s": (0.20, 1.60),
    "n": (0.35, 1.40),
    "g": (0.40, 2.00),
    "t": (0.90, 1.80),
    "p": (0.95, 0.70),
    "l": (0.40, 1.10),
    "f": (1.00, 1.30),
    "r": (0.50, 1.30),
}


def _check_phones(phones: Sequence[str]) -> list[str]:
    if isinstance(phones, str):
        phones = list(phones)
    phones = list(phones)
    if not phones:
        raise ValueError("phones must not be empty")
    unknown = sorted(set(phones) - set(PHONE_FORMANTS))
    if unknown:
        raise ValueError(f"phones: unknown phone(s) {unknown}; see PHONE_FORMANTS")
    return phones


def _check_p_stay(p_stay: float) -> None:
    if not 0 <= p_stay < 1:
        raise ValueError(f"p_stay must lie in [0, 1), got {p_stay}")


def left_to_right(n_states: int, p_stay: float) -> tuple[np.ndarray, np.ndarray]:
    r"""Start distribution and transitions of a left-to-right HMM.

    The model starts in state 0; state :math:`j` stays with probability
    :math:`p` and moves to :math:`j+1` otherwise; the last state stays.

    Returns
    -------
    log_pi : ndarray, shape (N,)
    log_A : ndarray, shape (N, N)
        ``-inf`` where a transition is impossible.

    Examples
    --------
    >>> log_pi, log_A = left_to_right(3, 0.5)
    >>> np.exp(log_A).round(2).tolist()
    [[0.5, 0.5, 0.0], [0.0, 0.5, 0.5], [0.0, 0.0, 1.0]]
    """
    if not isinstance(n_states, int) or n_states < 1:
        raise ValueError(f"n_states must be a positive int, got {n_states!r}")
    _check_p_stay(p_stay)
    A = np.zeros((n_states, n_states))
    idx = np.arange(n_states - 1)
    A[idx, idx] = p_stay
    A[idx, idx + 1] = 1 - p_stay
    A[-1, -1] = 1.0
    pi = np.zeros(n_states)
    pi[0] = 1.0
    with np.errstate(divide="ignore"):
        return np.log(pi), np.log(A)


def word_model(
    phones: Sequence[str], *, p_stay: float = 0.7, noise: float = 0.1
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The generating HMM of a word: ``(log_pi, log_A, means, variances)``.

    One state per phone; means are the phones' formant targets (N, 2) and
    variances ``noise**2`` in both dimensions.

    Examples
    --------
    >>> log_pi, log_A, means, variances = word_model("no")
    >>> means.tolist(), variances[0].round(4).tolist()
    ([[0.35, 1.4], [0.57, 0.84]], [0.01, 0.01])
    """
    phones = _check_phones(phones)
    if not noise > 0:
        raise ValueError(f"noise must be positive, got {noise}")
    log_pi, log_A = left_to_right(len(phones), p_stay)
    means = np.array([PHONE_FORMANTS[p] for p in phones])
    return log_pi, log_A, means, np.full_like(means, noise**2)


def sample_word(
    phones: Sequence[str],
    *,
    p_stay: float = 0.7,
    noise: float = 0.1,
    rng: np.random.Generator | int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Frames of one spoken word and the phone index of each frame.

    Each phone lasts :math:`1 + \\mathrm{Geometric}(1 - p)` frames, the
    duration distribution of a state with self-loop probability :math:`p`.

    Returns
    -------
    x : ndarray, shape (T, 2)
        Noisy (F1, F2) frames in kHz.
    states : ndarray of int, shape (T,)
        Which phone of the word each frame belongs to.

    Examples
    --------
    >>> x, states = sample_word("go", rng=0)
    >>> x.shape[1], int(states[0]), int(states[-1])
    (2, 0, 1)
    """
    phones = _check_phones(phones)
    _check_p_stay(p_stay)
    if not noise > 0:
        raise ValueError(f"noise must be positive, got {noise}")
    rng = np.random.default_rng(rng)
    # geometric(q) counts trials up to the first success, so it is >= 1
    durations = rng.geometric(1 - p_stay, size=len(phones))
    states = np.repeat(np.arange(len(phones)), durations)
    means = np.array([PHONE_FORMANTS[p] for p in phones])
    x = means[states] + noise * rng.standard_normal((len(states), 2))
    return x, states
