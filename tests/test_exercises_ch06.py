"""The chapter 6 checker accepts a correct warm-up + cosine schedule and rejects broken ones."""

from __future__ import annotations

import math

from descentlab.exercises import ch06


def warmup_cosine(lr, warmup_steps, total_steps, eta_min=0.0, start_factor=0.1):
    def schedule(t):
        if t < warmup_steps:
            return lr * (start_factor + (1 - start_factor) * t / warmup_steps)
        q = (t - warmup_steps) / (total_steps - warmup_steps)
        return eta_min + 0.5 * (lr - eta_min) * (1 + math.cos(math.pi * q))

    return schedule


def cosine_too_long(lr, warmup_steps, total_steps, eta_min=0.0, start_factor=0.1):
    """Forgets that the warm-up uses part of the budget: the cosine never reaches eta_min."""

    def schedule(t):
        if t < warmup_steps:
            return lr * (start_factor + (1 - start_factor) * t / warmup_steps)
        q = (t - warmup_steps) / total_steps
        return eta_min + 0.5 * (lr - eta_min) * (1 + math.cos(math.pi * q))

    return schedule


def ramp_off_by_one(lr, warmup_steps, total_steps, eta_min=0.0, start_factor=0.1):
    """Reaches the peak one update early."""

    def schedule(t):
        if t < warmup_steps:
            return lr * (start_factor + (1 - start_factor) * t / max(warmup_steps - 1, 1))
        q = (t - warmup_steps) / (total_steps - warmup_steps)
        return eta_min + 0.5 * (lr - eta_min) * (1 + math.cos(math.pi * q))

    return schedule


def test_accepts_the_reference_formula():
    assert ch06.check_warmup_cosine(warmup_cosine, verbose=False)


def test_the_reference_is_the_package_schedule():
    ref = ch06.reference_warmup_cosine(0.1, 10, 100, 1e-3, 0.2)
    mine = warmup_cosine(0.1, 10, 100, 1e-3, 0.2)
    assert all(math.isclose(ref(t), mine(t), rel_tol=1e-12) for t in range(101))


def test_rejects_a_cosine_that_ignores_the_warmup(capsys):
    assert not ch06.check_warmup_cosine(cosine_too_long)
    assert "end" in capsys.readouterr().out


def test_rejects_an_early_peak(capsys):
    assert not ch06.check_warmup_cosine(ramp_off_by_one)
    assert "warm-up ramp" in capsys.readouterr().out


def test_rejects_a_function_that_raises():
    def broken(*args):
        raise ValueError("todo")

    assert not ch06.check_warmup_cosine(broken, verbose=False)
