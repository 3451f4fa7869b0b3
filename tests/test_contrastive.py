"""slmsurvey.ssl.contrastive: InfoNCE and CPC against direct loops, gradcheck."""

import math

import pytest
import torch
import torch.nn.functional as torch_F

from slmsurvey.ssl.contrastive import CPC, cpc_loss, info_nce


def _randn(*shape, seed=0, grad=False):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(*shape, generator=g, dtype=torch.float64)
    return x.requires_grad_(grad)


def _s(a, b, similarity):
    if similarity == "cosine":
        return float(a @ b / (a.norm() * b.norm()))
    return float(a @ b)


# --- InfoNCE --------------------------------------------------------------------------


@pytest.mark.parametrize("similarity", ["cosine", "dot"])
@pytest.mark.parametrize("tau", [0.1, 1.0])
def test_info_nce_equals_direct_loop(similarity, tau):
    a, p, n = _randn(5, 4, seed=1), _randn(5, 4, seed=2), _randn(5, 3, 4, seed=3)
    total = 0.0
    for b in range(5):
        pos = math.exp(_s(a[b], p[b], similarity) / tau)
        neg = sum(math.exp(_s(a[b], n[b, k], similarity) / tau) for k in range(3))
        total += -math.log(pos / (pos + neg))
    ours = info_nce(a, p, n, temperature=tau, similarity=similarity)
    assert ours.item() == pytest.approx(total / 5, rel=1e-12)


@pytest.mark.parametrize("similarity", ["cosine", "dot"])
def test_in_batch_equals_clip_one_direction(similarity):
    a, p = _randn(6, 4, seed=4), _randn(6, 4, seed=5)
    if similarity == "cosine":
        logits = torch_F.normalize(a, dim=1) @ torch_F.normalize(p, dim=1).T / 0.1
    else:
        logits = a @ p.T / 0.1  # (B, D) @ (D, B) -> (B, B)
    expected = torch_F.cross_entropy(logits, torch.arange(6))
    ours = info_nce(a, p, temperature=0.1, similarity=similarity)
    torch.testing.assert_close(ours, expected, rtol=1e-12, atol=0)


def test_in_batch_equals_explicit_negatives_from_other_positives():
    a, p = _randn(4, 3, seed=6), _randn(4, 3, seed=7)
    others = torch.stack([p[[j for j in range(4) if j != b]] for b in range(4)])
    torch.testing.assert_close(info_nce(a, p), info_nce(a, p, others))


@pytest.mark.parametrize("similarity", ["cosine", "dot"])
def test_info_nce_gradcheck(similarity):
    args = (_randn(3, 4, seed=8, grad=True), _randn(3, 4, seed=9, grad=True))
    n = _randn(3, 2, 4, seed=10, grad=True)

    def explicit(a, p, n):
        return info_nce(a, p, n, temperature=0.5, similarity=similarity)

    def in_batch(a, p):
        return info_nce(a, p, temperature=0.5, similarity=similarity)

    assert torch.autograd.gradcheck(explicit, (*args, n))
    assert torch.autograd.gradcheck(in_batch, args)


def test_info_nce_is_lowest_when_positive_stands_out():
    a = _randn(8, 16, seed=11)
    far = info_nce(a, _randn(8, 16, seed=12), _randn(8, 5, 16, seed=13))
    near = info_nce(a, a, _randn(8, 5, 16, seed=13))
    assert near < far
    # one negative, identical to the positive: exactly log 2
    same = info_nce(a, a, a[:, None, :])
    assert same.item() == pytest.approx(math.log(2), rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"temperature": 0.0}, ValueError, "temperature must be finite and > 0"),
        ({"temperature": -1.0}, ValueError, "temperature must be finite and > 0"),
        ({"similarity": "l2"}, ValueError, "similarity must be one of"),
        ({"positives": torch.zeros(3, 4)}, ValueError, "positives has shape"),
        ({"negatives": torch.zeros(2, 0, 3)}, ValueError, "negatives must have shape"),
        ({"negatives": torch.zeros(2, 1, 4)}, ValueError, "negatives must have shape"),
        ({"negatives": torch.zeros(2, 3)}, ValueError, "negatives must have 3 dims"),
        ({"anchors": torch.zeros(2, 3, dtype=torch.long)}, TypeError, "anchors must"),
        (
            {"anchors": torch.zeros(1, 3), "positives": torch.zeros(1, 3)},
            ValueError,
            "in-batch negatives need a batch of at least 2",
        ),
    ],
)
def test_info_nce_bad_input(kwargs, error, match):
    args = {"anchors": torch.zeros(2, 3), "positives": torch.zeros(2, 3)} | kwargs
    with pytest.raises(error, match=match):
        info_nce(**args)


# --- CPC ------------------------------------------------------------------------------


def _direct_cpc(c, z, W, lengths, similarity="dot", tau=1.0):
    """The loss by loops: every valid frame of the batch is a candidate."""
    B, T, _ = c.shape
    frames = [(b, t) for b in range(B) for t in range(int(lengths[b]))]
    per_step = []
    for k in range(1, W.shape[0] + 1):
        terms = []
        for b, t in frames:
            if t + k >= lengths[b]:
                continue
            pred = W[k - 1] @ c[b, t]  # W_k c_t
            scores = {f: _s(pred, z[f], similarity) / tau for f in frames}
            log_den = math.log(sum(math.exp(v) for v in scores.values()))
            terms.append(log_den - scores[(b, t + k)])
        per_step.append(sum(terms) / len(terms))
    return sum(per_step) / len(per_step)


@pytest.mark.parametrize(("similarity", "tau"), [("dot", 1.0), ("cosine", 0.1)])
def test_cpc_loss_equals_direct_computation(similarity, tau):
    c, z, W = _randn(2, 5, 3, seed=20), _randn(2, 5, 4, seed=21), _randn(2, 4, 3)
    lengths = torch.tensor([5, 3])
    ours = cpc_loss(c, z, W, lengths, temperature=tau, similarity=similarity)
    expected = _direct_cpc(c, z, W, lengths, similarity, tau)
    assert ours.item() == pytest.approx(expected, rel=1e-12)


def test_cpc_sampled_negatives_equal_direct_computation():
    """Re-draw the documented sampling and compute InfoNCE by loops."""
    c, z, W = _randn(2, 4, 3, seed=22), _randn(2, 4, 2, seed=23), _randn(2, 2, 3)
    lengths = torch.tensor([4, 3])
    N = 3
    ours = cpc_loss(
        c, z, W, lengths, n_negatives=N, generator=torch.Generator().manual_seed(5)
    )
    frames = [(b, t) for b in range(2) for t in range(int(lengths[b]))]
    g = torch.Generator().manual_seed(5)
    per_step = []
    for k in (1, 2):
        pairs = [(b, t) for b, t in frames if t + k < lengths[b]]
        j = torch.randint(len(frames) - 1, (len(pairs), N), generator=g)
        terms = []
        for (b, t), row in zip(pairs, j, strict=True):
            pos = frames.index((b, t + k))
            negs = [int(i) + (int(i) >= pos) for i in row]  # skip the positive
            assert pos not in negs
            pred = W[k - 1] @ c[b, t]
            s = [float(pred @ z[frames[i]]) for i in [pos, *negs]]
            terms.append(math.log(sum(math.exp(v) for v in s)) - s[0])
        per_step.append(sum(terms) / len(terms))
    assert ours.item() == pytest.approx(sum(per_step) / 2, rel=1e-12)


def test_cpc_sampling_is_deterministic_given_a_generator():
    c, z, W = _randn(2, 6, 3, seed=24), _randn(2, 6, 4, seed=25), _randn(3, 4, 3)

    def run(seed):
        g = torch.Generator().manual_seed(seed)
        return cpc_loss(c, z, W, n_negatives=4, generator=g)

    assert run(0) == run(0)
    assert run(0) != run(1)


@pytest.mark.parametrize("n_negatives", [None, 2])
def test_cpc_loss_gradcheck(n_negatives):
    c, z = _randn(2, 4, 3, seed=26, grad=True), _randn(2, 4, 2, seed=27, grad=True)
    W = _randn(2, 2, 3, seed=28, grad=True)
    lengths = torch.tensor([4, 3])

    def loss(c, z, W):
        g = torch.Generator().manual_seed(0)  # the same negatives every call
        return cpc_loss(c, z, W, lengths, n_negatives=n_negatives, generator=g)

    assert torch.autograd.gradcheck(loss, (c, z, W))


def test_cpc_ignores_frames_after_lengths():
    torch.manual_seed(0)
    model = CPC(n_features=5, d_latent=6, d_context=4, prediction_steps=2)
    x = torch.randn(2, 8, 5)
    lengths = torch.tensor([8, 5])
    y = x.clone()
    y[1, 5:] = 100.0  # garbage in the padding
    torch.testing.assert_close(model.loss(x, lengths), model.loss(y, lengths))
    r = model.representations(y, lengths)
    assert (r[1, 5:] == 0).all()
    torch.testing.assert_close(r, model.representations(x, lengths))


def test_cpc_context_is_causal():
    torch.manual_seed(0)
    model = CPC(n_features=5, d_latent=6, d_context=4, prediction_steps=2)
    x = torch.randn(1, 10, 5)
    y = x.clone()
    y[0, 6:] = torch.randn(4, 5)
    c_x, c_y = model.representations(x), model.representations(y)
    torch.testing.assert_close(c_x[:, :6], c_y[:, :6])
    assert not torch.allclose(c_x[:, 6:], c_y[:, 6:])


def test_cpc_module_loss_wraps_the_functional_core():
    torch.manual_seed(0)
    model = CPC(4, 6, 5, prediction_steps=3, temperature=0.5, similarity="cosine")
    x = torch.randn(3, 7, 4)
    z, c = model(x)
    expected = cpc_loss(c, z, model.W, temperature=0.5, similarity="cosine")
    torch.testing.assert_close(model.loss(x), expected)


def test_cpc_learns_a_predictable_signal():
    """On sinusoids of random phase the future is predictable from the past:
    a few Adam steps take the loss well below chance, log N_v."""
    torch.manual_seed(0)
    t = torch.arange(24.0)
    phase = torch.rand(8, 1) * 2 * math.pi
    freq = torch.linspace(0.3, 1.2, 4)
    x = torch.sin(freq[None, None, :] * t[None, :, None] + phase[:, :, None])
    model = CPC(4, 16, 16, prediction_steps=2)
    opt = torch.optim.Adam(model.parameters(), lr=3e-2)
    chance = math.log(8 * 24)
    for _ in range(60):
        loss = model.loss(x)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert model.loss(x).item() < 0.5 * chance


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"temperature": 0.0}, ValueError, "temperature must be finite and > 0"),
        ({"similarity": "l1"}, ValueError, "similarity must be one of"),
        ({"W": torch.zeros(2, 3, 3)}, ValueError, "need context"),
        ({"latents": torch.zeros(2, 4, 2)}, ValueError, "need context"),
        ({"lengths": torch.tensor([5, 0])}, ValueError, "lengths must lie in"),
        ({"lengths": torch.tensor([5.0, 2.0])}, TypeError, "lengths must be an int"),
        ({"lengths": torch.tensor([5])}, ValueError, "lengths must have shape"),
        ({"lengths": torch.tensor([1, 1])}, ValueError, r"no frame pair \(t, t \+ 1\)"),
        ({"n_negatives": 0}, ValueError, "n_negatives must be at least 1"),
        ({"context": torch.zeros(2, 5)}, ValueError, "context must have 3 dims"),
    ],
)
def test_cpc_loss_bad_input(kwargs, error, match):
    args = {
        "context": torch.zeros(2, 5, 3),
        "latents": torch.zeros(2, 5, 2),
        "W": torch.zeros(2, 2, 3),
    } | kwargs
    with pytest.raises(error, match=match):
        cpc_loss(**args)


def test_cpc_module_bad_input():
    with pytest.raises(ValueError, match="prediction_steps must be at least 1"):
        CPC(4, 6, 5, prediction_steps=0)
    with pytest.raises(ValueError, match="temperature must be finite and > 0"):
        CPC(4, 6, 5, temperature=0.0)
    with pytest.raises(ValueError, match="features must have 3 dims"):
        CPC(4, 6, 5).loss(torch.zeros(2, 4))
