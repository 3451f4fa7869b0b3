"""Tests of slmsurvey.nn.transformer against torch.nn's attention and layers."""

import math

import pytest
import torch
from torch import nn
from torch.func import functional_call

from slmsurvey.nn.attention import causal_mask
from slmsurvey.nn.transformer import (
    MultiHeadAttention,
    TransformerDecoderLayer,
    TransformerEncoderLayer,
    padding_mask,
    sinusoidal_positional_encoding,
)

# Shapes: B batch, T / T_q queries, T_k keys, H heads, d_model width, d_ff FFN width.

F64 = torch.float64
ATOL = 1e-12  # float64 agreement with torch


def _randn(seed, *shape):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=F64)


def _random_allowed(seed, shape):
    """Random boolean mask (True = allowed) with at least key 0 allowed per row."""
    g = torch.Generator().manual_seed(seed)
    allowed = torch.rand(*shape, generator=g) < 0.5
    allowed[..., 0] = True
    return allowed


def _mha_pair(seed, d_model=8, n_heads=2, bias=True):
    torch.manual_seed(seed)
    ref = nn.MultiheadAttention(d_model, n_heads, bias=bias, batch_first=True)
    ref = ref.double()
    ours = MultiHeadAttention(d_model, n_heads, bias=bias).double()
    return ours.copy_from_torch(ref), ref


# --- multi-head attention vs torch.nn.MultiheadAttention ----------------------------


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("d_model, n_heads", [(8, 1), (8, 2), (12, 4), (6, 6)])
def test_mha_matches_torch_cross_attention(seed, d_model, n_heads):
    ours, ref = _mha_pair(seed, d_model, n_heads)
    B, T_q, T_k = 3, 4, 6
    q, k, v = (_randn(seed + i, B, T, d_model) for i, T in enumerate((T_q, T_k, T_k)))
    out, weights = ours(q, k, v)
    ref_out, ref_mean = ref(q, k, v)  # average_attn_weights=True by default
    _, ref_heads = ref(q, k, v, average_attn_weights=False)
    assert out.shape == (B, T_q, d_model)
    assert weights.shape == (B, n_heads, T_q, T_k)
    torch.testing.assert_close(out, ref_out, atol=ATOL, rtol=0)
    torch.testing.assert_close(weights, ref_heads, atol=ATOL, rtol=0)
    torch.testing.assert_close(weights.mean(1), ref_mean, atol=ATOL, rtol=0)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("mask_shape", ["TT", "BTT", "BHTT"])
def test_mha_matches_torch_with_masks(bias, mask_shape):
    ours, ref = _mha_pair(1, bias=bias)
    B, H, T_q, T_k = 3, 2, 5, 6
    q, kv = _randn(0, B, T_q, 8), _randn(1, B, T_k, 8)
    shape = {"TT": (T_q, T_k), "BTT": (B, T_q, T_k), "BHTT": (B, H, T_q, T_k)}
    allowed = _random_allowed(2, shape[mask_shape])
    key_padding = padding_mask(torch.tensor([6, 3, 1]), T_k)  # True = padded
    out, weights = ours(q, kv, kv, mask=allowed, key_padding_mask=key_padding)
    # torch's boolean attn_mask is True where attention is NOT allowed; its
    # 3-D mask is per (batch, head) pair, flattened to B*H
    torch_mask = ~allowed
    if mask_shape == "BTT":
        torch_mask = torch_mask.repeat_interleave(H, dim=0)
    elif mask_shape == "BHTT":
        torch_mask = torch_mask.reshape(B * H, T_q, T_k)
    ref_out, ref_heads = ref(
        q,
        kv,
        kv,
        attn_mask=torch_mask,
        key_padding_mask=key_padding,
        average_attn_weights=False,
    )
    torch.testing.assert_close(out, ref_out, atol=ATOL, rtol=0)
    torch.testing.assert_close(weights, ref_heads, atol=ATOL, rtol=0)
    # forbidden and padded keys get weight exactly 0
    full = {"TT": allowed[None, None], "BTT": allowed[:, None], "BHTT": allowed}
    forbidden = ~full[mask_shape].expand(B, H, T_q, T_k)  # (B, H, T_q, T_k)
    assert bool((weights[forbidden] == 0).all())
    assert bool((weights[1, :, :, 3:] == 0).all())
    assert bool((weights[2, :, :, 1:] == 0).all())


def test_mask_convention_is_not_torchs():
    # Passing our (True = allowed) mask straight to torch gives a different answer.
    ours, ref = _mha_pair(3)
    x = _randn(3, 2, 5, 8)
    out, _ = ours(x, x, x, mask=causal_mask(5))
    ref_causal, _ = ref(x, x, x, attn_mask=~causal_mask(5))
    ref_wrong, _ = ref(x, x, x, attn_mask=causal_mask(5).triu())  # diag only left
    torch.testing.assert_close(out, ref_causal, atol=ATOL, rtol=0)
    assert not torch.allclose(out, ref_wrong)


def test_mha_gradcheck_float64():
    ours, _ = _mha_pair(4, d_model=4, n_heads=2)
    names = [name for name, _ in ours.named_parameters()]
    params = [p.detach().clone().requires_grad_() for p in ours.parameters()]
    q = _randn(5, 2, 3, 4).requires_grad_()
    kv = _randn(6, 2, 4, 4).requires_grad_()
    allowed = _random_allowed(7, (3, 4))
    key_padding = padding_mask(torch.tensor([4, 2]))

    def fn(q, kv, *params):
        out, weights = functional_call(
            ours,
            dict(zip(names, params, strict=True)),
            (q, kv, kv),
            {"mask": allowed, "key_padding_mask": key_padding},
        )
        return out, weights

    assert torch.autograd.gradcheck(fn, (q, kv, *params))


def test_mha_dropout_only_in_training():
    torch.manual_seed(0)
    mha = MultiHeadAttention(8, 2, dropout=0.5).double()
    no_dropout = MultiHeadAttention(8, 2).double()
    no_dropout.load_state_dict(mha.state_dict())
    x = _randn(0, 2, 6, 8)
    out_eval, _ = mha.eval()(x, x, x)
    torch.testing.assert_close(out_eval, no_dropout(x, x, x)[0])
    out_train, weights = mha.train()(x, x, x)
    assert not torch.allclose(out_train, out_eval)
    # the returned weights are those before dropout: rows still sum to 1
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 2, 6, dtype=F64))


def test_mha_head_is_the_papers_equation():
    # head_i = softmax(Q W_i^Q (K W_i^K)^T / sqrt(d_k)) V W_i^V, one head by hand
    ours, _ = _mha_pair(8, d_model=6, n_heads=3)
    x = _randn(8, 1, 4, 6)[0]  # (T, d_model)
    _, weights = ours(x[None], x[None], x[None])
    d_k, i = 2, 1
    rows = slice(i * d_k, (i + 1) * d_k)
    Q = x @ ours.W_Q.weight[rows].T + ours.W_Q.bias[rows]  # (T, d_k)
    K = x @ ours.W_K.weight[rows].T + ours.W_K.bias[rows]  # (T, d_k)
    expected = torch.softmax(Q @ K.T / math.sqrt(d_k), dim=-1)  # (T, T)
    torch.testing.assert_close(weights[0, i], expected.detach())


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"d_model": 8, "n_heads": 3}, ValueError, "divisible by n_heads"),
        ({"d_model": 0, "n_heads": 1}, ValueError, "d_model must be at least 1"),
        ({"d_model": 8, "n_heads": 2.0}, TypeError, "n_heads must be an int"),
        ({"d_model": 8, "n_heads": 2, "dropout": 1.0}, ValueError, "dropout"),
    ],
)
def test_mha_constructor_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        MultiHeadAttention(**kwargs)


def test_mha_forward_errors():
    mha = MultiHeadAttention(8, 2)
    x, kv = torch.randn(2, 3, 8), torch.randn(2, 4, 8)
    with pytest.raises(TypeError, match="query must be a torch.Tensor"):
        mha([[0.0]], x, x)
    with pytest.raises(ValueError, match=r"key must have shape \(B, T, 8\)"):
        mha(x, torch.randn(2, 4, 6), kv)
    with pytest.raises(ValueError, match="key and value must both have shape"):
        mha(x, kv, torch.randn(2, 5, 8))
    with pytest.raises(TypeError, match="mask must be a bool tensor"):
        mha(x, kv, kv, mask=torch.ones(3, 4))
    with pytest.raises(ValueError, match="mask must have a shape in"):
        mha(x, kv, kv, mask=torch.ones(4, 3, dtype=torch.bool))
    with pytest.raises(ValueError, match=r"key_padding_mask must have shape \(2, 4\)"):
        mha(x, kv, kv, key_padding_mask=torch.zeros(2, 3, dtype=torch.bool))
    with pytest.raises(ValueError, match="leave a query with no key"):
        mha(x, kv, kv, key_padding_mask=torch.ones(2, 4, dtype=torch.bool))


def test_copy_from_torch_errors():
    mha = MultiHeadAttention(8, 2)
    with pytest.raises(TypeError, match="source must be a torch.nn.MultiheadAttention"):
        mha.copy_from_torch(nn.Linear(8, 8))
    with pytest.raises(ValueError, match="num_heads=4"):
        mha.copy_from_torch(nn.MultiheadAttention(8, 4))
    with pytest.raises(ValueError, match="kdim=4, vdim=8; expected 8, 2, 8, 8"):
        mha.copy_from_torch(nn.MultiheadAttention(8, 2, kdim=4))
    with pytest.raises(ValueError, match="biases iff"):
        mha.copy_from_torch(nn.MultiheadAttention(8, 2, bias=False))
    layer = TransformerEncoderLayer(8, 2, 16)
    with pytest.raises(ValueError, match="norm_first=True"):
        layer.copy_from_torch(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True))
    with pytest.raises(ValueError, match="dim_feedforward=32"):
        layer.copy_from_torch(nn.TransformerEncoderLayer(8, 2, 32, norm_first=True))
    with pytest.raises(TypeError, match="TransformerDecoderLayer"):
        TransformerDecoderLayer(8, 2, 16).copy_from_torch(
            nn.TransformerEncoderLayer(8, 2)
        )


# --- positional encoding ---------------------------------------------------------


def test_positional_encoding_hand_values():
    pe = sinusoidal_positional_encoding(3, 6, dtype=F64)
    assert pe.shape == (3, 6)
    assert pe[0].tolist() == [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]  # sin 0, cos 0
    omega = [1.0, 10000 ** (-2 / 6), 10000 ** (-4 / 6)]
    expected = [f(w) for w in omega for f in (math.sin, math.cos)]  # position 1
    torch.testing.assert_close(pe[1], torch.tensor(expected, dtype=F64))
    assert pe[2, 0] == pytest.approx(math.sin(2.0)) and pe[2, 1] == pytest.approx(
        math.cos(2.0)
    )


def test_positional_encoding_odd_width_and_bounds():
    pe = sinusoidal_positional_encoding(500, 7)
    assert pe.shape == (500, 7) and pe.dtype == torch.float32
    assert float(pe.abs().max()) <= 1.0
    torch.testing.assert_close(
        pe[:, 6], torch.sin(torch.arange(500) * 10000 ** (-6 / 7))
    )
    # distinct positions get distinct codes
    assert torch.cdist(pe, pe).add(torch.eye(500)).min() > 1e-3


@pytest.mark.parametrize("k", [1, 5, 37])
def test_positional_encoding_shift_is_a_rotation(k):
    d_model = 16
    pe = sinusoidal_positional_encoding(100, d_model, dtype=F64)
    omega = 10000.0 ** (-torch.arange(0, d_model, 2, dtype=F64) / d_model)  # (d/2,)
    cos, sin = torch.cos(k * omega), torch.sin(k * omega)
    R = torch.stack([torch.stack([cos, sin]), torch.stack([-sin, cos])])  # (2, 2, d/2)
    R = R.permute(2, 0, 1)  # (d/2, 2, 2): one rotation per frequency pair
    pairs = pe.reshape(100, d_model // 2, 2)  # (T, d/2, 2): (sin, cos) pairs
    # PE[t + k] = R(k omega) PE[t] for every t: the same matrix at every position
    rotated = torch.einsum("iab,tib->tia", R, pairs[:-k])  # (T-k, d/2, 2)
    torch.testing.assert_close(rotated, pairs[k:], atol=1e-12, rtol=0)


def test_positional_encoding_errors():
    with pytest.raises(ValueError, match="T must be at least 1"):
        sinusoidal_positional_encoding(0, 4)
    with pytest.raises(TypeError, match="d_model must be an int"):
        sinusoidal_positional_encoding(3, 4.0)
    with pytest.raises(TypeError, match="dtype must be a floating-point"):
        sinusoidal_positional_encoding(3, 4, dtype=torch.int64)


def test_padding_mask():
    mask = padding_mask(torch.tensor([2, 4, 1]))
    assert mask.int().tolist() == [[0, 0, 1, 1], [0, 0, 0, 0], [0, 1, 1, 1]]
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, T=3\]"):
        padding_mask(torch.tensor([2, 4]), 3)
    with pytest.raises(ValueError, match="lengths must lie in"):
        padding_mask(torch.tensor([0, 2]))
    with pytest.raises(TypeError, match="lengths must be an integer"):
        padding_mask(torch.tensor([2.0]))
    with pytest.raises(ValueError, match=r"lengths must have shape \(B,\)"):
        padding_mask(torch.tensor([[2]]))


# --- encoder and decoder layers vs torch.nn ----------------------------------------


def _randomise_norms(ref):
    """Give each LayerNorm its own weights, so that mixing them up shows."""
    with torch.no_grad():
        for name, p in ref.named_parameters():
            if name.startswith("norm"):
                if name.endswith("weight"):
                    p.uniform_(0.5, 1.5)
                else:
                    p.normal_()
    return ref


def _encoder_pair(seed, d_model=8, n_heads=2, d_ff=16):
    torch.manual_seed(seed)
    ref = nn.TransformerEncoderLayer(
        d_model,
        n_heads,
        d_ff,
        dropout=0.0,
        activation="relu",
        norm_first=True,
        batch_first=True,
    ).double()
    _randomise_norms(ref)
    ours = TransformerEncoderLayer(d_model, n_heads, d_ff).double()
    return ours.copy_from_torch(ref), ref


def _decoder_pair(seed, d_model=8, n_heads=2, d_ff=16):
    torch.manual_seed(seed)
    ref = nn.TransformerDecoderLayer(
        d_model,
        n_heads,
        d_ff,
        dropout=0.0,
        activation="relu",
        norm_first=True,
        batch_first=True,
    ).double()
    _randomise_norms(ref)
    ours = TransformerDecoderLayer(d_model, n_heads, d_ff).double()
    return ours.copy_from_torch(ref), ref


@pytest.mark.parametrize("seed", range(3))
def test_encoder_layer_matches_torch(seed):
    ours, ref = _encoder_pair(seed)
    x = _randn(seed, 3, 7, 8)
    key_padding = padding_mask(torch.tensor([7, 4, 2]))
    # ref stays in training mode (dropout=0): torch's eval "fast path" handles
    # padded positions differently, and padded outputs are not meaningful anyway
    torch.testing.assert_close(ours(x), ref(x), atol=ATOL, rtol=0)
    out = ours(x, key_padding_mask=key_padding)
    expected = ref(x, src_key_padding_mask=key_padding)
    torch.testing.assert_close(out, expected, atol=ATOL, rtol=0)
    allowed = _random_allowed(seed, (7, 7))
    out = ours(x, mask=allowed)
    torch.testing.assert_close(out, ref(x, src_mask=~allowed), atol=ATOL, rtol=0)


@pytest.mark.parametrize("seed", range(3))
def test_decoder_layer_matches_torch(seed):
    ours, ref = _decoder_pair(seed)
    y, memory = _randn(seed, 3, 5, 8), _randn(seed + 10, 3, 7, 8)
    tgt_padding = padding_mask(torch.tensor([5, 3, 1]))
    mem_padding = padding_mask(torch.tensor([7, 7, 2]))
    out = ours(
        y, memory, key_padding_mask=tgt_padding, memory_key_padding_mask=mem_padding
    )
    expected = ref(
        y,
        memory,
        tgt_mask=~causal_mask(5),  # torch: True = not allowed
        tgt_key_padding_mask=tgt_padding,
        memory_key_padding_mask=mem_padding,
    )
    torch.testing.assert_close(out, expected, atol=ATOL, rtol=0)
    # without the causal mask torch would give something else
    assert not torch.allclose(out, ref(y, memory, memory_key_padding_mask=mem_padding))


def test_decoder_is_causal():
    ours, _ = _decoder_pair(5)
    y, memory = _randn(0, 2, 8, 8), _randn(1, 2, 6, 8)
    out = ours(y, memory)
    for t in range(8):
        changed = y.clone()
        changed[:, t + 1 :] = _randn(t + 2, 2, 7 - t, 8)
        out_changed = ours(changed, memory)
        torch.testing.assert_close(out_changed[:, : t + 1], out[:, : t + 1])
        if t < 7:
            assert not torch.allclose(out_changed[:, t + 1 :], out[:, t + 1 :])


def test_encoder_is_not_causal():
    ours, _ = _encoder_pair(6)
    x = _randn(0, 1, 6, 8)
    changed = x.clone()
    changed[:, -1] = _randn(1, 8)  # (adding a constant would vanish in LayerNorm)
    assert not torch.allclose(ours(changed)[:, 0], ours(x)[:, 0])


def test_padded_batch_equals_per_item():
    encoder, _ = _encoder_pair(7)
    decoder, _ = _decoder_pair(8)
    lengths, mem_lengths = torch.tensor([6, 2, 4]), torch.tensor([3, 5, 1])
    x, memory = _randn(0, 3, 6, 8), _randn(1, 3, 5, 8)
    x[padding_mask(lengths)] = 1e3  # garbage in the padding must not matter
    memory[padding_mask(mem_lengths)] = -1e3
    enc = encoder(x, key_padding_mask=padding_mask(lengths))
    dec = decoder(
        x,
        memory,
        key_padding_mask=padding_mask(lengths),
        memory_key_padding_mask=padding_mask(mem_lengths),
    )
    for b, (L, M) in enumerate(
        zip(lengths.tolist(), mem_lengths.tolist(), strict=True)
    ):
        torch.testing.assert_close(enc[b, :L], encoder(x[b : b + 1, :L])[0])
        alone = decoder(x[b : b + 1, :L], memory[b : b + 1, :M])[0]
        torch.testing.assert_close(dec[b, :L], alone)


def test_layer_input_errors():
    with pytest.raises(ValueError, match="d_ff must be at least 1"):
        TransformerEncoderLayer(8, 2, 0)
    with pytest.raises(ValueError, match=r"x must have shape \(B, T, 8\)"):
        TransformerEncoderLayer(8, 2, 16)(torch.randn(3, 8))
    with pytest.raises(TypeError, match="y must be a torch.Tensor"):
        TransformerDecoderLayer(8, 2, 16)(None, torch.randn(1, 2, 8))
    with pytest.raises(ValueError, match="key must have shape"):
        TransformerDecoderLayer(8, 2, 16)(torch.randn(1, 2, 8), torch.randn(1, 2, 4))
