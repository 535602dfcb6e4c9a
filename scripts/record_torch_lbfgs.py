"""Record reference L-BFGS runs from ``torch.optim.LBFGS`` for ``tests/test_lbfgs.py``.

Run once, with PyTorch installed (it is not a dependency of the package or the tests)::

    python scripts/record_torch_lbfgs.py

Each case writes ``tests/fixtures/torch_lbfgs/<case>.json``: the options, the start, every
point at which torch called the closure (in order), and the parameters, loss and counters
after every ``step`` call. The objectives below compute loss and gradient in NumPy, and the
torch closure copies that gradient into ``.grad``: both optimizers then see bit-identical
function values, so the comparison tests the optimizer arithmetic alone. The test module
imports ``PROBLEMS`` and ``CASES`` from this file.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "torch_lbfgs"


def rosenbrock(p):
    """``f(x, y) = (1 - x)^2 + 100 (y - x^2)^2`` and its gradient; ``p`` is an array (2,)."""
    x, y = p
    value = (1 - x) ** 2 + 100 * (y - x**2) ** 2
    grad = np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])
    return value, grad


_RNG = np.random.default_rng(1234)
_X = _RNG.standard_normal((8, 3))
_T = _RNG.standard_normal((8, 2))


def quartic_regression(p):
    """``f(W, b) = mean(r^2) + mean(r^4) / 4`` with ``r = X W + b - T``; ``p`` a dict."""
    r = _X @ p["W"] + p["b"] - _T
    value = np.mean(r**2) + np.mean(r**4) / 4
    dr = (2 * r + r**3) / r.size
    return value, {"W": _X.T @ dr, "b": dr.sum(axis=0)}


PROBLEMS = {"rosenbrock": rosenbrock, "quartic_regression": quartic_regression}

_W0 = {"W": np.full((3, 2), 0.5), "b": np.array([1.0, -1.0])}
CASES = {
    "rosenbrock_fixed_step": dict(
        problem="rosenbrock", x0=[-1.2, 1.0], steps=6, options=dict(lr=0.05)
    ),
    "rosenbrock_fixed_step_lr1": dict(
        problem="rosenbrock", x0=[-1.2, 1.0], steps=3, options=dict(max_iter=5)
    ),
    "rosenbrock_strong_wolfe": dict(
        problem="rosenbrock", x0=[-1.2, 1.0], steps=6, options=dict(line_search_fn="strong_wolfe")
    ),
    # max_iter=1 gives max_eval = 1 * 5 // 4 = 1: the line search gets no second trial,
    # and on Rosenbrock torch never moves. Recorded to pin this edge case.
    "rosenbrock_strong_wolfe_max_iter1": dict(
        problem="rosenbrock",
        x0=[-1.2, 1.0],
        steps=4,
        options=dict(max_iter=1, line_search_fn="strong_wolfe"),
    ),
    # One iteration per step (a path to plot), with room for the line search.
    "rosenbrock_strong_wolfe_one_iteration_per_step": dict(
        problem="rosenbrock",
        x0=[-1.2, 1.0],
        steps=40,
        options=dict(max_iter=1, max_eval=25, line_search_fn="strong_wolfe"),
    ),
    # The default tolerance_change=1e-9 stops near (1, 1) at an error of about 4e-5
    # (g.d > -1e-9); a tighter one lets the gradient test end the run.
    "rosenbrock_strong_wolfe_tight": dict(
        problem="rosenbrock",
        x0=[-1.2, 1.0],
        steps=2,
        options=dict(max_iter=100, tolerance_change=1e-12, line_search_fn="strong_wolfe"),
    ),
    "rosenbrock_strong_wolfe_history3": dict(
        problem="rosenbrock",
        x0=[-1.2, 1.0],
        steps=5,
        options=dict(max_iter=8, history_size=3, line_search_fn="strong_wolfe"),
    ),
    "quartic_fixed_step_history3": dict(
        problem="quartic_regression",
        x0=_W0,
        steps=4,
        options=dict(lr=0.5, max_iter=7, history_size=3),
    ),
    "quartic_strong_wolfe": dict(
        problem="quartic_regression",
        x0=_W0,
        steps=3,
        options=dict(max_iter=10, line_search_fn="strong_wolfe"),
    ),
}


def _flat(p):
    if isinstance(p, dict):
        return np.concatenate([np.ravel(v) for v in p.values()])
    return np.ravel(np.asarray(p, dtype=float))


def record(name: str, case: dict) -> dict:
    """Run torch's L-BFGS on one case and return the record written to JSON."""
    import torch

    f = PROBLEMS[case["problem"]]
    x0 = case["x0"]
    if isinstance(x0, dict):
        keys = list(x0)
        tensors = [torch.tensor(x0[k], dtype=torch.float64, requires_grad=True) for k in keys]
    else:
        keys = None
        tensors = [torch.tensor(x0, dtype=torch.float64, requires_grad=True)]

    def current():
        arrays = [t.detach().numpy().copy() for t in tensors]
        return dict(zip(keys, arrays, strict=True)) if keys else arrays[0]

    evaluations = []

    def closure():
        p = current()
        evaluations.append(_flat(p).tolist())
        value, grad = f(p)
        grads = [grad[k] for k in keys] if keys else [grad]
        for t, g in zip(tensors, grads, strict=True):
            t.grad = torch.tensor(np.asarray(g), dtype=torch.float64)
        return torch.tensor(value, dtype=torch.float64)

    opt = torch.optim.LBFGS(tensors, **case["options"])
    steps = []
    for _ in range(case["steps"]):
        loss = float(opt.step(closure))
        st = opt.state[tensors[0]]
        steps.append(
            dict(
                params=_flat(current()).tolist(),
                loss=loss,
                func_evals=int(st["func_evals"]),
                n_iter=int(st["n_iter"]),
                evaluations_so_far=len(evaluations),
            )
        )
    x0_json = {k: np.asarray(v).tolist() for k, v in x0.items()} if keys else x0
    return dict(
        case=name,
        torch_version=torch.__version__,
        problem=case["problem"],
        x0=x0_json,
        options=case["options"],
        evaluations=evaluations,
        steps=steps,
    )


def main():
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, case in CASES.items():
        rec = record(name, case)
        (FIXTURES / f"{name}.json").write_text(json.dumps(rec, indent=1) + "\n")
        last = rec["steps"][-1]
        print(f"{name}: {len(rec['evaluations'])} evaluations, final params {last['params']}")


if __name__ == "__main__":
    main()
