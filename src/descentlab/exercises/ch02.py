"""Checkers for chapter 2, "Why is updating parameters important in machine learning models?"."""

from __future__ import annotations

import numpy as np

from .. import data, losses
from ._report import Report


def _line_loss_and_grad(w, b, x, y):
    pred = w * x + b
    g = losses.mse_grad(pred, y)
    return losses.mse(pred, y), float(g @ x), float(g.sum())


def _reference_update(w, b, x, y, lr):
    _, dw, db = _line_loss_and_grad(w, b, x, y)
    return w - lr * dw, b - lr * db


def _dataset(n, seed):
    X, y = data.linear_regression(n=n, w=2.0, b=-1.0, noise=1.0, seed=seed)
    return X[:, 0], y


def check_update_step(fn, verbose: bool = True) -> bool:
    """Check ``fn(w, b, x, y, lr) -> (w_new, b_new)``: one gradient-descent update of a line.

    The update is :math:`w \\leftarrow w - \\eta\\, \\partial L/\\partial w` and
    :math:`b \\leftarrow b - \\eta\\, \\partial L/\\partial b` for the mean squared error
    :math:`L = \\frac1n \\sum_i (w x_i + b - y_i)^2`, both computed at the *old* ``(w, b)``.
    """
    report = Report("check_update_step", verbose)
    cases = [(0.0, 0.0, 0.1, 30, 0), (-1.0, 3.0, 0.05, 12, 1), (2.5, -2.0, 0.2, 100, 2)]
    for w, b, lr, n, seed in cases:
        x, y = _dataset(n, seed)
        expected = np.array(_reference_update(w, b, x, y, lr))
        try:
            with np.errstate(all="ignore"):
                got = np.asarray(fn(w, b, x.copy(), y.copy(), lr), dtype=float).reshape(-1)
        except Exception as exc:  # the reader's code may raise anything
            report.check(False, f"runs at w={w}, b={b}, lr={lr}", f"{type(exc).__name__}: {exc}")
            continue
        if got.shape != (2,):
            report.check(False, f"returns two numbers at w={w}, b={b}",
                         f"got shape {got.shape}; return (w_new, b_new)")
            continue
        _, dw, db = _line_loss_and_grad(w, b, x, y)
        hint = f"expected {expected}, got {got}"
        if np.allclose(got, [w + lr * dw, b + lr * db], rtol=1e-9):
            hint = "the parameters moved uphill: subtract the gradient, do not add it"
        elif np.allclose(got, [dw, db], rtol=1e-9) or np.allclose(got, [-lr * dw, -lr * db]):
            hint = "return the new parameters, not the gradient or the step"
        elif np.allclose(got[0], expected[0], rtol=1e-9) and np.isclose(got[1], b, rtol=1e-12):
            hint = "the intercept b was not updated"
        elif np.isclose(got[1], b - lr * _line_loss_and_grad(got[0], b, x, y)[2], rtol=1e-9):
            hint = "b's gradient was computed after w moved: use the old parameters for both"
        report.check(np.allclose(got, expected, rtol=1e-10, atol=1e-12),
                     f"update at w={w}, b={b}, lr={lr} on {n} points", hint)
    # A zero learning rate changes nothing; at the least-squares solution nothing changes.
    x, y = _dataset(40, 3)
    w_star, b_star = np.linalg.lstsq(np.c_[x, np.ones_like(x)], y, rcond=None)[0]
    for what, args in [("lr = 0 leaves the parameters unchanged", (1.0, 1.0, x, y, 0.0)),
                       ("the least-squares solution is a fixed point",
                        (float(w_star), float(b_star), x, y, 0.1))]:
        try:
            got = np.asarray(fn(*args), dtype=float).reshape(-1)
            report.check(np.allclose(got, args[:2], rtol=1e-10, atol=1e-12), what, f"got {got}")
        except Exception as exc:
            report.check(False, what, f"{type(exc).__name__}: {exc}")
    return report.finish()


def check_training_loop(fn, verbose: bool = True) -> bool:
    """Check ``fn(x, y, w0, b0, lr, steps) -> (w, b, loss_history)``.

    The loop makes ``steps`` full-batch gradient-descent updates of the line from
    ``(w0, b0)``, recomputing the gradient at the current parameters before every update.
    ``loss_history`` has ``steps + 1`` entries: entry ``k`` is the loss after ``k`` updates
    (entry 0 is the starting loss).
    """
    report = Report("check_training_loop", verbose)
    for w0, b0, lr, steps, seed in [(-1.0, 3.0, 0.1, 25, 0), (0.5, 0.5, 0.02, 60, 1)]:
        x, y = _dataset(30, seed)
        w, b, history = w0, b0, [_line_loss_and_grad(w0, b0, x, y)[0]]
        for _ in range(steps):
            w, b = _reference_update(w, b, x, y, lr)
            history.append(_line_loss_and_grad(w, b, x, y)[0])
        try:
            with np.errstate(all="ignore"):
                got_w, got_b, got_history = fn(x.copy(), y.copy(), w0, b0, lr, steps)
            got_history = np.asarray(got_history, dtype=float).reshape(-1)
        except Exception as exc:  # the reader's code may raise anything
            report.check(False, f"runs with lr={lr}, steps={steps}", f"{type(exc).__name__}: {exc}")
            continue
        label = f"lr={lr}, {steps} updates"
        report.check(len(got_history) == steps + 1, f"history has steps + 1 entries ({label})",
                     f"got {len(got_history)}; include the loss before the first update")
        if len(got_history) == steps + 1:
            report.check(np.allclose(got_history, history, rtol=1e-9),
                         f"history matches the reference ({label})",
                         "entry k must be the loss after k updates; is the gradient "
                         "recomputed at the current parameters every step?")
        report.check(np.allclose([got_w, got_b], [w, b], rtol=1e-9),
                     f"final parameters match ({label})",
                     f"expected {(w, b)}, got {(got_w, got_b)}")
    return report.finish()
