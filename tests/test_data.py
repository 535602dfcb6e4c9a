"""Tests for descentlab.data: determinism, shapes, outliers, splits, sine tasks."""

import numpy as np
import pytest

from descentlab import data


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: data.linear_regression(40, outlier_fraction=0.1, seed=seed),
        lambda seed: data.blobs(30, seed=seed),
        lambda seed: data.moons(30, seed=seed),
        lambda seed: data.spirals(30, k=3, seed=seed),
        lambda seed: data.sample_sine_task(seed).sample(5, seed),
    ],
)
def test_same_seed_same_data(make):
    for a, b in zip(make(7), make(7), strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(make(7)[0], make(8)[0])


def test_generator_seed_is_advanced():
    rng = np.random.default_rng(0)
    X1, _ = data.blobs(10, seed=rng)
    X2, _ = data.blobs(10, seed=rng)
    assert not np.array_equal(X1, X2)


def test_linear_regression_shapes_and_fit():
    X, y = data.linear_regression(500, w=[1.0, -2.0], b=0.5, noise=0.1, seed=0)
    assert X.shape == (500, 2) and y.shape == (500,)
    A = np.column_stack([X, np.ones(500)])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(coef, [1.0, -2.0, 0.5], atol=0.02)
    X1, y1 = data.linear_regression(10, seed=0)
    assert X1.shape == (10, 1) and y1.shape == (10,)


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.25, 1.0])
def test_outlier_fraction_and_strength(fraction):
    X, y, mask = data.linear_regression(
        200,
        w=2.0,
        b=-1.0,
        noise=0.0,
        outlier_fraction=fraction,
        outlier_strength=7.0,
        seed=1,
        return_outliers=True,
    )
    assert mask.dtype == bool and mask.sum() == round(fraction * 200)
    residual = y - (2.0 * X[:, 0] - 1.0)
    np.testing.assert_allclose(residual[mask], 7.0)
    np.testing.assert_allclose(residual[~mask], 0.0, atol=1e-12)


def test_classification_sets():
    X, y = data.blobs(101, separation=6.0, std=0.5, seed=0)
    assert X.shape == (101, 2) and y.shape == (101,) and y.sum() == 50
    assert np.mean((X[:, 0] > 0) == (y == 1)) > 0.99  # well separated along x
    X, y = data.moons(100, noise=0.0, seed=0)
    assert set(np.unique(y)) == {0, 1}
    upper = X[y == 0]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    X, y = data.spirals(90, k=3, noise=0.0, seed=0)
    assert X.shape == (90, 2) and np.bincount(y).tolist() == [30, 30, 30]
    assert np.all(np.hypot(X[:, 0], X[:, 1]) <= 1.0)


def test_sine_tasks():
    tasks = data.sine_tasks(500, seed=0)
    amplitudes = np.array([t.amplitude for t in tasks])
    phases = np.array([t.phase for t in tasks])
    assert amplitudes.min() >= 0.1 and amplitudes.max() <= 5.0
    assert phases.min() >= 0.0 and phases.max() <= np.pi
    task = tasks[0]
    X, y = task.sample(10, seed=3)
    assert X.shape == (10, 1) and y.shape == (10, 1)
    assert np.all(np.abs(X) <= 5.0)
    np.testing.assert_allclose(y, task.amplitude * np.sin(X - task.phase))
    Xg, yg = task.grid(100)
    assert Xg[0, 0] == -5.0 and Xg[-1, 0] == 5.0 and yg.shape == (100, 1)


def test_train_val_split():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    X_tr, y_tr, X_va, y_va = data.train_val_split(X, y, val_fraction=0.3, seed=0)
    assert X_tr.shape == (7, 2) and X_va.shape == (3, 2)
    assert sorted(np.concatenate([y_tr, y_va]).tolist()) == list(range(10))
    np.testing.assert_array_equal(X_tr[:, 0], 2 * y_tr)  # rows stay paired
    *_, y_va2 = data.train_val_split(X, y, val_fraction=0.3, seed=0)
    np.testing.assert_array_equal(y_va, y_va2)
    *_, y_last = data.train_val_split(X, y, val_fraction=0.2, shuffle=False)
    np.testing.assert_array_equal(y_last, [8, 9])


def test_invalid_arguments_raise():
    with pytest.raises(ValueError, match="outlier_fraction"):
        data.linear_regression(10, outlier_fraction=1.5)
    with pytest.raises(ValueError, match="number of examples"):
        data.blobs(0)
    with pytest.raises(ValueError, match="val_fraction"):
        data.train_val_split(np.zeros((4, 1)), np.zeros(4), val_fraction=1.0)
    with pytest.raises(ValueError, match="empty split"):
        data.train_val_split(np.zeros((2, 1)), np.zeros(2), val_fraction=0.1)
    with pytest.raises(ValueError, match="examples but y has"):
        data.train_val_split(np.zeros((4, 1)), np.zeros(3))
