"""Checkers for chapter 4, "How does gradient descent work to update parameters?"."""

from __future__ import annotations

import numpy as np

from ._report import Report


def check_gradient_descent(fn, verbose: bool = True) -> bool:
    """Check ``fn(grad, theta0, lr, tol, max_steps) -> (theta, steps, status)``.

    The reference behaviour is plain gradient descent,
    :math:`\\theta_{t+1} = \\theta_t - \\eta \\nabla f(\\theta_t)`, stopping with
    ``"converged"`` as soon as :math:`\\lVert \\nabla f(\\theta_t) \\rVert \\le` ``tol``
    (before updating), ``"max_steps"`` after ``max_steps`` updates, and ``"diverged"`` right
    after an update that makes the parameters non-finite or larger than ``1e6`` in norm.
    The problems are the parabola :math:`2x^2` (curvature 4) and a 2-D bowl
    :math:`\\tfrac12(x^2 + 10 y^2)`.
    """
    report = Report("check_gradient_descent", verbose)

    def parabola_grad(x):
        return 4.0 * x

    def bowl_grad(p):
        return np.array([1.0, 10.0]) * p

    def call(*args):
        try:
            with np.errstate(all="ignore"):
                theta, steps, status = fn(*args)
            return np.asarray(theta, dtype=float), int(steps), str(status)
        except Exception as exc:  # the reader's code may raise anything
            report.check(False, "runs without raising", f"{type(exc).__name__}: {exc}")
            return None

    # lr = 1/L lands on the minimum of the parabola in one update.
    out = call(parabola_grad, np.array([3.0]), 0.25, 1e-8, 100)
    if out:
        theta, steps, status = out
        report.check(
            status == "converged", "parabola with lr = 1/L converges", f"status was {status!r}"
        )
        report.check(
            steps == 1 and abs(theta[0]) < 1e-12,
            "...in exactly one update",
            f"got steps={steps}, theta={theta}; is the update theta - lr * grad?",
        )

    # On the bowl with lr = 0.1 the steep direction contracts by 0 and the flat by 0.9.
    out = call(bowl_grad, np.array([1.0, 1.0]), 0.1, 1e-6, 1000)
    if out:
        theta, steps, status = out
        expected = int(np.ceil(np.log(1e-6) / np.log(0.9)))
        report.check(
            status == "converged" and np.linalg.norm(bowl_grad(theta)) <= 1e-6,
            "2-D bowl converges to the tolerance",
            f"status {status!r}, theta {theta}",
        )
        report.check(
            abs(steps - expected) <= 1,
            f"...after about {expected} updates",
            f"got {steps}; test the gradient norm before each update",
        )

    out = call(bowl_grad, np.array([1.0, 1.0]), 0.001, 1e-6, 50)
    if out:
        theta, steps, status = out
        report.check(
            status == "max_steps" and steps == 50,
            "a too-small lr exhausts the budget",
            f"got status {status!r} after {steps} steps",
        )
        report.check(
            np.allclose(theta, [0.999**50, 0.99**50]), "...at the right point", f"got {theta}"
        )

    out = call(parabola_grad, np.array([3.0]), 0.6, 1e-8, 1000)
    if out:
        theta, steps, status = out
        report.check(
            status == "diverged", "lr above 2/L is reported as diverged", f"status was {status!r}"
        )
        # |1 - 0.6*4| = 1.4; 3 * 1.4^k > 1e6 first at k = 38.
        report.check(steps == 38, "...at the first update beyond norm 1e6", f"got {steps}")
    return report.finish()
