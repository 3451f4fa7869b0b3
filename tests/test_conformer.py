"""Tests of slmsurvey.nn.conformer: shapes, lengths, causality, padding, gradients."""

import pytest
import torch
import torch.nn.functional as torch_F

from slmsurvey.nn.conformer import ConformerBlock, ConvolutionModule, ConvSubsampling
from slmsurvey.nn.transformer import padding_mask

# Shapes: B batch, T frames, F features, d_model width (= channels C), T' subsampled.

F64 = torch.float64


def _randn(seed, *shape):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=F64)


def _warm_batchnorm(module, d_model, seed=0):
    """A few training-mode passes so BatchNorm's running statistics are not 0/1."""
    module.train()
    with torch.no_grad():
        for i in range(3):
            module(_randn(seed + i, 4, 9, d_model) * 2 + 1)
    return module.eval()


def _block(seed, *, causal=False, norm="batch", kernel_size=5):
    torch.manual_seed(seed)
    block = ConformerBlock(8, 2, 16, kernel_size, causal=causal, norm=norm).double()
    return _warm_batchnorm(block, 8, seed)


# --- subsampling ---------------------------------------------------------------


@pytest.mark.parametrize("T", [7, 8, 9, 10, 11, 15, 16, 50, 101])
def test_subsampling_length_formula_matches_output(T):
    torch.manual_seed(0)
    sub = ConvSubsampling(in_features=9, d_model=4).double()
    y, lengths = sub(_randn(T, 2, T, 9))
    expected = ((T - 1) // 2 - 1) // 2
    assert y.shape == (2, expected, 4)
    assert lengths.tolist() == [expected, expected]
    assert sub.output_lengths(T) == expected
    assert T // 4 - 1 <= expected <= T // 4  # "4x time reduction"


def test_subsampling_hand_lengths():
    lengths = torch.tensor([7, 8, 10, 11, 100, 1000])
    assert ConvSubsampling.output_lengths(lengths).tolist() == [1, 1, 1, 2, 24, 249]


def test_subsampling_padded_batch_equals_per_item():
    torch.manual_seed(1)
    sub = ConvSubsampling(in_features=10, d_model=6).double()
    lengths = torch.tensor([40, 23, 7])
    x = _randn(0, 3, 40, 10)
    x[padding_mask(lengths)] = float("nan")  # padded frames are never read
    y, y_lengths = sub(x, lengths)
    assert y_lengths.tolist() == [9, 5, 1]
    for b, L in enumerate(lengths.tolist()):
        alone, _ = sub(x[b : b + 1, :L])
        torch.testing.assert_close(y[b, : int(y_lengths[b])], alone[0])


def test_subsampling_errors():
    with pytest.raises(ValueError, match="in_features must be at least 7"):
        ConvSubsampling(5, 8)
    with pytest.raises(TypeError, match="d_model must be an int"):
        ConvSubsampling(40, "8")
    sub = ConvSubsampling(8, 4)
    with pytest.raises(ValueError, match=r"x must have shape \(B, T, 8\)"):
        sub(torch.randn(2, 20, 9))
    with pytest.raises(ValueError, match=r"lengths must lie in \[7, T=20\]"):
        sub(torch.randn(2, 20, 8), torch.tensor([20, 6]))
    with pytest.raises(ValueError, match=r"lengths must be a tensor of shape \(2,\)"):
        sub(torch.randn(2, 20, 8), torch.tensor([20]))
    with pytest.raises(TypeError, match="lengths must hold integers"):
        sub.output_lengths(torch.tensor([10.0]))


# --- convolution module ------------------------------------------------------------


def test_convolution_module_is_the_papers_pipeline():
    torch.manual_seed(2)
    conv = _warm_batchnorm(ConvolutionModule(6, 3).double(), 6)
    x = _randn(3, 2, 7, 6)
    h = conv.layer_norm(x).transpose(1, 2)  # (B, C, T)
    W = conv.pointwise_conv1.weight[:, :, 0]  # (2C, C)
    h = W @ h + conv.pointwise_conv1.bias[:, None]  # (2C, C) @ (B, C, T) -> (B, 2C, T)
    h = h[:, :6] * torch.sigmoid(h[:, 6:])  # GLU: (B, C, T)
    h = torch_F.conv1d(
        h, conv.depthwise_conv.weight, conv.depthwise_conv.bias, padding=1, groups=6
    )  # (B, C, T)
    bn = conv.norm
    h = (h - bn.running_mean[:, None]) / torch.sqrt(bn.running_var[:, None] + bn.eps)
    h = h * bn.weight[:, None] + bn.bias[:, None]  # (B, C, T)
    h = h * torch.sigmoid(h)  # Swish
    W2 = conv.pointwise_conv2.weight[:, :, 0]  # (C, C)
    expected = (W2 @ h + conv.pointwise_conv2.bias[:, None]).transpose(1, 2)
    torch.testing.assert_close(conv(x), expected)  # (B, T, C)


@pytest.mark.parametrize("norm", ["batch", "layer"])
def test_convolution_padding_does_not_leak(norm):
    torch.manual_seed(3)
    conv = _warm_batchnorm(ConvolutionModule(4, 7, norm=norm).double(), 4)
    lengths = torch.tensor([12, 5])
    pad = padding_mask(lengths)
    x = _randn(0, 2, 12, 4)
    garbage = x.clone()
    garbage[pad] = _randn(1, int(pad.sum()), 4) * 100
    valid = ~pad
    out, out_garbage = conv(x, padding_mask=pad), conv(garbage, padding_mask=pad)
    torch.testing.assert_close(out_garbage[valid], out[valid])
    torch.testing.assert_close(out[1, :5], conv(x[1:, :5])[0])
    # without the mask the padded frames would leak through the filter
    assert not torch.allclose(conv(garbage)[valid], out[valid])


def test_convolution_module_errors():
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        ConvolutionModule(4, 4)
    ConvolutionModule(4, 4, causal=True)  # an even causal filter is fine
    with pytest.raises(ValueError, match="norm must be 'batch' or 'layer'"):
        ConvolutionModule(4, 3, norm="group")
    with pytest.raises(TypeError, match="kernel_size must be an int"):
        ConvolutionModule(4, 3.0)
    with pytest.raises(ValueError, match="dropout must lie in"):
        ConvolutionModule(4, 3, dropout=-0.1)
    with pytest.raises(ValueError, match=r"padding_mask must have shape \(2, 5\)"):
        ConvolutionModule(4, 3)(
            torch.randn(2, 5, 4), padding_mask=torch.zeros(2, 4) > 0
        )
    with pytest.raises(TypeError, match="padding_mask must be a bool tensor"):
        ConvolutionModule(4, 3)(torch.randn(2, 5, 4), padding_mask=torch.zeros(2, 5))


# --- the block ---------------------------------------------------------------------


@pytest.mark.parametrize("causal", [False, True])
def test_block_shapes(causal):
    block = _block(0, causal=causal)
    for B, T in [(1, 1), (3, 10)]:
        assert block(_randn(B, B, T, 8)).shape == (B, T, 8)


@pytest.mark.parametrize("kernel_size", [4, 5])
@pytest.mark.parametrize("norm", ["batch", "layer"])
def test_causal_block_ignores_the_future(norm, kernel_size):
    block = _block(1, causal=True, norm=norm, kernel_size=kernel_size)
    x = _randn(0, 2, 10, 8)
    out = block(x)
    for t in (0, 3, 8):
        changed = x.clone()
        changed[:, t + 1 :] = _randn(t + 1, 2, 9 - t, 8)
        out_changed = block(changed)
        torch.testing.assert_close(out_changed[:, : t + 1], out[:, : t + 1])
        assert not torch.allclose(out_changed[:, t + 1 :], out[:, t + 1 :])


def test_non_causal_block_sees_the_future():
    block = _block(2, causal=False)
    x = _randn(0, 1, 10, 8)
    changed = x.clone()
    changed[:, 9] = _randn(1, 8)
    out, out_changed = block(x), block(changed)
    for t in range(9):  # every earlier frame changes (through attention)
        assert not torch.allclose(out_changed[:, t], out[:, t])


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("norm", ["batch", "layer"])
def test_padded_batch_equals_per_item(norm, causal):
    block = _block(3, causal=causal, norm=norm)
    lengths = torch.tensor([11, 4, 1, 8])
    pad = padding_mask(lengths)
    x = _randn(0, 4, 11, 8)
    x[pad] = 1e3  # garbage in the padding must not matter
    out = block(x, padding_mask=pad)
    for b, L in enumerate(lengths.tolist()):
        torch.testing.assert_close(out[b, :L], block(x[b : b + 1, :L])[0])


def test_layer_norm_block_is_per_item_in_training_mode_too():
    # LayerNorm statistics are per frame, so (with dropout 0) training mode is
    # exact as well; BatchNorm's batch statistics would mix the utterances.
    lengths = torch.tensor([9, 5])
    pad = padding_mask(lengths)
    x = _randn(0, 2, 9, 8)
    for norm, exact in (("layer", True), ("batch", False)):
        block = _block(4, norm=norm).train()
        out = block(x, padding_mask=pad)
        alone = block(x[1:, :5])[0]
        assert torch.allclose(out[1, :5], alone) == exact


def test_half_step_feed_forward_and_final_norm():
    # with the attention, convolution and second FFN silenced, y = LN(x + FFN(x)/2)
    block = _block(5)
    with torch.no_grad():
        for module in (block.self_attn.W_O, block.ffn2.W_2):
            module.weight.zero_()
            module.bias.zero_()
        block.conv.pointwise_conv2.weight.zero_()
        block.conv.pointwise_conv2.bias.zero_()
    x = _randn(0, 2, 6, 8)
    expected = block.final_norm(x + 0.5 * block.ffn1(x))
    torch.testing.assert_close(block(x), expected)


@pytest.mark.parametrize("causal", [False, True])
def test_gradients_flow(causal):
    torch.manual_seed(6)
    sub = ConvSubsampling(12, 8)
    block = ConformerBlock(8, 2, 16, 5, dropout=0.1, causal=causal)
    features = torch.randn(3, 30, 12, requires_grad=True)
    y, lengths = sub(features, torch.tensor([30, 17, 9]))
    out = block(y, padding_mask=padding_mask(lengths))
    valid = ~padding_mask(lengths)
    loss = out[valid].pow(2).mean()
    loss.backward()
    assert torch.isfinite(loss)
    grads = [p.grad for p in (*sub.parameters(), *block.parameters())]
    assert all(g is not None and bool(torch.isfinite(g).all()) for g in grads)
    assert all(float(g.abs().sum()) > 0 for g in grads)
    assert bool(torch.isfinite(features.grad).all())
    # no gradient reaches the padded input frames of the shortest utterance
    assert float(features.grad[2, 9:].abs().sum()) == 0.0


def test_block_errors():
    with pytest.raises(ValueError, match="divisible by n_heads"):
        ConformerBlock(8, 3, 16, 5)
    with pytest.raises(ValueError, match="d_ff must be at least 1"):
        ConformerBlock(8, 2, 0, 5)
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        ConformerBlock(8, 2, 16, 4)
    block = ConformerBlock(8, 2, 16, 5)
    with pytest.raises(ValueError, match=r"x must have shape \(B, T, 8\)"):
        block(torch.randn(2, 5, 7))
    with pytest.raises(ValueError, match=r"padding_mask must have shape \(2, 5\)"):
        block(torch.randn(2, 5, 8), padding_mask=torch.zeros(5, 2, dtype=torch.bool))
