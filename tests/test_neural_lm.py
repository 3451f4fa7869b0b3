"""Tests of slmsurvey.lm.neural: Bengio et al.'s (2003) feed-forward LM."""

import math

import pytest
import torch
import torch.nn.functional as torch_F

from slmsurvey.lm.neural import FeedForwardLM, context_windows, fit_lm, lm_perplexity

# Shapes: B batch, V vocabulary, n-1 context size, m embedding size, h hidden size.

BOS, EOS = 0, 1
V = 8
# One fixed sentence, repeated: every next word is determined by the 2 before it.
PATTERN = [2, 3, 4, 5, 6, 7]
CORPUS = [PATTERN] * 4


def _model(seed=0, vocab_size=V, context_size=2, **kwargs):
    torch.manual_seed(seed)
    return FeedForwardLM(vocab_size, context_size, **kwargs)


# --- the model --------------------------------------------------------------------


def test_embedding_lookup_is_one_hot_times_C():
    model = _model(context_size=3, d_embed=5).double()
    ids = torch.tensor([[0, 7, 3], [3, 3, 1]])  # (B, n-1)
    one_hot = torch_F.one_hot(ids, V).double()  # (B, n-1, V)
    expected = one_hot @ model.C.weight  # (B, n-1, V) @ (V, m) -> (B, n-1, m)
    torch.testing.assert_close(model.C(ids), expected)
    # x concatenates C(w) of the context words, oldest first
    x = model.embed(ids)  # (B, (n-1) m)
    assert x.shape == (2, 15)
    torch.testing.assert_close(x, expected.reshape(2, 15))
    torch.testing.assert_close(x[1, 5:10], model.C.weight[3])


def test_forward_is_the_papers_equation():
    model = _model(context_size=2, d_embed=3, d_hidden=4).double()
    ids = torch.tensor([[1, 2], [7, 0], [5, 5]])
    C, H, d = model.C.weight, model.H.weight, model.H.bias
    U, b = model.U.weight, model.U.bias
    x = torch.cat([C[ids[:, 0]], C[ids[:, 1]]], dim=1)  # (B, (n-1) m)
    expected = b + torch.tanh(d + x @ H.T) @ U.T  # (B, V)
    torch.testing.assert_close(model(ids), expected)
    assert model.C.weight.shape == (V, 3)
    assert model.H.weight.shape == (4, 6)
    assert model.U.weight.shape == (V, 4)


def test_softmax_of_logits_sums_to_one():
    model = _model(context_size=3)
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(V, (16, 3), generator=g)
    logits = model(ids)
    assert logits.shape == (16, V)
    probs = torch.softmax(logits, dim=-1)
    torch.testing.assert_close(probs.sum(-1), torch.ones(16))
    assert bool((probs > 0).all())


def test_batched_equals_per_item():
    model = _model(context_size=2)
    ids = torch.tensor([[0, 0], [2, 3], [6, 7]])
    whole = model(ids)
    for i in range(3):
        torch.testing.assert_close(model(ids[i : i + 1])[0], whole[i])


# --- context_windows --------------------------------------------------------------


def test_context_windows_hand_example():
    X, y = context_windows([[5, 6, 7], [8], []], 2, bos_id=BOS, eos_id=EOS)
    assert X.dtype == torch.long and y.dtype == torch.long
    assert X.tolist() == [
        [0, 0], [0, 5], [5, 6], [6, 7],  # "5 6 7"
        [0, 0], [0, 8],  # "8"
        [0, 0],  # the empty sentence: only </s>
    ]  # fmt: skip
    assert y.tolist() == [5, 6, 7, 1, 8, 1, 1]


def test_context_windows_unigram_context_and_long_padding():
    X, y = context_windows([[4, 5]], 1, bos_id=9, eos_id=3)
    assert X.tolist() == [[9], [4], [5]]
    assert y.tolist() == [4, 5, 3]
    X, y = context_windows([[4]], 3, bos_id=9, eos_id=3)
    assert X.tolist() == [[9, 9, 9], [9, 9, 4]]
    assert y.tolist() == [4, 3]


def test_context_windows_counts():
    sentences = [[2] * L for L in range(5)]
    X, y = context_windows(sentences, 4, bos_id=BOS, eos_id=EOS)
    assert X.shape == (sum(L + 1 for L in range(5)), 4)
    assert int((y == EOS).sum()) == len(sentences)


# --- training and perplexity ------------------------------------------------------


def test_training_learns_the_pattern():
    X, y = context_windows(CORPUS, 2, bos_id=BOS, eos_id=EOS)
    model = _model()
    ppl_before = lm_perplexity(model, X, y)
    assert 0.9 * V < ppl_before < 1.3 * V  # untrained: close to a uniform guess
    losses = fit_lm(model, X, y, epochs=15, batch_size=8, lr=2e-2, progress=False)
    assert len(losses) == 15 and all(type(x) is float for x in losses)
    assert losses[0] > 0.5
    assert losses[-1] < 0.05 * losses[0]
    ppl_after = lm_perplexity(model, X, y)
    assert ppl_after < 1.1
    # it now predicts every next word of the pattern, </s> included
    with torch.no_grad():
        predicted = model(X[: len(PATTERN) + 1]).argmax(-1)
    assert predicted.tolist() == [*PATTERN, EOS]


def test_fit_is_reproducible_and_progress_does_not_change_it():
    X, y = context_windows(CORPUS[:3], 2, bos_id=BOS, eos_id=EOS)
    runs = [
        fit_lm(_model(seed=3), X, y, epochs=2, batch_size=4, seed=7, progress=p)
        for p in (False, False, True)
    ]
    assert runs[0] == runs[1] == runs[2]
    other = fit_lm(_model(seed=3), X, y, epochs=2, batch_size=4, seed=8, progress=False)
    assert other != runs[0]


def test_fit_restores_mode():
    X, y = context_windows(CORPUS[:1], 2, bos_id=BOS, eos_id=EOS)
    model = _model().eval()
    fit_lm(model, X, y, epochs=1, progress=False)
    assert not model.training
    model.train()
    lm_perplexity(model, X, y)
    assert model.training
    with pytest.raises(ValueError, match="y must lie in"):
        fit_lm(model, X, torch.full_like(y, V), epochs=1, progress=False)
    assert model.training  # restored after a failure too


def test_perplexity_is_exp_cross_entropy_in_any_base():
    g = torch.Generator().manual_seed(0)
    X, y = torch.randint(V, (50, 2), generator=g), torch.randint(V, (50,), generator=g)
    model = _model(seed=4).double()  # float64, so batching cannot change a digit
    with torch.no_grad():
        ce = torch_F.cross_entropy(model(X), y).item()  # nats
    expected = math.exp(ce)
    for base in (2.0, math.e, 10.0):
        ppl = lm_perplexity(model, X, y, base=base)
        assert ppl == pytest.approx(expected, rel=1e-9)
    ppl = lm_perplexity(model, X, y, batch_size=7)
    assert ppl == pytest.approx(expected, rel=1e-9)


def test_uniform_model_has_perplexity_V():
    model = _model()
    torch.nn.init.zeros_(model.U.weight)
    torch.nn.init.zeros_(model.U.bias)
    X, y = context_windows(CORPUS[:2], 2, bos_id=BOS, eos_id=EOS)
    assert lm_perplexity(model, X, y) == pytest.approx(V, rel=1e-12)


# --- bad input --------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(vocab_size=5, context_size=0), ValueError, "context_size must be at"),
        (dict(vocab_size=0, context_size=2), ValueError, "vocab_size must be at"),
        (dict(vocab_size=5, context_size=2.0), TypeError, "context_size must be an"),
        (dict(vocab_size=5, context_size=2, d_embed=0), ValueError, "d_embed must"),
        (dict(vocab_size=5, context_size=2, d_hidden=-1), ValueError, "d_hidden must"),
    ],
)
def test_model_bad_hyperparameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        FeedForwardLM(**kwargs)


@pytest.mark.parametrize(
    "ids, error, match",
    [
        (torch.tensor([[0, V]]), ValueError, r"context_ids must lie in \[0, 8\)"),
        (torch.tensor([[-1, 0]]), ValueError, r"context_ids must lie in \[0, 8\)"),
        (torch.tensor([[0, 1, 2]]), ValueError, r"must have shape \(B, 2\)"),
        (torch.tensor([0, 1]), ValueError, r"context_ids must have shape \(B, 2\)"),
        (torch.tensor([[0.0, 1.0]]), TypeError, "context_ids must hold integer ids"),
        ([[0, 1]], TypeError, "context_ids must be a torch.Tensor"),
    ],
)
def test_forward_bad_ids(ids, error, match):
    with pytest.raises(error, match=match):
        _model()(ids)


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        (([],), {}, ValueError, "sentences_ids is empty"),
        (([[2, 3]],), dict(context_size=0), ValueError, "context_size must be at"),
        (([[2, -3]],), {}, ValueError, r"sentences_ids\[0\] must hold non-negative"),
        (([[2], [2.5]],), {}, TypeError, r"sentences_ids\[1\] must hold int ids"),
        (([[2], 3],), {}, TypeError, r"sentences_ids\[1\] must be a list of int ids"),
        (("abc",), {}, TypeError, "sentences_ids must be a sequence"),
        (([[2]],), dict(bos_id=-1), ValueError, "bos_id must hold non-negative"),
        (([[2]],), dict(eos_id=None), TypeError, "eos_id must hold int ids"),
    ],
)
def test_context_windows_bad_input(args, kwargs, error, match):
    full = dict(context_size=2, bos_id=BOS, eos_id=EOS) | kwargs
    with pytest.raises(error, match=match):
        context_windows(*args, **full)


def _data():
    return context_windows(CORPUS[:2], 2, bos_id=BOS, eos_id=EOS)


@pytest.mark.parametrize("fn", [fit_lm, lm_perplexity])
def test_data_bad_input(fn):
    X, y = _data()
    model = _model()
    opts = dict(progress=False) if fn is fit_lm else {}
    with pytest.raises(ValueError, match="X and y must have the same length"):
        fn(model, X, y[:-1], **opts)
    with pytest.raises(ValueError, match="X and y are empty"):
        fn(model, X[:0], y[:0], **opts)
    with pytest.raises(ValueError, match=r"y must lie in \[0, 8\)"):
        fn(model, X, torch.full_like(y, V), **opts)
    with pytest.raises(ValueError, match="context_ids must lie in"):
        fn(model, torch.full_like(X, V), y, **opts)
    with pytest.raises(TypeError, match="X must hold integer ids"):
        fn(model, X.float(), y, **opts)
    with pytest.raises(TypeError, match="y must be a torch.Tensor"):
        fn(model, X, y.tolist(), **opts)
    with pytest.raises(ValueError, match="y must be 1-D"):
        fn(model, X, y[:, None], **opts)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        fn(lambda x: x, X, y, **opts)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(epochs=0), ValueError, "epochs must be at least 1"),
        (dict(batch_size=0), ValueError, "batch_size must be at least 1"),
        (dict(lr=0.0), ValueError, "lr must be positive"),
        (dict(lr=math.nan), ValueError, "lr must be positive"),
        (dict(lr="fast"), TypeError, "lr must be a number"),
        (dict(seed=1.5), TypeError, "seed must be an int"),
    ],
)
def test_fit_bad_options(kwargs, error, match):
    X, y = _data()
    with pytest.raises(error, match=match):
        fit_lm(_model(), X, y, progress=False, **kwargs)


def test_fit_model_without_parameters():
    X, y = _data()
    with pytest.raises(TypeError, match="model has no parameters"):
        fit_lm(torch.nn.Identity(), X, y, progress=False)


@pytest.mark.parametrize("base", [1.0, 0.0, -2.0])
def test_perplexity_bad_base(base):
    X, y = _data()
    with pytest.raises(ValueError, match="base must be positive and not 1"):
        lm_perplexity(_model(), X, y, base=base)
