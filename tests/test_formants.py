"""The toy acoustic front end: generating HMMs, sampling, recognition."""

import numpy as np
import pytest

from slmsurvey.lm import gaussian_log_likelihoods, hmm_forward
from slmsurvey.lm.formants import PHONE_FORMANTS, left_to_right, sample_word, word_model


def test_left_to_right_rows_are_distributions():
    log_pi, log_A = left_to_right(4, 0.6)
    A = np.exp(log_A)
    assert np.allclose(A.sum(axis=1), 1)
    assert np.exp(log_pi).tolist() == [1, 0, 0, 0]
    assert np.all(np.triu(A, 2) == 0) and np.all(np.tril(A, -1) == 0)


def test_sample_follows_the_phones_in_order():
    x, states = sample_word("stop", rng=3)
    assert x.shape == (len(states), 2)
    assert np.all(np.diff(states) >= 0) and set(states) == {0, 1, 2, 3}


def test_durations_are_geometric_with_the_self_loop():
    p_stay = 0.75
    lengths = [len(sample_word("a", p_stay=p_stay, rng=s)[1]) for s in range(2000)]
    assert np.mean(lengths) == pytest.approx(1 / (1 - p_stay), rel=0.05)


def test_frames_scatter_around_targets_with_the_noise():
    x, states = sample_word("ai" * 50, noise=0.2, rng=0)
    targets = np.array([PHONE_FORMANTS[p] for p in "ai" * 50])[states]
    assert np.std(x - targets) == pytest.approx(0.2, rel=0.1)


def test_word_model_recognises_its_own_samples():
    words = ["yes", "no", "go", "stop"]
    models = {w: word_model(w, noise=0.1) for w in words}
    rng = np.random.default_rng(0)
    for w in words:
        x, _ = sample_word(w, noise=0.1, rng=rng)
        scores = {
            v: hmm_forward(m[0], m[1], gaussian_log_likelihoods(x, m[2], m[3]))[1]
            for v, m in models.items()
        }
        assert max(scores, key=scores.get) == w


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: left_to_right(0, 0.5), "n_states"),
        (lambda: left_to_right(2, 1.0), "p_stay"),
        (lambda: word_model(""), "phones must not be empty"),
        (lambda: word_model("xq"), "unknown phone"),
        (lambda: word_model("no", noise=0), "noise must be positive"),
        (lambda: sample_word("no", noise=-1), "noise must be positive"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
