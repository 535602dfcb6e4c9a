"""The chapter 2 checkers accept correct solutions and reject typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.exercises import ch02


def update_step(w, b, x, y, lr):
    r = w * x + b - y
    return w - lr * 2 * np.mean(r * x), b - lr * 2 * np.mean(r)


def update_step_uphill(w, b, x, y, lr):
    r = w * x + b - y
    return w + lr * 2 * np.mean(r * x), b + lr * 2 * np.mean(r)


def update_step_sequential(w, b, x, y, lr):
    w = w - lr * 2 * np.mean((w * x + b - y) * x)
    b = b - lr * 2 * np.mean(w * x + b - y)        # uses the new w
    return w, b


def update_step_only_w(w, b, x, y, lr):
    return update_step(w, b, x, y, lr)[0], b


def mse(w, b, x, y):
    return float(np.mean((w * x + b - y) ** 2))


def training_loop(x, y, w0, b0, lr, steps):
    w, b, history = w0, b0, [mse(w0, b0, x, y)]
    for _ in range(steps):
        w, b = update_step(w, b, x, y, lr)
        history.append(mse(w, b, x, y))
    return w, b, history


def training_loop_open(x, y, w0, b0, lr, steps):
    """Computes the correction once and keeps applying it: no feedback."""
    w1, b1 = update_step(w0, b0, x, y, lr)
    dw, db = w1 - w0, b1 - b0
    w, b, history = w0, b0, [mse(w0, b0, x, y)]
    for _ in range(steps):
        w, b = w + dw, b + db
        history.append(mse(w, b, x, y))
    return w, b, history


def training_loop_no_start(x, y, w0, b0, lr, steps):
    w, b, history = training_loop(x, y, w0, b0, lr, steps)
    return w, b, history[1:]


def test_update_step_accepts_correct():
    assert ch02.check_update_step(update_step, verbose=False)


@pytest.mark.parametrize("broken", [update_step_uphill, update_step_sequential,
                                    update_step_only_w])
def test_update_step_rejects_broken(broken):
    assert not ch02.check_update_step(broken, verbose=False)


def test_training_loop_accepts_correct():
    assert ch02.check_training_loop(training_loop, verbose=False)


@pytest.mark.parametrize("broken", [training_loop_open, training_loop_no_start])
def test_training_loop_rejects_broken(broken):
    assert not ch02.check_training_loop(broken, verbose=False)


def test_hints_name_the_mistake(capsys):
    assert not ch02.check_update_step(update_step_uphill)
    assert "uphill" in capsys.readouterr().out
    assert not ch02.check_update_step(update_step_sequential)
    assert "old parameters" in capsys.readouterr().out
