"""The chapter 10 checker accepts a correct answer and rejects common mistakes."""

from __future__ import annotations

import numpy as np

from descentlab.exercises import ch10


def clip_global(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    scale = min(1.0, max_norm / (norm + 1e-6))
    return {k: g * scale for k, g in grads.items()}


def clip_global_without_guard(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}


def clip_each_array(grads, max_norm):
    return {k: g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for k, g in grads.items()}


def clip_in_place(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    for g in grads.values():
        g *= min(1.0, max_norm / (norm + 1e-6))
    return grads


def test_accepts_correct_solutions():
    assert ch10.check_clip_by_global_norm(clip_global, verbose=False)
    assert ch10.check_clip_by_global_norm(clip_global_without_guard, verbose=False)


def test_rejects_per_array_clipping(capsys):
    assert not ch10.check_clip_by_global_norm(clip_each_array)
    assert "each array separately" in capsys.readouterr().out


def test_rejects_in_place_scaling(capsys):
    assert not ch10.check_clip_by_global_norm(clip_in_place)
    assert "in place" in capsys.readouterr().out


def test_rejects_function_that_raises():
    def broken(grads, max_norm):
        raise NotImplementedError

    assert not ch10.check_clip_by_global_norm(broken, verbose=False)
