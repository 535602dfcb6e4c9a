"""Checkers for chapter 7, "What is the role of loss functions in parameter updates?"."""

from __future__ import annotations

import numpy as np

from .. import data, losses
from ..gradcheck import numerical_grad
from ._report import Report


def _huber_line_loss(theta, x, y, delta):
    return losses.huber(theta[0] * x + theta[1], y, delta=delta)


def check_huber_line_grad(fn, verbose: bool = True) -> bool:
    """Check ``fn(w, b, x, y, delta) -> (dL_dw, dL_db)`` for the mean Huber loss of a line.

    The loss is :math:`L(w, b) = \\frac1n \\sum_i \\ell_\\delta(w x_i + b - y_i)` with
    :math:`\\ell_\\delta(r) = r^2/2` for :math:`|r| \\le \\delta` and
    :math:`\\delta(|r| - \\delta/2)` otherwise, so
    :math:`\\partial L/\\partial w = \\frac1n \\sum_i \\mathrm{clip}(r_i, -\\delta, \\delta)\\, x_i`
    and :math:`\\partial L/\\partial b = \\frac1n \\sum_i \\mathrm{clip}(r_i, -\\delta, \\delta)`.
    The answer is compared with central finite differences of
    :func:`descentlab.losses.huber`.
    """
    report = Report("check_huber_line_grad", verbose)

    def call(w, b, x, y, delta):
        try:
            with np.errstate(all="ignore"):
                out = fn(w, b, x.copy(), y.copy(), delta)
            g = np.asarray(out, dtype=float).reshape(-1)
        except Exception as exc:  # the reader's code may raise anything
            report.check(False, "runs and returns two numbers", f"{type(exc).__name__}: {exc}")
            return None
        if g.shape != (2,) or not np.all(np.isfinite(g)):
            report.check(False, "returns two finite numbers (dL_dw, dL_db)", f"got {out!r}")
            return None
        return g

    # Lines near and far from the data, several thresholds, outliers present.
    cases = [(2.0, -1.0, 1.0, 40, 0), (0.5, 1.0, 1.0, 25, 1), (-1.0, 0.0, 0.3, 60, 2),
             (3.0, -2.0, 2.5, 9, 3)]
    matches = True
    for w, b, delta, n, seed in cases:
        X, y = data.linear_regression(n=n, w=2.0, b=-1.0, noise=0.8, outlier_fraction=0.2,
                                      outlier_strength=8.0, seed=seed)
        x = X[:, 0]
        g = call(w, b, x, y, delta)
        if g is None:
            return report.finish()
        expected = numerical_grad(
            lambda t, x=x, y=y, delta=delta: _huber_line_loss(t, x, y, delta), np.array([w, b])
        )
        if not np.allclose(g, expected, rtol=1e-6, atol=1e-9):
            matches = False
            hint = f"w={w}, b={b}, delta={delta}, n={n}: expected {expected}, got {g}"
            ratio = g / np.where(expected == 0, np.nan, expected)
            if np.allclose(ratio, n, rtol=1e-6):
                hint += "; you return the sum over examples, the loss is a mean"
            break
    report.check(matches, "matches finite differences of the mean Huber loss",
                 "" if matches else hint)

    # With a huge threshold, Huber is half the squared error: the gradient is mean(r x), mean(r).
    x = np.linspace(-2.0, 2.0, 11)
    y = 1.5 * x + 0.3 + np.sin(3 * x)
    g = call(0.7, -0.2, x, y, 100.0)
    if g is not None:
        r = 0.7 * x - 0.2 - y
        expected = np.array([np.mean(r * x), np.mean(r)])
        report.check(np.allclose(g, expected, rtol=1e-9, atol=1e-12),
                     "inside the quadratic zone the signal is the residual itself",
                     f"expected {expected}, got {g}; is the slope's gradient multiplied by x?")

    # An outlier beyond delta pulls with delta, however far away it is.
    y_far = y.copy()
    y_far[3] += 5.0
    y_farther = y.copy()
    y_farther[3] += 500.0
    g1, g2 = call(0.7, -0.2, x, y_far, 1.0), call(0.7, -0.2, x, y_farther, 1.0)
    if g1 is not None and g2 is not None:
        report.check(np.allclose(g1, g2, rtol=1e-12, atol=1e-12),
                     "an outlier's pull is capped at delta",
                     "moving an outlier from 5 to 500 changed the gradient: clip the "
                     "residual to [-delta, delta]")
    return report.finish()
