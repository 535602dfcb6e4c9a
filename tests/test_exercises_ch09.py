"""The chapter 9 checker accepts a correct answer and rejects common mistakes."""

from __future__ import annotations

import numpy as np

from descentlab.exercises import ch09


def variance_without_replacement(per_example_grads, batch_size):
    G = np.asarray(per_example_grads, dtype=float).reshape(len(per_example_grads), -1)
    n = len(G)
    total = np.sum((G - G.mean(axis=0)) ** 2) / n
    return total / batch_size * (n - batch_size) / (n - 1)


def variance_with_replacement(per_example_grads, batch_size):
    G = np.asarray(per_example_grads, dtype=float).reshape(len(per_example_grads), -1)
    return np.sum((G - G.mean(axis=0)) ** 2) / len(G) / batch_size


def test_accepts_correct_solution():
    assert ch09.check_minibatch_variance(variance_without_replacement, verbose=False)


def test_rejects_missing_correction(capsys):
    assert not ch09.check_minibatch_variance(variance_with_replacement)
    assert "(N - B) / (N - 1)" in capsys.readouterr().out


def test_rejects_function_that_raises():
    def broken(per_example_grads, batch_size):
        raise RuntimeError("not written yet")

    assert not ch09.check_minibatch_variance(broken, verbose=False)
