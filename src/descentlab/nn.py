"""A small multilayer perceptron, with its backward pass written out by hand.

Read this module top to bottom: activations, then initializations, then one dense layer
(forward and backward), then the MLP that chains them. There is no autodiff engine: the
forward pass stores exactly what the backward pass needs, and the backward pass applies
the chain rule one layer at a time, from the loss back to the input.

Conventions

* A batch ``X`` has shape ``(N, n_in)``: one example per row.
* Layer ``k`` computes ``z = a W_k + b_k`` and ``a_next = f(z)``, with ``W_k`` of shape
  ``(n_in, n_out)`` and ``b_k`` of shape ``(n_out,)``. (PyTorch stores the transpose.)
* Parameters are a dict ``{"W0": ..., "b0": ..., "W1": ..., ...}``, so every optimizer in
  :mod:`descentlab.optim` accepts them, and gradients come back as a dict with the same
  keys and shapes.
* Models are stateless: every method takes ``params`` explicitly and returns new arrays.

References: Rumelhart, Hinton & Williams (1986) for backpropagation; Glorot & Bengio
(2010) and He et al. (2015) for the initializations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from . import losses
from .gradcheck import gradcheck, numerical_grad, ravel

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "MLP",
    "Activation",
    "LayerStats",
    "count_params",
    "dense_backward",
    "dense_forward",
    "gradcheck",
    "he_normal",
    "he_uniform",
    "identity",
    "leaky_relu",
    "make_leaky_relu",
    "normal",
    "numerical_grad",
    "ravel",
    "relu",
    "sigmoid",
    "tanh",
    "xavier_normal",
    "xavier_uniform",
]

# ---------------------------------------------------------------------------------------
# Activations: a = f(z), and the local slope f'(z) the backward pass multiplies by
# ---------------------------------------------------------------------------------------


class Activation(NamedTuple):
    """An elementwise nonlinearity: ``f(z)`` and its derivative ``slope(z) = f'(z)``.

    ``max_slope`` is the largest value ``f'`` can take; it defines saturation (see
    :class:`LayerStats`).
    """

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    slope: Callable[[np.ndarray], np.ndarray]
    max_slope: float


def _sigmoid_slope(z):
    s = losses.sigmoid(z)
    return s * (1.0 - s)


def _tanh_slope(z):
    return 1.0 - np.tanh(z) ** 2


def _relu(z):
    return np.maximum(z, 0.0)


def _relu_slope(z):
    return (np.asarray(z) > 0).astype(float)


def _identity(z):
    return np.asarray(z, dtype=float)


def _identity_slope(z):
    return np.ones_like(z, dtype=float)


def make_leaky_relu(negative_slope: float = 0.01) -> Activation:
    """Leaky ReLU (Maas et al., 2013): ``f(z) = z`` if ``z > 0`` else ``negative_slope * z``.

    ``f'(z) = 1`` for ``z > 0`` and ``negative_slope`` otherwise. The default slope 0.01
    is PyTorch's.
    """

    def f(z):
        return np.where(z > 0, z, negative_slope * np.asarray(z, dtype=float))

    def slope(z):
        return np.where(np.asarray(z) > 0, 1.0, negative_slope)

    return Activation("leaky_relu", f, slope, max(1.0, abs(negative_slope)))


#: Logistic sigmoid ``f(z) = 1 / (1 + e^-z)``, ``f'(z) = f(z)(1 - f(z)) <= 1/4``.
sigmoid = Activation("sigmoid", losses.sigmoid, _sigmoid_slope, 0.25)
#: Hyperbolic tangent ``f(z) = tanh z``, ``f'(z) = 1 - tanh(z)^2 <= 1``.
tanh = Activation("tanh", np.tanh, _tanh_slope, 1.0)
#: Rectified linear unit ``f(z) = max(z, 0)``, ``f'(z) = 1 if z > 0 else 0`` (Nair & Hinton 2010).
relu = Activation("relu", _relu, _relu_slope, 1.0)
#: Identity ``f(z) = z``, ``f'(z) = 1``: the usual output "activation".
identity = Activation("identity", _identity, _identity_slope, 1.0)

#: Leaky ReLU with PyTorch's default ``negative_slope = 0.01``.
leaky_relu = make_leaky_relu(0.01)

ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "identity": identity,
}


def _get_activation(activation) -> Activation:
    if isinstance(activation, Activation):
        return activation
    if activation not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[activation]


# ---------------------------------------------------------------------------------------
# Initializations: draw a weight matrix of shape (fan_in, fan_out)
# ---------------------------------------------------------------------------------------


def normal(fan_in: int, fan_out: int, rng: np.random.Generator, scale: float = 1.0):
    """Naive Gaussian init: ``W_ij ~ N(0, scale^2)``, whatever the layer size."""
    return scale * rng.standard_normal((fan_in, fan_out))


def xavier_uniform(fan_in: int, fan_out: int, rng: np.random.Generator, scale: float = 1.0):
    """Glorot & Bengio (2010): ``W_ij ~ U(-a, a)``, ``a = scale * sqrt(6 / (fan_in + fan_out))``.

    The variance ``a^2 / 3 = 2 / (fan_in + fan_out)`` averages the two conditions that keep
    activation variance (forward) and gradient variance (backward) constant for tanh-like
    units near 0. ``scale`` is PyTorch's ``gain``.
    """
    bound = scale * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


def xavier_normal(fan_in: int, fan_out: int, rng: np.random.Generator, scale: float = 1.0):
    """Glorot & Bengio (2010): ``W_ij ~ N(0, s^2)``, ``s = scale sqrt(2 / (fan_in + fan_out))``."""
    return scale * np.sqrt(2.0 / (fan_in + fan_out)) * rng.standard_normal((fan_in, fan_out))


def he_normal(fan_in: int, fan_out: int, rng: np.random.Generator, scale: float = 1.0):
    """He et al. (2015): ``W_ij ~ N(0, s^2)``, ``s = scale * sqrt(2 / fan_in)``.

    A ReLU zeroes half of its inputs on average, halving the second moment; the factor 2
    puts it back, so activations keep their scale through depth. PyTorch's
    ``kaiming_normal_(nonlinearity="relu")``.
    """
    return scale * np.sqrt(2.0 / fan_in) * rng.standard_normal((fan_in, fan_out))


def he_uniform(fan_in: int, fan_out: int, rng: np.random.Generator, scale: float = 1.0):
    """He et al. (2015), uniform: ``W_ij ~ U(-a, a)``, ``a = scale * sqrt(6 / fan_in)``."""
    bound = scale * np.sqrt(6.0 / fan_in)
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


INITS = {
    "normal": normal,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
}


# ---------------------------------------------------------------------------------------
# One dense layer
# ---------------------------------------------------------------------------------------


def dense_forward(a, W, b):
    """Affine map ``z = a W + b`` for a batch ``a`` of shape ``(N, n_in)``."""
    return a @ W + b


def dense_backward(dz, a, W):
    """Chain rule through ``z = a W + b``, given ``dz = dL/dz`` of shape ``(N, n_out)``::

        dL/da = dz W^T        dL/dW = a^T dz        dL/db = sum over rows of dz

    Needs the layer input ``a`` (cached by the forward pass) and the weights ``W``.
    """
    return dz @ W.T, a.T @ dz, dz.sum(axis=0)


def count_params(params) -> int:
    """Total number of scalars in a parameter array, dict or list."""
    return int(ravel(params)[0].size)


# ---------------------------------------------------------------------------------------
# The MLP
# ---------------------------------------------------------------------------------------


class LayerStats(NamedTuple):
    """Per-layer diagnostics, one entry per dense layer (input side first).

    * ``grad_norm[k] = ||dL/dW_k||_F``, the Frobenius norm of the weight gradient;
    * ``act_mean[k]``, ``act_std[k]``: mean and standard deviation of ``a = f(z)`` over the
      batch and the units of layer ``k``;
    * ``saturated[k]``: fraction of (example, unit) pairs whose local slope ``f'(z)`` is
      below 5% of the activation's largest slope: saturated sigmoid/tanh units, dead ReLU
      units. Such units pass (almost) no gradient backward.
    """

    grad_norm: np.ndarray
    act_mean: np.ndarray
    act_std: np.ndarray
    saturated: np.ndarray


class MLP:
    """Multilayer perceptron ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``.

    Every hidden layer applies ``activation`` (a name in ``ACTIVATIONS`` or an
    :class:`Activation`); the last layer applies ``output_activation`` (identity by
    default, so classification losses receive logits). Weights are drawn with ``init`` (a
    name in ``INITS`` or a function ``(fan_in, fan_out, rng, scale) -> W``) with
    ``init_scale`` multiplying the standard deviation or bound; biases start at 0.
    ``loss`` is a name in :data:`descentlab.losses.LOSSES`.

    The initial parameters, drawn from ``seed`` (an int or ``np.random.Generator``), are
    in ``self.params``; the model never changes them, and all methods take ``params``.

    >>> model = MLP([1, 40, 40, 1], activation="tanh", seed=0)
    >>> loss, grads = model.loss_and_grad(model.params, X, y)     # doctest: +SKIP
    """

    def __init__(
        self,
        sizes,
        activation="tanh",
        init="xavier_uniform",
        seed=0,
        *,
        init_scale: float = 1.0,
        output_activation="identity",
        loss: str = "mse",
    ):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes needs at least an input and an output size >= 1: {sizes}")
        if loss not in losses.LOSSES:
            raise ValueError(f"Unknown loss {loss!r}; choose one of {sorted(losses.LOSSES)}")
        if not callable(init) and init not in INITS:
            raise ValueError(f"Unknown init {init!r}; choose one of {sorted(INITS)}")
        self.sizes = sizes
        self.activation = _get_activation(activation)
        self.output_activation = _get_activation(output_activation)
        self.init = init
        self.init_scale = float(init_scale)
        self.loss_name = loss
        self.params = self.init_params(seed)

    @property
    def num_layers(self) -> int:
        """Number of dense layers (``len(sizes) - 1``)."""
        return len(self.sizes) - 1

    @property
    def num_params(self) -> int:
        """Number of weights and biases: ``sum_k (n_in_k + 1) n_out_k``."""
        return sum(
            (n_in + 1) * n_out for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:], strict=True)
        )

    def init_params(self, seed=0) -> dict:
        """Draw fresh parameters ``{"W0", "b0", ...}`` from ``seed`` (int or Generator)."""
        rng = np.random.default_rng(seed)
        draw = self.init if callable(self.init) else INITS[self.init]
        params = {}
        for k, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:], strict=True)):
            params[f"W{k}"] = np.asarray(draw(n_in, n_out, rng, self.init_scale), dtype=float)
            params[f"b{k}"] = np.zeros(n_out)
        return params

    def _layer_activation(self, k: int) -> Activation:
        return self.output_activation if k == self.num_layers - 1 else self.activation

    # -- forward and backward ----------------------------------------------------------

    def forward(self, params, X):
        """Run the network on a batch; return ``(output, cache)``.

        ``cache[k] = (a, z)`` holds layer ``k``'s input ``a`` and pre-activation ``z``:
        ``a`` for ``dL/dW_k = a^T dz`` and ``z`` for the activation slope ``f'(z)``.
        Nothing else is needed going backward.
        """
        a = self._check_X(params, X)
        cache = []
        for k in range(self.num_layers):
            z = dense_forward(a, params[f"W{k}"], params[f"b{k}"])
            cache.append((a, z))
            a = self._layer_activation(k).f(z)
        return a, cache

    def backward(self, params, cache, dout) -> dict:
        """Backpropagate ``dout = dL/d(output)``; return the gradient dict ``{"W0", ...}``.

        For each layer, last to first: through the activation, ``dz = da * f'(z)``; then
        through the dense map, ``(da, dW, db) = dense_backward(dz, a, W)``.
        """
        grads = {}
        da = dout
        for k in reversed(range(self.num_layers)):
            a, z = cache[k]
            dz = da * self._layer_activation(k).slope(z)
            da, grads[f"W{k}"], grads[f"b{k}"] = dense_backward(dz, a, params[f"W{k}"])
        return {k: grads[k] for k in params}  # same key order as params

    def predict(self, params, X):
        """Network output for ``X`` (logits for the classification losses)."""
        return self.forward(params, X)[0]

    # -- loss ---------------------------------------------------------------------------

    def loss(self, params, X, y) -> float:
        """Mean loss of the network on ``(X, y)``."""
        out = self.predict(params, X)
        return losses.LOSSES[self.loss_name][0](out, self._check_y(y, out))

    def loss_and_grad(self, params, X, y, return_stats: bool = False):
        """Return ``(loss, grads)``, or ``(loss, grads, stats)`` with ``return_stats=True``.

        ``grads`` is a dict shaped like ``params``; ``stats`` is a :class:`LayerStats`.
        Targets ``y``: shape ``(N, n_out)`` (or ``(N,)`` when ``n_out == 1``) for the
        regression and binary losses; integer labels ``(N,)`` or one-hot ``(N, C)`` for
        cross-entropy.
        """
        out, cache = self.forward(params, X)
        y = self._check_y(y, out)
        value_fn, grad_fn = losses.LOSSES[self.loss_name]
        loss = value_fn(out, y)
        grads = self.backward(params, cache, grad_fn(out, y))
        if not return_stats:
            return loss, grads
        return loss, grads, self._stats(cache, out, grads)

    def loss_fn(self, X, y) -> Callable:
        """Closure ``params -> (loss, grads)`` on fixed data, for training drivers and L-BFGS."""
        return lambda params: self.loss_and_grad(params, X, y)

    def _stats(self, cache, out, grads) -> LayerStats:
        outputs = [a for a, _ in cache[1:]] + [out]
        saturated = []
        for k, (_, z) in enumerate(cache):
            act = self._layer_activation(k)
            saturated.append(np.mean(act.slope(z) < 0.05 * act.max_slope))
        return LayerStats(
            grad_norm=np.array([np.linalg.norm(grads[f"W{k}"]) for k in range(self.num_layers)]),
            act_mean=np.array([a.mean() for a in outputs]),
            act_std=np.array([a.std() for a in outputs]),
            saturated=np.array(saturated, dtype=float),
        )

    # -- input checks ---------------------------------------------------------------------

    def _check_X(self, params, X):
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(
                f"X must have shape (N, {self.sizes[0]}) for this model, got {X.shape}"
            )
        for k, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:], strict=True)):
            W, b = params.get(f"W{k}"), params.get(f"b{k}")
            if W is None or b is None or np.shape(W) != (n_in, n_out) or np.shape(b) != (n_out,):
                raise ValueError(
                    f"params must hold W{k} of shape {(n_in, n_out)} and b{k} of shape "
                    f"{(n_out,)} for sizes {self.sizes}"
                )
        return X

    def _check_y(self, y, out):
        y = np.asarray(y)
        n, n_out = out.shape
        if y.shape[0:1] != (n,):
            raise ValueError(f"Got {y.shape[0] if y.ndim else 0} targets for {n} examples")
        if self.loss_name == "cross_entropy":
            return y  # labels (N,) or one-hot (N, C): checked by the loss
        if y.ndim == 1 and n_out == 1:
            y = y[:, None]
        if y.shape != out.shape:
            raise ValueError(f"Targets have shape {y.shape}, model output has {out.shape}")
        return y
