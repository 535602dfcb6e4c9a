"""Checkers for chapter 8, "Can you explain the concept of backpropagation in relation to
parameter updates?"."""

from __future__ import annotations

import numpy as np

from .. import nn
from ..gradcheck import gradcheck, numerical_grad
from ._report import Report


def _call(report, fn, *args):
    """Run the reader's function; report an exception instead of raising it."""
    try:
        with np.errstate(all="ignore"):
            return fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    except Exception as exc:  # the reader's code may raise anything
        report.check(False, "runs without raising", f"{type(exc).__name__}: {exc}")
        return None


def _dense_numerical_grads(G, a, W, b) -> dict:
    """Finite-difference gradients of ``L = sum(G * (a W + b))`` with respect to a, W, b."""
    return {
        "da": numerical_grad(lambda x: np.sum(G * (x @ W + b)), a),
        "dW": numerical_grad(lambda x: np.sum(G * (a @ x + b)), W),
        "db": numerical_grad(lambda x: np.sum(G * (a @ W + x)), b),
    }


def check_dense_backward(fn, verbose: bool = True) -> bool:
    """Check ``fn(dz, a, W) -> (da, dW, db)``, the backward pass of ``z = a W + b``.

    ``a`` has shape ``(N, n_in)``, ``W`` ``(n_in, n_out)`` and ``dz = dL/dz`` ``(N, n_out)``.
    The answer must be ``da = dz W^T``, ``dW = a^T dz`` and ``db = sum over rows of dz``.
    Each is compared with central finite differences of ``L = sum(G * (a W + b))``, a loss
    whose gradient with respect to ``z`` is ``G``.
    """
    report = Report("check_dense_backward", verbose)
    rng = np.random.default_rng(8)
    for n, n_in, n_out in [(5, 3, 4), (1, 2, 3), (7, 4, 2)]:
        a = rng.standard_normal((n, n_in))
        W = rng.standard_normal((n_in, n_out))
        b = rng.standard_normal(n_out)
        G = rng.standard_normal((n, n_out))
        out = _call(report, fn, G, a, W)
        if out is None:
            return report.finish()
        try:
            da, dW, db = (np.asarray(x, dtype=float) for x in out)
        except (TypeError, ValueError):
            report.check(False, "returns three arrays (da, dW, db)", f"got {type(out).__name__}")
            return report.finish()
        shapes = (da.shape, dW.shape, db.shape)
        if not report.check(shapes == (a.shape, W.shape, b.shape),
                            f"N={n}: shapes match a, W and b",
                            f"expected {(a.shape, W.shape, b.shape)}, got {shapes}; "
                            "a gradient has the shape of what it differentiates"):
            return report.finish()
        expected = _dense_numerical_grads(G, a, W, b)
        hints = {"da": "da = dz @ W.T", "dW": "dW = a.T @ dz",
                 "db": "db sums dz over the rows of the batch (not a mean)"}
        for name, got in zip(expected, (da, dW, db), strict=True):
            ok = np.allclose(got, expected[name], rtol=1e-6, atol=1e-8)
            if not report.check(ok, f"N={n}: {name} matches finite differences", hints[name]):
                return report.finish()
    return report.finish()


def _reference_net(X, y, seed):
    rng = np.random.default_rng(seed)
    sizes = [X.shape[1], 5, y.shape[1]]
    model = nn.MLP(sizes, activation="tanh", loss="mse", seed=seed)
    params = {k: v + 0.3 * rng.standard_normal(v.shape) for k, v in model.params.items()}
    return model, params


def check_two_layer(fn, verbose: bool = True) -> bool:
    """Check ``fn(params, X, y) -> (loss, grads)`` for a tanh network with one hidden layer.

    The network is ``H = tanh(X W0 + b0)``, ``Y_hat = H W1 + b1`` and the loss is the mean
    squared error over all entries of ``y`` (shape ``(N, m)``). ``grads`` must be a dict with
    keys ``W0, b0, W1, b1`` shaped like ``params``. Gradients are compared with central
    finite differences of the reference loss (:class:`descentlab.nn.MLP` with ``tanh`` and
    ``mse``); the relative error must be below ``1e-6``.
    """
    report = Report("check_two_layer", verbose)
    rng = np.random.default_rng(11)
    for n, n_in, m, seed in [(6, 2, 1, 0), (9, 3, 2, 1)]:
        X = rng.standard_normal((n, n_in))
        y = rng.standard_normal((n, m))
        model, params = _reference_net(X, y, seed)
        out = _call(report, fn, {k: v.copy() for k, v in params.items()}, X, y)
        if out is None:
            return report.finish()
        try:
            loss, grads = out
            grads = {k: np.asarray(grads[k], dtype=float) for k in params}
        except (TypeError, ValueError, KeyError) as exc:
            report.check(False, "returns (loss, grads) with keys W0, b0, W1, b1",
                         f"{type(exc).__name__}: {exc}")
            return report.finish()
        expected_loss = model.loss(params, X, y)
        if not report.check(np.isclose(float(loss), expected_loss, rtol=1e-9),
                            f"N={n}, m={m}: the loss is the mean squared error",
                            f"expected {expected_loss:.6g}, got {float(loss):.6g}"):
            return report.finish()
        bad_shape = [k for k in params if grads[k].shape != params[k].shape]
        if not report.check(not bad_shape, f"N={n}, m={m}: gradients have the parameters' shapes",
                            f"wrong shape for {bad_shape}"):
            return report.finish()
        # gradcheck evaluates the analytic gradient only at ``params``: the reader's answer.
        def value_and_reader_grads(p, X=X, y=y, model=model, grads=grads):
            return model.loss(p, X, y), grads

        errors = gradcheck(value_and_reader_grads, params, return_all=True)
        wrong = [k for k, e in errors.items() if e > 1e-6]
        hint = ""
        if wrong and set(wrong) <= {"W0", "b0"}:
            hint = "the output layer is right; through tanh, multiply by 1 - H**2"
        elif wrong:
            hint = "start from dL/dY_hat = 2 (Y_hat - y) / y.size (a mean over all entries)"
        if not report.check(not wrong, f"N={n}, m={m}: gradients match finite differences",
                            f"wrong: {wrong}; {hint}"):
            return report.finish()
    return report.finish()
