"""The chapter 11 checker accepts a correct heavy ball and rejects typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.exercises import ch11


def heavy_ball(grad, theta0, lr, momentum, steps):
    theta = np.array(theta0, dtype=float)
    buffer = np.zeros_like(theta)
    path = [theta]
    for _ in range(steps):
        buffer = momentum * buffer + grad(theta)
        theta = theta - lr * buffer
        path.append(theta)
    return np.array(path)


def polyak_form(grad, theta0, lr, momentum, steps):
    previous = theta = np.array(theta0, dtype=float)
    path = [theta]
    for _ in range(steps):
        theta, previous = theta - lr * grad(theta) + momentum * (theta - previous), theta
        path.append(theta)
    return np.array(path)


def one_step_memory(grad, theta0, lr, momentum, steps):
    theta = np.array(theta0, dtype=float)
    previous_grad = np.zeros_like(theta)
    path = [theta]
    for _ in range(steps):
        g = grad(theta)
        theta = theta - lr * (momentum * previous_grad + g)
        previous_grad = g
        path.append(theta)
    return np.array(path)


def ascent(grad, theta0, lr, momentum, steps):
    return heavy_ball(lambda th: -grad(th), theta0, lr, momentum, steps)


def no_start_row(grad, theta0, lr, momentum, steps):
    return heavy_ball(grad, theta0, lr, momentum, steps)[1:]


def raises(grad, theta0, lr, momentum, steps):
    raise RuntimeError("not written yet")


@pytest.mark.parametrize("correct", [heavy_ball, polyak_form])
def test_accepts_correct(correct):
    assert ch11.check_heavy_ball(correct, verbose=False)


@pytest.mark.parametrize("broken", [one_step_memory, ascent, no_start_row, raises])
def test_rejects_broken(broken):
    assert not ch11.check_heavy_ball(broken, verbose=False)


def test_verbose_report_names_the_mistake(capsys):
    assert not ch11.check_heavy_ball(one_step_memory)
    assert "first difference at step" in capsys.readouterr().out
    assert not ch11.check_heavy_ball(no_start_row)
    assert "include the start" in capsys.readouterr().out
