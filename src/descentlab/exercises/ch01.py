"""Checkers for chapter 1, "What is a parameter in the context of machine learning?"."""

from __future__ import annotations

import numpy as np

from .. import data, losses
from ._report import Report


def _reference_line_gradient(w, b, x, y):
    """Chain rule through the line: dL/dw = sum_i (dL/dpred_i) x_i, dL/db = sum_i dL/dpred_i."""
    g = losses.mse_grad(w * x + b, y)
    return float(g @ x), float(g.sum())


def check_line_gradient(fn, verbose: bool = True) -> bool:
    """Check ``fn(w, b, x, y) -> (dL_dw, dL_db)``, the gradient of the mean squared error.

    The loss is :math:`L(w, b) = \\frac1n \\sum_i (w x_i + b - y_i)^2`, so
    :math:`\\partial L/\\partial w = \\frac2n \\sum_i (w x_i + b - y_i)\\, x_i` and
    :math:`\\partial L/\\partial b = \\frac2n \\sum_i (w x_i + b - y_i)`. ``x`` and ``y`` are
    1-D arrays of the same length; ``w`` and ``b`` are floats.
    """
    report = Report("check_line_gradient", verbose)
    cases = [(0.5, 1.0, 20, 0), (-1.5, 2.0, 7, 1), (3.0, -4.0, 200, 2)]
    for w, b, n, seed in cases:
        X, y = data.linear_regression(n=n, w=2.0, b=-1.0, noise=1.0, seed=seed)
        x = X[:, 0]
        expected = np.array(_reference_line_gradient(w, b, x, y))
        try:
            with np.errstate(all="ignore"):
                got = np.asarray(fn(w, b, x.copy(), y.copy()), dtype=float).reshape(-1)
        except Exception as exc:  # the reader's code may raise anything
            report.check(False, f"runs at w={w}, b={b}, n={n}", f"{type(exc).__name__}: {exc}")
            continue
        if got.shape != (2,):
            report.check(False, f"returns two numbers at w={w}, b={b}",
                         f"got shape {got.shape}; return (dL_dw, dL_db)")
            continue
        hint = ""
        if np.allclose(got, expected / 2, rtol=1e-9, atol=1e-12):
            hint = "off by a factor 2: the derivative of r^2 is 2 r"
        elif np.allclose(got, -expected, rtol=1e-9, atol=1e-12):
            hint = "wrong sign: the residual is prediction minus target"
        elif np.allclose(got, expected * n, rtol=1e-9, atol=1e-12):
            hint = "summed instead of averaged: the loss is a mean over the n examples"
        elif np.allclose(got[::-1], expected, rtol=1e-9, atol=1e-12):
            hint = "the two components are swapped: return (dL_dw, dL_db)"
        report.check(np.allclose(got, expected, rtol=1e-9, atol=1e-12),
                     f"gradient at w={w}, b={b} on {n} points",
                     hint or f"expected {expected}, got {got}")
    # At the least-squares solution the gradient vanishes.
    X, y = data.linear_regression(n=50, w=2.0, b=-1.0, noise=1.0, seed=3)
    x = X[:, 0]
    w_star, b_star = np.linalg.lstsq(np.c_[x, np.ones_like(x)], y, rcond=None)[0]
    try:
        with np.errstate(all="ignore"):
            got = np.asarray(fn(float(w_star), float(b_star), x, y), dtype=float).reshape(-1)
        report.check(got.shape == (2,) and np.all(np.abs(got) < 1e-10),
                     "vanishes at the least-squares solution", f"got {got}")
    except Exception as exc:
        report.check(False, "runs at the least-squares solution", f"{type(exc).__name__}: {exc}")
    return report.finish()


def check_least_squares(fn, verbose: bool = True) -> bool:
    """Check ``fn(X, y) -> (w, b)``: least squares with an intercept, by the normal equations.

    ``X`` has shape ``(n, d)`` and ``y`` shape ``(n,)``; the answer minimizes
    :math:`\\frac1n \\lVert X w + b - y \\rVert^2` with ``w`` of shape ``(d,)`` and ``b`` a
    number. Data sets with ``d = 1`` and ``d = 3`` are used, plus a noiseless one that
    the answer must fit exactly.
    """
    report = Report("check_least_squares", verbose)
    cases = [
        ("one feature, 30 points", dict(n=30, w=2.0, b=-1.0, noise=1.0, seed=0)),
        ("three features, 100 points", dict(n=100, w=[1.0, -2.0, 0.5], b=3.0, noise=0.5, seed=1)),
        ("noiseless data", dict(n=12, w=[0.7, 1.3], b=-2.5, noise=0.0, seed=2)),
    ]
    for name, kwargs in cases:
        X, y = data.linear_regression(**kwargs)
        design = np.c_[X, np.ones(len(X))]
        expected = np.linalg.lstsq(design, y, rcond=None)[0]
        try:
            with np.errstate(all="ignore"):
                w, b = fn(X.copy(), y.copy())
            w = np.asarray(w, dtype=float).reshape(-1)
            b = float(np.asarray(b, dtype=float).reshape(-1)[0])
        except Exception as exc:  # the reader's code may raise anything
            report.check(False, f"runs on {name}", f"{type(exc).__name__}: {exc}")
            continue
        if w.shape != (X.shape[1],):
            report.check(False, f"w has one entry per feature on {name}",
                         f"expected shape ({X.shape[1]},), got {w.shape}")
            continue
        got = np.r_[w, b]
        no_intercept = np.linalg.lstsq(X, y, rcond=None)[0]
        hint = f"expected w={expected[:-1]}, b={expected[-1]:.6g}; got w={w}, b={b:.6g}"
        if abs(b) < 1e-12 and np.allclose(w, no_intercept, rtol=1e-8):
            hint = "no intercept: append a column of ones to X before solving"
        report.check(np.allclose(got, expected, rtol=1e-8, atol=1e-10), f"solution on {name}", hint)
        if kwargs["noise"] == 0.0:
            report.check(np.allclose(got, np.r_[kwargs["w"], kwargs["b"]], atol=1e-9),
                         "...recovers the true parameters when there is no noise", hint)
    return report.finish()
