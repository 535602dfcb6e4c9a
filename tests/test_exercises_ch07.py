"""The chapter 7 checker accepts a correct Huber gradient and rejects typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.exercises import ch07


def huber_line_grad(w, b, x, y, delta):
    e = np.clip(w * x + b - y, -delta, delta)
    return np.mean(e * x), np.mean(e)


def half_squared_error(w, b, x, y, delta):
    e = w * x + b - y
    return np.mean(e * x), np.mean(e)


def sum_not_mean(w, b, x, y, delta):
    e = np.clip(w * x + b - y, -delta, delta)
    return np.sum(e * x), np.sum(e)


def forgets_x(w, b, x, y, delta):
    e = np.clip(w * x + b - y, -delta, delta)
    return np.mean(e), np.mean(e)


def sign_only(w, b, x, y, delta):
    e = delta * np.sign(w * x + b - y)
    return np.mean(e * x), np.mean(e)


def raises(w, b, x, y, delta):
    raise NotImplementedError("not written yet")


def returns_three(w, b, x, y, delta):
    return 0.0, 0.0, 0.0


def test_accepts_correct():
    assert ch07.check_huber_line_grad(huber_line_grad, verbose=False)


@pytest.mark.parametrize(
    "broken", [half_squared_error, sum_not_mean, forgets_x, sign_only, raises, returns_three]
)
def test_rejects_broken(broken):
    assert not ch07.check_huber_line_grad(broken, verbose=False)


def test_report_names_the_mistake(capsys):
    assert not ch07.check_huber_line_grad(sum_not_mean)
    assert "mean" in capsys.readouterr().out
    assert not ch07.check_huber_line_grad(half_squared_error)
    assert "clip" in capsys.readouterr().out
