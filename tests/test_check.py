"""Self-checks: the book's solutions pass, wrong answers fail with a hint.

For every check: the reference solution (the same code as the notebook's
solution cell) passes; plausible wrong answers fail with a message naming
what differs; an answer that raises gives a failed Result naming the
exception. A repository test then ties the checks to the chapters: every
chapter's exercises point the learner to a check, and its solution asserts it.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch

import slmsurvey.check
from slmsurvey.asr import FrontEnd, ctc_alignments_brute_force
from slmsurvey.check import Result, advances, background, data, training
from slmsurvey.nn import ConvolutionModule, ConvSubsampling
from slmsurvey.nn import scaled_dot_product_attention as sdpa
from slmsurvey.speech import log_mel_spectrogram
from slmsurvey.ssl import IGNORE_INDEX, mask_tokens
from slmsurvey.training import freeze
from slmsurvey.training.adapters import add_adapters

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p
    for p in (ROOT / "notebooks").rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)


# ---------------------------------------------------------------- solutions
# The same code as the solution cells of the chapters.


def forward_probability(pi, A, B):  # 2.1.1, ex-2-1-1-underflow
    alpha = pi * B[0]
    for t in range(1, len(B)):
        alpha = B[t] * (alpha @ A)
    return alpha.sum()


def per_unit(ppl, n_tokens, n_units):  # 2.1.2, ex-2-1-2-units
    return 2 ** (n_tokens * math.log2(ppl) / n_units)


def mean_selected(L, p=0.15):  # 2.2.1, ex-2-2-1-mask-rate
    return L * p


def p_no_selection(L, p=0.15):
    return (1 - p) ** L


def n_alignments(T, U, R):  # 2.2.2, ex-2-2-2-count
    return math.comb(T + U - R, 2 * U)


def frames_needed(text):  # 2.2.2, ex-2-2-2-stack
    return len(text) + sum(a == b for a, b in itertools.pairwise(text))


def steps_below(f, level=1e-3):  # 3.1.1, ex-3-1-1-forget
    return math.ceil(math.log(level) / math.log(f))


def by_hand(mha, x):  # 3.1.2, ex-3-1-2-one-head
    q, k, v = mha.W_Q(x), mha.W_K(x), mha.W_V(x)
    return mha.W_O(sdpa(q, k, v)[0])


def conv_module_params(C, k):  # 3.1.3, ex-3-1-3-params
    return 3 * C**2 + C * k + 8 * C


def frames_seen(k, n_frames=200, n_mels=40, width=8):  # 3.1.3, ex-3-1-3-audio
    torch.manual_seed(0)
    front = ConvSubsampling(n_mels, width)
    conv_k = ConvolutionModule(width, k).eval()
    x = torch.randn(1, n_frames, n_mels, requires_grad=True)
    t_out = ConvSubsampling.output_lengths(n_frames) // 2  # a middle frame
    y = conv_k(front(x)[0])  # (1, T', width)
    (y[0, t_out] @ torch.randn(width)).backward()
    return int((x.grad[0].abs().sum(dim=1) > 0).sum())  # frames touched


def adapters_added(n_layers, d, m):  # 3.2.2, ex-3-2-2-budget
    return 2 * n_layers * (2 * d * m + d + m)  # two adapters per layer


def any_labels(d):  # 3.2.2, ex-3-2-2-random-labels
    return d + 1  # affinely independent points of R^d


def encoder_frames(n_samples, stack=4):  # 3.2.3, ex-3-2-3-one-percent
    return (1 + n_samples // 160) // stack  # 10 ms log-mel hop, centred


def words_needed(V, K, beta):  # 3.3.1, ex-3-3-1-heaps
    return (V / K) ** (1 / beta)


def split_report(splits):  # 3.3.1, ex-3-3-1-split-report
    table = {
        name: dict(
            utterances=len(utts),
            minutes=sum(u.duration for u in utts) / 60,
            speakers=len({u.speaker for u in utts}),
        )
        for name, utts in splits.items()
    }
    where = {}
    for name, utts in splits.items():
        for u in utts:
            where.setdefault(u.speaker, set()).add(name)
    shared = {s for s, names in where.items() if len(names) > 1}
    return table, shared


def best_shift(openings, envelopes, max_shift=5):  # 3.3.2, ex-3-3-2-lead
    def mean_corr_at(k):
        rs = []
        for o, e in zip(openings, envelopes, strict=True):
            a, b = (o[: len(o) - k], e[k:]) if k >= 0 else (o[-k:], e[:k])
            rs.append(np.corrcoef(a, b)[0, 1])
        return np.mean(rs)

    lags = list(range(-max_shift, max_shift + 1))
    return lags[int(np.argmax([mean_corr_at(k) for k in lags]))]


def wiener_ml(gamma):  # 3.3.3, ex-3-3-3-wiener-vs-subtraction
    xi = np.maximum(gamma - 1, 0)
    return xi / (1 + xi)


def power_subtraction(gamma):
    return np.sqrt(np.maximum(1 - 1 / gamma, 0))


# ------------------------------------------------------------------- wrong


def forward_transposed(pi, A, B):
    alpha = pi * B[0]
    for t in range(1, len(B)):
        alpha = B[t] * (A @ alpha)  # a_ji instead of a_ij
    return alpha.sum()


def split_report_in_seconds(splits):
    table, shared = split_report(splits)
    for name, row in table.items():
        row["minutes"] = sum(u.duration for u in splits[name])
    return table, shared


def split_report_counting_utterances(splits):
    table, shared = split_report(splits)
    for name, row in table.items():
        row["speakers"] = len(splits[name])  # one per utterance
    return table, shared


def split_report_all_speakers(splits):
    table, _ = split_report(splits)
    return table, {u.speaker for utts in splits.values() for u in utts}


def raises(*args):
    raise ValueError("not implemented yet")


# (check, the solution's arguments, a wrong answer's arguments, a substring
#  of the hint: the case and what differs)
CASES = {
    "2-1-1-chain-rule": (
        slmsurvey.check.ex_2_1_1_chain_rule,
        (1 / 3,),
        (0.5,),
        "0.5, which is too high",
    ),
    "2-1-1-chain-rule-low": (
        slmsurvey.check.ex_2_1_1_chain_rule,
        (Fraction(1, 3),),
        (0.25,),
        "too low",
    ),
    "2-1-1-underflow": (
        slmsurvey.check.ex_2_1_1_underflow,
        (forward_probability,),
        (forward_transposed,),
        "for pi = [0.6, 0.4]",
    ),
    "2-1-1-underflow-log": (
        slmsurvey.check.ex_2_1_1_underflow,
        (forward_probability,),
        (lambda pi, A, B: math.log(forward_probability(pi, A, B)),),
        "looks like a log-probability",
    ),
    "2-1-2-units": (
        slmsurvey.check.ex_2_1_2_units,
        (per_unit,),
        (lambda ppl, n_tokens, n_units: ppl * n_tokens / n_units,),
        "keep the total number of bits fixed",
    ),
    "2-1-2-units-inverted": (
        slmsurvey.check.ex_2_1_2_units,
        (per_unit,),
        (lambda ppl, n_tokens, n_units: ppl ** (n_units / n_tokens),),
        "for ppl = 100 over n_tokens = 10 and n_units = 40, you returned",
    ),
    "2-2-1-mask-rate": (
        slmsurvey.check.ex_2_2_1_mask_rate,
        (mean_selected, p_no_selection),
        (mean_selected, lambda L, p: 1 - L * p),
        "for L = 7 and p = 0.15 (p_no_selection), you returned -0.05; "
        "expected 0.320577",
    ),
    "2-2-1-mask-rate-all": (
        slmsurvey.check.ex_2_2_1_mask_rate,
        (mean_selected, p_no_selection),
        (mean_selected, lambda L, p: p**L),
        "the probability that every word is selected",
    ),
    "2-2-1-mask-rate-mean": (
        slmsurvey.check.ex_2_2_1_mask_rate,
        (mean_selected, p_no_selection),
        (lambda L, p: (L + 1) * p, p_no_selection),  # counts the end marker
        "for L = 7 and p = 0.15 (mean_selected), you returned 1.2; expected 1.05",
    ),
    "2-2-2-count": (
        slmsurvey.check.ex_2_2_2_count,
        (n_alignments,),
        (lambda T, U, R: math.comb(T + U, 2 * U),),  # ignores R
        "for T = 4, U = 2, R = 1 (a target like 'aa'), you returned 15",
    ),
    "2-2-2-stack": (
        slmsurvey.check.ex_2_2_2_stack,
        (frames_needed,),
        (len,),
        "for text = 'too', you returned 3; expected 4",
    ),
    "3-1-1-forget": (
        slmsurvey.check.ex_3_1_1_forget,
        (steps_below,),
        (lambda f: math.floor(math.log(1e-3) / math.log(f)),),
        "for f = 0.5, you returned 9; expected 10",
    ),
    "3-1-2-one-head": (
        slmsurvey.check.ex_3_1_2_one_head,
        (by_hand,),
        (lambda mha, x: sdpa(mha.W_Q(x), mha.W_K(x), mha.W_V(x))[0],),
        "Did you apply the output projection W_O?",
    ),
    "3-1-2-one-head-module": (
        slmsurvey.check.ex_3_1_2_one_head,
        (by_hand,),
        (lambda mha, x: mha(x, x, x)[0],),
        "switched off mha(...)",
    ),
    "3-1-2-one-head-tuple": (
        slmsurvey.check.ex_3_1_2_one_head,
        (by_hand,),
        (lambda mha, x: (by_hand(mha, x), None),),
        "you returned a tuple",
    ),
    "3-1-3-params": (
        slmsurvey.check.ex_3_1_3_params,
        (conv_module_params,),
        (lambda C, k: conv_module_params(C, k) - 2 * C,),  # no batch norm
        "for C = 4 and k = 3, you returned 84; expected 92. You are 8 short.",
    ),
    "3-1-3-audio": (
        slmsurvey.check.ex_3_1_3_audio,
        (frames_seen,),
        (lambda k: 2 * k + 9,),  # right for k = 3 only
        "for k = 7, you returned 23; expected 31",
    ),
    "3-2-1-chance": (
        slmsurvey.check.ex_3_2_1_chance,
        (lambda K: math.log(K + 1),),
        (lambda K: 1 / (K + 1),),
        "That is the accuracy of a random guess",
    ),
    "3-2-1-chance-log-k": (
        slmsurvey.check.ex_3_2_1_chance,
        (lambda K: math.log(K + 1),),
        (lambda K: math.log(K),),
        "the positive is a candidate too",
    ),
    "3-2-2-budget": (
        slmsurvey.check.ex_3_2_2_budget,
        (adapters_added,),
        (lambda n_layers, d, m: n_layers * (2 * d * m + d + m),),
        "you returned 148; expected 296. You are 148 short. That is half",
    ),
    "3-2-2-budget-biases": (
        slmsurvey.check.ex_3_2_2_budget,
        (adapters_added,),
        (lambda n_layers, d, m: 2 * n_layers * 2 * d * m,),
        "for n_layers = 1, d = 16 and m = 4, you returned 256; expected 296. "
        "You are 40 short.",
    ),
    "3-2-2-random-labels": (
        slmsurvey.check.ex_3_2_2_random_labels,
        (any_labels,),
        (lambda d: d,),  # forgets the bias
        "for d = 32 features, you returned 32; expected 33. Too few",
    ),
    "3-2-2-random-labels-radon": (
        slmsurvey.check.ex_3_2_2_random_labels,
        (any_labels,),
        (lambda d: d + 2,),
        "you returned 34; expected 33. Too many",
    ),
    "3-2-3-one-percent": (
        slmsurvey.check.ex_3_2_3_one_percent,
        (encoder_frames,),
        (lambda n_samples, stack: n_samples // (160 * stack),),  # no centring
        "for n_samples = 19040 and stack = 4, you returned 29; expected 30",
    ),
    "3-2-3-one-percent-round": (
        slmsurvey.check.ex_3_2_3_one_percent,
        (encoder_frames,),
        (lambda n_samples, stack: round(n_samples / 160 / stack),),
        "for n_samples = 16400 and stack = 4, you returned 26; expected 25. "
        "(16400 samples give 103 log-mel frames",
    ),
    "3-3-1-heaps": (
        slmsurvey.check.ex_3_3_1_heaps,
        (words_needed,),
        (lambda V, K, beta: (V / K) ** beta,),
        "for V = 1000, K = 5, beta = 0.5, you returned N = 14.1421",
    ),
    "3-3-1-split-report-minutes": (
        slmsurvey.check.ex_3_3_1_split_report,
        (split_report,),
        (split_report_in_seconds,),
        "in table['train']['minutes'], you returned 6.5; expected 0.108333",
    ),
    "3-3-1-split-report-speakers": (
        slmsurvey.check.ex_3_3_1_split_report,
        (split_report,),
        (split_report_counting_utterances,),
        "in table['train']['speakers'], you returned 3; expected 2",
    ),
    "3-3-1-split-report-shared": (
        slmsurvey.check.ex_3_3_1_split_report,
        (split_report,),
        (split_report_all_speakers,),
        "expected {'b'}",
    ),
    "3-3-2-lead": (
        slmsurvey.check.ex_3_3_2_lead,
        (best_shift,),
        (lambda o, e: -best_shift(o, e),),
        "The sign is reversed",
    ),
    "3-3-3-wiener-vs-subtraction": (
        slmsurvey.check.ex_3_3_3_wiener_vs_subtraction,
        (wiener_ml, power_subtraction),
        (power_subtraction, wiener_ml),  # swapped
        "for gamma = 4 (Wiener gain), you returned 0.866025; expected 0.75",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_solution_passes(name):
    check, right, _, _ = CASES[name]
    result = check(*right)
    assert isinstance(result, Result)
    assert result, result.message
    assert str(result).startswith("Correct: ")


@pytest.mark.parametrize("name", list(CASES))
def test_a_wrong_answer_fails_with_a_hint(name):
    check, _, wrong, hint = CASES[name]
    result = check(*wrong)
    assert not result
    assert str(result).startswith("Not yet: ")
    assert hint in result.message


def test_every_check_of_parts_2_and_3_is_tested():
    checks = {c.__name__ for c, *_ in CASES.values()}
    assert checks == {
        *background.__all__,
        *advances.__all__,
        *training.__all__,
        *data.__all__,
    }
    assert checks <= set(slmsurvey.check.__all__)  # re-exported


FUNCTION_CHECKS = sorted(
    {(c.__name__, len(right)) for c, right, *_ in CASES.values() if callable(right[0])}
)


@pytest.mark.parametrize(("name", "n_args"), FUNCTION_CHECKS)
def test_an_answer_that_raises_fails_naming_the_exception(name, n_args):
    result = getattr(slmsurvey.check, name)(*[raises] * n_args)
    assert not result
    assert "your function raised ValueError: not implemented yet." in result.message


@pytest.mark.parametrize(("name", "n_args"), FUNCTION_CHECKS)
def test_a_number_where_a_function_is_expected_fails(name, n_args):
    result = getattr(slmsurvey.check, name)(*[3] * n_args)
    assert not result
    assert result.message == "expected a function, got int 3."


@pytest.mark.parametrize("answer", ["a third", None, [1 / 3], 1.5, -0.1])
def test_chain_rule_wants_a_probability(answer):
    result = slmsurvey.check.ex_2_1_1_chain_rule(answer)
    assert not result
    assert re.search("expected a number|not a probability", result.message)


@pytest.mark.parametrize(("p", "ok"), [(0.333, True), (0.3333, True), (0.33, False)])
def test_chain_rule_wants_three_significant_digits(p, ok):
    assert bool(slmsurvey.check.ex_2_1_1_chain_rule(p)) is ok


@pytest.mark.parametrize("wrong", [0.5, 0.25, 0.3])
def test_a_wrong_number_is_not_told_the_answer(wrong):
    message = slmsurvey.check.ex_2_1_1_chain_rule(wrong).message
    assert not re.search(r"0\.33|1 ?/ ?3", message)


def test_the_underflow_check_reports_the_long_utterance():
    message = slmsurvey.check.ex_2_1_1_underflow(forward_probability).message
    assert re.search(r"On 2,000 frames it returns 0, while .* log P\(X\) = -", message)


def test_ctc_count_reference_agrees_with_brute_force():
    for T, U, R in [(3, 2, 0), (4, 2, 1), (6, 3, 1), (5, 3, 2), (3, 3, 1)]:
        target = background._target(U, R)
        assert sum(a == b for a, b in itertools.pairwise(target)) == R
        brute = len(ctc_alignments_brute_force(T, target))
        assert background._count_alignments(T, target) == brute


def test_lead_cases_have_the_stated_shift():
    for k in (2, -3, 0, 5):
        openings, envelopes = data._lead_case(k, seed=0)
        assert best_shift(openings, envelopes) == k
        assert all(len(o) == len(e) for o, e in zip(openings, envelopes, strict=True))


def test_audio_reference_is_the_measured_receptive_field():
    assert [advances._frames_touched(k) for k in (3, 7)] == [
        frames_seen(k) for k in (3, 7)
    ]


@pytest.mark.parametrize(
    "check",
    [
        lambda: slmsurvey.check.ex_3_1_2_one_head(by_hand),
        lambda: slmsurvey.check.ex_3_1_3_params(conv_module_params),
        lambda: slmsurvey.check.ex_3_1_3_audio(lambda k: 0),
        lambda: slmsurvey.check.ex_3_2_2_budget(adapters_added),
        lambda: slmsurvey.check.ex_3_2_3_one_percent(encoder_frames),
    ],
)
def test_checks_leave_the_global_seed_alone(check):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    check()
    assert torch.equal(torch.rand(3), expected)


def test_mask_rate_reference_agrees_with_mask_tokens():
    g = torch.Generator().manual_seed(0)
    for L, p in [(7, 0.15), (20, 0.15), (3, 0.5)]:
        x = torch.randint(2, 30, (20_000, L), generator=g)  # (B, L)
        _, labels = mask_tokens(
            x, mask_id=0, vocab_size=30, mask_prob=p, special_ids=[1], generator=g
        )
        selected = (labels != IGNORE_INDEX).sum(1).double()  # (B,)
        mean, p_none = background._selection_law(L, p)
        assert abs(selected.mean().item() - mean) < 0.03
        assert abs((selected == 0).double().mean().item() - p_none) < 0.015
        assert math.isclose(mean, L * p) and math.isclose(p_none, (1 - p) ** L)


def test_budget_reference_counts_the_adapters_of_a_real_layer_stack():
    layers = torch.nn.ModuleList(torch.nn.Linear(16, 16) for _ in range(6))
    add_adapters(freeze(layers), list(layers), 4)
    n_trainable = sum(p.numel() for p in layers.parameters() if p.requires_grad)
    assert n_trainable == training._added_by_adapters(3, 16, 4)  # 6 adapters


def test_random_labels_reference_any_labels_fit_on_d_plus_one_points():
    rng = np.random.default_rng(0)
    for d in (1, 3, 8, 32):
        assert training._affinely_independent(d) == d + 1
        H_1 = np.hstack([rng.standard_normal((d + 1, d)), np.ones((d + 1, 1))])
        labels = rng.integers(0, 4, d + 1)
        W = np.linalg.solve(H_1, 10.0 * np.eye(4)[labels])  # (d + 1, 4)
        assert (np.argmax(H_1 @ W, axis=1) == labels).all()


def test_one_percent_reference_is_the_recognizers_frame_count():
    front = FrontEnd(n_features=40, d_model=8, stack=4)
    g = torch.Generator().manual_seed(0)
    for n_samples in (16_000, 19_040, 23_999):
        wave = 0.1 * torch.randn(n_samples, generator=g)
        x = log_mel_spectrogram(wave, 16_000, n_mels=40).T[None]  # (1, N, F)
        _, frames = front(x, torch.tensor([x.shape[1]]))
        assert int(frames[0]) == encoder_frames(n_samples, 4)
        assert training._feature_frames(n_samples) == x.shape[1]


def test_result_reads_as_text_and_markdown():
    ok, bad = Result(True, "fine."), Result(False, "for x = 1 you returned 2.")
    assert bool(ok) and not bad
    assert repr(ok) == "Correct: fine."
    assert str(bad) == "Not yet: for x = 1 you returned 2."
    assert bad._repr_markdown_() == "**Not yet:** for x = 1 you returned 2."
    with pytest.raises(AttributeError):
        ok.passed = False  # frozen


def test_array_hint_names_one_element_and_the_shape():
    result = slmsurvey.check.ex_3_1_2_one_head(lambda mha, x: by_hand(mha, x)[0])
    assert "you returned an array of shape (5, 8); expected shape (3, 5, 8)" in (
        result.message
    )


# --------------------------------------------------------------- repository


def chapter_of(path: Path) -> str:
    """'2-1-1-historical-development.ipynb' -> '2_1_1'."""
    return "_".join(path.name.split("-")[:3])


def cells(path: Path, kind: str, tag: str | None = None) -> list[str]:
    nb = json.loads(path.read_text())
    return [
        "".join(c["source"])
        for c in nb["cells"]
        if c["cell_type"] == kind
        and (tag is None or tag in c.get("metadata", {}).get("tags", []))
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_exercises_have_a_self_check(path):
    chapter = chapter_of(path)
    referenced = re.compile(rf"check\.(ex_{chapter}_\w+)\(")
    exercises = [s for s in cells(path, "markdown") if "{exercise}" in s]
    named = {n for s in exercises for n in referenced.findall(s)}
    assert named, (
        f"{path.name}: no exercise tells the learner to run "
        f"`check.ex_{chapter}_...(...)`"
    )
    missing = sorted(n for n in named if n not in slmsurvey.check.__all__)
    assert not missing, f"{path.name} names checks that do not exist: {missing}"
    asserted = re.compile(rf"assert (?:slmsurvey\.)?check\.(ex_{chapter}_\w+)\(")
    solutions = cells(path, "code", tag="solution")
    called = {n for s in solutions for n in asserted.findall(s)}
    assert named <= called, (
        f"{path.name}: no solution cell asserts {sorted(named - called)}"
    )


def test_every_check_is_used_by_its_chapter():
    by_chapter = {chapter_of(p): p for p in NOTEBOOKS}
    for name in slmsurvey.check.__all__:
        if not name.startswith("ex_"):
            continue
        chapter = "_".join(name.split("_")[1:4])
        assert chapter in by_chapter, f"{name}: no notebook for chapter {chapter}"
        text = "\n".join(cells(by_chapter[chapter], "markdown"))
        assert f"check.{name}(" in text, f"{name} is not offered in its chapter"
