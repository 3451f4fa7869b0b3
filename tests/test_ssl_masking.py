"""slmsurvey.ssl.masking: BERT's 80/10/10 rule in distribution, the MLM loss."""

import math

import pytest
import torch
import torch.nn.functional as torch_F
from torch import nn

from slmsurvey.ssl.masking import (
    IGNORE_INDEX,
    MaskedLMHead,
    mask_tokens,
    masked_lm_log_probs,
    masked_lm_loss,
)

V, MASK, CLS, PAD = 50, 1, 2, 0
SPECIAL = (CLS, PAD)


def _tokens(seed, shape=(200, 500)):
    """Token ids in [3, V) with a [CLS] at the start of every row."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(3, V, shape, generator=g)
    x[:, 0] = CLS
    return x


def _within(count, n, p, sigmas=5.0):
    """count ~ Binomial(n, p) lies within `sigmas` standard deviations."""
    return abs(count - n * p) <= sigmas * math.sqrt(n * p * (1 - p))


# --- the 80/10/10 rule, statistically -----------------------------------------------


@pytest.mark.parametrize("mask_prob", [0.15, 0.4])
def test_selection_and_replacement_rates(mask_prob):
    x = _tokens(0)
    g = torch.Generator().manual_seed(1)
    inputs, labels = mask_tokens(
        x,
        mask_id=MASK,
        vocab_size=V,
        mask_prob=mask_prob,
        special_ids=SPECIAL,
        generator=g,
    )
    eligible = x != CLS
    selected = labels != IGNORE_INDEX
    n, n_sel = int(eligible.sum()), int(selected.sum())
    assert _within(n_sel, n, mask_prob)
    # among the selected: [MASK] 0.8, a different random token 0.1 (1 - 1/A),
    # unchanged 0.1 + 0.1/A, where A = 47 ids are allowed as random tokens
    A = V - 3
    masked = int((inputs[selected] == MASK).sum())
    changed = int(((inputs != MASK) & (inputs != x))[selected].sum())
    kept = int((inputs == x)[selected].sum())
    assert masked + changed + kept == n_sel
    assert _within(masked, n_sel, 0.8)
    assert _within(changed, n_sel, 0.1 * (1 - 1 / A))
    assert _within(kept, n_sel, 0.1 + 0.1 / A)


def test_rates_test_can_fail():
    """The 5-sigma bound rejects a 12 % selection rate posing as 15 %."""
    n = 100_000
    assert not _within(int(0.12 * n), n, 0.15)


def test_random_tokens_are_uniform_and_never_special():
    x = _tokens(2)
    g = torch.Generator().manual_seed(3)
    inputs, labels = mask_tokens(
        x,
        mask_id=MASK,
        vocab_size=V,
        mask_prob=0.5,
        special_ids=SPECIAL,
        p_mask=0.0,
        p_random=1.0,
        generator=g,
    )
    drawn = inputs[labels != IGNORE_INDEX]
    counts = torch.bincount(drawn, minlength=V)
    assert counts[[PAD, MASK, CLS]].sum() == 0
    n = int(drawn.numel())
    assert all(_within(int(k), n, 1 / (V - 3)) for k in counts[3:])


def test_labels_and_untouched_positions():
    x = _tokens(4, (8, 64))
    inputs, labels = mask_tokens(
        x,
        mask_id=MASK,
        vocab_size=V,
        special_ids=SPECIAL,
        generator=torch.Generator().manual_seed(0),
    )
    selected = labels != IGNORE_INDEX
    assert labels.dtype == torch.int64 and selected.any()
    assert torch.equal(labels[selected], x[selected])
    assert torch.equal(inputs[~selected], x[~selected])
    assert inputs.dtype == x.dtype and inputs.shape == x.shape


def test_specials_and_padding_are_never_selected():
    x = _tokens(5, (50, 100))
    lengths = torch.randint(1, 101, (50,), generator=torch.Generator().manual_seed(6))
    pad = torch.arange(100)[None, :] >= lengths[:, None]  # (B, L)
    x[pad] = PAD
    inputs, labels = mask_tokens(
        x,
        mask_id=MASK,
        vocab_size=V,
        mask_prob=0.9,
        special_ids=SPECIAL,
        padding_mask=pad,
        generator=torch.Generator().manual_seed(7),
    )
    never = pad | (x == CLS)
    assert (labels[never] == IGNORE_INDEX).all()
    assert torch.equal(inputs[never], x[never])
    assert (labels[~never] != IGNORE_INDEX).float().mean() > 0.85


def test_padding_mask_alone_protects_positions():
    x = _tokens(8, (4, 30))
    pad = torch.zeros_like(x, dtype=torch.bool)
    pad[:, 10:] = True
    _, labels = mask_tokens(
        x,
        mask_id=MASK,
        vocab_size=V,
        mask_prob=0.99,
        padding_mask=pad,
        generator=torch.Generator().manual_seed(0),
    )
    assert (labels[pad] == IGNORE_INDEX).all()


def test_deterministic_given_a_generator():
    x = _tokens(9, (16, 32))

    def run(seed):
        g = torch.Generator().manual_seed(seed)
        return mask_tokens(x, mask_id=MASK, vocab_size=V, generator=g)

    a, b, c = run(0), run(0), run(1)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[1], c[1])


def test_tokens_not_modified():
    x = _tokens(10, (4, 16))
    before = x.clone()
    mask_tokens(x, mask_id=MASK, vocab_size=V, mask_prob=0.9)
    assert torch.equal(x, before)


# --- the head and the loss -----------------------------------------------------------


def test_log_probs_equal_softmax_of_affine_map():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(2, 5, 6, generator=g, dtype=torch.float64)
    W = torch.randn(V, 6, generator=g, dtype=torch.float64)
    b = torch.randn(V, generator=g, dtype=torch.float64)
    ours = masked_lm_log_probs(z, W, b)
    for i in range(5):  # softmax(W z_i + b), one position at a time
        f = W @ z[0, i] + b
        expected = torch.exp(f) / torch.exp(f).sum()
        torch.testing.assert_close(ours[0, i].exp(), expected, rtol=1e-12, atol=0)
    torch.testing.assert_close(ours.exp().sum(-1), torch.ones(2, 5, dtype=z.dtype))


def test_log_probs_gradcheck():
    g = torch.Generator().manual_seed(1)
    args = [
        torch.randn(*s, generator=g, dtype=torch.float64, requires_grad=True)
        for s in [(2, 3, 4), (7, 4), (7,)]
    ]
    assert torch.autograd.gradcheck(masked_lm_log_probs, args)


def test_head_matches_functional_core_and_ties_weights():
    torch.manual_seed(0)
    head = MaskedLMHead(8, V)
    z = torch.randn(3, 4, 8)
    expected = torch.log_softmax(head.W(z), dim=-1)
    torch.testing.assert_close(head(z), expected)
    emb = nn.Embedding(V, 8)
    tied = MaskedLMHead(8, V, embedding=emb)
    assert tied.W.weight is emb.weight
    names = [n for n, _ in nn.ModuleDict({"e": emb, "h": tied}).named_parameters()]
    assert names == ["e.weight", "h.W.bias"]  # W is shared, not duplicated


def test_loss_equals_direct_computation_over_selected_only():
    g = torch.Generator().manual_seed(2)
    logits = torch.randn(3, 7, V, generator=g, dtype=torch.float64)
    x = _tokens(11, (3, 7))
    _, labels = mask_tokens(
        x,
        mask_id=MASK,
        vocab_size=V,
        mask_prob=0.5,
        generator=torch.Generator().manual_seed(3),
    )
    terms = [
        -torch.log_softmax(logits[b, i], -1)[labels[b, i]]
        for b in range(3)
        for i in range(7)
        if labels[b, i] != IGNORE_INDEX
    ]
    expected = torch.stack(terms).mean()
    torch.testing.assert_close(masked_lm_loss(logits, labels), expected)
    # unselected logits do not matter
    logits2 = logits.clone()
    logits2[labels == IGNORE_INDEX] = 100.0
    torch.testing.assert_close(masked_lm_loss(logits2, labels), expected)
    # log-probabilities give the same loss as logits
    log_p = torch.log_softmax(logits, -1)
    torch.testing.assert_close(masked_lm_loss(log_p, labels), expected)


def test_loss_matches_torch_ignore_index_convention():
    g = torch.Generator().manual_seed(4)
    logits = torch.randn(2, 9, V, generator=g)
    _, labels = mask_tokens(
        _tokens(12, (2, 9)), mask_id=MASK, vocab_size=V, mask_prob=0.5, generator=g
    )
    expected = torch_F.cross_entropy(logits.reshape(-1, V), labels.reshape(-1))
    torch.testing.assert_close(masked_lm_loss(logits, labels), expected)


# --- bad input ----------------------------------------------------------------------


X = torch.full((2, 4), 5)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"mask_prob": 0.0}, ValueError, "mask_prob must be finite and > 0"),
        ({"mask_prob": 1.0}, ValueError, r"mask_prob must lie in \(0, 1\)"),
        ({"mask_prob": -0.1}, ValueError, "mask_prob must be finite"),
        ({"mask_prob": "0.1"}, TypeError, "mask_prob must be a real number"),
        ({"mask_id": V}, ValueError, "mask_id must be below vocab_size"),
        ({"vocab_size": 1}, ValueError, "vocab_size must be at least 2"),
        ({"special_ids": (V,)}, ValueError, "special_ids must lie in"),
        ({"p_mask": 0.8, "p_random": 0.3}, ValueError, "p_mask . p_random must be"),
        ({"p_random": -0.1}, ValueError, "p_random must be finite"),
        (
            {"padding_mask": torch.zeros(2, 3, dtype=torch.bool)},
            ValueError,
            "padding_mask has shape",
        ),
        ({"padding_mask": torch.zeros(2, 4)}, TypeError, "padding_mask must be a bool"),
        ({"mask_id": 0, "special_ids": range(1, V)}, ValueError, "every id is special"),
    ],
)
def test_mask_tokens_bad_options(kwargs, error, match):
    options = {"mask_id": MASK, "vocab_size": V} | kwargs
    with pytest.raises(error, match=match):
        mask_tokens(X, **options)


@pytest.mark.parametrize(
    ("tokens", "error", "match"),
    [
        (torch.zeros(2, 3), TypeError, "tokens must be an integer tensor"),
        ([[1, 2]], TypeError, "tokens must be a torch.Tensor"),
        (torch.zeros(0, 3, dtype=torch.long), ValueError, "tokens must be non-empty"),
        (torch.full((2, 3), V), ValueError, "tokens must lie in"),
    ],
)
def test_mask_tokens_bad_tokens(tokens, error, match):
    with pytest.raises(error, match=match):
        mask_tokens(tokens, mask_id=MASK, vocab_size=V)


def test_loss_bad_input():
    logits = torch.zeros(2, 3, V)
    with pytest.raises(ValueError, match="labels select no position"):
        masked_lm_loss(logits, torch.full((2, 3), IGNORE_INDEX))
    with pytest.raises(ValueError, match="logits must have shape"):
        masked_lm_loss(logits, torch.zeros(2, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="labels must lie in"):
        masked_lm_loss(logits, torch.full((2, 3), V))
    with pytest.raises(TypeError, match="logits must be a floating-point"):
        masked_lm_loss(logits.long(), torch.zeros(2, 3, dtype=torch.long))


def test_head_bad_input():
    with pytest.raises(ValueError, match="embedding must be"):
        MaskedLMHead(8, V, embedding=nn.Embedding(V, 4))
    with pytest.raises(TypeError, match="embedding must be a torch.nn.Embedding"):
        MaskedLMHead(8, V, embedding=nn.Linear(8, V))
    with pytest.raises(ValueError, match="W must have shape"):
        masked_lm_log_probs(torch.zeros(2, 3), torch.zeros(V, 4))
    with pytest.raises(ValueError, match="b must have shape"):
        masked_lm_log_probs(torch.zeros(2, 3), torch.zeros(V, 3), torch.zeros(V + 1))
    with pytest.raises(TypeError, match="z must be a floating-point"):
        masked_lm_log_probs(torch.zeros(2, 3, dtype=torch.long), torch.zeros(V, 3))
