"""Tests of slmsurvey.efficiency: FLOPs against torch.utils.flop_counter, the
power-law fit against scipy.stats.linregress (and its CI's coverage), pruning
masks against torch.nn.utils.prune, quantisation, distillation (direct formula,
gradcheck, the high-temperature limit), energy conversions; bad input."""

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as torch_F
from scipy import stats
from torch import nn
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.nn.utils import prune
from torch.utils.flop_counter import FlopCounterMode

from slmsurvey.asr.recognizer import CharacterSet, CTCRecognizer
from slmsurvey.efficiency.compression import (
    magnitude_prune,
    model_size_bytes,
    quantize_dynamic,
    sparsity,
)
from slmsurvey.efficiency.counting import count_flops, count_parameters
from slmsurvey.efficiency.distillation import distillation_loss
from slmsurvey.efficiency.energy import JOULES_PER_KWH, co2_kg, energy_kwh
from slmsurvey.efficiency.scaling import PowerLaw, fit_power_law, student_t_quantile
from slmsurvey.efficiency.timing import Latency, measure_latency
from slmsurvey.nn.conformer import ConformerBlock
from slmsurvey.nn.transformer import TransformerEncoderLayer

# Shapes: B batch, T steps, d features, V classes, N examples.

F64 = torch.float64


def _randn(seed, *shape, dtype=torch.float32):
    return torch.randn(
        *shape, generator=torch.Generator().manual_seed(seed), dtype=dtype
    )


def _torch_flops(model, *inputs):
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(*inputs)
    return counter.get_total_flops()


# --- count_parameters ----------------------------------------------------------------


def test_count_parameters_by_hand_tied_and_frozen():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 3, bias=False))
    assert count_parameters(model) == (3 * 4 + 4) + 4 * 3
    tied = nn.Sequential(model[0], model[0])  # the same layer twice counts once
    assert count_parameters(tied) == 16
    model[0].requires_grad_(False)
    assert count_parameters(model, trainable_only=True) == 12
    assert count_parameters(model) == 28


def test_count_parameters_rejects_bad_input():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        count_parameters([torch.zeros(3)])
    with pytest.raises(TypeError, match="trainable_only must be a bool"):
        count_parameters(nn.Linear(2, 2), trainable_only=1)


# --- count_flops vs FlopCounterMode ---------------------------------------------------


def _mha(**kw):
    m = nn.MultiheadAttention(8, 2, **kw)
    return lambda q, kv: m(q, kv, kv)[0]


CHARS = CharacterSet(["yes", "no"])
FEATS, LENGTHS = _randn(1, 2, 30, 8), torch.tensor([30, 24])

CASES = {  # name -> (model factory, inputs factory)
    "linear": (lambda: nn.Linear(8, 4), lambda: (_randn(0, 3, 5, 8),)),
    "mlp": (
        lambda: nn.Sequential(nn.Linear(8, 16), nn.GELU(), nn.Linear(16, 3)),
        lambda: (_randn(0, 4, 8),),
    ),
    "conv1d": (
        lambda: nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2),
        lambda: (_randn(0, 2, 4, 17),),
    ),
    "conv2d": (
        lambda: nn.Conv2d(3, 4, (3, 2), stride=(2, 1)),
        lambda: (_randn(0, 2, 3, 9, 7),),
    ),
    "conv_transpose1d": (
        lambda: nn.ConvTranspose1d(4, 6, 3, stride=2, groups=2),
        lambda: (_randn(0, 2, 4, 9),),
    ),
    "lstm_proj_bidir": (
        lambda: nn.LSTM(4, 6, 2, bidirectional=True, proj_size=3, batch_first=True),
        lambda: (_randn(0, 2, 5, 4),),
    ),
    "gru_bidir": (
        lambda: nn.GRU(4, 6, 2, bidirectional=True),
        lambda: (_randn(0, 5, 2, 4),),
    ),
    "rnn_relu_unbatched": (
        lambda: nn.RNN(4, 6, nonlinearity="relu"),
        lambda: (_randn(0, 5, 4),),
    ),
    "lstm_cell": (lambda: nn.LSTMCell(4, 6), lambda: (_randn(0, 3, 4),)),
    "gru_cell": (lambda: nn.GRUCell(4, 6), lambda: (_randn(0, 3, 4),)),
    "mha": (_mha, lambda: (_randn(0, 5, 2, 8), _randn(1, 7, 2, 8))),
    "mha_kdim_bias_kv_zero_attn": (
        lambda: _mha(kdim=6, vdim=6, add_bias_kv=True, add_zero_attn=True),
        lambda: (_randn(0, 5, 2, 8), _randn(1, 7, 2, 6)),
    ),
    "sdpa_dk_ne_dv": (
        lambda: torch_F.scaled_dot_product_attention,
        lambda: (_randn(0, 2, 3, 5, 8), _randn(1, 2, 3, 7, 8), _randn(2, 2, 3, 7, 4)),
    ),
    "matmul_broadcast": (
        lambda: torch.matmul,
        lambda: (_randn(0, 2, 1, 5, 4), _randn(1, 3, 4, 6)),
    ),
    "baddbmm": (
        lambda: torch.baddbmm,
        lambda: (_randn(0, 2, 5, 6), _randn(1, 2, 5, 4), _randn(2, 2, 4, 6)),
    ),
    "torch_transformer_layer_train": (
        lambda: nn.TransformerEncoderLayer(8, 2, 16, batch_first=True),
        lambda: (_randn(0, 2, 5, 8),),
    ),
    "slmsurvey_transformer_layer": (
        lambda: TransformerEncoderLayer(8, 2, 16),
        lambda: (_randn(0, 2, 5, 8),),
    ),
    "slmsurvey_conformer_block": (
        lambda: ConformerBlock(8, 2, 16, 5),
        lambda: (_randn(0, 2, 7, 8),),
    ),
    **{
        f"ctc_recognizer_{enc}": (
            lambda enc=enc: CTCRecognizer(CHARS, n_features=8, d_model=16, encoder=enc),
            lambda: (FEATS, LENGTHS),
        )
        for enc in ("bilstm", "transformer", "conformer")
    },
}


@pytest.mark.filterwarnings("ignore:LSTM with projections")
@pytest.mark.parametrize("name", list(CASES))
def test_count_flops_equals_torch_flop_counter(name):
    make_model, make_inputs = CASES[name]
    torch.manual_seed(0)
    model, inputs = make_model(), make_inputs()
    expected = _torch_flops(model, *inputs)
    assert expected > 0
    assert count_flops(model, *inputs) == expected


def test_count_flops_hand_formulas():
    B, T, d_in, d_out = 3, 5, 8, 4
    assert count_flops(nn.Linear(d_in, d_out), torch.zeros(B, T, d_in)) == (
        2 * B * T * d_in * d_out
    )
    # conv: 2 * outputs (C_out x L_out) * (C_in / g) * k, L_out = (20 - 5) // 3 + 1
    conv = nn.Conv1d(4, 6, kernel_size=5, stride=3, groups=2)
    assert count_flops(conv, torch.zeros(1, 4, 20)) == 2 * (6 * 6) * (2 * 5)
    # matrix-vector and dot products, which torch's counter does not count
    assert count_flops(torch.mv, torch.zeros(5, 4), torch.zeros(4)) == 2 * 5 * 4
    assert count_flops(torch.matmul, torch.zeros(4), torch.zeros(4)) == 2 * 4
    # an LSTM layer: 2 * (T * B) * 4H * (d + H)
    H = 6
    lstm = nn.LSTM(d_in, H, batch_first=True)
    assert count_flops(lstm, torch.zeros(B, T, d_in)) == 2 * T * B * 4 * H * (d_in + H)


def test_count_flops_packed_sequence_counts_real_steps_only():
    lstm = nn.LSTM(4, 6)
    x = nn.utils.rnn.pack_padded_sequence(_randn(0, 5, 3, 4), torch.tensor([5, 3, 1]))
    assert count_flops(lstm, x) == 2 * (5 + 3 + 1) * 4 * 6 * (4 + 6)


def test_count_flops_lstm_on_onednn_matches_counter_without_it():
    """torch's counter sees no FLOPs in the fused oneDNN LSTM kernel; with oneDNN
    off the LSTM runs on counted matmuls, and both counts agree."""
    torch.manual_seed(0)
    lstm, x = nn.LSTM(4, 6, num_layers=2, batch_first=True), _randn(0, 2, 5, 4)
    ours = count_flops(lstm, x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "TF32 for oneDNN" note on some builds
        with torch.backends.mkldnn.flags(enabled=False):
            assert ours == count_flops(lstm, x) == _torch_flops(lstm, x)


def test_count_flops_fused_paths_match_unfused_counts():
    torch.manual_seed(0)
    layer, x = (
        nn.TransformerEncoderLayer(8, 2, 16, batch_first=True),
        _randn(0, 2, 5, 8),
    )
    unfused = _torch_flops(layer, x)  # training mode: no fast path
    layer.eval()
    with torch.inference_mode():  # fast path: torch's counter sees 0 here
        assert count_flops(layer, x) == unfused
    q = _randn(1, 2, 3, 5, 8)  # d_k = d_v: fused CPU attention kernel
    with sdpa_kernel(SDPBackend.MATH):
        math_count = _torch_flops(torch_F.scaled_dot_product_attention, q, q, q)
    assert count_flops(torch_F.scaled_dot_product_attention, q, q, q) == math_count


def test_count_flops_leaves_mode_and_refuses_einsum():
    model = nn.Linear(3, 3).train()
    count_flops(model, torch.zeros(1, 3))
    assert model.training
    with pytest.raises(NotImplementedError, match="torch.einsum"):
        count_flops(lambda x: torch.einsum("ij,jk->ik", x, x), torch.zeros(2, 2))
    with pytest.raises(TypeError, match="model must be callable"):
        count_flops(3, torch.zeros(1))


# --- measure_latency ------------------------------------------------------------------


def test_measure_latency_with_a_fake_clock():
    calls = []

    def model(x, y):
        calls.append(torch.is_inference_mode_enabled())
        return x + y

    # durations 3, 1, 2, 10, 4: median 3, quartiles 2 and 4 (numpy's linear rule)
    clock = iter([0, 3, 3, 4, 4, 6, 6, 16, 16, 20])
    lat = measure_latency(
        model, (torch.zeros(1), torch.ones(1)), repeats=5, warmup=2,
        timer=lambda: float(next(clock)),
    )  # fmt: skip
    assert calls == [True] * 7
    assert lat == Latency(
        median_s=3.0, q25_s=2.0, q75_s=4.0, samples_s=(3, 1, 2, 10, 4)
    )
    assert lat.iqr_s == 2.0


def test_measure_latency_real_clock():
    lat = measure_latency(
        nn.Linear(4, 4).eval(), torch.zeros(2, 4), repeats=3, warmup=0
    )
    assert len(lat.samples_s) == 3 and all(s > 0 for s in lat.samples_s)
    assert lat.q25_s <= lat.median_s <= lat.q75_s
    assert lat.median_s == float(np.median(lat.samples_s))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"repeats": 0}, ValueError, "repeats must be at least 1"),
        ({"repeats": 2.0}, TypeError, "repeats must be an int"),
        ({"warmup": -1}, ValueError, "warmup must be at least 0"),
        ({"timer": 1.0}, TypeError, "timer must be callable"),
    ],
)
def test_measure_latency_rejects_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        measure_latency(nn.Identity(), torch.zeros(1), **kwargs)


def test_measure_latency_rejects_bad_model_and_inputs():
    with pytest.raises(TypeError, match="model must be callable"):
        measure_latency("model", torch.zeros(1))
    with pytest.raises(TypeError, match="inputs must be a torch.Tensor or a tuple"):
        measure_latency(nn.Identity(), np.zeros(1))


# --- Student t quantile and fit_power_law ---------------------------------------------


@pytest.mark.parametrize("nu", [1, 2, 3, 4, 5, 10, 31, 200])
def test_student_t_quantile_equals_scipy(nu):
    for p in (0.025, 0.6, 0.9, 0.95, 0.975, 0.995, 0.9995):
        assert student_t_quantile(p, nu) == pytest.approx(stats.t.ppf(p, nu), rel=1e-10)
    assert student_t_quantile(0.5, nu) == 0.0


@pytest.mark.parametrize(
    "p, nu, error, match",
    [
        (1.0, 3, ValueError, r"p must lie in \(0, 1\)"),
        (0.0, 3, ValueError, r"p must lie in \(0, 1\)"),
        ("0.9", 3, TypeError, "p must be a real number"),
        (0.9, 0, ValueError, "nu must be at least 1"),
        (0.9, 2.0, TypeError, "nu must be an int"),
    ],
)
def test_student_t_quantile_rejects_bad_input(p, nu, error, match):
    with pytest.raises(error, match=match):
        student_t_quantile(p, nu)


def _power_law_data(seed, m, alpha=0.8, c=2e-6, sigma=0.1):
    rng = np.random.default_rng(seed)
    n = np.geomspace(1e3, 1e7, m)
    return n, c * n**alpha * np.exp(rng.normal(0.0, sigma, m))


@pytest.mark.parametrize(
    "seed, m, confidence", [(0, 4, 0.95), (1, 10, 0.9), (2, 25, 0.99)]
)
def test_fit_power_law_equals_linregress(seed, m, confidence):
    n, t = _power_law_data(seed, m)
    law = fit_power_law(n, t, confidence=confidence)
    ref = stats.linregress(np.log(n), np.log(t))
    half = stats.t.ppf(0.5 + confidence / 2, m - 2) * ref.stderr
    assert law.alpha == pytest.approx(ref.slope, rel=1e-12)
    assert law.constant == pytest.approx(math.exp(ref.intercept), rel=1e-10)
    assert law.alpha_se == pytest.approx(ref.stderr, rel=1e-10)
    assert law.alpha_ci == pytest.approx(
        (ref.slope - half, ref.slope + half), rel=1e-10
    )
    assert law.r_squared == pytest.approx(ref.rvalue**2, rel=1e-10)
    np.testing.assert_allclose(law.predict(n), law.constant * n**law.alpha)


def test_fit_power_law_exact_data():
    n = np.array([10.0, 20.0, 50.0, 100.0])
    law = fit_power_law(n, 0.5 * n**1.5)
    assert law.alpha == pytest.approx(1.5, abs=1e-12)
    assert law.constant == pytest.approx(0.5, rel=1e-12)
    assert law.alpha_ci == pytest.approx((1.5, 1.5), abs=1e-6)
    assert isinstance(law, PowerLaw) and isinstance(law.alpha, float)


@pytest.mark.parametrize("confidence", [0.8, 0.95])
def test_fit_power_law_interval_covers_true_alpha(confidence):
    """With m = 5 points (3 d.f.) the t quantile matters: a normal quantile
    would give coverage 0.72 instead of 0.80, or 0.86 instead of 0.95."""
    trials, m, alpha = 600, 5, 0.8
    covered = 0
    for seed in range(trials):
        low, high = fit_power_law(
            *_power_law_data(seed, m, alpha), confidence=confidence
        ).alpha_ci
        covered += low <= alpha <= high
    sd = math.sqrt(confidence * (1 - confidence) / trials)
    assert abs(covered / trials - confidence) < 3.5 * sd


@pytest.mark.parametrize(
    "sizes, times, kwargs, error, match",
    [
        ([1, 2, 3], [1, 2], {}, ValueError, "same length"),
        ([1, 2], [1, 2], {}, ValueError, "at least 3 points"),
        ([1, 0, 3], [1, 2, 3], {}, ValueError, "sizes must be finite and positive"),
        ([1, 2, 3], [1, -2, 3], {}, ValueError, "times must be finite and positive"),
        (
            [1, 2, np.inf],
            [1, 2, 3],
            {},
            ValueError,
            "sizes must be finite and positive",
        ),
        ([2, 2, 2], [1, 2, 3], {}, ValueError, "sizes must not all be equal"),
        ([[1, 2, 3]], [[1, 2, 3]], {}, ValueError, "sizes must be 1-D"),
        (["a", "b", "c"], [1, 2, 3], {}, TypeError, "sizes must be a sequence of real"),
        ([1, 2, 3], [1, 2, 3], {"confidence": 1.0}, ValueError, r"confidence must lie"),
        (
            [1, 2, 3],
            [1, 2, 3],
            {"confidence": "95%"},
            TypeError,
            "confidence must be a real",
        ),
    ],
)
def test_fit_power_law_rejects_bad_input(sizes, times, kwargs, error, match):
    with pytest.raises(error, match=match):
        fit_power_law(sizes, times, **kwargs)


# --- magnitude pruning vs torch.nn.utils.prune ----------------------------------------


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 4, 3)
        self.fc1, self.fc2 = nn.Linear(8, 16), nn.Linear(16, 5)
        self.norm = nn.LayerNorm(5)


def _layers(model):
    return [model.conv, model.fc1, model.fc2]


@pytest.mark.parametrize("amount", [0.0, 0.3, 0.55, 0.9, 1.0])
@pytest.mark.parametrize("scope", ["global", "layer"])
def test_magnitude_prune_matches_torch_prune_masks(amount, scope):
    torch.manual_seed(0)
    model = _Net()
    ours = magnitude_prune(model, amount, scope=scope)
    pairs = [(m, "weight") for m in _layers(model)]
    if scope == "global":
        prune.global_unstructured(
            pairs, pruning_method=prune.L1Unstructured, amount=amount
        )
    else:
        for m, name in pairs:
            prune.l1_unstructured(m, name, amount=amount)
    for mine, ref in zip(_layers(ours), _layers(model), strict=True):
        torch.testing.assert_close(mine.weight != 0, ref.weight_mask.bool())
        torch.testing.assert_close(mine.weight, ref.weight)  # same surviving values
        torch.testing.assert_close(mine.bias, ref.bias)  # biases are not pruned
    sizes = [m.weight.numel() for m in _layers(ours)]
    zeros = (
        [round(amount * sum(sizes))]
        if scope == "global"
        else [round(amount * n) for n in sizes]
    )
    assert sparsity(ours) == pytest.approx(sum(zeros) / sum(sizes))


def test_magnitude_prune_copy_inplace_and_rounding():
    torch.manual_seed(0)
    model = nn.Linear(5, 2)  # 10 weights
    before = model.weight.detach().clone()
    pruned = magnitude_prune(model, 0.25)
    assert pruned is not model and torch.equal(model.weight, before)
    assert int((pruned.weight == 0).sum()) == 2  # round(2.5) = 2, ties to even
    assert int((magnitude_prune(model, 0.35).weight == 0).sum()) == 4  # round(3.5)
    assert magnitude_prune(model, 0.5, inplace=True) is model
    assert sparsity(model) == 0.5
    kept = model.weight.detach()[model.weight != 0].abs()
    assert float(kept.min()) >= float(before.abs().flatten().sort().values[4])


def test_pruning_does_not_shrink_the_dense_state_dict():
    torch.manual_seed(0)
    model = nn.Linear(64, 64)
    assert model_size_bytes(magnitude_prune(model, 0.9)) == model_size_bytes(model)


@pytest.mark.parametrize(
    "model, amount, kwargs, error, match",
    [
        (nn.Linear(2, 2), -0.1, {}, ValueError, r"amount must lie in \[0, 1\]"),
        (nn.Linear(2, 2), 1.5, {}, ValueError, r"amount must lie in \[0, 1\]"),
        (nn.Linear(2, 2), "half", {}, TypeError, "amount must be a real number"),
        (nn.Linear(2, 2), 0.5, {"scope": "row"}, ValueError, "scope must be one of"),
        (nn.Linear(2, 2), 0.5, {"inplace": None}, TypeError, "inplace must be a bool"),
        (nn.LayerNorm(3), 0.5, {}, ValueError, "no nn.Linear or nn.Conv"),
        ("model", 0.5, {}, TypeError, "model must be a torch.nn.Module"),
    ],
)
def test_magnitude_prune_rejects_bad_input(model, amount, kwargs, error, match):
    with pytest.raises(error, match=match):
        magnitude_prune(model, amount, **kwargs)


def test_sparsity_and_model_size_reject_bad_input():
    with pytest.raises(ValueError, match="no nn.Linear or nn.Conv"):
        sparsity(nn.ReLU())
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        model_size_bytes({"w": torch.zeros(1)})


# --- dynamic quantisation ----------------------------------------------------------


def test_quantize_dynamic_linear_is_close_smaller_and_warning_free():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 16)).eval()
    x = _randn(0, 8, 128)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing leaks out of the wrapper
        qmodel = quantize_dynamic(model)
        with torch.no_grad():
            y, y_q = model(x), qmodel(x)
    assert type(model[0]) is nn.Linear  # the original is untouched
    assert qmodel[0].weight().dtype == torch.qint8
    assert float((y_q - y).norm() / y.norm()) < 0.03  # int8: about 1 % here
    n_weights = 128 * 128 + 128 * 16
    assert model_size_bytes(model) > 4 * n_weights
    assert model_size_bytes(qmodel) < 0.35 * model_size_bytes(model)


def test_quantize_dynamic_lstm_and_inplace():
    torch.manual_seed(0)
    model = nn.Sequential(nn.LSTM(16, 32, batch_first=True)).eval()
    x = _randn(0, 2, 7, 16)
    with torch.no_grad():
        y = model(x)[0]
    assert quantize_dynamic(model, inplace=True) is model
    assert "DynamicQuantizedLSTM" in repr(model)
    with torch.no_grad():
        assert float((model(x)[0] - y).abs().max()) < 0.02
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        quantize_dynamic(lambda x: x)
    with pytest.raises(TypeError, match="inplace must be a bool"):
        quantize_dynamic(nn.Linear(2, 2), inplace="yes")


def test_model_size_bytes_counts_the_float32_parameters():
    model = nn.Linear(100, 100)
    size = model_size_bytes(model)
    assert 4 * 10100 < size < 4 * 10100 + 4096  # plus pickle overhead


# --- distillation loss ---------------------------------------------------------------


def _logits(seed, *shape, scale=2.0):
    return scale * _randn(seed, *shape, dtype=F64)


@pytest.mark.parametrize("T", [0.5, 1.0, 4.0, 20.0])
def test_distillation_loss_equals_direct_computation(T):
    z, v = _logits(0, 2, 3, 7), _logits(1, 2, 3, 7)  # (B, T_f, V): N = 6 examples
    p = torch.softmax(v / T, -1)
    direct = T**2 * (p * (p.log() - torch.log_softmax(z / T, -1))).sum(-1).mean()
    loss = distillation_loss(z, v, temperature=T)
    torch.testing.assert_close(loss, direct, rtol=1e-12, atol=0)
    kl_div = torch_F.kl_div(
        torch.log_softmax(z / T, -1).reshape(6, 7),
        torch.log_softmax(v / T, -1).reshape(6, 7),
        reduction="batchmean",
        log_target=True,
    )
    torch.testing.assert_close(loss, T**2 * kl_div, rtol=1e-12, atol=0)
    y = torch.tensor([[0, 6, 3], [1, 1, 2]])
    ce = torch_F.cross_entropy(z.reshape(6, 7), y.reshape(6))
    mixed = distillation_loss(z, v, temperature=T, labels=y, alpha=0.3)
    torch.testing.assert_close(mixed, 0.3 * loss + 0.7 * ce, rtol=1e-12, atol=0)


def test_distillation_loss_is_zero_only_for_equal_distributions():
    z = _logits(0, 4, 5)
    assert float(distillation_loss(z, z, temperature=3.0)) == pytest.approx(
        0.0, abs=1e-12
    )
    # a constant shift leaves the softmax unchanged
    assert float(distillation_loss(z, z + 7.0, temperature=3.0)) == pytest.approx(
        0.0, abs=1e-12
    )
    assert float(distillation_loss(z, _logits(1, 4, 5), temperature=3.0)) > 0.0


@pytest.mark.parametrize("with_labels", [False, True])
def test_distillation_loss_gradcheck(with_labels):
    z = _logits(0, 3, 5).requires_grad_()
    v = _logits(1, 3, 5).requires_grad_()
    labels = torch.tensor([0, 4, 2]) if with_labels else None
    assert torch.autograd.gradcheck(
        lambda z, v: distillation_loss(z, v, temperature=2.5, labels=labels, alpha=0.6),
        (z, v),
    )


@pytest.mark.parametrize("T", [0.7, 3.0, 50.0])
def test_distillation_gradient_is_exactly_T_times_q_minus_p_over_N(T):
    N, V = 4, 6
    z, v = _logits(0, N, V).requires_grad_(), _logits(1, N, V)
    (grad,) = torch.autograd.grad(distillation_loss(z, v, temperature=T), z)
    expected = T * (torch.softmax(z / T, -1) - torch.softmax(v / T, -1)) / N
    torch.testing.assert_close(grad, expected.detach(), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("T", [1e2, 1e3, 1e4])
def test_distillation_gradient_tends_to_centred_logit_difference(T):
    """T^2 scaling: as T -> inf the gradient tends to ((z - z_bar) - (v - v_bar))/(N V),
    independent of T, with an error of order 1/T."""
    N, V = 4, 6
    z, v = _logits(0, N, V).requires_grad_(), _logits(1, N, V)
    (grad,) = torch.autograd.grad(distillation_loss(z, v, temperature=T), z)
    zc, vc = (
        z.detach() - z.detach().mean(-1, keepdim=True),
        v - v.mean(-1, keepdim=True),
    )
    limit = (zc - vc) / (N * V)
    error = float((grad - limit).norm() / limit.norm())
    assert 0.2 / T < error < 3.0 / T  # about 1.01 / T for these logits


Z, Z4, Z64 = torch.zeros(2, 3), torch.zeros(2, 4), torch.zeros(2, 3, dtype=F64)
NAN, INF = torch.tensor([[0.0, math.nan]]), torch.tensor([[0.0, math.inf]])
LONG = torch.zeros(2, 3, dtype=torch.long)


@pytest.mark.parametrize(
    "z, v, kwargs, error, match",
    [
        (Z, Z, {"temperature": 0.0}, ValueError, "temperature must be finite and > 0"),
        (Z, Z, {"temperature": -1.0}, ValueError, "temperature must be finite and > 0"),
        (Z, Z, {"temperature": math.inf}, ValueError, "temperature must be finite"),
        (Z, Z, {"temperature": "2"}, TypeError, "temperature must be a real"),
        (
            Z,
            Z,
            {"temperature": 2, "alpha": 1.5},
            ValueError,
            r"alpha must lie in \[0, 1",
        ),
        (Z, Z, {"temperature": 2, "alpha": -0.1}, ValueError, "alpha must be finite"),
        (Z, Z4, {"temperature": 2}, ValueError, "must have the same shape"),
        (Z, Z64, {"temperature": 2}, TypeError, "teacher_logits has dtype"),
        (LONG, Z, {"temperature": 2}, TypeError, "student_logits must be a floating"),
        (
            [[0.0]],
            Z,
            {"temperature": 2},
            TypeError,
            "student_logits must be a floating",
        ),
        (Z[0], Z[0], {"temperature": 2}, ValueError, r"student_logits must have shape"),
        (NAN, NAN, {"temperature": 2}, ValueError, "student_logits contains NaN"),
        (Z[:1, :2], INF, {"temperature": 2}, ValueError, "teacher_logits contains NaN"),
    ],
)
def test_distillation_loss_rejects_bad_input(z, v, kwargs, error, match):
    with pytest.raises(error, match=match):
        distillation_loss(z, v, **kwargs)


@pytest.mark.parametrize(
    "labels, error, match",
    [
        (torch.zeros(2), TypeError, "labels must be an integer"),
        (torch.zeros(2, dtype=torch.bool), TypeError, "labels must be an integer"),
        ([0, 1], TypeError, "labels must be an integer"),
        (
            torch.zeros(3, dtype=torch.long),
            ValueError,
            r"labels must have shape \(2,\)",
        ),
        (torch.tensor([0, 3]), ValueError, r"labels must lie in \[0, V=3\)"),
        (torch.tensor([-1, 0]), ValueError, r"labels must lie in \[0, V=3\)"),
    ],
)
def test_distillation_loss_rejects_bad_labels(labels, error, match):
    with pytest.raises(error, match=match):
        distillation_loss(Z, Z, temperature=2.0, labels=labels)


# --- energy and CO2 ------------------------------------------------------------------


def test_energy_and_co2_by_hand():
    assert JOULES_PER_KWH == 3.6e6
    assert energy_kwh(7.2e18, flops_per_joule=1e12) == pytest.approx(2.0)
    assert energy_kwh(7.2e18, flops_per_joule=1e12, pue=1.5) == pytest.approx(3.0)
    assert energy_kwh(0, flops_per_joule=1e12) == 0.0
    assert isinstance(energy_kwh(10**24, flops_per_joule=10**11), float)
    assert co2_kg(2.0, grid_intensity=0.433) == pytest.approx(0.866)
    # Strubell et al.'s US average: 0.954 lb CO2e per kWh
    assert co2_kg(1.0, grid_intensity=0.954 * 0.45359237) == pytest.approx(
        0.4327, abs=1e-4
    )


def _energy(flops=1e9, eta=1e12, pue=1.0):
    return energy_kwh(flops, flops_per_joule=eta, pue=pue)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: _energy(flops=-1.0), ValueError, "flops must be finite and >= 0"),
        (lambda: _energy(flops=math.nan), ValueError, "flops must be finite"),
        (lambda: _energy(flops="1e9"), TypeError, "flops must be a real"),
        (
            lambda: _energy(eta=0.0),
            ValueError,
            "flops_per_joule must be finite and > 0",
        ),
        (
            lambda: _energy(eta=-5.0),
            ValueError,
            "flops_per_joule must be finite and > 0",
        ),
        (lambda: _energy(pue=0.9), ValueError, "pue must be finite and >= 1"),
        (lambda: co2_kg(-1.0, grid_intensity=0.4), ValueError, "kwh must be finite"),
        (
            lambda: co2_kg(1.0, grid_intensity=-0.4),
            ValueError,
            "grid_intensity must be",
        ),
        (lambda: co2_kg(1.0, grid_intensity=None), TypeError, "grid_intensity must be"),
    ],
)
def test_energy_and_co2_reject_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
