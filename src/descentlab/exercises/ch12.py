"""Checkers for chapter 12, "What advanced methods exist for parameter updates in
state-of-the-art machine learning models?"."""

from __future__ import annotations

import numpy as np

from ._report import Report


def dense_bfgs_inverse(pairs, n: int) -> np.ndarray:
    """The L-BFGS inverse-Hessian estimate as a dense matrix.

    Start from :math:`H_0 = \\gamma I` with :math:`\\gamma = s^\\top y / y^\\top y` of the
    newest pair, then apply the BFGS update
    :math:`H \\leftarrow (I - \\rho s y^\\top) H (I - \\rho y s^\\top) + \\rho s s^\\top`,
    :math:`\\rho = 1 / y^\\top s`, once per pair ``(s, y)``, oldest first.
    """
    s_new, y_new = pairs[-1]
    H = (s_new @ y_new) / (y_new @ y_new) * np.eye(n)
    identity = np.eye(n)
    for s, y in pairs:
        rho = 1.0 / (y @ s)
        H = (identity - rho * np.outer(s, y)) @ H @ (identity - rho * np.outer(y, s))
        H += rho * np.outer(s, s)
    return H


def _pairs(rng, n: int, m: int, A: np.ndarray):
    """``m`` curvature pairs ``(s, y = A s)`` of a positive-definite quadratic."""
    pairs = []
    for _ in range(m):
        s = rng.standard_normal(n)
        pairs.append((s, A @ s))
    return pairs


def check_two_loop(fn, verbose: bool = True) -> bool:
    """Check ``fn(g, s_list, y_list) -> d``, the L-BFGS direction by the two-loop recursion.

    ``s_list`` and ``y_list`` hold the pairs oldest first. The answer must be
    :math:`d = -H g` for the matrix :func:`dense_bfgs_inverse` builds from the same pairs
    (initial scaling :math:`\\gamma = s^\\top y / y^\\top y` of the newest pair), computed
    without forming any ``n x n`` matrix.
    """
    report = Report("check_two_loop", verbose)
    rng = np.random.default_rng(12)

    def call(g, pairs):
        s_list = [s.copy() for s, _ in pairs]
        y_list = [y.copy() for _, y in pairs]
        try:
            with np.errstate(all="ignore"):
                d = np.asarray(fn(g.copy(), s_list, y_list), dtype=float)
        except Exception as exc:  # the reader's code may raise anything
            report.check(False, "runs without raising", f"{type(exc).__name__}: {exc}")
            return None
        if d.shape != g.shape:
            report.check(False, "returns a vector shaped like g", f"got shape {d.shape}")
            return None
        return d

    cases = [(2, 1), (5, 3), (20, 5), (50, 10)]
    for n, m in cases:
        Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        A = Q @ np.diag(np.geomspace(1.0, 100.0, n)) @ Q.T
        pairs = _pairs(rng, n, m, A)
        g = rng.standard_normal(n)
        d = call(g, pairs)
        if d is None:
            return report.finish()
        expected = -dense_bfgs_inverse(pairs, n) @ g
        ok = np.allclose(d, expected, rtol=1e-8, atol=1e-10)
        hint = ""
        if not ok:
            if np.allclose(d, -expected, rtol=1e-8, atol=1e-10):
                hint = "the sign is flipped: return -H g, a descent direction"
            elif np.allclose(d, -(dense_bfgs_inverse_unscaled(pairs, n) @ g), rtol=1e-8):
                hint = "H0 must be scaled by s.y / y.y of the newest pair, not the identity"
            else:
                hint = ("compare with -H g; the first loop runs newest to oldest, the second "
                        "oldest to newest")
        report.check(ok, f"n = {n}, {m} pairs: d equals -H g of the dense BFGS matrix", hint)

    # One pair and H0 scaling: the secant equation H y = s holds for the newest pair.
    n = 6
    A = np.diag(np.arange(1.0, n + 1))
    pairs = _pairs(rng, n, 4, A)
    s_new, y_new = pairs[-1]
    d = call(-y_new, pairs)  # -H(-y) = H y should equal s
    if d is None:
        return report.finish()
    report.check(np.allclose(d, s_new, rtol=1e-8, atol=1e-10),
                 "the secant equation H y = s holds for the newest pair",
                 f"got H y = {d.round(4)}, expected s = {s_new.round(4)}")
    return report.finish()


def dense_bfgs_inverse_unscaled(pairs, n: int) -> np.ndarray:
    """Like :func:`dense_bfgs_inverse` but starting from the identity (a common slip)."""
    H = np.eye(n)
    identity = np.eye(n)
    for s, y in pairs:
        rho = 1.0 / (y @ s)
        H = (identity - rho * np.outer(s, y)) @ H @ (identity - rho * np.outer(y, s))
        H += rho * np.outer(s, s)
    return H
