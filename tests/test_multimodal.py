"""slmsurvey.multimodal: CLIP loss, retrieval, cross-modal attention, fusion."""

import math

import matplotlib
import numpy as np
import pytest
import torch
from torch import nn

from slmsurvey.multimodal.attention import CrossModalAttention
from slmsurvey.multimodal.contrastive import (
    clip_logits,
    clip_loss,
    recall_at_k,
    retrieval_ranks,
)
from slmsurvey.multimodal.diagram import draw_multimodal_architectures
from slmsurvey.multimodal.fusion import (
    AttentionFusionRecognizer,
    AudioOnlyRecognizer,
    LateFusionRecognizer,
    fit_recognizer,
    masked_pool,
)

matplotlib.use("Agg")
RECOGNIZERS = [AudioOnlyRecognizer, LateFusionRecognizer, AttentionFusionRecognizer]


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# ------------------------------------------------------------------ CLIP loss
def clip_loss_by_loops(a, b, tau):
    """The symmetric InfoNCE written out term by term."""
    B = a.shape[0]
    a_hat = [a[i] / a[i].norm() for i in range(B)]
    b_hat = [b[i] / b[i].norm() for i in range(B)]
    s = [[(a_hat[i] * b_hat[j]).sum() / tau for j in range(B)] for i in range(B)]
    total = 0.0
    for i in range(B):
        row = torch.stack([s[i][j] for j in range(B)])
        col = torch.stack([s[j][i] for j in range(B)])
        total = total - (s[i][i] - torch.logsumexp(row, 0))
        total = total - (s[i][i] - torch.logsumexp(col, 0))
    return total / (2 * B)


@pytest.mark.parametrize(("B", "D", "tau"), [(2, 3, 1.0), (5, 4, 0.07), (8, 16, 0.5)])
def test_clip_loss_matches_loops_in_value_and_gradient(B, D, tau):
    gen = torch.Generator().manual_seed(B * 100 + D)
    a = torch.randn(B, D, generator=gen, dtype=torch.float64, requires_grad=True)
    b = torch.randn(B, D, generator=gen, dtype=torch.float64, requires_grad=True)
    ours = clip_loss(a, b, temperature=tau)
    ref = clip_loss_by_loops(a, b, tau)
    assert ours.item() == pytest.approx(ref.item(), rel=1e-12)
    g_ours = torch.autograd.grad(ours, (a, b))
    g_ref = torch.autograd.grad(ref, (a, b))
    for x, y in zip(g_ours, g_ref, strict=True):
        torch.testing.assert_close(x, y, rtol=1e-10, atol=1e-12)


def test_clip_loss_gradcheck():
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(4, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    b = torch.randn(4, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda a, b: clip_loss(a, b, temperature=0.3), (a, b)
    )


def test_clip_loss_properties():
    gen = torch.Generator().manual_seed(1)
    a, b = torch.randn(6, 5, generator=gen), torch.randn(6, 5, generator=gen)
    base = clip_loss(a, b, temperature=0.2).item()
    # symmetric in the two modalities, blind to the embeddings' scale
    assert clip_loss(b, a, temperature=0.2).item() == pytest.approx(base)
    assert clip_loss(3 * a, 0.5 * b, temperature=0.2).item() == pytest.approx(base)
    # nothing to tell apart: log B; perfectly aligned orthogonal pairs: small
    same = torch.ones(6, 5)
    assert clip_loss(same, same, temperature=0.2).item() == pytest.approx(math.log(6))
    eye = torch.eye(6)
    assert clip_loss(eye, eye, temperature=0.01).item() < 1e-6
    logits = clip_logits(a, b, temperature=0.2)
    assert logits.shape == (6, 6) and float(logits.abs().max()) <= 5 + 1e-5


@pytest.mark.parametrize("tau", [0.0, -1.0, math.inf, math.nan])
def test_clip_loss_rejects_bad_temperature(tau):
    a = torch.randn(3, 2)
    with pytest.raises(ValueError, match="temperature"):
        clip_loss(a, a, temperature=tau)
    with pytest.raises(TypeError, match="temperature"):
        clip_loss(a, a, temperature="0.1")


def test_clip_loss_rejects_bad_shapes():
    with pytest.raises(ValueError, match="a and b must hold the same number"):
        clip_loss(torch.randn(3, 2), torch.randn(4, 2), temperature=0.1)
    with pytest.raises(ValueError, match="a and b must have the same width"):
        clip_loss(torch.randn(3, 2), torch.randn(3, 5), temperature=0.1)
    with pytest.raises(ValueError, match="a must have shape"):
        clip_loss(torch.randn(3, 2, 1), torch.randn(3, 2), temperature=0.1)
    with pytest.raises(ValueError, match="b must have shape"):
        clip_loss(torch.randn(3, 2), torch.randn(3), temperature=0.1)
    with pytest.raises(ValueError, match="at least 2"):
        clip_loss(torch.randn(1, 2), torch.randn(1, 2), temperature=0.1)
    with pytest.raises(TypeError, match="a must be"):
        clip_loss(np.ones((3, 2)), torch.randn(3, 2), temperature=0.1)


# ------------------------------------------------------------------ retrieval
def recall_brute_force(S, k, targets):
    hits = 0
    for i in range(S.shape[0]):
        c = targets[i]
        better_or_tied = sum(1 for j in range(S.shape[1]) if S[i, j] >= S[i, c])
        hits += better_or_tied <= k
    return hits / S.shape[0]


@pytest.mark.parametrize("seed", range(4))
def test_recall_at_k_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    Q, N = 7, 9
    S = rng.integers(0, 4, size=(Q, N)).astype(float)  # many ties
    targets = rng.integers(0, N, size=Q)
    for k in range(1, N + 1):
        assert recall_at_k(S, k) == pytest.approx(
            recall_brute_force(S, k, np.arange(Q))
        )
        assert recall_at_k(S, k, targets=targets) == pytest.approx(
            recall_brute_force(S, k, targets)
        )
    assert recall_at_k(S, N) == 1.0
    ranks = retrieval_ranks(torch.from_numpy(S))
    assert ranks.min() >= 1 and ranks.max() <= N


def test_recall_at_k_of_random_scores_is_near_chance():
    rng = np.random.default_rng(0)
    r = np.mean([recall_at_k(rng.standard_normal((20, 20)), 5) for _ in range(200)])
    assert r == pytest.approx(5 / 20, abs=0.02)
    assert recall_at_k(np.eye(5), 1) == 1.0


def test_recall_at_k_rejects_bad_input():
    S = np.eye(4)
    for k in (0, 5):
        with pytest.raises(ValueError, match="k must be"):
            recall_at_k(S, k)
    with pytest.raises(TypeError, match="k must be an int"):
        recall_at_k(S, 1.0)
    with pytest.raises(ValueError, match="Q <= N"):
        recall_at_k(np.ones((5, 3)), 1)
    with pytest.raises(ValueError, match="NaN"):
        recall_at_k(np.full((2, 2), np.nan), 1)
    with pytest.raises(ValueError, match="similarity must have shape"):
        recall_at_k(np.ones(3), 1)
    with pytest.raises(TypeError, match="similarity must be"):
        recall_at_k([[1.0]], 1)
    with pytest.raises(ValueError, match="targets must lie"):
        recall_at_k(S, 1, targets=[0, 1, 2, 4])
    with pytest.raises(ValueError, match="targets must hold"):
        recall_at_k(S, 1, targets=[0, 1])


# ------------------------------------------------------ cross-modal attention
@pytest.mark.parametrize(
    ("d_model", "d_key", "d_value", "heads"),
    [(8, 6, 6, 1), (8, 6, 10, 2), (12, 12, 12, 3), (16, 4, 5, 4)],
)
@pytest.mark.parametrize("padded", [False, True])
def test_cross_modal_attention_matches_torch(d_model, d_key, d_value, heads, padded):
    torch.manual_seed(d_model + d_key + heads)
    ref = nn.MultiheadAttention(
        d_model, heads, kdim=d_key, vdim=d_value, batch_first=True
    )
    ours = CrossModalAttention(d_model, d_key, d_value, n_heads=heads)
    ours.copy_from_torch(ref)
    q = torch.randn(3, 7, d_model)
    k, v = torch.randn(3, 4, d_key), torch.randn(3, 4, d_value)
    pad = None
    if padded:
        pad = torch.tensor([[0, 0, 0, 0], [0, 0, 1, 1], [0, 1, 1, 1]], dtype=bool)
    out, weights = ours(q, k, v, key_padding_mask=pad)
    out_ref, w_ref = ref(q, k, v, key_padding_mask=pad)
    torch.testing.assert_close(out, out_ref, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(weights.mean(1), w_ref, rtol=1e-5, atol=1e-6)
    if padded:
        assert float(weights.detach()[2, :, :, 1:].abs().max()) == 0.0


def test_cross_modal_attention_rejects_bad_input():
    attend = CrossModalAttention(8, 6, n_heads=2)
    q, kv = torch.randn(2, 5, 8), torch.randn(2, 3, 6)
    with pytest.raises(ValueError, match="key must have shape"):
        attend(q, torch.randn(2, 3, 8), kv)
    with pytest.raises(ValueError, match="batch size"):
        attend(q, torch.randn(3, 3, 6), torch.randn(3, 3, 6))
    with pytest.raises(ValueError, match="key_padding_mask must have shape"):
        attend(q, kv, kv, key_padding_mask=torch.zeros(2, 4, dtype=bool))
    with pytest.raises(ValueError, match="no key"):
        attend(q, kv, kv, key_padding_mask=torch.ones(2, 3, dtype=bool))
    with pytest.raises(TypeError, match="mask must be a bool"):
        attend(q, kv, kv, mask=torch.ones(5, 3))
    with pytest.raises(ValueError, match="d_key"):
        CrossModalAttention(8, 0)
    with pytest.raises(ValueError, match="kdim"):
        attend.copy_from_torch(nn.MultiheadAttention(8, 2, kdim=5, vdim=5))


# ------------------------------------------------------------- recognisers
def toy_batch(B=6, seed=0, F=8, S=4):
    gen = torch.Generator().manual_seed(seed)
    L_a = torch.randint(6, 13, (B,), generator=gen)
    L_a[0] = 12
    L_v = (L_a + 3) // 4
    audio = torch.randn(B, 12, F, generator=gen)
    video = torch.rand(B, 3, S, S, generator=gen)
    return audio, L_a, video, L_v


@pytest.mark.parametrize("cls", RECOGNIZERS)
def test_recognizer_shapes_and_padding(cls):
    torch.manual_seed(0)
    model = cls(n_mels=8, n_pixels=16, n_classes=5, d=8).eval()
    audio, L_a, video, L_v = toy_batch()
    log_p = model(audio, L_a, video, L_v)
    assert log_p.shape == (6, 5)
    torch.testing.assert_close(log_p.exp().sum(1), torch.ones(6))
    # batched equals one by one, without the padding; padding values ignored
    for i in range(6):
        a, v = audio[i : i + 1, : L_a[i]], video[i : i + 1, : L_v[i]]
        alone = model(a, L_a[i : i + 1], v, L_v[i : i + 1])
        torch.testing.assert_close(alone[0], log_p[i], rtol=1e-5, atol=1e-5)
    junk_a, junk_v = audio.clone(), video.clone()
    for i in range(6):
        junk_a[i, L_a[i] :] = 99.0
        junk_v[i, L_v[i] :] = 99.0
    torch.testing.assert_close(model(junk_a, L_a, junk_v, L_v), log_p)


@pytest.mark.parametrize("cls", [LateFusionRecognizer, AttentionFusionRecognizer])
def test_gradients_reach_both_branches(cls):
    torch.manual_seed(1)
    model = cls(n_mels=8, n_pixels=16, n_classes=3, d=8)
    audio, L_a, video, L_v = toy_batch()
    loss = -model(audio, L_a, video, L_v)[:, 0].mean()
    loss.backward()
    for branch in (model.audio, model.video):
        norms = [p.grad.norm().item() for p in branch.parameters()]
        assert all(n > 0 for n in norms)


def test_audio_only_ignores_the_video():
    torch.manual_seed(2)
    model = AudioOnlyRecognizer(n_mels=8, n_pixels=16, n_classes=3, d=8).eval()
    audio, L_a, video, L_v = toy_batch()
    torch.testing.assert_close(
        model(audio, L_a, video, L_v), model(audio, L_a, 1 - video, L_v)
    )


@pytest.mark.parametrize("cls", RECOGNIZERS[1:])
def test_fusion_learns_from_the_video_when_audio_is_noise(cls):
    """Labels carried by the video only: fusion must find them there."""
    gen = torch.Generator().manual_seed(3)
    B = 48
    y = torch.arange(B) % 2
    audio = torch.randn(B, 8, 6, generator=gen)  # pure noise
    video = 0.1 * torch.rand(B, 2, 3, 3, generator=gen)
    video[y == 1] += 0.8  # class 1: bright mouth images
    L_a, L_v = torch.full((B,), 8), torch.full((B,), 2)
    torch.manual_seed(3)
    model = cls(n_mels=6, n_pixels=9, n_classes=2, d=8)
    losses = fit_recognizer(
        model, audio, L_a, video, L_v, y, epochs=30, lr=0.01, batch_size=16
    )
    assert losses[-1] < 0.5 * losses[0]
    with torch.no_grad():
        pred = model(audio, L_a, video, L_v).argmax(1)
    assert bool((pred == y).all())


def test_recognizers_reject_bad_input():
    model = LateFusionRecognizer(n_mels=8, n_pixels=16, n_classes=3, d=4)
    audio, L_a, video, L_v = toy_batch()
    with pytest.raises(ValueError, match="audio and video must hold the same"):
        model(audio, L_a, video[:4], L_v[:4])
    with pytest.raises(ValueError, match="video must have 4 dims"):
        model(audio, L_a, video.flatten(2), L_v)
    with pytest.raises(ValueError, match="audio_lengths must lie"):
        model(audio, L_a + 20, video, L_v)
    with pytest.raises(TypeError, match="video_lengths must be an integer"):
        model(audio, L_a, video, L_v.float())
    with pytest.raises(ValueError, match="mel bands"):
        model(audio[:, :, :4], L_a, video, L_v)
    with pytest.raises(ValueError, match="n_classes"):
        LateFusionRecognizer(n_mels=8, n_pixels=16, n_classes=1)
    with pytest.raises(ValueError, match="labels"):
        fit_recognizer(model, audio, L_a, video, L_v, torch.zeros(2, dtype=int))
    with pytest.raises(ValueError, match="epochs"):
        fit_recognizer(model, audio, L_a, video, L_v, torch.zeros(6, dtype=int),
                       epochs=0)  # fmt: skip


def test_masked_pool_hand_worked():
    h = torch.tensor([[[1.0, -1.0], [3.0, -5.0], [100.0, 100.0]]])
    assert masked_pool(h, torch.tensor([2])).tolist() == [[2.0, -3.0, 3.0, -1.0]]


# ---------------------------------------------------------------- diagram
def test_diagram_draws_the_three_architectures():
    import matplotlib.pyplot as plt

    fig = draw_multimodal_architectures()
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [
        "(a) Joint embedding (contrastive)",
        "(b) Late fusion",
        "(c) Attention fusion",
    ]
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    for label in ("audio\nencoder", "visual\nencoder", "text\nencoder",
                  "cross-modal attention", "CLIP loss"):  # fmt: skip
        assert label in texts
    assert sum(len(ax.patches) for ax in fig.axes) == 19  # boxes
    fig.canvas.draw()
    plt.close(fig)
