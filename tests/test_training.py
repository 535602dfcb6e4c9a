"""Tests for descentlab.training: batch, mini-batch and stochastic gradient descent drivers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descentlab import optim
from descentlab.training import History, minibatches, train
from standin_gd import GD

N = 50


def make_data(n=N, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = X @ np.array([2.0, -1.0]) + 0.5 + 0.1 * rng.normal(size=n)
    return X, y


def linear_mse(params, X, y):
    """Half mean squared error of y ≈ X w + b with params = (w1, w2, b), and its gradient."""
    residual = X @ params[:2] + params[2] - y
    grad = np.append(X.T @ residual, residual.sum()) / len(y)
    return 0.5 * np.mean(residual * residual), grad


def linear_mse_dict(params, X, y):
    residual = X @ params["w"] + params["b"] - y
    return 0.5 * np.mean(residual * residual), {
        "w": X.T @ residual / len(y),
        "b": np.mean(residual),
    }


class Spy:
    """Wraps a loss_and_grad and remembers the targets of every mini-batch it saw."""

    def __init__(self, fn, y):
        self.fn, self.y, self.batches = fn, y, []

    def __call__(self, params, X, y):
        if y is not self.y:  # not the full-dataset evaluation at the end of an epoch
            self.batches.append(np.array(y))
        return self.fn(params, X, y)


@pytest.mark.parametrize("opt", [GD(0.1), optim.SGD(lr=0.1)], ids=["stand-in GD", "optim.SGD"])
def test_full_batch_is_plain_gradient_descent(opt):
    X, y = make_data()
    history = train(opt, linear_mse, np.zeros(3), X, y, epochs=30)
    assert isinstance(history, History)
    assert history.status == "completed" and history.diverged_at is None
    assert history.n_updates == 30 and history.updates_per_epoch == 1
    assert history.loss.shape == (30,) and history.epoch_loss.shape == (31,)
    # One update per epoch on the whole data: the batch loss is the previous epoch loss.
    np.testing.assert_array_equal(history.loss, history.epoch_loss[:-1])
    params = np.zeros(3)
    for _ in range(30):
        params = params - 0.1 * linear_mse(params, X, y)[1]
    np.testing.assert_allclose(history.params, params, rtol=1e-12)
    assert history.epoch_loss[-1] < 0.1 * history.epoch_loss[0]
    assert history.message.startswith("completed 30 epochs (30 updates)")


def test_stochastic_gradient_descent_visits_every_example_once_per_epoch():
    X, y = make_data()
    spy = Spy(linear_mse, y)
    history = train(GD(0.02), spy, np.zeros(3), X, y, batch_size=1, epochs=3, rng=7)
    assert history.n_updates == 3 * N and history.updates_per_epoch == N
    assert len(spy.batches) == 3 * N and all(len(b) == 1 for b in spy.batches)
    seen = np.concatenate(spy.batches).reshape(3, N)
    for epoch in seen:
        np.testing.assert_array_equal(np.sort(epoch), np.sort(y))
    assert not np.array_equal(seen[0], seen[1])  # reshuffled every epoch
    assert not np.array_equal(seen[0], y)
    assert history.epoch_loss[-1] < 0.1 * history.epoch_loss[0]


@pytest.mark.parametrize(
    ("drop_last", "updates", "sizes"), [(False, 7, [8] * 6 + [2]), (True, 6, [8] * 6)]
)
def test_mini_batches_and_drop_last(drop_last, updates, sizes):
    X, y = make_data()
    spy = Spy(linear_mse, y)
    history = train(GD(0.05), spy, np.zeros(3), X, y, batch_size=8, epochs=2, drop_last=drop_last)
    assert history.updates_per_epoch == updates and history.n_updates == 2 * updates
    assert [len(b) for b in spy.batches] == sizes * 2


def test_without_shuffling_batches_follow_the_data_order():
    X, y = make_data()
    spy = Spy(linear_mse, y)
    train(GD(0.05), spy, np.zeros(3), X, y, batch_size=20, shuffle=False, epochs=2)
    np.testing.assert_array_equal(np.concatenate(spy.batches), np.concatenate([y, y]))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), batch_size=st.integers(1, N), shuffle=st.booleans())
def test_the_same_seed_gives_the_same_history(seed, batch_size, shuffle):
    X, y = make_data()
    kwargs = dict(batch_size=batch_size, epochs=2, shuffle=shuffle)
    first = train(optim.Adam(lr=0.05), linear_mse, np.zeros(3), X, y, rng=seed, **kwargs)
    again = train(optim.Adam(lr=0.05), linear_mse, np.zeros(3), X, y, rng=seed, **kwargs)
    generator = np.random.default_rng(seed)
    given_rng = train(optim.Adam(lr=0.05), linear_mse, np.zeros(3), X, y, rng=generator, **kwargs)
    for other in (again, given_rng):
        np.testing.assert_array_equal(other.loss, first.loss)
        np.testing.assert_array_equal(other.epoch_loss, first.epoch_loss)
        np.testing.assert_array_equal(other.params, first.params)


def test_different_seeds_give_different_batches():
    X, y = make_data()
    a = train(GD(0.05), linear_mse, np.zeros(3), X, y, batch_size=5, rng=1)
    b = train(GD(0.05), linear_mse, np.zeros(3), X, y, batch_size=5, rng=2)
    assert not np.array_equal(a.loss, b.loss)


def test_dict_parameters_with_adam_and_recorded_path():
    X, y = make_data()
    params = {"w": np.zeros(2), "b": np.array(0.0)}
    history = train(
        optim.Adam(lr=0.05),
        linear_mse_dict,
        params,
        X,
        y,
        batch_size=10,
        epochs=20,
        record_params=True,
    )
    assert history.status == "completed" and history.n_updates == 100
    assert len(history.path) == 101 and history.path[0] is params
    np.testing.assert_allclose(history.params["w"], [2.0, -1.0], atol=0.1)
    np.testing.assert_allclose(history.params["b"], 0.5, atol=0.1)


def test_array_parameter_path_is_stacked():
    X, y = make_data()
    history = train(
        GD(0.1), linear_mse, np.zeros(3), X, y, batch_size=25, epochs=3, record_params=True
    )
    assert history.path.shape == (7, 3)
    np.testing.assert_array_equal(history.path[0], np.zeros(3))
    np.testing.assert_array_equal(history.path[-1], history.params)
    assert train(GD(0.1), linear_mse, np.zeros(3), X, y).path is None


# --- divergence and validation -----------------------------------------------------------


@pytest.mark.parametrize("batch_size", [None, 1, 8])
def test_divergence_stops_training_without_warnings(batch_size):
    X, y = make_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = train(
            GD(20.0), linear_mse, np.zeros(3), X, y, batch_size=batch_size, epochs=10_000
        )
    assert history.status == "diverged"
    assert history.diverged_at == history.n_updates
    last = history.loss[-1] if len(history.loss) > history.n_updates else history.epoch_loss[-1]
    assert not np.isfinite(last)
    assert np.all(np.isfinite(history.loss[: history.n_updates]))
    assert history.message.startswith(f"diverged at update {history.n_updates}")


def test_non_finite_initial_loss_takes_no_step():
    X, y = make_data()
    history = train(GD(0.1), linear_mse, np.full(3, np.nan), X, y, epochs=5)
    assert history.status == "diverged" and history.n_updates == 0 and history.diverged_at == 0
    assert history.loss.shape == (0,) and history.epoch_loss.shape == (1,)


@pytest.mark.parametrize("batch_size", [0, -1, N + 1, 2.5, True, "8"])
def test_invalid_batch_size(batch_size):
    X, y = make_data()
    with pytest.raises(ValueError, match=rf"Invalid batch_size: .*\[1, {N}\] or None"):
        train(GD(0.1), linear_mse, np.zeros(3), X, y, batch_size=batch_size)


@pytest.mark.parametrize("epochs", [0, -3, 1.5, None])
def test_invalid_epochs(epochs):
    X, y = make_data()
    with pytest.raises(ValueError, match=r"Invalid epochs: .*>= 1"):
        train(GD(0.1), linear_mse, np.zeros(3), X, y, epochs=epochs)


def test_mismatched_or_empty_data():
    X, y = make_data()
    with pytest.raises(ValueError, match=r"same length: len\(X\) = 50, len\(y\) = 49"):
        train(GD(0.1), linear_mse, np.zeros(3), X, y[:-1])
    with pytest.raises(ValueError, match="empty"):
        train(GD(0.1), linear_mse, np.zeros(3), X[:0], y[:0])


# --- minibatches --------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 200),
    data=st.data(),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_minibatches_partition_the_examples(n, data, shuffle, drop_last, seed):
    batch_size = data.draw(st.integers(1, n))
    batches = minibatches(n, batch_size, seed, shuffle=shuffle, drop_last=drop_last)
    indices = [np.arange(n)[batch] for batch in batches]
    sizes = [len(batch) for batch in indices]
    assert all(size == batch_size for size in sizes[:-1])
    if drop_last:
        assert len(batches) == n // batch_size and sizes[-1] == batch_size
    else:
        assert len(batches) == -(-n // batch_size) and 1 <= sizes[-1] <= batch_size
    seen = np.concatenate(indices)
    assert len(np.unique(seen)) == len(seen)  # no example twice in an epoch
    if not drop_last:
        np.testing.assert_array_equal(np.sort(seen), np.arange(n))
    if not shuffle:
        np.testing.assert_array_equal(seen, np.arange(len(seen)))
    again = minibatches(n, batch_size, seed, shuffle=shuffle, drop_last=drop_last)
    np.testing.assert_array_equal(np.concatenate([np.arange(n)[b] for b in again]), seen)


def test_one_generator_gives_a_new_permutation_each_epoch():
    rng = np.random.default_rng(0)
    first, second = minibatches(10, 10 - 1, rng), minibatches(10, 10 - 1, rng)
    assert not np.array_equal(first[0], second[0])
    assert isinstance(minibatches(10, 10, rng)[0], slice)  # one full batch: no shuffling
