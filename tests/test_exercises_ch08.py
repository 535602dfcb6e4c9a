"""The chapter 8 checkers accept correct backward passes and reject typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.exercises import ch08


def dense_backward(dz, a, W):
    return dz @ W.T, a.T @ dz, dz.sum(axis=0)


def dense_mean_bias(dz, a, W):
    return dz @ W.T, a.T @ dz, dz.mean(axis=0)


def dense_no_transpose(dz, a, W):
    return dz @ W.T, (dz.T @ a), dz.sum(axis=0)


def dense_wrong_da(dz, a, W):
    return dz @ W.T * 2.0, a.T @ dz, dz.sum(axis=0)


def dense_raises(dz, a, W):
    raise NotImplementedError


def two_layer(params, X, y):
    H = np.tanh(X @ params["W0"] + params["b0"])
    Y_hat = H @ params["W1"] + params["b1"]
    d_yhat = 2 * (Y_hat - y) / y.size
    d_H, dW1, db1 = dense_backward(d_yhat, H, params["W1"])
    _, dW0, db0 = dense_backward(d_H * (1 - H**2), X, params["W0"])
    return np.mean((Y_hat - y) ** 2), {"W0": dW0, "b0": db0, "W1": dW1, "b1": db1}


def two_layer_no_slope(params, X, y):
    H = np.tanh(X @ params["W0"] + params["b0"])
    Y_hat = H @ params["W1"] + params["b1"]
    d_yhat = 2 * (Y_hat - y) / y.size
    d_H, dW1, db1 = dense_backward(d_yhat, H, params["W1"])
    _, dW0, db0 = dense_backward(d_H, X, params["W0"])
    return np.mean((Y_hat - y) ** 2), {"W0": dW0, "b0": db0, "W1": dW1, "b1": db1}


def two_layer_per_row_mean(params, X, y):
    loss, grads = two_layer(params, X, y)
    return loss, {k: g * y.shape[1] for k, g in grads.items()}


def two_layer_sum_loss(params, X, y):
    loss, grads = two_layer(params, X, y)
    return loss * y.size, grads


def two_layer_missing_key(params, X, y):
    loss, grads = two_layer(params, X, y)
    del grads["b1"]
    return loss, grads


def test_dense_accepts_correct():
    assert ch08.check_dense_backward(dense_backward, verbose=False)


@pytest.mark.parametrize("broken", [dense_mean_bias, dense_no_transpose, dense_wrong_da,
                                    dense_raises])
def test_dense_rejects_broken(broken):
    assert not ch08.check_dense_backward(broken, verbose=False)


def test_two_layer_accepts_correct():
    assert ch08.check_two_layer(two_layer, verbose=False)


@pytest.mark.parametrize("broken", [two_layer_no_slope, two_layer_per_row_mean,
                                    two_layer_sum_loss, two_layer_missing_key])
def test_two_layer_rejects_broken(broken):
    assert not ch08.check_two_layer(broken, verbose=False)


def test_reports_name_the_mistake(capsys):
    assert not ch08.check_dense_backward(dense_mean_bias)
    assert "not a mean" in capsys.readouterr().out
    assert not ch08.check_two_layer(two_layer_no_slope)
    assert "1 - H**2" in capsys.readouterr().out
