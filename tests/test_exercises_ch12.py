"""The chapter 12 checker accepts a correct two-loop recursion and rejects typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.exercises import ch12
from descentlab.optim.lbfgs import two_loop_direction


def two_loop(g, s_list, y_list):
    rho = [1.0 / (y @ s) for s, y in zip(s_list, y_list, strict=True)]
    q = -np.asarray(g, dtype=float)
    a = [0.0] * len(s_list)
    for i in reversed(range(len(s_list))):
        a[i] = rho[i] * (s_list[i] @ q)
        q = q - a[i] * y_list[i]
    r = (s_list[-1] @ y_list[-1]) / (y_list[-1] @ y_list[-1]) * q
    for i in range(len(s_list)):
        b = rho[i] * (y_list[i] @ r)
        r = r + (a[i] - b) * s_list[i]
    return r


def package_two_loop(g, s_list, y_list):
    rho = [1.0 / (y @ s) for s, y in zip(s_list, y_list, strict=True)]
    gamma = (s_list[-1] @ y_list[-1]) / (y_list[-1] @ y_list[-1])
    return two_loop_direction(g, s_list, y_list, rho, gamma)


def dense(g, s_list, y_list):
    return -ch12.dense_bfgs_inverse(list(zip(s_list, y_list, strict=True)), len(g)) @ g


def unscaled(g, s_list, y_list):
    return -ch12.dense_bfgs_inverse_unscaled(list(zip(s_list, y_list, strict=True)), len(g)) @ g


def wrong_sign(g, s_list, y_list):
    return -two_loop(g, s_list, y_list)


def loops_swapped(g, s_list, y_list):
    return two_loop(g, s_list[::-1], y_list[::-1])


def gradient_only(g, s_list, y_list):
    return -np.asarray(g, dtype=float)


@pytest.mark.parametrize("correct", [two_loop, package_two_loop, dense])
def test_accepts_correct(correct):
    assert ch12.check_two_loop(correct, verbose=False)


@pytest.mark.parametrize("broken", [unscaled, wrong_sign, loops_swapped, gradient_only])
def test_rejects_broken(broken):
    assert not ch12.check_two_loop(broken, verbose=False)


def test_verbose_report_names_the_mistake(capsys):
    assert not ch12.check_two_loop(unscaled)
    assert "H0 must be scaled" in capsys.readouterr().out
    assert not ch12.check_two_loop(wrong_sign)
    assert "sign is flipped" in capsys.readouterr().out
