"""Check analytic gradients against finite differences, and flatten parameter trees.

Parameters in ``descentlab`` are a NumPy array, or a dict or list of arrays. Methods that
need linear algebra on *all* parameters at once (a Hessian, the L-BFGS two-loop recursion,
a finite-difference check) work on one flat vector; :func:`ravel` and the ``unravel``
function it returns move between the two views.

Reference: the finite-difference check follows the standard advice for testing
backpropagation code, e.g. Goodfellow, Bengio & Courville, *Deep Learning* (2016), §11.5.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["gradcheck", "numerical_grad", "ravel"]

Params = Any  # an ndarray, or a dict / list / tuple of ndarrays


def ravel(params: Params) -> tuple[np.ndarray, Callable[[np.ndarray], Params]]:
    """Flatten a parameter tree into one float64 vector.

    Returns ``(vector, unravel)`` where ``unravel(vector)`` rebuilds a tree of the same
    structure and shapes (dicts keep their key order). The vector is a fresh copy:
    changing it never changes ``params``.

    >>> vec, unravel = ravel({"w": np.ones((2, 2)), "b": np.zeros(2)})
    >>> vec.shape
    (6,)
    """
    if isinstance(params, dict):
        keys = list(params)
        leaves = [np.asarray(params[k]) for k in keys]
    elif isinstance(params, list | tuple):
        keys = None
        leaves = [np.asarray(p) for p in params]
    else:
        leaf = np.asarray(params)
        shape = leaf.shape

        def unravel_array(vec: np.ndarray) -> np.ndarray:
            return np.array(vec, dtype=float).reshape(shape)

        return leaf.astype(float).ravel(), unravel_array

    shapes = [leaf.shape for leaf in leaves]
    sizes = [leaf.size for leaf in leaves]
    container = type(params)
    if leaves:
        vector = np.concatenate([leaf.astype(float).ravel() for leaf in leaves])
    else:
        vector = np.zeros(0)

    def unravel(vec: np.ndarray) -> Params:
        vec = np.asarray(vec, dtype=float)
        if vec.shape != (sum(sizes),):
            raise ValueError(f"Expected a vector of length {sum(sizes)}, got shape {vec.shape}")
        pieces = np.split(vec, np.cumsum(sizes)[:-1]) if leaves else []
        arrays = [piece.reshape(shape).copy() for piece, shape in zip(pieces, shapes, strict=True)]
        if keys is not None:
            return dict(zip(keys, arrays, strict=True))
        return container(arrays)

    return vector, unravel


def numerical_grad(value_fn: Callable[[Params], float], params: Params, eps: float = 1e-5):
    """Central finite-difference gradient of a scalar function of a parameter tree.

    For every coordinate ``i`` of the flattened parameters ``x``::

        g_i = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

    whose error is ``O(eps^2)`` (Taylor expansion). Works in float64. Returns a tree with
    the structure of ``params``. Costs ``2 n`` evaluations of ``value_fn``.
    """
    x, unravel = ravel(params)
    grad = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (float(value_fn(unravel(x + step))) - float(value_fn(unravel(x - step)))) / (
            2 * eps
        )
    return unravel(grad)


def gradcheck(
    f: Callable[[Params], tuple[float, Params]],
    params: Params,
    eps: float = 1e-5,
    return_all: bool = False,
):
    """Compare the analytic gradient of ``f`` with central finite differences.

    ``f(params)`` must return ``(value, grad)`` with ``grad`` shaped like ``params``. For
    each parameter array ``k`` (or the single array) the relative error is::

        err_k = max_i |a_i - n_i| / max(max_i |a_i|, max_i |n_i|, 1e-4 * G)

    where ``a`` is the analytic and ``n`` the numerical gradient of that array (see
    :func:`numerical_grad`) and ``G`` the largest gradient entry of any array. Normalizing
    per array, not per entry, keeps entries that are truly zero from dividing rounding noise
    by zero, yet still catches a wrong layer whose gradients are small compared to the
    others. The floor ``1e-4 * G`` does the same for an array whose true gradient is exactly
    zero while its finite difference is rounding noise (about ``1e-11 * G``); a wrong
    gradient in such an array still scores about ``|a - n| / (1e-4 * G)``.

    Returns the largest ``err_k`` (a float), or, with ``return_all=True``, the dict of
    ``err_k`` keyed by parameter name (or index). In float64 a correct gradient typically
    gives an error below ``1e-7``; a wrong one gives ``1e-2`` or more.
    """
    x, unravel = ravel(params)
    params64 = unravel(x)
    _, analytic = f(params64)
    numeric = numerical_grad(lambda p: f(p)[0], params64, eps=eps)

    if isinstance(params64, dict):
        pairs = {k: (analytic[k], numeric[k]) for k in params64}
    elif isinstance(params64, list | tuple):
        pairs = {i: (analytic[i], numeric[i]) for i in range(len(params64))}
    else:
        pairs = {0: (analytic, numeric)}

    errors = {}
    G = max(
        (
            float(np.max(np.abs(np.asarray(v, dtype=float))))
            for ab in pairs.values()
            for v in ab
            if np.size(v)
        ),
        default=0.0,
    )
    for key, (a, n) in pairs.items():
        a = np.asarray(a, dtype=float)
        n = np.asarray(n, dtype=float)
        if a.shape != n.shape:
            raise ValueError(f"Gradient for {key!r} has shape {a.shape}, parameter has {n.shape}")
        if a.size == 0:
            errors[key] = 0.0
            continue
        scale = max(np.max(np.abs(a)), np.max(np.abs(n)), 1e-4 * G, 1e-300)
        errors[key] = float(np.max(np.abs(a - n)) / scale)
        if not np.all(np.isfinite(a)):
            errors[key] = float("inf")
    if return_all:
        return errors
    return max(errors.values()) if errors else 0.0
