"""Batch, mini-batch and stochastic gradient descent: feeding a dataset to an optimizer.

The three methods differ only in how much data each update sees. With ``n`` examples and
batch size ``B``, one epoch shuffles the examples and cuts them into batches; every batch
gives one update

.. math:: \\theta \\leftarrow \\mathrm{step}\\Big(\\theta,\\
          \\frac{1}{B}\\sum_{i \\in \\text{batch}} \\nabla_\\theta\\, \\ell(\\theta; x_i, y_i)\\Big)

(the averaging is the job of ``loss_and_grad``). ``B = n`` is batch gradient descent (one
exact-gradient update per epoch), ``B = 1`` is stochastic gradient descent (``n`` noisy
updates per epoch), anything between is mini-batch gradient descent.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["History", "minibatches", "train"]


@dataclass
class History:
    """What happened during :func:`train`.

    Attributes:
        params: the parameters after the last update.
        loss: the mini-batch loss seen by each update, shape ``(n_updates,)``; if training
            diverged on a batch, that batch's non-finite loss is one extra last entry.
        epoch_loss: the loss on the whole dataset before training (entry 0) and after each
            completed epoch, shape ``(epochs_completed + 1,)``.
        n_updates: number of optimizer steps taken.
        updates_per_epoch: ``ceil(n / B)``, or ``floor(n / B)`` with ``drop_last``.
        status: ``"completed"`` or ``"diverged"`` (a loss became NaN or infinite).
        diverged_at: the index of the update that was not taken because a loss was
            non-finite (equal to ``n_updates``), else ``None``.
        message: one human sentence.
        path: with ``record_params=True``, the parameters before the first and after every
            update (an array of shape ``(n_updates + 1, *params.shape)`` for array
            parameters, a list otherwise); else ``None``.
    """

    params: Any = field(repr=False)
    loss: np.ndarray = field(repr=False)
    epoch_loss: np.ndarray = field(repr=False)
    n_updates: int
    updates_per_epoch: int
    status: str
    diverged_at: int | None
    message: str
    path: Any = field(default=None, repr=False)


def _check_int(name: str, value, low: int, high: float = math.inf, extra: str = "") -> int:
    """``value`` as an int in ``[low, high]``, or a ValueError naming the parameter."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or not (low <= value <= high)
    ):
        valid = f"in [{low}, {high}]" if high < math.inf else f">= {low}"
        raise ValueError(f"Invalid {name}: {value!r} (expected an integer {valid}{extra})")
    return int(value)


def minibatches(n: int, batch_size: int, rng=0, shuffle: bool = True, drop_last: bool = False):
    """The batches of one epoch over ``n`` examples: a list of index arrays or slices.

    With ``shuffle``, the examples are permuted with ``rng`` (a seed or a
    ``numpy.random.Generator``; pass the same Generator every epoch to get a fresh
    permutation each time) and cut into consecutive groups of ``batch_size``. Without
    ``shuffle``, or when one batch holds everything, the batches are slices in data order
    (views, no copying) and ``rng`` is not used. The last batch is smaller when
    ``batch_size`` does not divide ``n``, unless ``drop_last`` drops it.
    """
    n = _check_int("n", n, 1)
    batch_size = _check_int("batch_size", batch_size, 1, n)
    stops = range(batch_size, n + 1 if drop_last else n + batch_size, batch_size)
    if not shuffle or batch_size == n:
        return [slice(stop - batch_size, min(stop, n)) for stop in stops]
    order = np.random.default_rng(rng).permutation(n)
    return [order[stop - batch_size : stop] for stop in stops]


def train(
    opt,
    loss_and_grad,
    params,
    X,
    y,
    *,
    batch_size: int | None = None,
    epochs: int = 1,
    rng=0,
    shuffle: bool = True,
    drop_last: bool = False,
    record_params: bool = False,
) -> History:
    """Train ``params`` on ``(X, y)`` with ``opt``: batch, mini-batch or stochastic GD.

    Args:
        opt: an optimizer with ``init(params)`` and ``step(params, grads, state)``.
        loss_and_grad: ``(params, X_batch, y_batch) -> (loss, grads)``, the mean loss over
            the batch and its gradient (same structure as ``params``).
        params: initial parameters (an array, or a dict/list of arrays).
        X, y: the dataset; ``len(X) == len(y) == n``, examples along the first axis.
        batch_size: ``None`` for the full batch (batch GD), ``1`` for stochastic GD, or any
            integer in ``[1, n]`` for mini-batches.
        epochs: passes over the data (>= 1).
        rng: seed or ``numpy.random.Generator`` for shuffling; the same seed gives the same
            batches and so the same history.
        shuffle: reshuffle the examples at the start of every epoch.
        drop_last: skip each epoch's last batch if it is smaller than ``batch_size``.
        record_params: keep the parameters after every update in ``History.path``.

    Training stops early, with status ``"diverged"`` and no NumPy warnings, as soon as a
    batch loss or an epoch loss is NaN or infinite. The epoch loss is computed with
    ``loss_and_grad(params, X, y)``, i.e. one extra full-batch evaluation per epoch.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length: len(X) = {len(X)}, len(y) = {len(y)}")
    n = len(X)
    if n == 0:
        raise ValueError("Invalid X: the dataset is empty")
    size = n if batch_size is None else _check_int("batch_size", batch_size, 1, n, " or None")
    epochs = _check_int("epochs", epochs, 1)
    rng = np.random.default_rng(rng)

    state = opt.init(params)
    losses, path = [], [params] if record_params else None
    n_updates, epoch = 0, 0
    with np.errstate(all="ignore"):
        epoch_losses = [loss_and_grad(params, X, y)[0]]
        diverged = not math.isfinite(epoch_losses[0])
        while not diverged and epoch < epochs:
            epoch += 1
            for batch in minibatches(n, size, rng, shuffle, drop_last):
                loss, grads = loss_and_grad(params, X[batch], y[batch])
                losses.append(loss)
                if not math.isfinite(loss):
                    diverged = True
                    break
                params, state = opt.step(params, grads, state)
                n_updates += 1
                if record_params:
                    path.append(params)
            else:  # the epoch ran to its end
                epoch_losses.append(loss_and_grad(params, X, y)[0])
                diverged = not math.isfinite(epoch_losses[-1])

    if diverged and epoch == 0:
        message = "diverged before the first update: the initial loss is non-finite"
    elif diverged:
        message = f"diverged at update {n_updates} (epoch {epoch}): loss became non-finite"
    else:
        message = f"completed {epochs} epochs ({n_updates} updates): loss {epoch_losses[-1]:.6g}"
    if record_params and isinstance(params, np.ndarray):
        path = np.array(path)
    return History(
        params=params,
        loss=np.array(losses, dtype=float),
        epoch_loss=np.array(epoch_losses, dtype=float),
        n_updates=n_updates,
        updates_per_epoch=n // size if drop_last else math.ceil(n / size),
        status="diverged" if diverged else "completed",
        diverged_at=n_updates if diverged else None,
        message=message,
        path=path,
    )
