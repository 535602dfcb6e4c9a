"""Adadelta: steps in the units of the parameters (``torch.optim.Adadelta``)."""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass
from typing import Any, NamedTuple

import numpy as np

from .base import Optimizer, Schedule, check_lr, check_nonnegative

__all__ = ["Adadelta", "AdadeltaState"]


class AdadeltaState(NamedTuple):
    """``step``: updates done; ``square_avg``: running average :math:`v_t` of squared
    gradients; ``acc_delta``: running average :math:`u_t` of squared updates."""

    step: int
    square_avg: Any
    acc_delta: Any


@dataclass(frozen=True)
class Adadelta(Optimizer):
    r"""Adadelta: scale the gradient by RMS(past updates) / RMS(gradients).

    Update number :math:`t = 1, 2, \dots` with gradient :math:`g_t`, decay :math:`\rho`;
    :math:`v_0 = u_0 = 0`:

    .. math::

        g_t &\leftarrow -g_t \quad \text{if maximize}, \qquad
        g_t \leftarrow g_t + \lambda \theta_{t-1} \quad \text{if } \lambda \ne 0 \\
        v_t &= \rho v_{t-1} + (1 - \rho) g_t^2 \\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
        u_t &= \rho u_{t-1} + (1 - \rho) \Delta_t^2 \\
        \theta_t &= \theta_{t-1} - \text{lr}\, \Delta_t

    Unlike Adagrad, RMSprop and Adam, :math:`\epsilon` is *inside* both square roots (as in
    Zeiler's paper and in torch); it sets the size of the first steps, about
    :math:`\sqrt{\epsilon / (1 - \rho)}` per coordinate. The ratio of the two root mean
    squares gives the step the units of the parameters, so the default ``lr`` is 1.

    ``effective_lr`` is not available: the last update's scale used :math:`u_{t-1}`,
    which the state no longer holds.

    References: Zeiler (2012), "ADADELTA: an adaptive learning rate method",
    arXiv:1212.5701; PyTorch documentation, ``torch.optim.Adadelta``.
    """

    lr: float | Schedule = 1.0
    rho: float = 0.9
    eps: float = 1e-6
    weight_decay: float = 0.0
    _: KW_ONLY
    maximize: bool = False

    State = AdadeltaState

    def __post_init__(self) -> None:
        check_lr(self.lr)
        if not 0 <= self.rho <= 1:
            raise ValueError(f"Invalid rho value: {self.rho} (must be in [0, 1])")
        check_nonnegative("eps", self.eps)
        check_nonnegative("weight_decay", self.weight_decay)

    def _init_leaf(self, p):
        return np.zeros_like(p), np.zeros_like(p)

    def _update(self, lr, t, p, g, square_avg, acc_delta):
        rho = self.rho
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        square_avg = rho * square_avg + (1 - rho) * (g * g)
        delta = np.sqrt(acc_delta + self.eps)
        delta /= np.sqrt(square_avg + self.eps)
        delta *= g
        acc_delta = rho * acc_delta + (1 - rho) * (delta * delta)
        return p - lr * delta, square_avg, acc_delta

    def _update_scalar(self, lr, t, p, g, square_avg, acc_delta):
        """``_update`` for one coordinate, on Python floats (same operations, same order)."""
        rho = self.rho
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        square_avg = rho * square_avg + (1 - rho) * (g * g)
        delta = math.sqrt(acc_delta + self.eps) / math.sqrt(square_avg + self.eps) * g
        acc_delta = rho * acc_delta + (1 - rho) * (delta * delta)
        return p - lr * delta, square_avg, acc_delta
