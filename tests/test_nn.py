"""Tests for descentlab.nn and descentlab.gradcheck."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from descentlab import nn
from descentlab.gradcheck import gradcheck, numerical_grad, ravel

TOL = 1e-6
ACTIVATION_NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]


# -- activations and the dense layer ---------------------------------------------------


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activation_slope_matches_finite_differences(name):
    act = nn.ACTIVATIONS[name]
    rng = np.random.default_rng(0)
    z = rng.uniform(-4, 4, 50)
    z = z[np.abs(z) > 1e-3]  # away from the kink of (leaky) ReLU at 0
    # sum_i f(z_i) has gradient f'(z_i) componentwise
    assert gradcheck(lambda v: (np.sum(act.f(v)), act.slope(v)), z) < TOL


def test_activation_values():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(nn.relu.f(z), [0, 0, 3])
    np.testing.assert_allclose(nn.leaky_relu.f(z), [-0.02, 0, 3])
    np.testing.assert_allclose(nn.make_leaky_relu(0.2).slope(z), [0.2, 0.2, 1.0])
    np.testing.assert_allclose(nn.sigmoid.f(np.array([0.0])), [0.5])
    assert nn.sigmoid.max_slope == 0.25


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    n=st.integers(1, 5), n_in=st.integers(1, 4), n_out=st.integers(1, 4), seed=st.integers(0, 999)
)
def test_dense_backward_matches_finite_differences(n, n_in, n_out, seed):
    rng = np.random.default_rng(seed)
    params = {"a": rng.standard_normal((n, n_in)), "W": rng.standard_normal((n_in, n_out))}
    params["b"] = rng.standard_normal(n_out)
    upstream = rng.standard_normal((n, n_out))  # L = sum(upstream * z), so dL/dz = upstream

    def f(p):
        z = nn.dense_forward(p["a"], p["W"], p["b"])
        da, dW, db = nn.dense_backward(upstream, p["a"], p["W"])
        return np.sum(upstream * z), {"a": da, "W": dW, "b": db}

    assert gradcheck(f, params) < TOL


# -- the MLP -----------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    hidden=st.lists(st.integers(1, 6), min_size=0, max_size=3),
    n_in=st.integers(1, 4),
    n_out=st.integers(1, 3),
    n=st.integers(1, 8),
    # A leaky slope of 0.2, not 0.01: chains of 0.01 slopes make gradients too small for
    # finite differences to resolve to 1e-6 (rounding noise, not a backprop error).
    activation=st.sampled_from(["sigmoid", "tanh", "relu", nn.make_leaky_relu(0.2), "identity"]),
    loss=st.sampled_from(["mse", "huber", "bce_with_logits", "cross_entropy"]),
    seed=st.integers(0, 999),
)
def test_mlp_backprop_matches_finite_differences(hidden, n_in, n_out, n, activation, loss, seed):
    rng = np.random.default_rng(seed)
    model = nn.MLP([n_in, *hidden, n_out], activation=activation, loss=loss, seed=seed)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in model.params.items()}
    X = rng.standard_normal((n, n_in))
    _, cache = model.forward(params, X)
    assume(all(np.min(np.abs(z)) > 1e-3 for _, z in cache))  # no ReLU kink within reach
    if loss == "cross_entropy":
        y = rng.integers(0, n_out, n)
    elif loss == "bce_with_logits":
        y = rng.integers(0, 2, (n, n_out)).astype(float)
    else:
        y = rng.standard_normal((n, n_out))
    if loss == "huber":  # no residual at Huber's switch from quadratic to linear
        assume(np.min(np.abs(np.abs(model.predict(params, X) - y) - 1.0)) > 1e-3)
    assert gradcheck(model.loss_fn(X, y), params) < TOL


def test_mlp_params_and_counts():
    model = nn.MLP([3, 5, 2], seed=0)
    assert list(model.params) == ["W0", "b0", "W1", "b1"]
    assert model.params["W0"].shape == (3, 5) and model.params["b1"].shape == (2,)
    assert model.num_params == (3 + 1) * 5 + (5 + 1) * 2 == nn.count_params(model.params)
    assert nn.count_params(np.zeros((2, 3))) == 6


def test_mlp_is_seeded_and_stateless():
    a, b = nn.MLP([2, 4, 1], seed=3), nn.MLP([2, 4, 1], seed=3)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert not np.array_equal(a.params["W0"], nn.MLP([2, 4, 1], seed=4).params["W0"])
    before = {k: v.copy() for k, v in a.params.items()}
    X, y = np.ones((3, 2)), np.zeros(3)
    a.loss_and_grad(a.params, X, y)
    for k in before:
        np.testing.assert_array_equal(a.params[k], before[k])


def test_forward_cache_holds_inputs_and_preactivations():
    model = nn.MLP([2, 3, 1], activation="tanh", seed=0)
    X = np.array([[1.0, -1.0]])
    out, cache = model.forward(model.params, X)
    (a0, z0), (a1, z1) = cache
    np.testing.assert_array_equal(a0, X)
    np.testing.assert_allclose(a1, np.tanh(z0))
    np.testing.assert_allclose(out, z1)


def test_regression_targets_may_be_flat():
    model = nn.MLP([1, 4, 1], seed=0)
    X = np.linspace(-1, 1, 5)[:, None]
    assert model.loss(model.params, X, X[:, 0]) == model.loss(model.params, X, X)


@pytest.mark.parametrize(
    "name,std",
    [("normal", 0.3), ("xavier_uniform", np.sqrt(2 / 300)), ("xavier_normal", np.sqrt(2 / 300))]
    + [("he_normal", np.sqrt(2 / 100)), ("he_uniform", np.sqrt(2 / 100))],
)
def test_initialization_scales(name, std):
    W = nn.INITS[name](100, 200, np.random.default_rng(0), 0.3 if name == "normal" else 1.0)
    assert W.shape == (100, 200)
    assert W.std() == pytest.approx(std, rel=0.03)
    assert abs(W.mean()) < 0.05 * std


def test_shape_errors_are_clear():
    model = nn.MLP([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\)"):
        model.predict(model.params, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="targets for 4 examples"):
        model.loss_and_grad(model.params, np.zeros((4, 2)), np.zeros(5))
    with pytest.raises(ValueError, match="model output has"):
        model.loss_and_grad(model.params, np.zeros((4, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="W0 of shape"):
        model.predict({"W0": np.zeros((3, 3))}, np.zeros((4, 2)))
    clf = nn.MLP([2, 3], loss="cross_entropy", seed=0)
    with pytest.raises(ValueError, match="outside the valid range"):
        clf.loss_and_grad(clf.params, np.zeros((2, 2)), [0, 3])
    with pytest.raises(ValueError, match="Unknown activation"):
        nn.MLP([1, 1], activation="swish")
    with pytest.raises(ValueError, match="Unknown init"):
        nn.MLP([1, 1], init="orthogonal")
    with pytest.raises(ValueError, match="Unknown loss"):
        nn.MLP([1, 1], loss="hinge")


# -- vanishing gradients and initialization ---------------------------------------------------


def _grad_ratio(activation, init, scale, width, seed):
    """||dL/dW_last|| / ||dL/dW_first|| for a 10-layer MLP at initialization."""
    rng = np.random.default_rng(100 + seed)
    X, y = rng.standard_normal((128, width)), rng.standard_normal((128, 1))
    model = nn.MLP([width] * 10 + [1], activation, init, seed=seed, init_scale=scale)
    _, _, stats = model.loss_and_grad(model.params, X, y, return_stats=True)
    assert stats.grad_norm.shape == (10,)
    return stats.grad_norm[-1] / stats.grad_norm[0]


@pytest.mark.parametrize("scale,width", [(1.0, 16), (0.1, 32)])
def test_deep_sigmoid_with_naive_init_vanishes(scale, width):
    for seed in range(4):
        assert _grad_ratio("sigmoid", "normal", scale, width, seed) >= 100


@pytest.mark.parametrize(
    "activation,init",
    [("tanh", "xavier_uniform"), ("tanh", "xavier_normal"), ("relu", "he_normal")]
    + [("relu", "he_uniform")],
)
def test_xavier_and_he_keep_gradients_balanced(activation, init):
    ratios = [_grad_ratio(activation, init, 1.0, 32, seed) for seed in range(5)]
    typical = np.exp(np.mean(np.log(ratios)))  # geometric mean over 5 random networks
    assert 0.1 < typical < 10
    assert max(ratios) < 20 and min(ratios) > 0.05


def test_layer_statistics():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 4)), rng.standard_normal(64)
    relu_net = nn.MLP([4, 50, 50, 1], "relu", "he_normal", seed=0)
    *_, stats = relu_net.loss_and_grad(relu_net.params, X, y, return_stats=True)
    assert 0.3 < stats.saturated[0] < 0.7  # about half of the ReLUs are off
    assert stats.saturated[-1] == 0.0  # identity output never saturates
    big = nn.MLP([4, 50, 1], "tanh", "normal", seed=0, init_scale=10.0)
    *_, stats = big.loss_and_grad(big.params, X, y, return_stats=True)
    assert stats.saturated[0] > 0.8 and stats.act_std[0] > 0.8  # tanh pinned at +-1
    for field in stats:
        assert field.shape == (2,)


# -- gradcheck itself ----------------------------------------------------------------------


def test_gradcheck_catches_a_wrong_gradient():
    x = np.array([1.0, 2.0])
    assert gradcheck(lambda v: (np.sum(v**3), 3 * v**2), x) < TOL
    assert gradcheck(lambda v: (np.sum(v**3), 3 * v), x) > 0.1
    errors = gradcheck(
        lambda p: (np.sum(p["a"] ** 2) + p["b"][0], {"a": 2 * p["a"], "b": np.zeros(1)}),
        {"a": x, "b": np.zeros(1)},
        return_all=True,
    )
    assert errors["a"] < TOL and errors["b"] == pytest.approx(1.0)


def test_ravel_roundtrip():
    tree = {"W": np.arange(6.0).reshape(2, 3), "b": np.array([7.0])}
    vec, unravel = ravel(tree)
    np.testing.assert_array_equal(vec, [0, 1, 2, 3, 4, 5, 7])
    back = unravel(vec)
    assert list(back) == ["W", "b"] and back["W"].shape == (2, 3)
    vec[0] = 99.0
    assert tree["W"][0, 0] == 0.0  # a copy
    assert isinstance(ravel([np.ones(2), np.ones(3)])[1](np.zeros(5)), list)
    with pytest.raises(ValueError, match="length 7"):
        unravel(np.zeros(3))
    np.testing.assert_allclose(numerical_grad(lambda v: v @ v, np.array([1.0, -2.0])), [2, -4])


def test_gradcheck_ignores_rounding_noise_on_an_exactly_zero_gradient():
    # As in an MLP whose Huber residuals all lie outside delta: the gradient of a bias is
    # zero up to rounding on one side and exactly zero on the other. That must not count as
    # a relative error of 1.
    from descentlab.gradcheck import gradcheck as check

    def f(p):
        value = float(p["w"] @ p["w"])
        # The analytic zero computed as a sum of cancelling terms leaves ~1e-12 behind.
        return value, {"w": 2 * p["w"], "b": np.array([1e-12])}

    noisy = {"w": np.array([1.0, -2.0, 3.0]), "b": np.array([0.3])}
    assert check(f, noisy) < 1e-6

    def wrong(p):
        value, grad = f(p)
        return value, {"w": grad["w"], "b": np.array([1e-3])}

    assert check(wrong, noisy) > 1e-2
