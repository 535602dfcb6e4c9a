"""Tests for descentlab.run: recording, stopping rules, divergence without warnings, races."""

from __future__ import annotations

import math
import warnings
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import torch_reference
from descentlab import optim, surfaces
from descentlab import run as run_module
from descentlab.optim.lbfgs import LBFGS
from descentlab.optim.newton import Newton
from descentlab.run import Trajectory, run, run_many
from descentlab.surfaces import SURFACES, IllConditionedQuadratic, Parabola, Rosenbrock
from standin_gd import GD
from torch_reference import make_optimizer

CASES = torch_reference.manifest()["cases"]

# --- stand-in optimizers with the descentlab.optim interface ------------------------------


class LazyState(NamedTuple):
    step: int
    velocity: Any  # None until the first step
    label: str  # not numeric: never recorded


class LazyMomentum:
    """Heavy ball whose buffer starts as None, to test how missing state values are recorded."""

    def __init__(self, lr, momentum=0.5):
        self.lr, self.momentum = lr, momentum

    def init(self, params):
        return LazyState(0, None, "lazy")

    def step(self, params, grads, state):
        velocity = grads if state.velocity is None else self.momentum * state.velocity + grads
        return params - self.lr * velocity, LazyState(state.step + 1, velocity, "lazy")


def gradient_descent(lr):
    """Both the stand-in and the package's SGD, to run the same checks on each."""
    return [GD(lr), optim.SGD(lr=lr)]


STATUSES = {"converged", "max_steps", "diverged"}


# --- recording ----------------------------------------------------------------------------


@pytest.mark.parametrize("opt", gradient_descent(20 / 11), ids=["stand-in GD", "optim.SGD"])
def test_gradient_descent_converges_on_a_quadratic_and_records_every_step(opt):
    q = IllConditionedQuadratic(condition_number=10.0, angle=0.4)  # L = 1, mu = 0.1
    # so the learning rate 20/11 of the parametrization is the best one, 2 / (L + mu)
    traj = run(opt, q, steps=1000, tol=1e-8)
    assert traj.status == "converged" and traj.converged and not traj.diverged
    assert traj.diverged_at is None
    assert traj.message.startswith(f"converged at step {traj.n_steps}:")
    rows = traj.n_steps + 1
    assert traj.params.shape == (rows, 2)
    assert traj.loss.shape == traj.grad_norm.shape == (rows,)
    np.testing.assert_array_equal(traj.params[0], q.start)
    np.testing.assert_allclose(traj.loss, q.value(traj.params), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(traj.grad_norm, np.linalg.norm(q.grad(traj.params), axis=-1))
    assert traj.grad_norm[-1] < 1e-8 <= traj.grad_norm[:-1].min()
    # With lr = 2/(L + mu) every step shrinks the distance by (k - 1)/(k + 1) exactly.
    distances = np.linalg.norm(traj.params, axis=-1)
    np.testing.assert_allclose(distances[1:] / distances[:-1], 9 / 11, rtol=1e-9)


def test_trajectory_equals_a_hand_written_loop():
    surface, opt = Rosenbrock(), optim.Adam(lr=0.05)
    traj = run(opt, surface, steps=50, tol=0)
    x, state = surface.start.copy(), opt.init(surface.start)
    for k in range(51):
        np.testing.assert_array_equal(traj.params[k], x)
        assert traj.loss[k] == surface.value(x)
        np.testing.assert_array_equal(traj.state["exp_avg"][k], state.exp_avg)
        np.testing.assert_array_equal(traj.state["exp_avg_sq"][k], state.exp_avg_sq)
        x, state = opt.step(x, surface.grad(x), state)


def test_adam_state_is_recorded_as_stacked_arrays():
    traj = run(optim.Adam(lr=0.01), Rosenbrock(), steps=20, tol=0)
    assert set(traj.state) == {"step", "exp_avg", "exp_avg_sq"}  # AMSGrad buffer is None
    np.testing.assert_array_equal(traj.state["step"], np.arange(21))
    assert traj.state["exp_avg"].shape == traj.state["exp_avg_sq"].shape == (21, 2)
    np.testing.assert_array_equal(traj.state["exp_avg"][0], 0.0)
    assert np.all(traj.state["exp_avg_sq"][1:] > 0)


def test_state_values_missing_at_some_steps_are_nan_and_non_numeric_fields_are_skipped():
    traj = run(LazyMomentum(lr=1e-4), Rosenbrock(), steps=5, tol=0)
    assert set(traj.state) == {"step", "velocity"}
    assert traj.state["velocity"].shape == (6, 2)
    assert np.all(np.isnan(traj.state["velocity"][0]))
    assert np.all(np.isfinite(traj.state["velocity"][1:]))


def test_record_state_false_records_no_state():
    traj = run(optim.Adam(lr=0.01), Rosenbrock(), steps=10, record_state=False)
    assert traj.state is None
    assert traj.params.shape == (11, 2)


def test_start_point_is_not_modified():
    x0 = np.array([-1.0, 2.0])
    run(optim.SGD(lr=1e-3), Rosenbrock(), x0, steps=10)
    np.testing.assert_array_equal(x0, [-1.0, 2.0])


# --- stopping rules -----------------------------------------------------------------------


@pytest.mark.parametrize("factor", [0.5, 0.99, 1.01, 1.5])
@pytest.mark.parametrize("L", [0.5, 4.0])
def test_parabola_converges_exactly_below_two_over_l(factor, L):
    """On (L/2) x², gradient descent converges iff lr < 2/L (chapter 4's threshold)."""
    traj = run(optim.SGD(lr=factor * 2 / L), Parabola(L), steps=5000, tol=1e-8)
    assert traj.status == ("converged" if factor < 1 else "diverged")
    assert traj.params.shape == (traj.n_steps + 1, 1)


def test_starting_at_the_minimum_converges_at_step_zero():
    traj = run(optim.Adam(), Rosenbrock(), x0=[1.0, 1.0])
    assert traj.status == "converged" and traj.n_steps == 0
    assert traj.params.shape == (1, 2)


def test_budget_runs_out_with_max_steps():
    traj = run(optim.SGD(lr=1e-4), Rosenbrock(), steps=30)
    assert traj.status == "max_steps" and traj.n_steps == 30
    assert traj.params.shape == (31, 2)
    assert traj.message.startswith("stopped after 30 steps (max_steps)")
    assert traj.final_loss == traj.loss[-1]
    np.testing.assert_array_equal(traj.final_params, traj.params[-1])


def test_zero_tolerance_never_stops_early_and_zero_steps_only_evaluates():
    traj = run(optim.SGD(lr=0.5), Parabola(1.0), steps=200, tol=0)
    assert traj.status == "max_steps" and traj.n_steps == 200
    traj = run(optim.SGD(lr=0.5), Parabola(1.0), steps=0)
    assert traj.status == "max_steps" and traj.params.shape == (1, 1)


def test_leaving_the_bound_is_divergence():
    traj = run(optim.SGD(lr=0.1), Rosenbrock(), steps=100)
    assert traj.status == "diverged" and traj.diverged
    assert traj.diverged_at == traj.n_steps == len(traj.loss) - 1
    assert np.linalg.norm(traj.params[-1]) > 1e6
    assert np.all(np.linalg.norm(traj.params[:-1], axis=-1) <= 1e6)
    assert traj.message.startswith(f"diverged at step {traj.diverged_at}: parameters left")


@pytest.mark.parametrize("name", SURFACES)
def test_overflow_ends_the_run_without_numpy_warnings(name):
    surface = SURFACES[name]()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(optim.SGD(lr=50.0), surface, steps=10_000, bound=None)
    assert traj.status == "diverged"
    assert "non-finite" in traj.message
    last = (traj.loss[-1], traj.grad_norm[-1], *traj.params[-1])
    assert not all(math.isfinite(v) for v in last)
    assert np.all(np.isfinite(traj.loss[:-1]))


def test_plain_callable_and_list_start():
    def bowl(x):
        return float(x @ x), 2 * x

    traj = run(GD(lr=0.25), bowl, [3.0, -4.0], steps=100)
    assert traj.converged
    np.testing.assert_allclose(traj.params[1], [1.5, -2.0])


def test_start_is_required_without_a_default():
    with pytest.raises(ValueError, match="x0 is required"):
        run(GD(lr=0.1), lambda x: (0.0, x))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": -1}, "Invalid steps"),
        ({"steps": 2.5}, "Invalid steps"),
        ({"steps": True}, "Invalid steps"),
        ({"tol": -1.0}, "Invalid tol"),
        ({"tol": float("nan")}, "Invalid tol"),
        ({"bound": 0.0}, "Invalid bound"),
    ],
)
def test_invalid_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run(GD(lr=0.1), Rosenbrock(), **kwargs)


# --- trees and second-order methods -------------------------------------------------------


@pytest.mark.parametrize("opt", gradient_descent(0.2), ids=["stand-in GD", "optim.SGD"])
def test_dict_parameters(opt):
    target = {"w": np.array([1.0, -2.0]), "b": np.array(0.5)}

    def loss(params):
        diffs = {key: params[key] - target[key] for key in params}
        return 0.5 * sum(float(np.sum(d * d)) for d in diffs.values()), diffs

    x0 = {"w": np.zeros(2), "b": np.array(0.0)}
    traj = run(opt, loss, x0, steps=500, tol=1e-10)
    assert traj.converged
    assert isinstance(traj.params, list) and len(traj.params) == traj.n_steps + 1
    assert traj.params[0] is x0
    assert traj.grad_norm[0] == pytest.approx(math.sqrt(1 + 4 + 0.25))
    np.testing.assert_allclose(traj.final_params["w"], target["w"], atol=1e-9)


def test_closure_optimizers_get_the_function():
    lbfgs = run(LBFGS(line_search_fn="strong_wolfe"), Rosenbrock(), steps=20, tol=1e-3)
    assert lbfgs.converged and lbfgs.n_steps < 5  # each L-BFGS step runs up to 20 iterations
    assert lbfgs.final_loss < 1e-8
    newton = run(Newton(), IllConditionedQuadratic(1000.0, angle=0.3), steps=5, tol=1e-10)
    assert newton.converged and newton.n_steps == 1


# --- races --------------------------------------------------------------------------------


def test_run_many_races_every_optimizer_from_the_same_start():
    racers = {"SGD": optim.SGD(lr=1e-3), "momentum": optim.SGD(lr=1e-3, momentum=0.9)}
    racers["Adam"] = optim.Adam(lr=0.02)
    races = run_many(racers, Rosenbrock(), steps=300)
    assert list(races) == ["SGD", "momentum", "Adam"]
    for name, traj in races.items():
        assert isinstance(traj, Trajectory) and traj.name == name
        np.testing.assert_array_equal(traj.params[0], Rosenbrock().start)
        assert traj.n_steps == 300
    assert races["momentum"].final_loss < races["SGD"].final_loss


def test_run_many_accepts_pairs_and_a_start():
    races = run_many([("a", GD(0.1)), ("b", GD(0.2))], Parabola(1.0), x0=[2.0], steps=3, tol=0)
    np.testing.assert_allclose(races["a"].params[:, 0], [2.0, 1.8, 1.62, 1.458])
    np.testing.assert_allclose(races["b"].params[:, 0], [2.0, 1.6, 1.28, 1.024])


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(sorted(SURFACES)),
    log_lr=st.floats(-4.0, 1.5),
    fraction=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    adam=st.booleans(),
)
def test_every_trajectory_is_consistent_and_warning_free(name, log_lr, fraction, adam):
    surface = SURFACES[name]()
    low, high = np.array(surface.bounds).T
    x0 = low + np.array(fraction) * (high - low)
    opt = optim.Adam(lr=10**log_lr) if adam else optim.SGD(lr=10**log_lr)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(opt, surface, x0, steps=200, bound=1e4)
    assert traj.status in STATUSES
    rows = traj.n_steps + 1
    assert traj.params.shape == (rows, 2) and traj.loss.shape == traj.grad_norm.shape == (rows,)
    assert traj.state["exp_avg" if adam else "step"].shape[0] == rows
    norms = np.linalg.norm(traj.params, axis=-1)
    healthy = np.isfinite(traj.loss) & np.isfinite(traj.grad_norm) & (norms <= 1e4)
    assert np.all(healthy[:-1])
    assert healthy[-1] == (traj.status != "diverged")
    assert (traj.diverged_at == traj.n_steps) if traj.diverged else traj.diverged_at is None
    if traj.status == "converged":
        assert traj.grad_norm[-1] < 1e-8
    if traj.status == "max_steps":
        assert traj.n_steps == 200


# -- the Python-float path for small problems gives the same numbers as the array path -------
def _both_paths(monkeypatch, *args, **kwargs):
    fast = run(*args, **kwargs)
    with monkeypatch.context() as patch:
        patch.setattr(run_module, "SCALAR_MAX_SIZE", 0)
        slow = run(*args, **kwargs)
    return fast, slow


def _assert_identical(fast, slow):
    assert (fast.status, fast.n_steps, fast.diverged_at) == (
        slow.status,
        slow.n_steps,
        slow.diverged_at,
    )
    assert np.array_equal(fast.params, slow.params, equal_nan=True)
    assert np.array_equal(fast.loss, slow.loss, equal_nan=True)
    assert np.array_equal(fast.grad_norm, slow.grad_norm, equal_nan=True)
    assert fast.state.keys() == slow.state.keys()
    for field in slow.state:
        assert fast.state[field].dtype == slow.state[field].dtype, field
        assert np.array_equal(fast.state[field], slow.state[field], equal_nan=True), field


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_scalar_path_matches_the_array_path_bit_for_bit(case, monkeypatch):
    """Every recorded torch configuration (every option, schedules), 100 steps, 2-D."""
    opt = make_optimizer(case)
    fn = torch_reference.rosenbrock
    if case["negate"]:
        fn = lambda x: tuple(-v for v in torch_reference.rosenbrock(x))  # noqa: E731
    fast, slow = _both_paths(monkeypatch, opt, fn, torch_reference.start("rosenbrock"), steps=100)
    _assert_identical(fast, slow)


@pytest.mark.parametrize(
    "opt",
    [optim.SGD(lr=0.5), optim.Adam(lr=1e7), optim.RMSprop(lr=1e7, centered=True, momentum=0.9)],
    ids=["SGD", "Adam", "RMSprop"],
)
def test_scalar_path_reports_divergence_like_the_array_path(opt, monkeypatch):
    fast, slow = _both_paths(monkeypatch, opt, surfaces.Rosenbrock(), steps=300)
    assert slow.diverged
    _assert_identical(fast, slow)


def test_scalar_path_rejects_a_gradient_of_the_wrong_shape():
    with pytest.raises(ValueError, match="grads does not match params"):
        run(optim.Adam(), lambda x: (0.0, np.ones(3)), np.zeros(2), steps=3)


@pytest.mark.parametrize("surface_name", sorted(SURFACES))
def test_scalar_path_on_every_surface_matches_the_array_path(surface_name, monkeypatch):
    """Surfaces with float formulas (``value_and_grad_coords``) and the rest alike."""
    surface = SURFACES[surface_name]()
    for opt in (optim.Adam(lr=0.05, amsgrad=True), optim.SGD(lr=1e-3, momentum=0.9)):
        fast, slow = _both_paths(monkeypatch, opt, surface, steps=200)
        _assert_identical(fast, slow)


CHAINS = {
    "clip norm + Adam": optim.chain(optim.clip_by_global_norm(1.0), optim.Adam(lr=0.05)),
    "clip value + clip norm + SGD momentum": optim.chain(
        optim.clip_by_value(0.5), optim.clip_by_global_norm(2.0), optim.SGD(lr=0.01, momentum=0.9)
    ),
    "clip inf-norm + RMSprop": optim.chain(
        optim.clip_by_global_norm(0.3, norm_type=math.inf), optim.RMSprop(lr=0.01)
    ),
    "clip 3-norm + Adagrad": optim.chain(
        optim.clip_by_global_norm(0.3, norm_type=3.0), optim.Adagrad(lr=0.1)
    ),
}


@pytest.mark.parametrize("name", sorted(CHAINS))
def test_scalar_path_of_chains_matches_the_array_path(name, monkeypatch):
    for surface in (Rosenbrock(), SURFACES["himmelblau"]()):
        fast, slow = _both_paths(monkeypatch, CHAINS[name], surface, steps=300)
        _assert_identical(fast, slow)


def test_a_chain_records_the_optimizer_state_and_the_clipped_norm():
    traj = run(CHAINS["clip norm + Adam"], Rosenbrock(), steps=20)
    assert list(traj.state) == ["step", "exp_avg", "exp_avg_sq", "norm"]
    assert traj.state["exp_avg"].shape == (21, 2)
    assert np.isnan(traj.state["norm"][0])  # no gradient seen yet
    # the norm recorded with step k is the norm of the gradient at step k - 1, before clipping
    np.testing.assert_allclose(traj.state["norm"][1:], traj.grad_norm[:-1], rtol=1e-12)
