"""The chapter 5 checker accepts a correct RMSprop step and rejects typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.exercises import ch05


def rmsprop_step(theta, grad, square_avg, lr, alpha, eps):
    square_avg = alpha * square_avg + (1 - alpha) * grad**2
    return theta - lr * grad / (np.sqrt(square_avg) + eps), square_avg


def eps_inside_sqrt(theta, grad, square_avg, lr, alpha, eps):
    square_avg = alpha * square_avg + (1 - alpha) * grad**2
    return theta - lr * grad / np.sqrt(square_avg + eps), square_avg


def average_of_gradients(theta, grad, square_avg, lr, alpha, eps):
    square_avg = alpha * square_avg + (1 - alpha) * grad
    return theta - lr * grad / (np.sqrt(np.abs(square_avg)) + eps), square_avg


def bias_corrected(theta, grad, square_avg, lr, alpha, eps, _t=[0]):  # noqa: B006
    # Adam-style correction of the start-up bias: torch's RMSprop does not do this.
    square_avg = alpha * square_avg + (1 - alpha) * grad**2
    _t[0] += 1
    v_hat = square_avg / (1 - alpha ** _t[0])
    return theta - lr * grad / (np.sqrt(v_hat) + eps), square_avg


def gradient_ascent(theta, grad, square_avg, lr, alpha, eps):
    return rmsprop_step(theta, -grad, square_avg, lr, alpha, eps)


def raises(theta, grad, square_avg, lr, alpha, eps):
    raise NotImplementedError("not written yet")


def test_rmsprop_step_accepts_correct(capsys):
    assert ch05.check_rmsprop_step(rmsprop_step)
    assert "all checks passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "broken",
    [eps_inside_sqrt, average_of_gradients, bias_corrected, gradient_ascent, raises],
)
def test_rmsprop_step_rejects_broken(broken):
    assert not ch05.check_rmsprop_step(broken, verbose=False)
