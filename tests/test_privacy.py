"""slmsurvey.privacy: mechanisms, DP-SGD, the RDP accountant, membership inference.

Evidence: agreement with Opacus's RDP accountant and with scikit-learn's
ROC AUC; per-example gradients against a loop over examples; empirical noise
scales and an empirical check of the Laplace epsilon bound; hand cases.
"""

import itertools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as torch_F
from opacus.accountants import RDPAccountant
from opacus.accountants.analysis import rdp as opacus_rdp
from scipy import special
from sklearn.metrics import roc_auc_score

from slmsurvey.privacy.accountant import PrivacySpent, rdp_epsilon, rdp_to_epsilon
from slmsurvey.privacy.attacks import loss_threshold_attack, membership_advantage
from slmsurvey.privacy.dpsgd import (
    clip_per_example,
    per_example_gradients,
    private_gradient,
)
from slmsurvey.privacy.mechanisms import (
    _gaussian_delta,
    gaussian_mechanism,
    gaussian_sigma,
    laplace_mechanism,
)
from slmsurvey.privacy.rdp import DEFAULT_ORDERS, _log_erfc, sgm_rdp
from slmsurvey.privacy.training import DPSGD, DPStepResult, dp_sgd_step

# Shapes: B batch, P one parameter's shape.

RDP_RTOL = 1e-8  # RDP values vs Opacus (achieved ~1e-9 at the smallest values)
EPS_RTOL = 1e-6  # epsilon vs Opacus (achieved ~1e-11)


# --- RDP accountant: agreement with Opacus ------------------------------------

SIGMAS = (0.7, 1.0, 2.5)
RATES = (0.001, 0.02, 0.2, 1.0)
_cache: dict = {}


def _both_rdp(sigma, q):
    """(ours, Opacus's) RDP at the default orders for one step, computed once."""
    if (sigma, q) not in _cache:
        ours = sgm_rdp(sigma, q, 1)
        theirs = opacus_rdp.compute_rdp(
            q=q, noise_multiplier=sigma, steps=1, orders=list(DEFAULT_ORDERS)
        )
        _cache[sigma, q] = ours, np.asarray(theirs)
    return _cache[sigma, q]


def test_default_orders_are_opacus_defaults():
    assert list(DEFAULT_ORDERS) == [float(a) for a in RDPAccountant.DEFAULT_ALPHAS]


@pytest.mark.parametrize(("sigma", "q"), list(itertools.product(SIGMAS, RATES)))
def test_sgm_rdp_equals_opacus(sigma, q):
    ours, theirs = _both_rdp(sigma, q)
    np.testing.assert_allclose(ours, theirs, rtol=RDP_RTOL, atol=0)


@pytest.mark.filterwarnings("ignore:Optimal order is the")  # Opacus's edge warning
@pytest.mark.filterwarnings("ignore:the best RDP order")  # ours
@pytest.mark.parametrize(("sigma", "q"), list(itertools.product(SIGMAS, RATES)))
def test_epsilon_equals_opacus(sigma, q):
    ours_rdp, theirs_rdp = _both_rdp(sigma, q)  # RDP composes: T steps cost T rho
    for steps, delta in itertools.product((1, 100, 10_000), (1e-5, 1e-3)):
        eps_theirs, order_theirs = opacus_rdp.get_privacy_spent(
            orders=list(DEFAULT_ORDERS), rdp=steps * theirs_rdp, delta=delta
        )
        eps, order = rdp_to_epsilon(steps * ours_rdp, delta)
        assert eps == pytest.approx(max(eps_theirs, 0.0), rel=EPS_RTOL)
        assert order == order_theirs


@pytest.mark.parametrize(
    ("sigma", "q", "steps", "delta"),
    [(1.1, 256 / 60_000, 235, 1e-5), (0.9, 0.01, 5000, 1e-6), (3.0, 0.05, 200, 1e-5)],
)
def test_rdp_epsilon_equals_opacus_rdp_accountant(sigma, q, steps, delta):
    # the first: one epoch of a 60 000-example dataset in batches of 256
    accountant = RDPAccountant()
    for _ in range(steps):
        accountant.step(noise_multiplier=sigma, sample_rate=q)
    eps_theirs, order_theirs = accountant.get_privacy_spent(delta=delta)
    spent = rdp_epsilon(sigma, q, steps, delta)
    assert isinstance(spent, PrivacySpent) and isinstance(spent.epsilon, float)
    assert spent.epsilon == pytest.approx(eps_theirs, rel=EPS_RTOL)
    assert spent.order == order_theirs


def test_fractional_orders_equal_opacus():
    orders = [1.25, 1.5, 2.5, 3.75, 7.3, 20.5]
    for sigma, q in [(0.8, 0.05), (1.5, 0.3), (4.0, 0.001)]:
        ours = sgm_rdp(sigma, q, 7, orders=orders)
        theirs = opacus_rdp.compute_rdp(
            q=q, noise_multiplier=sigma, steps=7, orders=orders
        )
        np.testing.assert_allclose(ours, theirs, rtol=RDP_RTOL)


@pytest.mark.parametrize("x", [-6.0, -1.0, 0.0, 0.5, 3.0, 20.0, 24.9, 25.1, 40.0, 1e3])
def test_log_erfc_equals_scipy(x):
    # log erfc(x) = log 2 + log Phi(-x sqrt 2)
    expected = math.log(2) + special.log_ndtr(-x * math.sqrt(2))
    assert _log_erfc(x) == pytest.approx(expected, rel=1e-12)


# --- RDP accountant: hand cases and properties --------------------------------


def test_no_subsampling_is_the_gaussian_mechanism():
    # q = 1: rho(alpha) = T alpha / (2 sigma^2), exactly (Mironov 2017, Prop. 7)
    orders = [2.0, 3.5, 10.0]
    np.testing.assert_allclose(
        sgm_rdp(2.0, 1.0, 5, orders=orders), [5 * a / 8 for a in orders], rtol=1e-15
    )


def test_conversion_by_hand():
    # eps = rho + log((a - 1)/a) - (log delta + log a)/(a - 1), at a = 3
    eps, order = rdp_to_epsilon([1.0, 1.5, 10.0], 1e-5, orders=[2, 3, 4])
    by_hand = 1.5 + math.log(2 / 3) - (math.log(1e-5) + math.log(3)) / 2
    assert (eps, order) == (pytest.approx(by_hand, rel=1e-14), 3.0)


def test_epsilon_grows_with_steps_and_falls_with_noise():
    eps = [rdp_epsilon(1.0, 0.01, T, 1e-5).epsilon for T in (10, 100, 1000)]
    assert eps[0] < eps[1] < eps[2]
    eps = [rdp_epsilon(s, 0.01, 100, 1e-5).epsilon for s in (0.8, 1.2, 2.0)]
    assert eps[0] > eps[1] > eps[2]


def test_subsampling_amplifies_privacy():
    assert rdp_epsilon(1.0, 0.01, 1, 1e-5).epsilon < rdp_epsilon(1.0, 1.0, 1, 1e-5)[0]


def test_no_noise_means_no_privacy():
    assert np.isinf(sgm_rdp(0.0, 0.1, 3)).all()
    eps, order = rdp_epsilon(0.0, 0.1, 3, 1e-5)
    assert eps == math.inf and math.isnan(order)


def test_best_order_at_the_edge_warns():
    with pytest.warns(UserWarning, match="largest of orders"):
        rdp_epsilon(5.0, 0.001, 1, 1e-5, orders=[2.0, 3.0])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"noise_multiplier": -0.1}, ValueError, "noise_multiplier"),
        ({"sample_rate": 0.0}, ValueError, "sample_rate"),
        ({"sample_rate": 1.5}, ValueError, "sample_rate"),
        ({"steps": 0}, ValueError, "steps"),
        ({"steps": 2.5}, TypeError, "steps"),
        ({"delta": 0.0}, ValueError, "delta"),
        ({"delta": 1.0}, ValueError, "delta"),
        ({"orders": [1.0, 2.0]}, ValueError, "orders"),
        ({"orders": []}, ValueError, "orders"),
    ],
)
def test_accountant_rejects_bad_input(kwargs, error, match):
    args = {"noise_multiplier": 1.0, "sample_rate": 0.01, "steps": 10, "delta": 1e-5}
    with pytest.raises(error, match=match):
        rdp_epsilon(**{**args, **kwargs})


def test_conversion_rejects_bad_rdp():
    with pytest.raises(ValueError, match="same length"):
        rdp_to_epsilon([1.0], 1e-5, orders=[2.0, 3.0])
    with pytest.raises(ValueError, match="rdp must hold non-negative"):
        rdp_to_epsilon([1.0, float("nan")], 1e-5, orders=[2.0, 3.0])


# --- Laplace and Gaussian mechanisms ------------------------------------------


def test_laplace_noise_has_scale_sensitivity_over_epsilon():
    b = 2.0 / 0.5
    noise = laplace_mechanism(
        np.zeros(200_000), sensitivity=2.0, epsilon=0.5, generator=0
    )
    assert np.mean(np.abs(noise)) == pytest.approx(b, rel=0.01)  # E|Z| = b
    assert np.std(noise) == pytest.approx(math.sqrt(2) * b, rel=0.01)
    assert abs(np.mean(noise)) < 0.05


def _max_log_ratio(x, x_prime, min_count=2000):
    """Largest |log| ratio of two outputs' histograms over well-populated bins,
    minus three standard errors of the log ratio (so it is an under-estimate)."""
    bins = np.arange(-10.0, 22.0, 0.5)
    c, _ = np.histogram(x, bins)
    c_prime, _ = np.histogram(x_prime, bins)
    keep = (c >= min_count) & (c_prime >= min_count)
    log_ratio = np.abs(np.log(c[keep] / c_prime[keep]))
    stderr = np.sqrt(1 / c[keep] + 1 / c_prime[keep])
    return float(np.max(log_ratio - 3 * stderr)), float(np.max(log_ratio + 3 * stderr))


def test_laplace_satisfies_the_epsilon_bound_empirically():
    # a count: f(D) = 5, f(D') = 6 for neighbours (sensitivity 1)
    eps, n = 0.7, 400_000
    out = laplace_mechanism(np.full(n, 5.0), sensitivity=1, epsilon=eps, generator=1)
    out_prime = laplace_mechanism(
        np.full(n, 6.0), sensitivity=1, epsilon=eps, generator=2
    )
    lower, upper = _max_log_ratio(out, out_prime)
    assert lower <= eps  # never beyond e^eps, up to sampling error ...
    assert upper >= eps  # ... and the bound is attained (the tails)
    # the check can fail: half the noise breaks the bound
    cheat = laplace_mechanism(
        np.full(n, 5.0), sensitivity=1, epsilon=2 * eps, generator=1
    )
    cheat_prime = laplace_mechanism(
        np.full(n, 6.0), sensitivity=1, epsilon=2 * eps, generator=2
    )
    assert _max_log_ratio(cheat, cheat_prime)[0] > eps


def test_gaussian_noise_has_the_calibrated_std():
    sigma = gaussian_sigma(sensitivity=0.5, epsilon=0.4, delta=1e-6)
    assert sigma == pytest.approx(math.sqrt(2 * math.log(1.25e6)) * 0.5 / 0.4)
    noise = gaussian_mechanism(
        np.zeros(200_000), sensitivity=0.5, epsilon=0.4, delta=1e-6, generator=0
    )
    assert np.std(noise) == pytest.approx(sigma, rel=0.01)


def _delta_by_integration(sigma, Delta, eps):
    """delta(eps) = integral of max(0, p(x) - e^eps p'(x)), p = N(0, s^2) and
    p' = N(Delta, s^2): the exact privacy profile, by the trapezoid rule."""
    x = np.linspace(-40 * sigma, 40 * sigma + Delta, 400_001)
    p = np.exp(-(x**2) / (2 * sigma**2)) / (sigma * math.sqrt(2 * math.pi))
    p_prime = np.exp(-((x - Delta) ** 2) / (2 * sigma**2)) / (
        sigma * math.sqrt(2 * math.pi)
    )
    return float(np.trapezoid(np.maximum(p - math.exp(eps) * p_prime, 0), x))


@pytest.mark.parametrize(("eps", "delta"), [(0.3, 1e-5), (0.9, 1e-3), (4.0, 1e-6)])
def test_analytic_gaussian_is_exactly_tight(eps, delta):
    sigma = gaussian_sigma(sensitivity=2.0, epsilon=eps, delta=delta, method="analytic")
    assert _delta_by_integration(sigma, 2.0, eps) == pytest.approx(delta, rel=1e-4)
    assert _gaussian_delta(sigma, 2.0, eps) == pytest.approx(delta, rel=1e-9)
    if eps < 1:  # never more noise than the classical calibration, which is valid
        classical = gaussian_sigma(sensitivity=2.0, epsilon=eps, delta=delta)
        assert sigma < classical
        assert _delta_by_integration(classical, 2.0, eps) <= delta


def test_mechanisms_return_floats_for_scalars_and_are_seeded():
    a = laplace_mechanism(3, sensitivity=1.0, epsilon=1.0, generator=7)
    b = laplace_mechanism(3, sensitivity=1.0, epsilon=1.0, generator=7)
    assert isinstance(a, float) and a == b
    rng = np.random.default_rng(0)
    x = gaussian_mechanism(
        [1.0, 2.0], sensitivity=1, epsilon=0.5, delta=1e-5, generator=rng
    )
    assert x.shape == (2,)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"epsilon": 0.0}, ValueError, "epsilon"),
        ({"epsilon": -1.0}, ValueError, "epsilon"),
        ({"epsilon": 1.0}, ValueError, "epsilon must be < 1"),  # classical only
        ({"sensitivity": 0.0}, ValueError, "sensitivity"),
        ({"delta": 0.0}, ValueError, "delta"),
        ({"delta": 1.0}, ValueError, "delta"),
        ({"method": "exact"}, ValueError, "method"),
        ({"value": []}, ValueError, "value"),
        ({"value": [1.0, math.nan]}, ValueError, "value"),
        ({"value": "3"}, TypeError, "value"),
        ({"epsilon": "1"}, TypeError, "epsilon"),
    ],
)
def test_gaussian_mechanism_rejects_bad_input(kwargs, error, match):
    args = {"value": 1.0, "sensitivity": 1.0, "epsilon": 0.5, "delta": 1e-5}
    args.update(kwargs)
    value = args.pop("value")
    with pytest.raises(error, match=match):
        gaussian_mechanism(value, **args, generator=0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"epsilon": 0.0}, "epsilon"), ({"sensitivity": -1.0}, "sensitivity")],
)
def test_laplace_mechanism_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        laplace_mechanism(1.0, **{"sensitivity": 1.0, "epsilon": 1.0, **kwargs})


# --- DP-SGD --------------------------------------------------------------------


def _mlp(seed=0, d_in=4, d_hidden=5):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Linear(d_in, d_hidden), torch.nn.Tanh(), torch.nn.Linear(d_hidden, 3)
    )
    return model.double()


def _batch(B=6, d_in=4, seed=1):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(B, d_in, generator=g, dtype=torch.float64)
    y = torch.randint(0, 3, (B,), generator=g)
    return x, y


def test_per_example_gradients_equal_a_loop():
    model, (x, y) = _mlp(), _batch()
    grads = per_example_gradients(model, torch_F.cross_entropy, (x, y))
    for i in range(x.shape[0]):
        model.zero_grad()
        torch_F.cross_entropy(model(x[i : i + 1]), y[i : i + 1]).backward()
        for name, p in model.named_parameters():
            torch.testing.assert_close(grads[name][i], p.grad, rtol=0, atol=1e-12)


def test_no_noise_and_no_clipping_gives_the_mean_gradient():
    model, (x, y) = _mlp(), _batch()
    g, norms = private_gradient(
        model, torch_F.cross_entropy, (x, y), max_grad_norm=1e9, noise_multiplier=0.0
    )
    model.zero_grad()
    torch_F.cross_entropy(model(x), y).backward()  # mean over the batch
    for name, p in model.named_parameters():
        torch.testing.assert_close(g[name], p.grad, rtol=0, atol=1e-12)
    assert norms.shape == (6,)


def test_clipping_bounds_every_norm_and_spares_small_ones():
    g = torch.Generator().manual_seed(0)
    grads = {
        "w": torch.randn(50, 3, 4, generator=g),
        "b": torch.randn(50, 3, generator=g),
    }
    C = 4.0
    clipped, norms = clip_per_example(grads, C)
    new_norms = torch.sqrt(sum(v.flatten(1).pow(2).sum(1) for v in clipped.values()))
    assert (new_norms <= C * (1 + 1e-6)).all()
    small = norms <= C
    assert 0 < int(small.sum()) < 50  # both kinds present
    torch.testing.assert_close(clipped["w"][small], grads["w"][small])
    torch.testing.assert_close(new_norms[~small], torch.full_like(new_norms[~small], C))


def test_noise_std_is_sigma_C_over_B():
    torch.manual_seed(0)
    model = torch.nn.Linear(200, 50).double()  # 10 050 coordinates
    x = torch.randn(8, 200, dtype=torch.float64)
    y = torch.randn(8, 50, dtype=torch.float64)
    sigma, C, B = 1.3, 0.5, 8
    args = {"max_grad_norm": C, "loss_fn": torch_F.mse_loss, "batch": (x, y)}
    clean, _ = private_gradient(model, noise_multiplier=0.0, **args)
    noisy, _ = private_gradient(
        model,
        noise_multiplier=sigma,
        generator=torch.Generator().manual_seed(1),
        **args,
    )
    z = torch.cat([(noisy[k] - clean[k]).flatten() for k in clean])
    assert float(z.std()) == pytest.approx(sigma * C / B, rel=0.03)
    assert abs(float(z.mean())) < 0.05 * sigma * C / B


def test_noise_is_reproducible_with_a_generator():
    model, batch = _mlp(), _batch()
    args = {"max_grad_norm": 1.0, "noise_multiplier": 1.0}
    runs = [
        private_gradient(
            model, torch_F.cross_entropy, batch, **args,
            generator=torch.Generator().manual_seed(s),
        )[0]["0.weight"]
        for s in (5, 5, 6)
    ]  # fmt: skip
    assert torch.equal(runs[0], runs[1]) and not torch.equal(runs[0], runs[2])


def test_dp_sgd_step_without_noise_is_a_plain_sgd_step():
    model, (x, y) = _mlp(), _batch()
    before = {k: p.detach().clone() for k, p in model.named_parameters()}
    model.zero_grad()
    loss = torch_F.cross_entropy(model(x), y)
    loss.backward()
    result = dp_sgd_step(
        model, torch_F.cross_entropy, (x, y), lr=0.3, max_grad_norm=1e9,
        noise_multiplier=0.0,
    )  # fmt: skip
    assert result == DPStepResult(
        loss=pytest.approx(float(loss.detach())), clipped_fraction=0.0
    )
    for k, p in model.named_parameters():
        torch.testing.assert_close(
            p.detach(), before[k] - 0.3 * p.grad, atol=1e-12, rtol=0
        )


def test_dpsgd_counts_steps_and_reports_epsilon():
    model = _mlp()
    dp = DPSGD(
        model, torch_F.cross_entropy, lr=0.1, max_grad_norm=0.01, noise_multiplier=1.1,
        sample_rate=0.02, generator=torch.Generator().manual_seed(0),
    )  # fmt: skip
    assert dp.epsilon(1e-5).epsilon == 0.0
    for seed in range(3):
        result = dp.step(_batch(seed=seed))
    assert result.clipped_fraction == 1.0  # C tiny: every example clipped
    assert dp.steps == 3
    assert dp.epsilon(1e-5) == rdp_epsilon(1.1, 0.02, 3, 1e-5)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"max_grad_norm": 0.0}, ValueError, "max_grad_norm"),
        ({"max_grad_norm": -1.0}, ValueError, "max_grad_norm"),
        ({"noise_multiplier": -0.5}, ValueError, "noise_multiplier"),
        ({"lr": 0.0}, ValueError, "lr"),
        ({"batch": (torch.zeros(0, 4), torch.zeros(0))}, ValueError, "empty"),
        ({"batch": (torch.zeros(3, 4), torch.zeros(2))}, ValueError, "batch size"),
        ({"batch": torch.zeros(3, 4)}, TypeError, "batch"),
        ({"model": "mlp"}, TypeError, "model"),
        ({"loss_fn": 3}, TypeError, "loss_fn"),
    ],
)
def test_dp_sgd_rejects_bad_input(kwargs, error, match):
    args = {
        "model": _mlp(), "loss_fn": torch_F.cross_entropy, "batch": _batch(),
        "lr": 0.1, "max_grad_norm": 1.0, "noise_multiplier": 1.0,
    }  # fmt: skip
    args.update(kwargs)
    with pytest.raises(error, match=match):
        dp_sgd_step(args.pop("model"), args.pop("loss_fn"), args.pop("batch"), **args)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"sample_rate": 0.0}, "sample_rate"), ({"sample_rate": 1.2}, "sample_rate")],
)
def test_dpsgd_rejects_bad_sample_rate(kwargs, match):
    args = {"lr": 0.1, "max_grad_norm": 1.0, "noise_multiplier": 1.0, **kwargs}
    with pytest.raises(ValueError, match=match):
        DPSGD(_mlp(), torch_F.cross_entropy, **args)


# --- membership inference --------------------------------------------------------


@pytest.mark.parametrize(("seed", "n_1", "n_0"), [(0, 50, 70), (1, 7, 300), (2, 1, 1)])
def test_attack_auc_equals_sklearn_with_ties(seed, n_1, n_0):
    rng = np.random.default_rng(seed)
    members = np.round(rng.exponential(1.0, n_1), 1)  # rounding makes ties
    nonmembers = np.round(rng.exponential(1.5, n_0), 1)
    auc = loss_threshold_attack(members, nonmembers)
    brute = np.mean(
        (members[:, None] < nonmembers[None, :])
        + 0.5 * (members[:, None] == nonmembers[None, :])
    )  # (n_1, n_0) pairs
    assert auc == pytest.approx(brute, abs=1e-12)
    labels, scores = np.r_[np.ones(n_1), np.zeros(n_0)], -np.r_[members, nonmembers]
    assert auc == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)


def test_attack_auc_hand_cases():
    assert loss_threshold_attack([0.1, 0.2], [0.3, 0.4]) == 1.0
    assert loss_threshold_attack([0.3, 0.4], [0.1, 0.2]) == 0.0
    assert loss_threshold_attack([1.0, 1.0], [1.0]) == 0.5
    assert loss_threshold_attack([0.1, 0.5], [0.3, 0.5]) == 0.625


def test_attack_auc_of_exponential_losses():
    # members ~ Exp(rate 1), non-members ~ Exp(rate 1/2): P(l < l') = 1 / 1.5
    rng = np.random.default_rng(3)
    auc = loss_threshold_attack(rng.exponential(1.0, 4000), rng.exponential(2.0, 4000))
    assert auc == pytest.approx(2 / 3, abs=0.01)


def test_membership_advantage_is_tpr_minus_fpr():
    members, nonmembers = np.array([0.1, 0.2, 0.9, 0.3]), np.array([0.5, 0.25, 0.7])
    tau = members.mean()  # 0.375: TPR = 3/4, FPR = 1/3
    assert membership_advantage(members, nonmembers) == pytest.approx(3 / 4 - 1 / 3)
    assert membership_advantage(members, nonmembers, threshold=tau) == pytest.approx(
        3 / 4 - 1 / 3
    )
    assert membership_advantage(members, nonmembers, threshold=0.0) == 0.0


@pytest.mark.parametrize(
    ("members", "nonmembers", "error", "match"),
    [
        ([], [0.1], ValueError, "member_losses is empty"),
        ([0.1], np.array([]), ValueError, "nonmember_losses is empty"),
        ([0.1, math.nan], [0.1], ValueError, "member_losses contains NaN"),
        ([[0.1]], [0.1], ValueError, "member_losses must be 1-D"),
        (["a"], [0.1], TypeError, "member_losses"),
        (0.1, [0.1], TypeError, "member_losses"),
    ],
)
def test_attacks_reject_bad_losses(members, nonmembers, error, match):
    with pytest.raises(error, match=match):
        loss_threshold_attack(members, nonmembers)
    with pytest.raises(error, match=match):
        membership_advantage(members, nonmembers)
