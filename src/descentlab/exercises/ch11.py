"""Checkers for chapter 11, "How can techniques like momentum and adaptive learning rates
improve parameter updates?"."""

from __future__ import annotations

import numpy as np

from .. import optim, surfaces
from ..run import run
from ._report import Report


def _tuned_heavy_ball(kappa: float, L: float = 1.0) -> tuple[float, float, float]:
    """Polyak's tuning for curvatures in ``[L / kappa, L]``: ``(lr, momentum, rate)``."""
    root_k = np.sqrt(kappa)
    lr = 4.0 / (np.sqrt(L) + np.sqrt(L / kappa)) ** 2
    rate = (root_k - 1.0) / (root_k + 1.0)
    return lr, rate**2, rate


def check_heavy_ball(fn, verbose: bool = True) -> bool:
    """Check ``fn(grad, theta0, lr, momentum, steps) -> iterates`` (heavy-ball momentum).

    The reference is Polyak's heavy ball in the form of ``torch.optim.SGD``:
    :math:`b_t = \\beta b_{t-1} + \\nabla f(\\theta_{t-1})` with :math:`b_0 = 0`, then
    :math:`\\theta_t = \\theta_{t-1} - \\eta b_t`. ``iterates`` must be an array of shape
    ``(steps + 1, n)`` whose row ``t`` is :math:`\\theta_t` (row 0 is the start).
    The checks: momentum 0 is plain gradient descent; the iterates match
    :class:`descentlab.optim.SGD` on a rotated quadratic bowl; with Polyak's tuning the
    measured rate on a bowl with condition number 100 is
    :math:`(\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1)`.
    """
    report = Report("check_heavy_ball", verbose)
    # A wrong update can blow up: overflow is a failed check here, not a warning.
    with np.errstate(all="ignore"):
        _check_heavy_ball(fn, report)
    return report.finish()


def _check_heavy_ball(fn, report: Report) -> None:
    def call(bowl, theta0, lr, momentum, steps):
        try:
            out = fn(bowl.grad, np.array(theta0, dtype=float), lr, momentum, steps)
            path = np.asarray(out, dtype=float)
        except Exception as exc:  # the reader's code may raise anything
            report.check(False, "runs without raising", f"{type(exc).__name__}: {exc}")
            return None
        expected_shape = (steps + 1, len(theta0))
        if path.shape != expected_shape:
            report.check(False, f"returns the iterates as an array of shape {expected_shape}",
                         f"got shape {path.shape}; include the start as row 0")
            return None
        return path

    bowl = surfaces.IllConditionedQuadratic(condition_number=10.0, angle=0.5)

    # 1. With momentum 0 the method is gradient descent.
    path = call(bowl, bowl.start, 0.5, 0.0, 20)
    if path is None:
        return
    gd = run(optim.SGD(lr=0.5), bowl, bowl.start, steps=20, tol=0.0).params
    report.check(np.allclose(path, gd, rtol=1e-10, atol=1e-12),
                 "momentum = 0 gives plain gradient descent",
                 "is the update theta - lr * velocity, with velocity = gradient when beta = 0?")

    # 2. Step for step against the package.
    path = call(bowl, bowl.start, 0.8, 0.7, 40)
    if path is None:
        return
    reference = run(optim.SGD(lr=0.8, momentum=0.7), bowl, bowl.start, steps=40, tol=0.0).params
    same = np.allclose(path, reference, rtol=1e-10, atol=1e-12)
    hint = ""
    if not same:
        first_bad = int(np.argmax(np.any(~np.isclose(path, reference, rtol=1e-10, atol=1e-12),
                                         axis=1)))
        hint = (f"first difference at step {first_bad}: expected {reference[first_bad]}, got "
                f"{path[first_bad]}; the velocity must accumulate: b = beta * b + grad")
    report.check(same, "matches optim.SGD(lr=0.8, momentum=0.7) for 40 steps", hint)

    # 3. Polyak's tuning reaches the accelerated rate.
    kappa = 100.0
    tuned_bowl = surfaces.IllConditionedQuadratic(condition_number=kappa, angle=1.0)
    lr, beta, rate = _tuned_heavy_ball(kappa)
    path = call(tuned_bowl, tuned_bowl.start, lr, beta, 300)
    if path is None:
        return
    d = np.linalg.norm(path, axis=1)
    # The tuned iteration has a double root: the error decays like t * rate^t.
    measured = ((d[300] / 300) / (d[200] / 200)) ** (1 / 100)
    report.check(bool(np.isfinite(measured)) and abs(measured - rate) < 0.01 * rate,
                 f"tuned on kappa = 100 it contracts by (sqrt(k)-1)/(sqrt(k)+1) = {rate:.4f} "
                 "per step", f"measured {measured:.4f}")
