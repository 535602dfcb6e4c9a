"""The chapter 4 checker accepts a correct gradient-descent loop and rejects typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.exercises import ch04


def gradient_descent(grad, theta0, lr, tol, max_steps):
    theta = np.array(theta0, dtype=float)
    for step in range(max_steps + 1):
        g = grad(theta)
        if np.linalg.norm(g) <= tol:
            return theta, step, "converged"
        if step == max_steps:
            return theta, step, "max_steps"
        theta = theta - lr * g
        if not np.all(np.isfinite(theta)) or np.linalg.norm(theta) > 1e6:
            return theta, step + 1, "diverged"


def ascent(grad, theta0, lr, tol, max_steps):
    return gradient_descent(lambda th: -grad(th), theta0, lr, tol, max_steps)


def never_stops_early(grad, theta0, lr, tol, max_steps):
    """Ignores the tolerance: always spends the whole budget."""
    return gradient_descent(grad, theta0, lr, 0.0, max_steps)


def no_divergence_check(grad, theta0, lr, tol, max_steps):
    theta = np.array(theta0, dtype=float)
    for step in range(max_steps + 1):
        g = grad(theta)
        if np.linalg.norm(g) <= tol:
            return theta, step, "converged"
        if step == max_steps:
            return theta, step, "max_steps"
        theta = theta - lr * g


def counts_one_too_many(grad, theta0, lr, tol, max_steps):
    theta, steps, status = gradient_descent(grad, theta0, lr, tol, max_steps)
    return theta, steps + 1, status


def raises(grad, theta0, lr, tol, max_steps):
    raise NotImplementedError("not written yet")


def test_accepts_a_correct_loop(capsys):
    assert ch04.check_gradient_descent(gradient_descent)
    assert "all checks passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "broken", [ascent, never_stops_early, no_divergence_check, counts_one_too_many, raises]
)
def test_rejects_broken_loops(broken):
    assert not ch04.check_gradient_descent(broken, verbose=False)
