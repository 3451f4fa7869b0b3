"""Tests of slmsurvey.nn.attention against torch's scaled_dot_product_attention."""

import math

import pytest
import torch
import torch.nn.functional as torch_F

from slmsurvey.nn.attention import causal_mask, scaled_dot_product_attention

# Shapes: B batch, H heads, T_q queries, T_k keys, d_k key size, d_v value size.

ATOL = 1e-6


def _qkv(seed, batch, T_q, T_k, d_k, d_v, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(*batch, T_q, d_k, generator=g, dtype=dtype)
    k = torch.randn(*batch, T_k, d_k, generator=g, dtype=dtype)
    v = torch.randn(*batch, T_k, d_v, generator=g, dtype=dtype)
    return q, k, v


def _random_mask(seed, shape):
    """Random boolean mask with at least one allowed key in every row."""
    g = torch.Generator().manual_seed(seed)
    mask = torch.rand(*shape, generator=g) < 0.5
    first = torch.randint(shape[-1], shape[:-1], generator=g)
    return mask | torch_F.one_hot(first, shape[-1]).bool()


def _random_shape(seed):
    g = torch.Generator().manual_seed(1000 + seed)
    n_batch = int(torch.randint(0, 3, (1,), generator=g))
    batch = tuple(int(s) for s in torch.randint(1, 4, (n_batch,), generator=g))
    T_q, T_k, d_k, d_v = (int(s) for s in torch.randint(1, 9, (4,), generator=g))
    return batch, T_q, T_k, d_k, d_v


# --- agreement with torch -------------------------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_matches_torch_random_shapes_no_mask(seed):
    q, k, v = _qkv(seed, *_random_shape(seed))
    out, _ = scaled_dot_product_attention(q, k, v)
    expected = torch_F.scaled_dot_product_attention(q, k, v)
    assert out.shape == expected.shape
    torch.testing.assert_close(out, expected, atol=ATOL, rtol=0)


@pytest.mark.parametrize("seed", range(20))
def test_matches_torch_random_shapes_with_mask(seed):
    batch, T_q, T_k, d_k, d_v = _random_shape(seed)
    q, k, v = _qkv(seed, batch, T_q, T_k, d_k, d_v)
    mask = _random_mask(seed, (*batch, T_q, T_k))
    out, weights = scaled_dot_product_attention(q, k, v, mask=mask)
    expected = torch_F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out, expected, atol=ATOL, rtol=0)
    assert bool((weights[~mask] == 0).all())


def test_matches_torch_batched_heads_broadcast_mask():
    B, H, T_q, T_k, d_k, d_v = 3, 4, 5, 7, 8, 6
    q, k, v = _qkv(0, (B, H), T_q, T_k, d_k, d_v)
    for mask in (
        _random_mask(1, (T_q, T_k)),  # one mask for all batches and heads
        _random_mask(2, (B, 1, T_q, T_k)),  # one per batch item, shared by heads
        _random_mask(3, (B, H, T_q, T_k)),
    ):
        out, weights = scaled_dot_product_attention(q, k, v, mask=mask)
        expected = torch_F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        assert out.shape == (B, H, T_q, d_v)
        assert weights.shape == (B, H, T_q, T_k)
        torch.testing.assert_close(out, expected, atol=ATOL, rtol=0)


@pytest.mark.parametrize("T", [1, 2, 7])
def test_causal_matches_torch_is_causal(T):
    B, H, d_k = 2, 3, 4
    q, k, v = _qkv(T, (B, H), T, T, d_k, 5)
    out, weights = scaled_dot_product_attention(q, k, v, mask=causal_mask(T))
    expected = torch_F.scaled_dot_product_attention(q, k, v, is_causal=True)
    torch.testing.assert_close(out, expected, atol=ATOL, rtol=0)
    # nothing attends to the future
    upper = torch.ones(T, T, dtype=torch.bool).triu(1)
    assert bool((weights[..., upper] == 0).all())


def test_float32_agrees_with_torch():
    q, k, v = _qkv(5, (2, 2), 6, 6, 16, 16, dtype=torch.float32)
    out, _ = scaled_dot_product_attention(q, k, v, mask=causal_mask(6))
    expected = torch_F.scaled_dot_product_attention(q, k, v, is_causal=True)
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)


# --- properties -------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_weights_are_distributions_and_output_is_weighted_mean(seed):
    batch, T_q, T_k, d_k, d_v = _random_shape(seed)
    q, k, v = _qkv(seed, batch, T_q, T_k, d_k, d_v)
    mask = _random_mask(seed, (T_q, T_k))
    out, weights = scaled_dot_product_attention(q, k, v, mask=mask)
    assert bool((weights >= 0).all())
    torch.testing.assert_close(
        weights.sum(-1), torch.ones(weights.shape[:-1], dtype=torch.float64)
    )
    torch.testing.assert_close(out, weights @ v)


def test_weights_are_softmax_of_scaled_scores():
    q, k, v = _qkv(0, (), 3, 4, 5, 2)
    _, weights = scaled_dot_product_attention(q, k, v)
    scores = q @ k.T / math.sqrt(5)  # (T_q, T_k)
    expected = scores.exp() / scores.exp().sum(-1, keepdim=True)
    torch.testing.assert_close(weights, expected)


def test_batched_equals_per_item():
    q, k, v = _qkv(3, (4,), 3, 5, 6, 2)
    out, _ = scaled_dot_product_attention(q, k, v)
    for b in range(4):
        out_b, _ = scaled_dot_product_attention(q[b], k[b], v[b])
        torch.testing.assert_close(out[b], out_b)


def test_causal_prefix_does_not_depend_on_future():
    # The first t outputs under a causal mask equal attention over the first t steps.
    q, k, v = _qkv(4, (2,), 6, 6, 4, 3)
    out, _ = scaled_dot_product_attention(q, k, v, mask=causal_mask(6))
    for t in range(1, 7):
        out_t, _ = scaled_dot_product_attention(q[:, :t], k[:, :t], v[:, :t])
        torch.testing.assert_close(out[:, t - 1], out_t[:, t - 1])


def test_hand_case_uniform_and_one_hot():
    # Equal keys give uniform weights; the output is the mean of the values.
    q = torch.tensor([[1.0, 0.0]])
    k = torch.tensor([[1.0, 1.0], [1.0, 1.0]])
    v = torch.tensor([[2.0, 0.0], [4.0, 2.0]])
    out, weights = scaled_dot_product_attention(q, k, v)
    assert weights.tolist() == [[0.5, 0.5]]
    assert out.tolist() == [[3.0, 1.0]]
    # Masking one key out leaves weight 1 on the other.
    out, weights = scaled_dot_product_attention(
        q, k, v, mask=torch.tensor([[False, True]])
    )
    assert weights.tolist() == [[0.0, 1.0]]
    assert out.tolist() == [[4.0, 2.0]]


def test_scale_is_sqrt_d_k():
    # Two keys with scores 0 and sqrt(d_k) * log(3): weights 1/4 and 3/4.
    d_k = 4
    q = torch.tensor([[1.0, 0.0, 0.0, 0.0]], dtype=torch.float64)
    k = torch.zeros(2, d_k, dtype=torch.float64)
    k[1, 0] = math.sqrt(d_k) * math.log(3.0)
    v = torch.eye(2, dtype=torch.float64)
    _, weights = scaled_dot_product_attention(q, k, v)
    expected = torch.tensor([[0.25, 0.75]], dtype=torch.float64)
    torch.testing.assert_close(weights, expected)


@pytest.mark.parametrize("masked", [False, True])
def test_gradcheck(masked):
    q, k, v = _qkv(7, (2,), 3, 4, 5, 2)
    q, k, v = (x.requires_grad_() for x in (q, k, v))
    mask = _random_mask(7, (3, 4)) if masked else None

    def fn(q, k, v):
        out, weights = scaled_dot_product_attention(q, k, v, mask=mask)
        return out, weights

    assert torch.autograd.gradcheck(fn, (q, k, v))


def test_gradient_matches_torch():
    q, k, v = _qkv(8, (2, 2), 4, 4, 3, 3)
    mask = causal_mask(4)
    ours = [x.clone().requires_grad_() for x in (q, k, v)]
    theirs = [x.clone().requires_grad_() for x in (q, k, v)]
    scaled_dot_product_attention(*ours, mask=mask)[0].square().sum().backward()
    out = torch_F.scaled_dot_product_attention(*theirs, attn_mask=mask)
    out.square().sum().backward()
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a.grad, b.grad, atol=ATOL, rtol=0)


# --- causal_mask ------------------------------------------------------------------


def test_causal_mask_values():
    assert causal_mask(1).tolist() == [[True]]
    mask = causal_mask(4)
    assert mask.dtype == torch.bool
    assert mask.shape == (4, 4)
    for i in range(4):
        for j in range(4):
            assert bool(mask[i, j]) == (j <= i)


@pytest.mark.parametrize(
    "T, error, match",
    [(0, ValueError, "T must be at least 1"), (2.0, TypeError, "T must be an int")],
)
def test_causal_mask_bad_input(T, error, match):
    with pytest.raises(error, match=match):
        causal_mask(T)


# --- bad input --------------------------------------------------------------------


def _good():
    return _qkv(0, (2,), 3, 4, 5, 6)


def test_all_false_mask_row_raises():
    q, k, v = _good()
    mask = torch.ones(3, 4, dtype=torch.bool)
    mask[1] = False
    with pytest.raises(ValueError, match="mask forbids every key"):
        scaled_dot_product_attention(q, k, v, mask=mask)


def test_mask_must_be_bool():
    q, k, v = _good()
    with pytest.raises(TypeError, match="mask must have dtype torch.bool"):
        scaled_dot_product_attention(q, k, v, mask=torch.ones(3, 4))
    with pytest.raises(TypeError, match="mask must be a torch.Tensor"):
        scaled_dot_product_attention(q, k, v, mask=[[True] * 4] * 3)


def test_mask_must_broadcast():
    q, k, v = _good()
    with pytest.raises(ValueError, match="mask of shape"):
        scaled_dot_product_attention(q, k, v, mask=torch.ones(4, 3, dtype=torch.bool))
    # a mask that would enlarge the output is refused too
    with pytest.raises(ValueError, match="mask of shape"):
        scaled_dot_product_attention(
            q, k, v, mask=torch.ones(5, 2, 3, 4, dtype=torch.bool)
        )


def test_d_k_mismatch():
    q, k, v = _good()
    with pytest.raises(ValueError, match="k must have the same last dim d_k"):
        scaled_dot_product_attention(q, k[..., :-1], v)


def test_T_k_mismatch():
    q, k, v = _good()
    with pytest.raises(ValueError, match="v must have as many rows"):
        scaled_dot_product_attention(q, k, v[..., :-1, :])


def test_batch_mismatch():
    q, k, v = _good()
    with pytest.raises(ValueError, match="batch dims"):
        k3, v3 = k[:1].expand(3, -1, -1), v[:1].expand(3, -1, -1)  # batch 3, q has 2
        scaled_dot_product_attention(q, k3, v3)


def test_empty_keys_and_zero_d_k():
    q, k, v = _good()
    with pytest.raises(ValueError, match="at least one key"):
        scaled_dot_product_attention(q, k[..., :0, :], v[..., :0, :])
    with pytest.raises(ValueError, match="d_k >= 1"):
        scaled_dot_product_attention(q[..., :0], k[..., :0], v)


@pytest.mark.parametrize("name", ["q", "k", "v"])
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_input(name, bad):
    args = dict(zip("qkv", _good(), strict=True))
    args[name] = args[name].clone()
    args[name][0, 0, 0] = bad
    with pytest.raises(ValueError, match=f"{name} contains NaN"):
        scaled_dot_product_attention(**args)


@pytest.mark.parametrize("name", ["q", "k", "v"])
def test_wrong_types(name):
    good = dict(zip("qkv", _good(), strict=True))
    args = dict(good, **{name: good[name].numpy()})
    with pytest.raises(TypeError, match=f"{name} must be a torch.Tensor"):
        scaled_dot_product_attention(**args)
    args = dict(good, **{name: good[name].long()})
    with pytest.raises(TypeError, match=f"{name} must have a floating-point"):
        scaled_dot_product_attention(**args)
    args = dict(good, **{name: good[name][0, 0]})
    with pytest.raises(ValueError, match=f"{name} must have at least 2 dims"):
        scaled_dot_product_attention(**args)


@pytest.mark.parametrize("name", ["k", "v"])
def test_dtype_mismatch(name):
    args = dict(zip("qkv", _good(), strict=True))
    args[name] = args[name].float()
    with pytest.raises(TypeError, match=f"{name} has dtype"):
        scaled_dot_product_attention(**args)


def test_dropout_applies_to_the_weights_before_v():
    q, k, v = torch.randn(2, 3, 4), torch.randn(2, 5, 4), torch.randn(2, 5, 6)
    plain, weights = scaled_dot_product_attention(q, k, v)
    torch.manual_seed(1)
    out, same = scaled_dot_product_attention(q, k, v, dropout=0.5)
    torch.manual_seed(1)
    expected = torch.nn.functional.dropout(weights, 0.5) @ v
    assert torch.equal(same, weights)  # weights are returned before dropout
    assert torch.allclose(out, expected) and not torch.allclose(out, plain)
    for bad in (-0.1, 1.0, "0.1"):
        with pytest.raises(ValueError, match="dropout"):
            scaled_dot_product_attention(q, k, v, dropout=bad)
