"""Loss functions and their gradients.

Convention, the same for every loss ``name``:

* ``name(pred, target)`` returns the loss, a Python float, averaged ("mean reduction").
* ``name_grad(pred, target)`` returns ``dL/dpred``, an array shaped like ``pred``.
* ``value_and_grad(name, pred, target)`` returns both, for training loops.

``pred`` are model outputs: predictions for the regression losses, raw scores (*logits*)
for the classification losses, which apply the sigmoid or softmax themselves. Working on
logits is what makes the losses numerically stable: ``log(sigmoid(z))`` is written as
``-softplus(-z)`` and ``log(softmax(z))`` with the log-sum-exp trick, so logits of
``+-1000`` give finite values and gradients without any floating-point warning.

Names and definitions follow ``torch.nn`` (``MSELoss``, ``L1Loss``, ``HuberLoss``,
``BCEWithLogitsLoss``, ``CrossEntropyLoss``), all with ``reduction="mean"``.
Shapes must match exactly (no silent broadcasting); mismatches raise ``ValueError``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "LOSSES",
    "bce_with_logits",
    "bce_with_logits_grad",
    "cross_entropy",
    "cross_entropy_grad",
    "huber",
    "huber_grad",
    "log_softmax",
    "logsumexp",
    "mae",
    "mae_grad",
    "mse",
    "mse_grad",
    "sigmoid",
    "sigmoid_mse",
    "sigmoid_mse_grad",
    "softmax",
    "softplus",
    "value_and_grad",
]


# ---------------------------------------------------------------------------------------
# Stable building blocks
# ---------------------------------------------------------------------------------------


def sigmoid(z):
    """Logistic function ``sigmoid(z) = 1 / (1 + exp(-z))``, without overflow.

    Only ``exp(-|z|)`` is ever computed, which lies in ``(0, 1]``::

        sigmoid(z) = 1 / (1 + exp(-|z|))          for z >= 0
        sigmoid(z) = exp(-|z|) / (1 + exp(-|z|))  for z < 0
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(z):
    """``softplus(z) = log(1 + exp(z))``, computed as ``max(z, 0) + log1p(exp(-|z|))``.

    Both forms are equal (factor ``exp(max(z, 0))`` out of the sum); the second never
    overflows. Note ``-log(sigmoid(z)) = softplus(-z)``.
    """
    z = np.asarray(z, dtype=float)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def logsumexp(z, axis=-1):
    """``log(sum_j exp(z_j))`` along ``axis``, as ``m + log(sum_j exp(z_j - m))``, ``m = max z``.

    Subtracting the maximum makes every exponent ``<= 0`` (no overflow) and the largest
    term exactly 1 (no ``log(0)``).
    """
    z = np.asarray(z, dtype=float)
    m = np.max(z, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(z - m), axis=axis))


def log_softmax(z, axis=-1):
    """``log softmax(z)_j = z_j - logsumexp(z)``, stable for any finite logits."""
    z = np.asarray(z, dtype=float)
    return z - np.expand_dims(logsumexp(z, axis=axis), axis)


def softmax(z, axis=-1):
    """``softmax(z)_j = exp(z_j) / sum_k exp(z_k)``, computed as ``exp(log_softmax(z))``."""
    return np.exp(log_softmax(z, axis=axis))


# ---------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------


def _same_shape(pred, target):
    pred = np.asarray(pred, dtype=float)
    target = np.asarray(target, dtype=float)
    if pred.shape != target.shape:
        raise ValueError(
            f"Shape mismatch: predictions have shape {pred.shape} but targets have shape "
            f"{target.shape}; reshape one of them (no broadcasting is done)"
        )
    if pred.size == 0:
        raise ValueError("Cannot compute a mean loss over zero elements")
    return pred, target


def _binary_targets(logits, target):
    logits, target = _same_shape(logits, target)
    if np.any((target < 0) | (target > 1)) or not np.all(np.isfinite(target)):
        raise ValueError("Binary cross-entropy targets must lie in [0, 1] (class 0 or class 1)")
    return logits, target


def _class_targets(logits, target):
    """Return ``(logits, Y)`` with ``Y`` an ``(N, C)`` matrix of target probabilities."""
    logits = np.asarray(logits, dtype=float)
    if logits.ndim != 2 or logits.shape[0] == 0:
        raise ValueError(f"Logits must have shape (N, C) with N >= 1, got {logits.shape}")
    n, c = logits.shape
    target = np.asarray(target)
    if target.ndim == 1:  # integer class labels
        if target.shape[0] != n:
            raise ValueError(f"Got {target.shape[0]} labels for {n} rows of logits")
        if not np.issubdtype(target.dtype, np.integer):
            if not (np.all(np.isfinite(target)) and np.all(np.mod(target, 1) == 0)):
                raise ValueError("Class labels must be integers")
        labels = target.astype(int)
        if np.any((labels < 0) | (labels >= c)):
            bad = labels[(labels < 0) | (labels >= c)][0]
            raise ValueError(f"Class label {bad} is outside the valid range 0..{c - 1}")
        return logits, np.eye(c)[labels]
    if target.shape != logits.shape:
        raise ValueError(
            f"Targets must be integer labels of shape ({n},) or class probabilities of shape "
            f"{logits.shape}, got {target.shape}"
        )
    target = target.astype(float)
    if np.any(target < 0) or not np.allclose(target.sum(axis=1), 1.0):
        raise ValueError("Each row of one-hot / probability targets must be >= 0 and sum to 1")
    return logits, target


# ---------------------------------------------------------------------------------------
# Regression losses
# ---------------------------------------------------------------------------------------


def mse(pred, target) -> float:
    """Mean squared error ``L = (1/n) sum_i (pred_i - target_i)^2`` over all ``n`` entries."""
    pred, target = _same_shape(pred, target)
    return float(np.mean((pred - target) ** 2))


def mse_grad(pred, target):
    """Gradient of :func:`mse`: ``dL/dpred_i = 2 (pred_i - target_i) / n``."""
    pred, target = _same_shape(pred, target)
    return 2.0 * (pred - target) / pred.size


def mae(pred, target) -> float:
    """Mean absolute error ``L = (1/n) sum_i |pred_i - target_i|`` (torch's ``L1Loss``)."""
    pred, target = _same_shape(pred, target)
    return float(np.mean(np.abs(pred - target)))


def mae_grad(pred, target):
    """(Sub)gradient of :func:`mae`: ``dL/dpred_i = sign(pred_i - target_i) / n``.

    At a zero residual the absolute value has no derivative; ``sign(0) = 0`` is used,
    as in PyTorch.
    """
    pred, target = _same_shape(pred, target)
    return np.sign(pred - target) / pred.size


def huber(pred, target, delta: float = 1.0) -> float:
    """Huber loss, quadratic near zero and linear in the tails (Huber, 1964)::

        l(r) = r^2 / 2                  if |r| <= delta
        l(r) = delta (|r| - delta / 2)  otherwise,        r = pred - target

    ``L = (1/n) sum_i l(r_i)``; same as ``torch.nn.HuberLoss(delta=delta)``.
    """
    if delta <= 0:
        raise ValueError(f"Invalid delta: {delta}")
    pred, target = _same_shape(pred, target)
    r = np.abs(pred - target)
    return float(np.mean(np.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta))))


def huber_grad(pred, target, delta: float = 1.0):
    """Gradient of :func:`huber`: ``dL/dpred_i = clip(r_i, -delta, delta) / n``.

    The residual itself inside the quadratic zone, ``+-delta`` outside: an outlier pulls
    no harder than ``delta``, which is why Huber is robust.
    """
    if delta <= 0:
        raise ValueError(f"Invalid delta: {delta}")
    pred, target = _same_shape(pred, target)
    return np.clip(pred - target, -delta, delta) / pred.size


# ---------------------------------------------------------------------------------------
# Classification losses (on logits)
# ---------------------------------------------------------------------------------------


def bce_with_logits(logits, target) -> float:
    """Binary cross-entropy on logits ``z`` with targets ``y`` in ``[0, 1]``::

        L = (1/n) sum_i -[y_i log sigmoid(z_i) + (1 - y_i) log(1 - sigmoid(z_i))]
          = (1/n) sum_i softplus(z_i) - y_i z_i

    The second line uses ``log sigmoid(z) = -softplus(-z)`` and ``softplus(z) -
    softplus(-z) = z``; it is finite for any finite ``z``. Same as
    ``torch.nn.BCEWithLogitsLoss``.
    """
    logits, target = _binary_targets(logits, target)
    return float(np.mean(softplus(logits) - target * logits))


def bce_with_logits_grad(logits, target):
    """Gradient of :func:`bce_with_logits`: ``dL/dz_i = (sigmoid(z_i) - y_i) / n``.

    The famous ``p - y``: the error itself, with no factor ``sigmoid'(z)`` that could
    vanish when the unit saturates.
    """
    logits, target = _binary_targets(logits, target)
    return (sigmoid(logits) - target) / logits.size


def cross_entropy(logits, target) -> float:
    """Softmax cross-entropy on logits ``Z`` of shape ``(N, C)``::

        L = (1/N) sum_i -sum_c Y_ic log softmax(Z_i)_c

    ``target`` is either integer labels of shape ``(N,)`` (then ``Y`` is one-hot and
    ``L = (1/N) sum_i logsumexp(Z_i) - Z_i,label_i``) or class probabilities / one-hot
    rows of shape ``(N, C)``. Same as ``torch.nn.CrossEntropyLoss``. Labels outside
    ``0..C-1`` raise ``ValueError``.
    """
    logits, y = _class_targets(logits, target)
    return float(-np.sum(y * log_softmax(logits)) / logits.shape[0])


def cross_entropy_grad(logits, target):
    """Gradient of :func:`cross_entropy`: ``dL/dZ_ic = (softmax(Z_i)_c - Y_ic) / N``."""
    logits, y = _class_targets(logits, target)
    return (softmax(logits) - y) / logits.shape[0]


def sigmoid_mse(logits, target) -> float:
    """Squared error after a sigmoid, ``L = (1/n) sum_i (sigmoid(z_i) - y_i)^2``.

    A poor pairing, kept for comparison with :func:`bce_with_logits`.
    """
    return mse(sigmoid(logits), target)


def sigmoid_mse_grad(logits, target):
    """Gradient of :func:`sigmoid_mse` by the chain rule, with ``p = sigmoid(z)``::

        dL/dz_i = 2 (p_i - y_i) / n * p_i (1 - p_i)

    The factor ``p (1 - p)`` goes to 0 when the unit saturates, even if it is
    confidently wrong: learning stalls exactly when the error is largest.
    """
    p = sigmoid(logits)
    return mse_grad(p, target) * p * (1.0 - p)


#: name -> (value function, gradient function); used by :mod:`descentlab.nn`.
LOSSES = {
    "mse": (mse, mse_grad),
    "mae": (mae, mae_grad),
    "huber": (huber, huber_grad),
    "bce_with_logits": (bce_with_logits, bce_with_logits_grad),
    "cross_entropy": (cross_entropy, cross_entropy_grad),
    "sigmoid_mse": (sigmoid_mse, sigmoid_mse_grad),
}


def value_and_grad(name: str, pred, target, **kwargs):
    """Return ``(loss, dloss/dpred)`` for the loss called ``name`` (a key of ``LOSSES``).

    Extra keyword arguments go to the loss, e.g. ``value_and_grad("huber", p, y, delta=2)``.
    """
    if name not in LOSSES:
        raise ValueError(f"Unknown loss {name!r}; choose one of {sorted(LOSSES)}")
    value, grad = LOSSES[name]
    return value(pred, target, **kwargs), grad(pred, target, **kwargs)
