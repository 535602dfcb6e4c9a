"""Seeded synthetic datasets.

Every generator takes ``seed``: an int (the same int always gives the same data) or a
``numpy.random.Generator`` (which is advanced, so consecutive calls differ). Inputs ``X``
always have shape ``(n, n_features)``, one example per row, ready for :class:`~descentlab.nn.MLP`.
Class labels are integer arrays of shape ``(n,)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "SineTask",
    "blobs",
    "linear_regression",
    "moons",
    "sample_sine_task",
    "sine_tasks",
    "spirals",
    "train_val_split",
]


def _rng(seed) -> np.random.Generator:
    return np.random.default_rng(seed)


def _check_n(n: int, minimum: int = 1) -> int:
    if int(n) != n or n < minimum:
        raise ValueError(f"Invalid number of examples: {n} (need an integer >= {minimum})")
    return int(n)


def linear_regression(
    n: int = 50,
    w=2.0,
    b: float = -1.0,
    noise: float = 0.5,
    x_range: tuple[float, float] = (-3.0, 3.0),
    outlier_fraction: float = 0.0,
    outlier_strength: float = 10.0,
    seed=0,
    return_outliers: bool = False,
):
    """Noisy samples of a linear function, optionally with outliers.

    ``x_i ~ U(x_range)^d`` and ``y_i = w . x_i + b + noise * eps_i`` with ``eps_i ~ N(0, 1)``;
    ``d = len(w)`` (``d = 1`` for a scalar ``w``). Then exactly
    ``round(outlier_fraction * n)`` examples, chosen at random, get ``y_i += outlier_strength``
    (a one-sided shift, so the outliers pull a least-squares fit visibly; use a negative
    strength to pull down).

    Returns ``(X, y)`` with shapes ``(n, d)`` and ``(n,)``, plus the boolean outlier mask
    when ``return_outliers=True``.
    """
    n = _check_n(n)
    if not 0.0 <= outlier_fraction <= 1.0:
        raise ValueError(f"Invalid outlier_fraction: {outlier_fraction} (must be in [0, 1])")
    if noise < 0:
        raise ValueError(f"Invalid noise: {noise}")
    rng = _rng(seed)
    w = np.atleast_1d(np.asarray(w, dtype=float))
    X = rng.uniform(x_range[0], x_range[1], size=(n, w.size))
    y = X @ w + b + noise * rng.standard_normal(n)
    outliers = np.zeros(n, dtype=bool)
    outliers[rng.choice(n, size=round(outlier_fraction * n), replace=False)] = True
    y[outliers] += outlier_strength
    return (X, y, outliers) if return_outliers else (X, y)


def blobs(n: int = 200, separation: float = 3.0, std: float = 1.0, seed=0):
    """Two Gaussian classes in the plane.

    Class 0 is centered at ``(-separation/2, 0)``, class 1 at ``(+separation/2, 0)``, both
    with covariance ``std^2 I``; ``n // 2`` points in class 1, the rest in class 0.
    Returns ``X`` of shape ``(n, 2)`` and labels ``y`` in ``{0, 1}`` of shape ``(n,)``.
    """
    n = _check_n(n, 2)
    rng = _rng(seed)
    y = np.zeros(n, dtype=int)
    y[rng.permutation(n)[: n // 2]] = 1
    centers = np.stack([(y - 0.5) * separation, np.zeros(n)], axis=1)
    return centers + std * rng.standard_normal((n, 2)), y


def moons(n: int = 200, noise: float = 0.1, seed=0):
    """Two interleaving half circles (the classic "moons").

    Class 0: ``(cos t, sin t)``; class 1: ``(1 - cos t, 0.5 - sin t)``, with
    ``t ~ U(0, pi)``, plus Gaussian noise of standard deviation ``noise``. ``n // 2``
    points in class 1. Returns ``X`` ``(n, 2)`` and ``y`` ``(n,)`` in ``{0, 1}``.
    """
    n = _check_n(n, 2)
    rng = _rng(seed)
    y = np.zeros(n, dtype=int)
    y[rng.permutation(n)[: n // 2]] = 1
    t = rng.uniform(0.0, np.pi, size=n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.where(y[:, None] == 1, lower, upper)
    return X + noise * rng.standard_normal((n, 2)), y


def spirals(n: int = 300, k: int = 3, noise: float = 0.2, turns: float = 1.0, seed=0):
    """``k`` interleaved spiral arms, one class per arm.

    A point of class ``c`` at radius ``r ~ U(0, 1)`` sits at angle
    ``theta = 2 pi c / k + 2 pi turns r + noise * eps`` (``eps ~ N(0, 1)``), i.e. at
    ``(r cos theta, r sin theta)``. Classes are as balanced as ``n`` allows.
    Returns ``X`` ``(n, 2)`` and ``y`` ``(n,)`` in ``{0, ..., k-1}``.
    """
    n = _check_n(n, k)
    if int(k) != k or k < 2:
        raise ValueError(f"Invalid number of classes: {k}")
    rng = _rng(seed)
    y = rng.permutation(np.arange(n) % k)
    r = rng.uniform(0.0, 1.0, size=n)
    theta = 2 * np.pi * y / k + 2 * np.pi * turns * r + noise * rng.standard_normal(n)
    return np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1), y


# ---------------------------------------------------------------------------------------
# The sine-wave task family of MAML (Finn et al., 2017) and Reptile (Nichol et al., 2018)
# ---------------------------------------------------------------------------------------


class SineTask(NamedTuple):
    """One regression task ``y = amplitude * sin(x - phase)`` on ``x in [-5, 5]``."""

    amplitude: float
    phase: float

    def __call__(self, x):
        """The task's target function, ``amplitude * sin(x - phase)``."""
        return self.amplitude * np.sin(np.asarray(x, dtype=float) - self.phase)

    def sample(self, k: int, seed=0):
        """Draw ``k`` points ``x ~ U(-5, 5)``; return ``X, y``, both of shape ``(k, 1)``."""
        x = _rng(seed).uniform(-5.0, 5.0, size=(_check_n(k), 1))
        return x, self(x)

    def grid(self, num: int = 100):
        """``num`` evenly spaced points on ``[-5, 5]``: ``X, y`` of shape ``(num, 1)``."""
        x = np.linspace(-5.0, 5.0, _check_n(num))[:, None]
        return x, self(x)


def sample_sine_task(seed=0) -> SineTask:
    """Draw one task: amplitude ``~ U(0.1, 5.0)``, phase ``~ U(0, pi)`` (as in MAML)."""
    rng = _rng(seed)
    return SineTask(float(rng.uniform(0.1, 5.0)), float(rng.uniform(0.0, np.pi)))


def sine_tasks(n: int, seed=0) -> list[SineTask]:
    """Draw ``n`` independent tasks with :func:`sample_sine_task` from one generator."""
    rng = _rng(seed)
    return [sample_sine_task(rng) for _ in range(_check_n(n))]


def train_val_split(X, y, val_fraction: float = 0.2, seed=0, shuffle: bool = True):
    """Split ``(X, y)`` into training and validation parts.

    ``round(val_fraction * n)`` examples go to validation, after a seeded shuffle (or the
    last ones when ``shuffle=False``). Returns ``X_train, y_train, X_val, y_val``.
    """
    X, y = np.asarray(X), np.asarray(y)
    n = X.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"X has {n} examples but y has {y.shape[0]}")
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"Invalid val_fraction: {val_fraction} (must be in (0, 1))")
    n_val = round(val_fraction * n)
    if n_val == 0 or n_val == n:
        raise ValueError(f"val_fraction={val_fraction} leaves an empty split of {n} examples")
    order = _rng(seed).permutation(n) if shuffle else np.arange(n)
    train, val = order[: n - n_val], order[n - n_val :]
    return X[train], y[train], X[val], y[val]
