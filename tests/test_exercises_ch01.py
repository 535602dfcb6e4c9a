"""The chapter 1 checkers accept correct solutions and reject typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.exercises import ch01


def line_gradient(w, b, x, y):
    r = w * x + b - y
    return 2 * np.mean(r * x), 2 * np.mean(r)


def line_gradient_no_two(w, b, x, y):
    r = w * x + b - y
    return np.mean(r * x), np.mean(r)


def line_gradient_wrong_sign(w, b, x, y):
    r = y - (w * x + b)
    return 2 * np.mean(r * x), 2 * np.mean(r)


def line_gradient_raises(w, b, x, y):
    raise RuntimeError("not written yet")


def least_squares(X, y):
    design = np.c_[X, np.ones(len(X))]
    theta = np.linalg.solve(design.T @ design, design.T @ y)
    return theta[:-1], theta[-1]


def least_squares_no_intercept(X, y):
    return np.linalg.solve(X.T @ X, X.T @ y), 0.0


def least_squares_scalar_w(X, y):
    w, b = least_squares(X, y)
    return float(w[0]), b


def test_line_gradient_accepts_correct():
    assert ch01.check_line_gradient(line_gradient, verbose=False)


@pytest.mark.parametrize("broken", [line_gradient_no_two, line_gradient_wrong_sign,
                                    line_gradient_raises])
def test_line_gradient_rejects_broken(broken):
    assert not ch01.check_line_gradient(broken, verbose=False)


def test_least_squares_accepts_correct():
    assert ch01.check_least_squares(least_squares, verbose=False)


@pytest.mark.parametrize("broken", [least_squares_no_intercept, least_squares_scalar_w])
def test_least_squares_rejects_broken(broken):
    assert not ch01.check_least_squares(broken, verbose=False)


def test_verbose_report_names_the_mistake(capsys):
    assert not ch01.check_line_gradient(line_gradient_no_two)
    assert "factor 2" in capsys.readouterr().out
    assert not ch01.check_least_squares(least_squares_no_intercept)
    assert "intercept" in capsys.readouterr().out
