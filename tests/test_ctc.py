"""Tests of slmsurvey.asr.ctc and slmsurvey.asr.ctc_decode.

Evidence: torch.nn.functional.ctc_loss as the oracle (values and gradients),
brute-force enumeration of paths on tiny cases, hand-worked examples.

Shapes: T frames, B batch, S target width, V vocabulary (blank included),
P enumerated paths.
"""

import itertools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from slmsurvey.asr.ctc import (
    collapse,
    ctc_alignments_brute_force,
    ctc_log_alpha,
    ctc_loss,
)
from slmsurvey.asr.ctc_decode import (
    ctc_forced_align,
    ctc_greedy_decode,
    ctc_prefix_beam_search,
)
from slmsurvey.lm.ngram import NGramLM

REDUCTIONS = ["none", "sum", "mean"]


def random_batch(seed, *, dtype=torch.float64, T=20, B=4, V=5, S=6, blank=0):
    """Logits (T, B, V), padded targets (B, S) with a repeat, feasible lengths."""
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(T, B, V, generator=g, dtype=dtype)
    labels = torch.tensor([k for k in range(V) if k != blank])
    targets = labels[torch.randint(len(labels), (B, S), generator=g)]  # (B, S)
    targets[0, :3] = labels[torch.tensor([2, 2, 1])]  # like [3, 3, 2]
    targets[1, :2] = labels[0]  # a repeat at the start
    target_lengths = torch.randint(1, S + 1, (B,), generator=g)
    target_lengths[0] = 3
    # at least S + (S - 1) frames: every target is feasible
    input_lengths = torch.randint(2 * S - 1, T + 1, (B,), generator=g)
    input_lengths[0] = T
    return logits, targets, input_lengths, target_lengths


def concatenate(targets, target_lengths):
    return torch.cat([row[:n] for row, n in zip(targets, target_lengths, strict=True)])


def both_losses(logits, targets, input_lengths, target_lengths, **kwargs):
    """(ours, torch's) losses and their gradients w.r.t. the logits."""
    out = []
    for fn in (ctc_loss, F.ctc_loss):
        x = logits.clone().requires_grad_(True)
        loss = fn(x.log_softmax(-1), targets, input_lengths, target_lengths, **kwargs)
        (grad,) = torch.autograd.grad(loss.sum(), x)
        out.append((loss.detach(), grad))
    return out


# ------------------------------------------------------------ loss vs torch
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("layout", ["padded", "concatenated"])
@pytest.mark.parametrize("blank", [0, 4])
def test_loss_and_gradient_match_torch(seed, reduction, layout, blank):
    logits, targets, input_lengths, target_lengths = random_batch(seed, blank=blank)
    if layout == "concatenated":
        targets = concatenate(targets, target_lengths)
    (ours, g_ours), (ref, g_ref) = both_losses(
        logits, targets, input_lengths, target_lengths, blank=blank, reduction=reduction
    )
    assert ours.shape == ref.shape
    torch.testing.assert_close(ours, ref, rtol=0, atol=1e-10)
    torch.testing.assert_close(g_ours, g_ref, rtol=0, atol=1e-10)


@pytest.mark.parametrize("seed", range(3))
def test_float32_within_1e5_of_float64(seed):
    logits, targets, input_lengths, target_lengths = random_batch(
        seed, dtype=torch.float32, T=60, B=3, V=8, S=10
    )
    args = (targets, input_lengths, target_lengths)
    (ours, g_ours), (ref, g_ref) = both_losses(logits, *args, reduction="none")
    (exact, g_exact), _ = both_losses(logits.double(), *args, reduction="none")
    assert ours.dtype == g_ours.dtype == torch.float32
    torch.testing.assert_close(ours.double(), exact, rtol=1e-6, atol=0)
    torch.testing.assert_close(g_ours.double(), g_exact, rtol=0, atol=1e-5)
    # torch's float32 gradient is itself about 2e-5 from the float64 one
    torch.testing.assert_close(ours, ref, rtol=1e-6, atol=0)
    torch.testing.assert_close(g_ours, g_ref, rtol=0, atol=5e-5)


def test_gradient_wrt_log_probs_is_the_true_derivative():
    # torch's backward returns exp(lp) - gamma (pytorch/pytorch#52241); the
    # true derivative of -log P is -gamma, which sums to -1 over each frame.
    logits, targets, input_lengths, target_lengths = random_batch(7)
    log_probs = (logits + 0.3).requires_grad_(True)  # unnormalised on purpose
    ours = ctc_loss(log_probs, targets, input_lengths, target_lengths, reduction="sum")
    (g_ours,) = torch.autograd.grad(ours, log_probs)
    ref = F.ctc_loss(log_probs, targets, input_lengths, target_lengths, reduction="sum")
    (g_ref,) = torch.autograd.grad(ref, log_probs)
    torch.testing.assert_close(ours, ref, rtol=0, atol=1e-10)
    inside = (torch.arange(20)[:, None] < input_lengths)[:, :, None]  # (T, B, 1)
    expected = torch.where(inside, g_ref - log_probs.detach().exp(), 0.0)
    torch.testing.assert_close(g_ours, expected, rtol=0, atol=1e-10)
    frame_sums = g_ours.sum(-1)  # (T, B)
    torch.testing.assert_close(frame_sums, -inside[..., 0].double(), rtol=0, atol=1e-10)


def test_gradcheck_float64():
    logits, targets, input_lengths, target_lengths = random_batch(3, T=8, B=2, S=3)
    log_probs = logits.log_softmax(-1).requires_grad_(True)

    def loss(lp):
        return ctc_loss(lp, targets, input_lengths, target_lengths, reduction="none")

    assert torch.autograd.gradcheck(loss, (log_probs,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_impossible_alignment_inf_or_zero_like_torch(reduction):
    logits, targets, input_lengths, target_lengths = random_batch(1)
    targets[2, :4] = torch.tensor([1, 1, 1, 1])  # needs 4 + 3 = 7 frames
    target_lengths[2], input_lengths[2] = 4, 6
    (ours, g_ours), (ref, g_ref) = both_losses(
        logits, targets, input_lengths, target_lengths,
        reduction=reduction, zero_infinity=True,
    )  # fmt: skip
    torch.testing.assert_close(ours, ref, rtol=0, atol=1e-10)
    torch.testing.assert_close(g_ours, g_ref, rtol=0, atol=1e-10)
    assert float(g_ours[:, 2].abs().max()) == 0.0
    x = logits.clone().requires_grad_(True)
    loss = ctc_loss(
        x.log_softmax(-1), targets, input_lengths, target_lengths, reduction="none"
    )
    assert math.isinf(loss[2].item()) and torch.isfinite(loss[[0, 1, 3]]).all()
    loss.sum().backward()
    assert torch.isfinite(x.grad).all()  # torch gives NaN here; ours gives 0
    assert float(x.grad[:, 2].abs().max()) == 0.0


def test_one_frame_short_is_impossible_and_one_more_is_not():
    log_probs = torch.full((3, 1, 4), 0.25).log()
    targets = torch.tensor([[3, 3, 2]])  # needs 3 labels + 1 blank = 4 frames
    assert math.isinf(ctc_loss(log_probs, targets, [3], [3], reduction="sum"))
    log_probs = torch.full((4, 1, 4), 0.25).log()
    loss = ctc_loss(log_probs, targets, [4], [3], reduction="sum")
    assert float(loss) == pytest.approx(-math.log(0.25**4))  # the one path 3 b 3 2


def test_unbatched_and_zero_lengths_match_torch():
    log_probs = random_batch(2)[0].log_softmax(-1)
    for args in [
        (log_probs[:, 0], torch.tensor([1, 2, 2]), torch.tensor(15), torch.tensor(3)),
        (log_probs[:, :3], torch.tensor([[1], [2], [3]]), [0, 0, 5], [0, 1, 0]),
    ]:
        for reduction in REDUCTIONS:
            ours = ctc_loss(*args, reduction=reduction)
            ref = F.ctc_loss(*args, reduction=reduction)
            assert ours.shape == ref.shape
            torch.testing.assert_close(ours, ref, rtol=0, atol=1e-10)


def test_minus_inf_log_probs_like_torch():
    logits, targets, input_lengths, target_lengths = random_batch(4)
    log_probs = logits.log_softmax(-1)
    log_probs[:, 0, targets[0, 0]] = -math.inf  # item 0 can never emit its label
    ours = ctc_loss(log_probs, targets, input_lengths, target_lengths, reduction="none")
    ref = F.ctc_loss(
        log_probs, targets, input_lengths, target_lengths, reduction="none"
    )
    assert math.isinf(ours[0])
    torch.testing.assert_close(ours, ref, rtol=0, atol=1e-10)


def test_long_sequence_is_stable():
    g = torch.Generator().manual_seed(0)
    T, B, V = 1500, 2, 30
    logits = (5 * torch.randn(T, B, V, generator=g)).requires_grad_(True)
    targets = torch.randint(1, V, (B, 300), generator=g)
    args = (targets, [1500, 1200], [300, 250])
    loss = ctc_loss(logits.log_softmax(-1), *args, reduction="sum")
    loss.backward()
    assert (
        math.isfinite(loss.item()) and loss.item() > 1e3
    )  # P underflows float32 by far
    assert torch.isfinite(logits.grad).all()
    ref = F.ctc_loss(logits.log_softmax(-1), *args, reduction="sum")
    assert loss.item() == pytest.approx(ref.item(), rel=1e-5)


# ------------------------------------------------------------- brute force
def path_log_prob(log_probs, path):
    """log P(pi | X) = sum_t log y^t_{pi_t}, log_probs (T, V)."""
    return float(log_probs[torch.arange(len(path)), torch.tensor(path)].sum())


@pytest.mark.parametrize("T", range(1, 7))
@pytest.mark.parametrize("V", [2, 3])
def test_loss_equals_sum_over_brute_force_alignments(T, V):
    g = torch.Generator().manual_seed(10 * T + V)
    log_probs = torch.randn(T, V, generator=g, dtype=torch.float64)  # unnormalised
    for U in range(4):
        for target in itertools.product(range(1, V), repeat=U):
            paths = ctc_alignments_brute_force(T, target)
            assert all(collapse(p) == list(target) for p in paths)
            total = sum(math.exp(path_log_prob(log_probs, p)) for p in paths)
            y = torch.tensor(target, dtype=torch.long)
            loss = ctc_loss(log_probs, y, T, U, reduction="sum")
            assert math.exp(-float(loss)) == pytest.approx(total, rel=1e-12, abs=0)


def test_brute_force_finds_every_path():
    # all 3**4 paths, grouped by their labelling, are found exactly once
    found = []
    for U in range(5):
        for target in itertools.product([1, 2], repeat=U):
            found += ctc_alignments_brute_force(4, target)
    assert sorted(found) == list(itertools.product(range(3), repeat=4))
    assert ctc_alignments_brute_force(3, [1, 2]) == [
        (0, 1, 2), (1, 0, 2), (1, 1, 2), (1, 2, 0), (1, 2, 2),
    ]  # fmt: skip


def test_collapse_hand_cases():
    assert collapse([1, 1, 0, 1, 2, 2, 0]) == [1, 1, 2]
    assert collapse(torch.tensor([2, 2, 2])) == [2]
    assert collapse(np.array([3, 1, 3, 3]), blank=3) == [1]
    assert collapse([]) == []


def test_log_alpha_trellis():
    logits, targets, input_lengths, target_lengths = random_batch(5)
    log_alpha = ctc_log_alpha(
        logits.log_softmax(-1), targets, input_lengths, target_lengths
    )
    assert log_alpha.shape == (20, 4, 13)
    loss = ctc_loss(
        logits.log_softmax(-1), targets, input_lengths, target_lengths, reduction="none"
    )
    for b in range(4):
        t, end = int(input_lengths[b]) - 1, 2 * int(target_lengths[b])
        last = torch.logsumexp(log_alpha[t, b, end - 1 : end + 1], 0)
        assert float(last) == pytest.approx(-float(loss[b]), abs=1e-10)
        assert torch.isneginf(log_alpha[t + 1 :, b]).all()
        assert torch.isneginf(log_alpha[:, b, end + 1 :]).all()


# ---------------------------------------------------------------- decoding
def exact_labelling_log_probs(log_probs, blank=0):
    """log P(y | X) for every labelling y, by summing all V**T paths."""
    T, V = log_probs.shape
    totals = {}
    for path in itertools.product(range(V), repeat=T):
        y = tuple(collapse(path, blank))
        totals.setdefault(y, []).append(path_log_prob(log_probs, path))
    return {
        y: float(torch.logsumexp(torch.tensor(v, dtype=torch.float64), 0))
        for y, v in totals.items()
    }


def test_greedy_hand_case_and_lengths():
    path = torch.tensor([[1, 2], [1, 2], [0, 0], [1, 2], [2, 1], [2, 1]])  # (T, B)
    log_probs = torch.log(0.1 + F.one_hot(path, 3).double())  # (T, B, V)
    assert ctc_greedy_decode(log_probs) == [[1, 1, 2], [2, 2, 1]]
    assert ctc_greedy_decode(log_probs, [3, 4]) == [[1], [2, 2]]
    assert ctc_greedy_decode(log_probs, [6, 6], blank=2) == [[1, 0, 1], [0, 1]]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("T", [3, 5])
def test_unpruned_prefix_beam_search_is_exact(seed, T):
    g = torch.Generator().manual_seed(seed)
    log_probs = (2 * torch.randn(T, 3, generator=g, dtype=torch.float64)).log_softmax(
        -1
    )
    exact = exact_labelling_log_probs(log_probs)
    nbest = ctc_prefix_beam_search(log_probs, beam=10_000, return_nbest=True)
    assert len(nbest) == len(exact)
    for labels, score in nbest:
        assert score == pytest.approx(exact[tuple(labels)], abs=1e-10)
    best = max(exact, key=exact.get)
    assert ctc_prefix_beam_search(log_probs, beam=10_000) == list(best)


@pytest.mark.parametrize("beam", [2, 4, 8])
@pytest.mark.parametrize("seed", range(20))
def test_beam_search_never_below_greedy(seed, beam):
    g = torch.Generator().manual_seed(seed)
    logits = 3 * torch.randn(15, 5, generator=g, dtype=torch.float64)
    log_probs = logits.log_softmax(-1)  # (T, V)
    greedy = ctc_greedy_decode(log_probs[:, None])[0]
    greedy_score = float(log_probs.max(-1).values.sum())  # its best path

    def true_log_prob(labels):
        y = torch.tensor(labels, dtype=torch.long)
        return -float(ctc_loss(log_probs, y, 15, len(labels), reduction="sum"))

    labels, score = ctc_prefix_beam_search(log_probs, beam=beam, return_nbest=True)[0]
    # the beam's score sums the paths it kept: a lower bound on the true
    # log P(labels | X), and never below the greedy path it could have kept
    assert greedy_score - 1e-10 <= score <= true_log_prob(labels) + 1e-10
    assert true_log_prob(greedy) >= greedy_score - 1e-10


def test_wide_beam_is_never_below_greedy_labelling():
    # A narrow beam is a heuristic: with beam=4 here it prunes the prefix of
    # greedy's (more probable) labelling. An unpruned beam never does.
    g = torch.Generator().manual_seed(20)
    logits = 3 * torch.randn(15, 5, generator=g, dtype=torch.float64)
    log_probs = logits.log_softmax(-1)

    def true_log_prob(labels):
        y = torch.tensor(labels, dtype=torch.long)
        return -float(ctc_loss(log_probs, y, 15, len(labels), reduction="sum"))

    greedy = true_log_prob(ctc_greedy_decode(log_probs[:, None])[0])
    assert true_log_prob(ctc_prefix_beam_search(log_probs, beam=4)) < greedy
    assert true_log_prob(ctc_prefix_beam_search(log_probs, beam=64)) >= greedy


VOCABULARY = ["_", " ", "a", "c", "e", "h", "o", "s", "t"]


def spell(labels):
    return "".join(VOCABULARY[k] for k in labels)


def frames_for(text, ambiguous=None):
    """Peaky (T, V) log probs that spell ``text``, one frame per character and
    a blank frame after each; ``ambiguous = (i, {char: p})`` blurs frame i."""
    rows = []
    for i, char in enumerate(text):
        p = {char: 0.9}
        if ambiguous and i == ambiguous[0]:
            p = ambiguous[1]
        rows.append([p.get(c, 0.0) for c in VOCABULARY])
        rows.append([0.9 if c == "_" else 0.0 for c in VOCABULARY])
    probs = torch.tensor(rows, dtype=torch.float64) + 0.01
    return (probs / probs.sum(-1, keepdim=True)).log()


def test_lm_fusion_prefers_the_lm_word():
    log_probs = frames_for("the cot sat", ambiguous=(5, {"o": 0.5, "a": 0.4}))
    corpus = [["the", "cat", "sat"]] * 5 + [["a", "hat"]]
    lm = NGramLM(order=2, smoothing="add_k").fit(corpus)
    plain = ctc_prefix_beam_search(log_probs, beam=8)
    fused = ctc_prefix_beam_search(
        log_probs, beam=8, lm=lm, alpha=1.0, beta=0.0, vocabulary=VOCABULARY
    )
    no_weight = ctc_prefix_beam_search(
        log_probs, beam=8, lm=lm, alpha=0.0, beta=0.0, vocabulary=VOCABULARY
    )
    assert spell(plain) == spell(no_weight) == "the cot sat"  # acoustics: o
    assert spell(fused) == "the cat sat"  # the LM has seen "cat", never "cot"


@pytest.mark.parametrize("alpha, beta", [(0.5, 1.0), (1.0, -0.5)])
def test_fused_score_is_ctc_plus_weighted_lm(alpha, beta):
    g = torch.Generator().manual_seed(1)
    T, allowed = 6, [VOCABULARY.index(c) for c in "_ ast"]
    log_probs = torch.full((T, len(VOCABULARY)), -math.inf, dtype=torch.float64)
    log_probs[:, allowed] = torch.randn(T, 5, generator=g, dtype=torch.float64)
    lm = NGramLM(order=2).fit([["ta", "st"], ["t", "ast"], ["sat"], ["at", "as"]])
    nbest = ctc_prefix_beam_search(
        log_probs, beam=10**5, lm=lm, alpha=alpha, beta=beta,
        vocabulary=VOCABULARY, return_nbest=True,
    )  # fmt: skip
    assert len(nbest) > 1000  # unpruned: every labelling of the 4 letters
    for labels, score in nbest[:: len(nbest) // 50]:
        words = spell(labels).split()
        y = torch.tensor(labels, dtype=torch.long)
        log_p_ctc = -float(ctc_loss(log_probs, y, T, len(labels), reduction="sum"))
        log_p_lm = lm.logprob(words, base=math.e)
        expected = log_p_ctc + alpha * log_p_lm + beta * len(words)
        assert score == pytest.approx(expected, abs=1e-9)
    scores = [score for _, score in nbest]
    assert scores == sorted(scores, reverse=True)


# -------------------------------------------------------- forced alignment
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("target", [[1], [1, 2], [2, 2], [1, 2, 1], [2, 2, 1]])
def test_forced_alignment_is_the_best_brute_force_path(seed, target):
    T = 6
    g = torch.Generator().manual_seed(seed)
    log_probs = torch.randn(T, 3, generator=g, dtype=torch.float64).log_softmax(-1)
    alignment = ctc_forced_align(log_probs, target)
    path = alignment.path.tolist()
    assert len(path) == T and collapse(path) == target
    assert alignment.log_prob == pytest.approx(
        path_log_prob(log_probs, path), abs=1e-12
    )
    best = max(
        path_log_prob(log_probs, p) for p in ctc_alignments_brute_force(T, target)
    )
    assert alignment.log_prob == pytest.approx(best, abs=1e-12)
    for u, (start, end) in enumerate(alignment.spans):  # each token's frames
        assert set(path[start:end]) == {target[u]}
        assert alignment.states[start:end].tolist() == [2 * u + 1] * (end - start)
    assert [s for s, _ in alignment.spans] == sorted(s for s, _ in alignment.spans)


def test_forced_alignment_hand_case_and_long_input():
    log_probs = torch.tensor(
        [[0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6], [0.7, 0.2, 0.1]]
    ).log()
    alignment = ctc_forced_align(log_probs, [1, 2])
    assert alignment.path.tolist() == [1, 0, 2, 0]
    assert alignment.spans == [(0, 1), (2, 3)]
    assert ctc_forced_align(log_probs, []).path.tolist() == [0, 0, 0, 0]
    g = torch.Generator().manual_seed(0)
    long = torch.randn(1000, 10, generator=g).log_softmax(-1)
    alignment = ctc_forced_align(long, list(range(1, 10)) * 20)
    assert collapse(alignment.path) == list(range(1, 10)) * 20
    assert math.isfinite(alignment.log_prob)


# --------------------------------------------------------------- bad input
def good_args():
    log_probs = torch.zeros(5, 2, 4).log_softmax(-1)
    return [log_probs, torch.tensor([[1, 2], [3, 0]]), [5, 4], [2, 1]]


def with_(index, value):
    args = good_args()
    args[index] = value
    return args


LOSS_BAD_INPUTS = [
    (with_(0, np.zeros((5, 2, 4))), {}, TypeError, "log_probs must be a torch.Tensor"),
    (with_(0, torch.zeros(5, 2, 4, dtype=torch.long)), {}, TypeError, "floating"),
    (with_(0, torch.zeros(5, 2, 4, 1)), {}, ValueError, "log_probs must have shape"),
    (with_(0, torch.zeros(5, 0, 4)), {}, ValueError, "all sizes >= 1"),
    (with_(0, torch.full((5, 2, 4), math.nan)), {}, ValueError, "NaN"),
    (with_(0, torch.full((5, 2, 4), math.inf)), {}, ValueError, r"\+inf"),
    (good_args(), {"blank": 4}, ValueError, "blank must lie in"),
    (good_args(), {"blank": 0.0}, TypeError, "blank must be an int"),
    (good_args(), {"reduction": "avg"}, ValueError, "reduction must be one of"),
    (with_(1, [[1, 2], [3, 0]]), {}, TypeError, "targets must be a torch.Tensor"),
    (with_(1, torch.ones(2, 2)), {}, TypeError, "targets must hold integers"),
    (with_(1, torch.ones(2, 2, 1).long()), {}, ValueError, r"padded \(B, S\)"),
    (with_(1, torch.ones(3, 2).long()), {}, ValueError, "targets has 3 rows"),
    (with_(1, torch.tensor([[1, 0], [3, 0]])), {}, ValueError, "blank label 0"),
    (with_(1, torch.tensor([[1, 4], [3, 0]])), {}, ValueError, "targets must lie in"),
    (with_(3, [3, 1]), {}, ValueError, "at most the width of targets"),
    (with_(1, torch.tensor([1, 2, 3, 3])), {}, ValueError, r"sum\(target_lengths\)"),
    (with_(2, [6, 4]), {}, ValueError, "input_lengths must be at most T"),
    (with_(2, [5, 4, 3]), {}, ValueError, r"input_lengths must be shape \(B,\)"),
    (with_(3, torch.tensor([[2, 1]])), {}, ValueError, "target_lengths must be shape"),
    (with_(2, [5, -1]), {}, ValueError, "input_lengths must be non-negative"),
    (with_(2, torch.tensor([5.0, 4.0])), {}, TypeError, "input_lengths must hold int"),
    (
        [torch.zeros(5, 4), torch.tensor([[1, 2]]), 5, 2],
        {},
        ValueError,
        "targets must be 1-D for unbatched",
    ),
]


@pytest.mark.parametrize("args, kwargs, error, match", LOSS_BAD_INPUTS)
def test_loss_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        ctc_loss(*args, **kwargs)
    if error is ValueError and "reduction" not in kwargs:  # the trellis checks too
        with pytest.raises(error, match=match):
            ctc_log_alpha(*args, **kwargs)


LP = torch.zeros(4, 3).log_softmax(-1)
DECODE_BAD_INPUTS = [
    (ctc_greedy_decode, (LP,), {}, ValueError, r"shape \(T, B, V\)"),
    (ctc_greedy_decode, (LP[:, None], [5]), {}, ValueError, "at most T = 4"),
    (ctc_greedy_decode, (LP[:, None],), {"blank": 3}, ValueError, "blank must lie"),
    (ctc_prefix_beam_search, (LP[:, :, None],), {}, ValueError, r"shape \(T, V\)"),
    (ctc_prefix_beam_search, (LP * math.nan,), {}, ValueError, "NaN"),
    (ctc_prefix_beam_search, (LP.long(),), {}, TypeError, "floating point"),
    (ctc_prefix_beam_search, (LP,), {"beam": 0}, ValueError, "beam must be at least"),
    (ctc_prefix_beam_search, (LP,), {"beam": 2.0}, TypeError, "beam must be an int"),
    (ctc_prefix_beam_search, (LP,), {"alpha": math.nan}, ValueError, "alpha must"),
    (ctc_prefix_beam_search, (LP,), {"vocabulary": "ab"}, ValueError, "V = 3"),
    (ctc_prefix_beam_search, (LP,), {"vocabulary": [1, 2, 3]}, TypeError, "strings"),
    (ctc_prefix_beam_search, (LP,), {"lm": "lm"}, TypeError, "prob"),
    (ctc_forced_align, (LP, [1, 0]), {}, ValueError, "blank label 0"),
    (ctc_forced_align, (LP, [1, 3]), {}, ValueError, r"target must lie in \[0, V\)"),
    (ctc_forced_align, (LP, [1, 1, 2, 2]), {}, ValueError, "needs at least 6 frames"),
    (ctc_forced_align, (LP, [1.0]), {}, TypeError, "target must hold ints"),
    (ctc_forced_align, (LP, "ab"), {}, TypeError, "target must be a sequence"),
    (ctc_forced_align, (LP, [[1]]), {}, TypeError, "target must hold ints"),
    (ctc_forced_align, (LP, torch.ones(1, 1).long()), {}, ValueError, "1-D"),
    (
        ctc_forced_align,
        (torch.tensor([[0.0, -math.inf, 0.0]] * 4), [1]),
        {},
        ValueError,
        "probability zero",
    ),
    (ctc_alignments_brute_force, (-1, [1]), {}, ValueError, "T must be non-negative"),
    (ctc_alignments_brute_force, (2.0, [1]), {}, TypeError, "T must be an int"),
    (ctc_alignments_brute_force, (3, [0, 1]), {}, ValueError, "blank label 0"),
    (ctc_alignments_brute_force, (40, [1]), {}, ValueError, "candidate paths"),
    (collapse, ("aab",), {}, TypeError, "path must be a sequence"),
    (collapse, (torch.ones(3),), {}, TypeError, "path must hold integers"),
    (collapse, ([1, 2],), {"blank": -1}, ValueError, "blank must lie"),
]


@pytest.mark.parametrize("fn, args, kwargs, error, match", DECODE_BAD_INPUTS)
def test_decode_bad_input(fn, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        fn(*args, **kwargs)


def test_lm_fusion_bad_input():
    lm = NGramLM(order=1).fit([["ab"]])
    with pytest.raises(ValueError, match="vocabulary is required with lm"):
        ctc_prefix_beam_search(LP, lm=lm)
    with pytest.raises(ValueError, match="word_delimiter ' ' is not in vocabulary"):
        ctc_prefix_beam_search(LP, lm=lm, vocabulary=["_", "a", "b"])


def test_decoders_accept_numpy_and_numpy_ints():
    log_probs = np.log(np.array([[0.1, 0.8, 0.1], [0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]))
    assert ctc_greedy_decode(log_probs[:, None]) == [[1, 2]]
    assert ctc_prefix_beam_search(log_probs) == [1, 2]
    target = [np.int64(1), np.int64(2)]
    assert ctc_forced_align(log_probs, target).path.tolist() == [1, 0, 2]
    assert collapse([np.int64(1), np.int64(1), np.int64(0)]) == [1]
