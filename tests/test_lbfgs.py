"""Tests for descentlab.optim.lbfgs, including reference runs of torch.optim.LBFGS.

The fixtures in tests/fixtures/torch_lbfgs/ were recorded once by
scripts/record_torch_lbfgs.py (torch is not needed to run these tests). Each holds every
point at which torch evaluated the closure, and the state after every ``step`` call.
"""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from descentlab.gradcheck import ravel
from descentlab.optim.lbfgs import LBFGS, two_loop_direction

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "torch_lbfgs"

_spec = importlib.util.spec_from_file_location(
    "record_torch_lbfgs", ROOT / "scripts" / "record_torch_lbfgs.py"
)
recorder = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(recorder)
rosenbrock = recorder.rosenbrock

# A trajectory that amplifies rounding differences (1e-16 at the 7th evaluation, growing
# about tenfold every few iterations): torch and NumPy round a few operations differently.
LOOSER = {"rosenbrock_strong_wolfe_history3": 1e-7}


def _replay(record):
    """Run our LBFGS on a recorded case; return (evaluated points, states after each step)."""
    f = recorder.PROBLEMS[record["problem"]]
    x0 = record["x0"]
    params = {k: np.array(v) for k, v in x0.items()} if isinstance(x0, dict) else np.array(x0)
    points = []

    def closure(p):
        points.append(ravel(p)[0])
        return f(p)

    opt = LBFGS(**record["options"])
    state = opt.init(params)
    after = []
    for _ in record["steps"]:
        params, state = opt.step(params, closure, state)
        after.append((ravel(params)[0], state, len(points)))
    return np.array(points), after


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("*.json")))
def test_matches_torch_reference(name):
    record = json.loads((FIXTURES / f"{name}.json").read_text())
    tol = LOOSER.get(name, 1e-10)
    points, after = _replay(record)
    expected = np.array(record["evaluations"])
    assert points.shape == expected.shape  # same number of closure calls
    np.testing.assert_allclose(points, expected, rtol=0, atol=tol)
    for (params, state, n_points), ref in zip(after, record["steps"], strict=True):
        np.testing.assert_allclose(params, ref["params"], rtol=0, atol=tol)
        assert state.loss == pytest.approx(ref["loss"], rel=max(1e-9, 100 * tol), abs=1e-12)
        assert (state.func_evals, state.n_iter, n_points) == (
            ref["func_evals"],
            ref["n_iter"],
            ref["evaluations_so_far"],
        )


def test_fixed_step_cases_are_covered():
    fixed = [
        p.stem
        for p in FIXTURES.glob("*.json")
        if json.loads(p.read_text())["options"].get("line_search_fn") is None
    ]
    assert len(fixed) >= 3 and not set(fixed) & set(LOOSER)


def test_rosenbrock_strong_wolfe_converges_fast():
    opt = LBFGS(line_search_fn="strong_wolfe", max_iter=100, tolerance_change=1e-12)
    x, state = np.array([-1.2, 1.0]), opt.init(np.zeros(2))
    evals = 0
    while evals < 100:
        x, state = opt.step(x, rosenbrock, state)
        evals = state.func_evals
        if np.max(np.abs(x - 1.0)) < 1e-6:
            break
    assert np.max(np.abs(x - 1.0)) < 1e-6
    assert state.func_evals < 100


def test_default_tolerance_stops_short_of_1e6():
    # documented behavior: g.d > -1e-9 triggers near the minimum at an error ~4e-5
    opt = LBFGS(line_search_fn="strong_wolfe")
    x, state = np.array([-1.2, 1.0]), opt.init(np.zeros(2))
    for _ in range(5):
        x, state = opt.step(x, rosenbrock, state)
    assert state.status == "small_directional_derivative"
    assert 1e-6 < np.max(np.abs(x - 1.0)) < 1e-3


def test_two_loop_recursion_equals_explicit_bfgs_matrix():
    rng = np.random.default_rng(0)
    n, m = 5, 3
    M = rng.standard_normal((n, n))
    A = M @ M.T + np.eye(n)
    steps = [rng.standard_normal(n) for _ in range(m)]
    dirs = [A @ s for s in steps]  # y = A s for a quadratic: curvature holds
    ro = [1.0 / (y @ s) for y, s in zip(dirs, steps, strict=True)]
    gamma = (steps[-1] @ dirs[-1]) / (dirs[-1] @ dirs[-1])
    H = gamma * np.eye(n)
    for s, y, r in zip(steps, dirs, ro, strict=True):
        V = np.eye(n) - r * np.outer(y, s)
        H = V.T @ H @ V + r * np.outer(s, s)
    g = rng.standard_normal(n)
    np.testing.assert_allclose(two_loop_direction(g, steps, dirs, ro, gamma), -H @ g)


def test_quadratic_converges_with_line_search():
    A = np.diag([1.0, 4.0, 9.0])
    opt = LBFGS(line_search_fn="strong_wolfe", tolerance_change=0.0, tolerance_grad=1e-10)
    x, state = opt.step(np.ones(3), lambda x: (0.5 * x @ A @ x, A @ x), opt.init(np.ones(3)))
    assert state.status == "converged" and state.n_iter < 15
    np.testing.assert_allclose(x, 0.0, atol=1e-10)


def test_dict_params_and_inputs_untouched():
    params = {"W": np.ones((2, 2)), "b": np.ones(2)}

    def closure(p):
        return sum(np.sum(v**2) for v in p.values()), {k: 2 * v for k, v in p.items()}

    opt = LBFGS(line_search_fn="strong_wolfe")
    new, state = opt.step(params, closure, opt.init(params))
    assert list(new) == ["W", "b"] and new["W"].shape == (2, 2)
    np.testing.assert_allclose(new["W"], 0.0, atol=1e-8)
    np.testing.assert_array_equal(params["W"], np.ones((2, 2)))


def test_nonfinite_closure_stops_with_status():
    calls = []

    def explodes(x):  # finite at the start, NaN anywhere else
        calls.append(x.copy())
        if len(calls) == 1:
            return 1.0, np.array([1.0, 1.0])
        return np.nan, np.array([np.nan, np.nan])

    for line_search in (None, "strong_wolfe"):
        calls.clear()
        opt = LBFGS(line_search_fn=line_search)
        x0 = np.array([0.5, 0.5])
        x, state = opt.step(x0, explodes, opt.init(x0))
        assert state.status == "nonfinite"
        np.testing.assert_array_equal(x, x0)  # back at the last finite point
        assert len(calls) == 2 and state.func_evals == 2
        x, state2 = opt.step(x, explodes, state)
        assert state2 is state and len(calls) == 2  # terminal: no more evaluations


def test_nonfinite_at_start_and_infinite_gradient():
    opt = LBFGS()
    _, state = opt.step(np.zeros(2), lambda x: (np.inf, np.zeros(2)), opt.init(np.zeros(2)))
    assert state.status == "nonfinite" and state.func_evals == 1
    _, state = opt.step(np.zeros(2), lambda x: (0.0, np.array([np.inf, 0])), opt.init(np.zeros(2)))
    assert state.status == "nonfinite"


def test_converged_at_start():
    opt = LBFGS()
    x, state = opt.step(np.zeros(2), lambda x: (0.0, np.zeros(2)), opt.init(np.zeros(2)))
    assert state.status == "converged" and state.n_iter == 0 and state.func_evals == 1


def test_defaults_and_validation():
    opt = LBFGS()
    assert (opt.lr, opt.max_iter, opt.max_eval, opt.history_size) == (1.0, 20, 25, 100)
    assert (opt.tolerance_grad, opt.tolerance_change, opt.line_search_fn) == (1e-7, 1e-9, None)
    assert LBFGS(max_iter=7).max_eval == 8
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        LBFGS(lr=-1)
    with pytest.raises(ValueError, match="line_search_fn"):
        LBFGS(line_search_fn="backtracking")
    with pytest.raises(ValueError, match="history_size"):
        LBFGS(history_size=0)
