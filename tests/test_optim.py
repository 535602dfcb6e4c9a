"""Tests of the first-order optimizers: torch reference runs, closed forms, properties, errors."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from descentlab import optim
from descentlab.tree import tree_leaves, tree_map
from torch_reference import (
    PROBLEMS,
    as_dict,
    make_optimizer,
    manifest,
    recorded_arrays,
    start,
)

RTOL = 1e-10
ATOL = 1e-13  # absolute floor for coordinates passing near zero (the values are of order 1)

# --------------------------------------------------------------------------------------
# Reference trajectories recorded from torch.optim (float64, 100 steps)
# --------------------------------------------------------------------------------------

CASES = manifest()["cases"]


def test_numpy_problems_match_the_recorded_gradients():
    recorded = manifest()["first_gradients"]
    for problem, fn in PROBLEMS.items():
        _, grad = fn(start(problem))
        for key, value in as_dict(grad).items():
            np.testing.assert_allclose(value, recorded[f"{problem}/{key}"], rtol=1e-14)


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_torch_trajectory(case, problem):
    data = recorded_arrays(case["file"])
    prefix = f"{case['name']}/{problem}"
    opt = make_optimizer(case)
    params = start(problem)
    state = opt.init(params)
    fn = PROBLEMS[problem]
    for k in range(manifest()["steps"]):
        assert opt.lr_at(state.step) == pytest.approx(data[f"{prefix}/lr"][k], rel=1e-13)
        _, grads = fn(params)
        if case["negate"]:  # maximize runs ascend -f
            grads = tree_map(np.negative, grads)
        params, state = opt.step(params, grads, state)
        for key, value in as_dict(params).items():
            np.testing.assert_allclose(
                value,
                data[f"{prefix}/params/{key}"][k + 1],
                rtol=RTOL,
                atol=ATOL,
                err_msg=f"step {k + 1}, parameter {key}",
            )
    assert state.step == manifest()["steps"]
    recorded_fields = {key.split("/")[3] for key in data if key.startswith(f"{prefix}/state/")}
    for field in state._fields[1:]:
        buffer = getattr(state, field)
        assert (buffer is None) == (field not in recorded_fields), field
        if buffer is not None:
            for key, value in as_dict(buffer).items():
                np.testing.assert_allclose(
                    value, data[f"{prefix}/state/{field}/{key}"], rtol=RTOL, atol=1e-300
                )


def test_reference_cases_cover_every_option():
    options = {(c["optimizer"], k) for c in CASES for k in c["kwargs"]}
    options |= {(c["optimizer"], "schedule") for c in CASES if c["schedule"]}
    wanted = {
        "SGD": {"momentum", "dampening", "nesterov", "weight_decay", "maximize", "schedule"},
        "Adagrad": {"lr_decay", "initial_accumulator_value", "weight_decay", "eps", "maximize"},
        "RMSprop": {"alpha", "centered", "momentum", "weight_decay", "eps", "maximize"},
        "Adam": {"amsgrad", "weight_decay", "maximize", "betas", "eps", "schedule"},
        "AdamW": {"amsgrad", "weight_decay", "maximize"},
        "Adamax": {"betas", "eps", "weight_decay", "maximize"},
        "Adadelta": {"rho", "eps", "weight_decay", "maximize"},
        "NAdam": {
            "betas",
            "eps",
            "weight_decay",
            "momentum_decay",
            "decoupled_weight_decay",
            "maximize",
        },
    }
    for name, keys in wanted.items():
        assert {(name, key) for key in keys} <= options, name


# --------------------------------------------------------------------------------------
# Closed-form behaviour on quadratics
# --------------------------------------------------------------------------------------


def run_quadratic(opt, curvatures, x0, steps):
    """Run ``opt`` on ``sum_i h_i x_i^2 / 2``; return the iterates, shape (steps + 1, n)."""
    h = np.asarray(curvatures, dtype=float)
    x = np.asarray(x0, dtype=float)
    state = opt.init(x)
    path = [x]
    for _ in range(steps):
        x, state = opt.step(x, h * x, state)
        path.append(x)
    return np.array(path)


@pytest.mark.parametrize("L", [0.5, 1.0, 10.0, 300.0])
def test_gradient_descent_converges_exactly_below_2_over_L(L):
    threshold = 2 / L
    below = run_quadratic(optim.SGD(lr=0.99 * threshold), [L], [1.0], 400)
    above = run_quadratic(optim.SGD(lr=1.01 * threshold), [L], [1.0], 400)
    assert abs(below[-1, 0]) < 1e-1 * abs(below[0, 0])
    assert abs(above[-1, 0]) > 10 * abs(above[0, 0])
    # the iteration is x <- (1 - lr L) x exactly
    np.testing.assert_allclose(below[1:, 0] / below[:-1, 0], 1 - 0.99 * threshold * L)


def measured_rate(path, t1, t2):
    norms = np.linalg.norm(path, axis=1)
    return (norms[t2] / norms[t1]) ** (1 / (t2 - t1))


@pytest.mark.parametrize("kappa", [10.0, 100.0, 1000.0])
def test_heavy_ball_with_optimal_parameters_converges_at_the_predicted_rate(kappa):
    mu, L = 1.0, kappa
    lr = (2 / (math.sqrt(L) + math.sqrt(mu))) ** 2
    momentum = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    predicted = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    path = run_quadratic(optim.SGD(lr=lr, momentum=momentum), [mu, L], [1.0, 1.0], 400)
    rate = measured_rate(path, 100, 400)
    assert rate == pytest.approx(predicted, rel=0.05)
    gd = run_quadratic(optim.SGD(lr=2 / (L + mu)), [mu, L], [1.0, 1.0], 400)
    assert measured_rate(gd, 100, 400) == pytest.approx((kappa - 1) / (kappa + 1), rel=0.05)
    assert rate < measured_rate(gd, 100, 400)


def test_sgd_momentum_is_polyak_heavy_ball():
    h = np.array([1.0, 20.0])
    lr, beta = 0.04, 0.7
    path = run_quadratic(optim.SGD(lr=lr, momentum=beta), h, [1.0, -2.0], 30)
    for k in range(1, 30):  # x_{k+1} = x_k - lr h x_k + beta (x_k - x_{k-1})
        expected = path[k] - lr * h * path[k] + beta * (path[k] - path[k - 1])
        np.testing.assert_allclose(path[k + 1], expected, rtol=1e-12, atol=1e-15)


def test_first_momentum_buffer_is_the_first_gradient():
    opt = optim.SGD(lr=0.1, momentum=0.9, dampening=0.5)
    g = np.array([1.0, -2.0])
    params, state = opt.step(np.zeros(2), g, opt.init(np.zeros(2)))
    np.testing.assert_array_equal(state.momentum_buffer, g)
    np.testing.assert_array_equal(params, -0.1 * g)
    _, state = opt.step(params, g, state)
    np.testing.assert_allclose(state.momentum_buffer, 0.9 * g + 0.5 * g)


def test_adam_bias_correction_first_steps():
    opt = optim.Adam(lr=0.1, betas=(0.9, 0.999), eps=0.0)
    g = np.array([3.0, -0.5])
    params, state = opt.step(np.zeros(2), g, opt.init(np.zeros(2)))
    np.testing.assert_allclose(params, -0.1 * np.sign(g), rtol=1e-15)
    np.testing.assert_allclose(state.exp_avg, 0.1 * g)
    np.testing.assert_allclose(state.exp_avg_sq, 0.001 * g * g)
    np.testing.assert_allclose(opt.effective_lr(state), 0.1 / np.abs(g), rtol=1e-12)


def test_amsgrad_keeps_the_maximum_of_the_raw_second_moment():
    opt = optim.Adam(lr=0.01, amsgrad=True)
    params, state = np.zeros(1), opt.init(np.zeros(1))
    maxima = []
    for g in [10.0, 0.1, 0.1, 5.0]:
        params, state = opt.step(params, np.array([g]), state)
        maxima.append(state.max_exp_avg_sq[0])
        assert state.max_exp_avg_sq[0] >= state.exp_avg_sq[0]
    assert maxima[1] == maxima[0] == pytest.approx(0.001 * 100)  # raw v_1, not v_1 / (1 - b2)


def test_adamw_decays_the_parameters_directly():
    opt = optim.AdamW(lr=0.1)
    assert opt.weight_decay == 1e-2
    params, _ = opt.step(np.array([2.0]), np.array([0.0]), opt.init(np.array([2.0])))
    np.testing.assert_allclose(params, 2.0 * (1 - 0.1 * 1e-2))
    adam = optim.Adam(lr=0.1, weight_decay=1e-2)  # L2: goes through the normalization
    params, _ = adam.step(np.array([2.0]), np.array([0.0]), adam.init(np.array([2.0])))
    np.testing.assert_allclose(params, 2.0 - 0.1, rtol=1e-6)


def test_adagrad_lr_decay_and_initial_accumulator():
    opt = optim.Adagrad(lr=1.0, lr_decay=0.5, initial_accumulator_value=3.0, eps=0.0)
    params, state = np.zeros(1), opt.init(np.zeros(1))
    np.testing.assert_array_equal(state.sum, [3.0])
    params, state = opt.step(params, np.array([1.0]), state)
    np.testing.assert_allclose(params, [-1.0 / 2.0])  # clr = 1, sum = 4
    params, state = opt.step(params, np.array([1.0]), state)
    np.testing.assert_allclose(params, [-0.5 - (1 / 1.5) / math.sqrt(5.0)])


# --------------------------------------------------------------------------------------
# Properties (hypothesis)
# --------------------------------------------------------------------------------------

ALL_OPTIMIZERS = [
    optim.SGD(lr=0.1),
    optim.SGD(lr=0.1, momentum=0.9),
    optim.SGD(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.1),
    optim.SGD(lr=0.1, momentum=0.5, nesterov=True, maximize=True),
    optim.Adagrad(lr=0.1),
    optim.Adagrad(lr=0.1, lr_decay=0.1, initial_accumulator_value=0.2, weight_decay=0.1),
    optim.RMSprop(lr=0.01),
    optim.RMSprop(lr=0.01, centered=True, momentum=0.9, weight_decay=0.1, maximize=True),
    optim.Adam(lr=0.01),
    optim.Adam(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True),
    optim.AdamW(lr=0.01),
    optim.AdamW(lr=0.01, amsgrad=True),
    optim.Adamax(lr=0.01),
    optim.Adamax(lr=0.01, weight_decay=0.1, maximize=True),
    optim.Adadelta(),
    optim.Adadelta(lr=0.5, rho=0.5, weight_decay=0.1, maximize=True),
    optim.NAdam(lr=0.01),
    optim.NAdam(lr=0.01, weight_decay=0.1, momentum_decay=0.1, maximize=True),
    optim.NAdam(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    optim.chain(optim.clip_by_global_norm(1.0), optim.Adam(lr=0.01)),
    optim.chain(optim.clip_by_value(0.5), optim.SGD(lr=0.1, momentum=0.9)),
]
IDS = [repr(opt) for opt in ALL_OPTIMIZERS]

FLOATS = st.floats(-10, 10, width=32)


@st.composite
def params_and_grads(draw):
    """A float32 or float64 array (0-d allowed) or a dict of two arrays, and matching grads."""
    dtype = draw(st.sampled_from([np.float32, np.float64]))

    def pair(shape):
        return (
            draw(hnp.arrays(dtype, shape, elements=FLOATS)),
            draw(hnp.arrays(dtype, shape, elements=FLOATS)),
        )

    shapes = hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)
    if draw(st.booleans()):
        return pair(draw(shapes))
    (w, gw), (b, gb) = pair(draw(shapes)), pair(draw(shapes))
    return {"w": w, "b": b}, {"w": gw, "b": gb}


def snapshot(tree):
    return copy.deepcopy(tree)


def assert_trees_equal(a, b):
    assert type(a) is type(b)
    for x, y in zip(tree_leaves(a), tree_leaves(b), strict=True):
        if x is None:
            assert y is None
        else:
            np.testing.assert_array_equal(x, y)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(opt=st.sampled_from(ALL_OPTIMIZERS), data=params_and_grads())
def test_step_never_mutates_its_inputs_and_keeps_dtype(opt, data):
    params, grads = data
    dtype = tree_leaves(params)[0].dtype
    state0 = opt.init(params)
    before = snapshot((params, grads, state0))
    params1, state1 = opt.step(params, grads, state0)
    assert_trees_equal((params, grads, state0), before)
    kept = snapshot((params1, state1))
    params2, state2 = opt.step(params1, grads, state1)
    assert_trees_equal((params1, state1), kept)
    assert state2.step == 2
    for leaf in tree_leaves((params2, state2)):
        if isinstance(leaf, np.ndarray):
            assert leaf.dtype == dtype
    for new, old in zip(tree_leaves(params2), tree_leaves(params), strict=True):
        assert isinstance(new, np.ndarray) and new.shape == old.shape
        assert not np.shares_memory(new, old)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=params_and_grads(), momentum=st.sampled_from([0.0, 0.5, 0.9]))
def test_sgd_with_zero_gradient_leaves_params_unchanged(data, momentum):
    params, _ = data
    opt = optim.SGD(lr=0.3, momentum=momentum)
    zeros = tree_map(np.zeros_like, params)
    state = opt.init(params)
    new = params
    for _ in range(3):
        new, state = opt.step(new, zeros, state)
    assert_trees_equal(new, params)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    g=hnp.arrays(
        np.float64, st.integers(1, 20), elements=st.floats(1e-3, 1e3) | st.floats(-1e3, -1e-3)
    ),
    lr=st.floats(1e-4, 1.0),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_first_adam_step_moves_every_coordinate_by_about_lr(g, lr, dtype):
    g = g.astype(dtype)
    opt = optim.Adam(lr=lr)
    params = np.zeros_like(g)
    new, _ = opt.step(params, g, opt.init(params))
    np.testing.assert_allclose(np.abs(new), lr, rtol=1e-4)
    np.testing.assert_array_equal(np.sign(new), -np.sign(g))


# --------------------------------------------------------------------------------------
# State, schedules, trees, NaN
# --------------------------------------------------------------------------------------


def test_state_is_inspectable():
    params = {"W": np.ones((2, 3)), "b": np.zeros(3)}
    state = optim.Adam().init(params)
    assert state.step == 0 and state._fields == ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    assert state.exp_avg["W"].shape == (2, 3) and state.max_exp_avg_sq is None
    assert optim.SGD().init(params).momentum_buffer is None
    assert optim.SGD(momentum=0.9).init(params).momentum_buffer["b"].shape == (3,)
    rms = optim.RMSprop(centered=True).init(params)
    assert rms.grad_avg["W"].shape == (2, 3) and rms.momentum_buffer is None
    assert optim.Adagrad(initial_accumulator_value=0.1).init(params).sum["b"][0] == 0.1


def test_effective_lr_per_coordinate():
    g = np.array([1.0, 0.01])
    for opt in [
        optim.Adam(lr=0.1),
        optim.RMSprop(lr=0.1),
        optim.Adagrad(lr=0.1),
        optim.Adamax(),
        optim.NAdam(),
    ]:
        params, state = opt.step(np.zeros(2), g, opt.init(np.zeros(2)))
        scale = opt.effective_lr(state)
        assert scale.shape == (2,) and scale[1] > scale[0]
    opt = optim.RMSprop(lr=0.1, alpha=0.5, centered=True)
    params, state = opt.step(np.zeros(2), g, opt.init(np.zeros(2)))
    np.testing.assert_allclose(params, -opt.effective_lr(state) * g)
    opt = optim.Adamax(lr=0.1, betas=(0.5, 0.9))
    params, state = opt.step(np.zeros(2), g, opt.init(np.zeros(2)))
    np.testing.assert_allclose(params, -opt.effective_lr(state) * state.exp_avg)
    with pytest.raises(NotImplementedError, match="Adadelta"):
        optim.Adadelta().effective_lr(opt.step(np.zeros(2), g, opt.init(np.zeros(2)))[1])
    sgd = optim.SGD(lr=lambda t: 0.5 / (t + 1))
    state = sgd.init(np.zeros(2))
    with pytest.raises(ValueError, match="at least one update"):
        sgd.effective_lr(state)
    with pytest.raises(ValueError, match="at least one update"):
        optim.Adam().effective_lr(optim.Adam().init(np.zeros(2)))
    _, state = sgd.step(np.zeros(2), g, state)
    _, state = sgd.step(np.zeros(2), g, state)
    assert sgd.effective_lr(state) == 0.25


def test_schedule_sees_the_zero_based_update_count():
    seen = []

    def schedule(t):
        seen.append(t)
        return 0.1

    opt = optim.SGD(lr=schedule, momentum=0.9)
    params, state = np.ones(2), opt.init(np.ones(2))
    for _ in range(3):
        params, state = opt.step(params, np.ones(2), state)
    assert seen == [0, 1, 2]


def test_scalar_parameters_work_and_stay_arrays():
    params = {"w": np.array(0.5), "b": np.array(-1.0)}
    opt = optim.Adam(lr=0.1)
    state = opt.init(params)
    for _ in range(3):
        params, state = opt.step(params, {"w": np.array(1.0), "b": np.array(-2.0)}, state)
    assert isinstance(params["w"], np.ndarray) and params["w"].shape == ()
    single, s = optim.SGD(lr=0.1).step(
        np.array(1.0), np.array(2.0), optim.SGD().init(np.array(1.0))
    )
    assert isinstance(single, np.ndarray) and single == pytest.approx(0.8)


def test_lists_and_tuples_of_arrays_are_trees():
    params = [np.ones(2), (np.zeros((2, 2)), np.ones(1))]
    grads = [np.ones(2), (np.ones((2, 2)), np.ones(1))]
    opt = optim.SGD(lr=0.5)
    new, _ = opt.step(params, grads, opt.init(params))
    assert isinstance(new, list) and isinstance(new[1], tuple)
    np.testing.assert_array_equal(new[1][0], -0.5 * np.ones((2, 2)))


def test_nan_and_inf_gradients_propagate():
    with np.errstate(all="ignore"):
        for opt in ALL_OPTIMIZERS:
            params, state = opt.step(np.ones(2), np.array([np.nan, 1.0]), opt.init(np.ones(2)))
            assert np.isnan(params[0]) and np.isfinite(params[1]), opt
            params, _ = opt.step(np.ones(2), np.array([np.inf, 1.0]), opt.init(np.ones(2)))
            clips_values = isinstance(opt, optim.Chain) and isinstance(
                opt.transforms[0], optim.ClipByValue
            )
            assert np.isfinite(params[0]) == clips_values, opt  # clipping maps inf to 0.5


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------

INVALID = [
    (optim.SGD, {"lr": -0.1}, r"Invalid learning rate: -0\.1 \(must be >= 0\)"),
    (optim.SGD, {"lr": float("nan")}, "learning rate"),
    (optim.SGD, {"momentum": -0.5}, "momentum"),
    (optim.SGD, {"weight_decay": -1e-4}, "weight_decay"),
    (optim.SGD, {"nesterov": True}, "nesterov"),
    (optim.SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "nesterov.*dampening"),
    (optim.Adagrad, {"lr": -1.0}, "learning rate"),
    (optim.Adagrad, {"lr_decay": -0.1}, "lr_decay"),
    (optim.Adagrad, {"weight_decay": -0.1}, "weight_decay"),
    (optim.Adagrad, {"initial_accumulator_value": -0.1}, "initial_accumulator_value"),
    (optim.Adagrad, {"eps": -1e-10}, "eps"),
    (optim.RMSprop, {"lr": -1.0}, "learning rate"),
    (optim.RMSprop, {"alpha": -0.1}, r"alpha.*\[0, 1\)"),
    (optim.RMSprop, {"alpha": 1.0}, "alpha"),
    (optim.RMSprop, {"eps": -1.0}, "eps"),
    (optim.RMSprop, {"momentum": -0.9}, "momentum"),
    (optim.RMSprop, {"weight_decay": -0.1}, "weight_decay"),
    (optim.Adam, {"lr": -1e-3}, "learning rate"),
    (optim.Adam, {"betas": (1.0, 0.999)}, r"beta parameter at index 0: 1\.0.*\[0, 1\)"),
    (optim.Adam, {"betas": (0.9, -0.1)}, "beta parameter at index 1"),
    (optim.Adam, {"betas": (0.9,)}, "betas"),
    (optim.Adam, {"eps": -1e-8}, "eps"),
    (optim.Adam, {"weight_decay": -0.1}, "weight_decay"),
    (optim.AdamW, {"weight_decay": -0.1}, "weight_decay"),
    (optim.AdamW, {"betas": (0.9, 1.5)}, "beta parameter at index 1"),
    (optim.Adamax, {"lr": -1.0}, "learning rate"),
    (optim.Adamax, {"betas": (-0.1, 0.9)}, "beta parameter at index 0"),
    (optim.Adamax, {"eps": -1.0}, "eps"),
    (optim.Adamax, {"weight_decay": -1.0}, "weight_decay"),
    (optim.Adadelta, {"lr": -1.0}, "learning rate"),
    (optim.Adadelta, {"rho": 1.5}, r"rho.*\[0, 1\]"),
    (optim.Adadelta, {"eps": -1.0}, "eps"),
    (optim.Adadelta, {"weight_decay": -1.0}, "weight_decay"),
    (optim.NAdam, {"lr": -1.0}, "learning rate"),
    (optim.NAdam, {"betas": (0.9, 1.0)}, "beta parameter at index 1"),
    (optim.NAdam, {"eps": -1.0}, "eps"),
    (optim.NAdam, {"weight_decay": -1.0}, "weight_decay"),
    (optim.NAdam, {"momentum_decay": -1e-3}, r"momentum_decay value: -0\.001 \(must be >= 0\)"),
]


@pytest.mark.parametrize("cls,kwargs,match", INVALID)
def test_invalid_hyperparameters_raise_value_error(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


def test_valid_edge_values_are_accepted():
    optim.SGD(lr=0.0, momentum=0.0, nesterov=False)
    optim.Adam(betas=(0.0, 0.0), eps=0.0)
    optim.RMSprop(alpha=0.0)
    optim.SGD(lr=lambda t: 0.1)  # a schedule is not called at construction


def test_mismatched_grads_raise_clear_errors():
    opt = optim.SGD(lr=0.1, momentum=0.9)
    params = {"W": np.ones((3, 2)), "b": np.zeros(2)}
    state = opt.init(params)
    with pytest.raises(ValueError, match=r"grads.*\['W'\].*\(3, 2\) vs \(2, 3\)"):
        opt.step(params, {"W": np.ones((2, 3)), "b": np.zeros(2)}, state)
    with pytest.raises(ValueError, match=r"grads.*keys"):
        opt.step(params, {"W": np.ones((3, 2))}, state)
    with pytest.raises(TypeError, match="grads.*expected a dict"):
        opt.step(params, [np.ones((3, 2)), np.zeros(2)], state)
    with pytest.raises(ValueError, match=r"\(3,\) vs \(1,\)"):
        opt.step(np.ones(3), np.ones(1), opt.init(np.ones(3)))
    with pytest.raises(ValueError, match=r"state.momentum_buffer"):
        opt.step(params, params, opt.init({"W": np.ones((3, 2)), "b": np.zeros(3)}))


def test_non_float_params_are_rejected_at_init():
    with pytest.raises(TypeError, match=r"params\['b'\].*int64"):
        optim.Adam().init({"W": np.ones(2), "b": np.arange(2)})
    with pytest.raises(TypeError, match="floating-point"):
        optim.Adam().init([1.0, 2.0])
    with pytest.raises(ValueError, match="no arrays"):
        optim.SGD().init({})


# --- large arrays: updated in pieces on several threads -------------------------------------

PIECEWISE_CASES = [
    optim.Adam(lr=1e-3),
    optim.Adam(lr=0.1, betas=(0.5, 0.9), amsgrad=True, weight_decay=0.1, maximize=True),
    optim.AdamW(lr=0.01, weight_decay=0.5),
]


@pytest.fixture
def pieces(monkeypatch):
    """Small arrays take the threaded path (3 pieces, whatever the cores); counts its uses."""
    from descentlab.optim import base

    calls = []
    original = base._update_in_pieces

    def counting(*args, **kwargs):
        calls.append(args[3].shape)
        return original(*args, **kwargs)

    monkeypatch.setattr(base, "PARALLEL_MIN_SIZE", 50)
    monkeypatch.setattr(base, "_workers", lambda: 3)
    monkeypatch.setattr(base, "_update_in_pieces", counting)
    return calls


def _three_steps(opt, params, grads):
    state = opt.init(params)
    for k in range(3):
        params, state = opt.step(params, tree_map(lambda g, k=k: g * (k + 1), grads), state)
    return params, state


@pytest.mark.parametrize("opt", PIECEWISE_CASES, ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_arrays_updated_in_pieces_give_the_same_numbers(opt, dtype, pieces, monkeypatch):
    from descentlab.optim import base

    rng = np.random.default_rng(7)
    params = {"w": rng.standard_normal((7, 29)).astype(dtype), "b": rng.standard_normal(3)}
    params["b"] = params["b"].astype(dtype)  # 3 entries: below the threshold, one piece
    grads = tree_map(lambda p: rng.standard_normal(p.shape).astype(dtype), params)
    before = snapshot((params, grads))
    threaded = _three_steps(opt, params, grads)
    single = _three_steps(opt, params["w"], grads["w"])  # the one-array fast path
    assert pieces == [(7, 29)] * 6  # only the large leaf, in both runs, every step
    assert_trees_equal((params, grads), before)  # inputs untouched
    monkeypatch.setattr(base, "PARALLEL_MIN_SIZE", 10**9)
    serial = _three_steps(opt, params, grads)
    assert_trees_equal(threaded, serial)  # bit for bit
    np.testing.assert_array_equal(single[0], serial[0]["w"])
    for buffer, buffers in zip(single[1][1:], serial[1][1:], strict=True):
        assert (buffer is None) == (buffers is None)
        if buffer is not None:
            np.testing.assert_array_equal(buffer, buffers["w"])
    assert threaded[0]["w"].dtype == dtype


def test_arrays_that_cannot_be_split_take_the_serial_path(pieces):
    rng = np.random.default_rng(8)
    opt = optim.Adam(lr=0.1)
    wide = rng.standard_normal((10, 40))
    strided, grads = wide[:, ::2], rng.standard_normal((10, 20))
    new, _ = opt.step(strided, grads, opt.init(strided))  # not contiguous
    mixed, _ = opt.step(wide.astype(np.float32), wide, opt.init(wide.astype(np.float32)))
    assert pieces == []
    expected, _ = opt.step(strided.copy(), grads, opt.init(strided.copy()))
    np.testing.assert_array_equal(new, expected)
    assert mixed.dtype == np.float64  # NumPy's promotion, as on the serial path


def test_pieces_work_in_a_forked_child(pieces):
    import multiprocessing

    opt = optim.Adam(lr=0.1)
    params = np.linspace(-1.0, 1.0, 200)
    opt.step(params, params, opt.init(params))  # the parent's pool exists now
    assert pieces
    child = multiprocessing.get_context("fork").Process(
        target=opt.step, args=(params, params, opt.init(params))
    )
    child.start()
    child.join(timeout=60)
    if child.exitcode is None:
        child.kill()
    assert child.exitcode == 0  # did not wait forever on the parent's (absent) threads


def test_nadam_momentum_schedule_and_first_step():
    """mu_t rises from beta1 (1 - 0.96^psi / 2) towards beta1; the first step (from
    m_0 = v_0 = 0, so m_1 = (1 - beta1) g and v_1 / (1 - beta2) = g^2) is the sum of the
    docstring's two terms, written out by hand."""
    from descentlab.optim.nadam import momentum_coefficient

    mus = [momentum_coefficient(0.9, t, 4e-3) for t in (1, 10, 1000, 10**6)]
    assert mus == sorted(mus) and mus[0] == pytest.approx(0.9 * (1 - 0.5 * 0.96**0.004))
    assert mus[-1] == pytest.approx(0.9, rel=1e-12)
    opt = optim.NAdam(lr=0.1)
    g = np.array([2.0, -0.5])
    params, state = opt.step(np.zeros(2), g, opt.init(np.zeros(2)))
    mu1, mu2 = (momentum_coefficient(0.9, t, 4e-3) for t in (1, 2))
    m1, direction = 0.1 * g, g / (np.abs(g) + 1e-8)  # v_1 / (1 - beta2) = g^2
    expected = -0.1 * (1 - mu1) / (1 - mu1) * direction - 0.1 * mu2 / (1 - mu1 * mu2) * (
        m1 / (np.abs(g) + 1e-8)
    )
    np.testing.assert_allclose(params, expected, rtol=1e-12)
    np.testing.assert_array_equal(state.mu_product, [mu1, mu1])
