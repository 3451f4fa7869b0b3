"""Tests of slmsurvey.nn.local_attention against full attention with a band mask."""

import pytest
import torch
import torch.nn.functional as torch_F

from slmsurvey.nn.attention import scaled_dot_product_attention
from slmsurvey.nn.local_attention import (
    attention_score_count,
    local_attention,
    local_attention_mask,
)

# Shapes: B batch, H heads, T positions, d_k key size, d_v value size.


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _qkv(seed, B=2, H=3, T=11, d_k=5, d_v=4, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(B, H, T, d_k, generator=g, dtype=dtype)
    k = torch.randn(B, H, T, d_k, generator=g, dtype=dtype)
    v = torch.randn(B, H, T, d_v, generator=g, dtype=dtype)
    return q, k, v


def test_mask_hand_case_and_symmetry():
    assert local_attention_mask(4, 1).int().tolist() == [
        [1, 1, 0, 0],
        [1, 1, 1, 0],
        [0, 1, 1, 1],
        [0, 0, 1, 1],
    ]
    assert torch.equal(local_attention_mask(5, 0), torch.eye(5, dtype=torch.bool))
    m = local_attention_mask(9, 3)
    assert m.dtype == torch.bool and torch.equal(m, m.T)
    assert local_attention_mask(6, 10).all()


@pytest.mark.parametrize("T", [1, 2, 7, 30])
@pytest.mark.parametrize("window", [0, 1, 3, 40])
def test_score_count_equals_true_entries_of_mask(T, window):
    n = attention_score_count(T, window)
    assert n == int(local_attention_mask(T, window).sum())
    assert attention_score_count(T) == T * T
    assert n <= T * T


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("window", [0, 1, 2, 5])
def test_equals_masked_full_attention(seed, window):
    q, k, v = _qkv(seed)
    T = q.shape[-2]
    out = local_attention(q, k, v, window)
    mask = local_attention_mask(T, window)
    ref, _ = scaled_dot_product_attention(q, k, v, mask=mask)
    torch.testing.assert_close(out, ref, rtol=1e-10, atol=1e-12)
    torch_ref = torch_F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out, torch_ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("window", [10, 11, 100])
def test_wide_window_equals_full_attention(window):
    q, k, v = _qkv(7, T=11)
    out = local_attention(q, k, v, window)
    ref = torch_F.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(out, ref, rtol=1e-10, atol=1e-12)


def test_float32_unbatched_and_broadcast_batch():
    q, k, v = _qkv(3, dtype=torch.float32)
    out = local_attention(q[0, 0], k[0, 0], v[0, 0], 2)  # (T, d)
    ref, _ = scaled_dot_product_attention(
        q[0, 0], k[0, 0], v[0, 0], mask=local_attention_mask(11, 2)
    )
    assert out.shape == (11, 4)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-6)
    # one set of keys and values shared by every batch row of q
    out_b = local_attention(q, k[:1], v[:1], 2)
    ref_b, _ = scaled_dot_product_attention(
        q, k[:1], v[:1], mask=local_attention_mask(11, 2)
    )
    torch.testing.assert_close(out_b, ref_b, rtol=1e-5, atol=1e-6)


def test_gradcheck_float64():
    q, k, v = _qkv(5, B=1, H=1, T=6, d_k=3, d_v=2)
    for x in (q, k, v):
        x.requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda q, k, v: local_attention(q, k, v, 2), (q, k, v)
    )


def test_window_zero_returns_values():
    q, k, v = _qkv(1)
    torch.testing.assert_close(local_attention(q, k, v, 0), v)


def test_cost_is_linear_in_T():
    """Doubling T doubles the band's scores; full attention quadruples."""
    for T in (256, 512, 1024):
        # T (2w + 1) - w (w + 1): linear in T with slope 2w + 1 = 17
        local = attention_score_count(2 * T, 8) - attention_score_count(T, 8)
        assert local == 17 * T
        assert attention_score_count(2 * T) == 4 * attention_score_count(T)


def test_bad_input():
    q, k, v = _qkv(0)
    with pytest.raises(ValueError, match="window"):
        local_attention(q, k, v, -1)
    with pytest.raises(TypeError, match="window"):
        local_attention(q, k, v, 1.5)
    with pytest.raises(TypeError, match="k has dtype"):
        local_attention(q, k.float(), v, 1)
    with pytest.raises(ValueError, match="k must have shape"):
        local_attention(q, k[..., :5, :], v, 1)
    with pytest.raises(ValueError, match="v must have"):
        local_attention(q, k, v[..., :5, :], 1)
    with pytest.raises(ValueError, match="do not broadcast"):
        local_attention(q, k[:, :2], v, 1)
    with pytest.raises(TypeError, match="q must be a torch.Tensor"):
        local_attention(q.numpy(), k, v, 1)
    with pytest.raises(ValueError, match="NaN"):
        local_attention(q * float("nan"), k, v, 1)
    with pytest.raises(ValueError, match="T must be at least 1"):
        local_attention_mask(0, 1)
    with pytest.raises(ValueError, match="window must be at least 0"):
        local_attention_mask(3, -2)
    with pytest.raises(TypeError, match="T must be an int"):
        attention_score_count(3.0)
    with pytest.raises(ValueError, match="window"):
        attention_score_count(3, -1)
