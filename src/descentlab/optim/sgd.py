"""Stochastic gradient descent with optional (Nesterov) momentum, as ``torch.optim.SGD``."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import Any, NamedTuple

import numpy as np

from .base import Optimizer, Schedule, check_lr, check_nonnegative

__all__ = ["SGD", "SGDState"]


class SGDState(NamedTuple):
    """``step``: updates done; ``momentum_buffer``: the velocity ``b`` (None without momentum)."""

    step: int
    momentum_buffer: Any


@dataclass(frozen=True)
class SGD(Optimizer):
    r"""Gradient descent, optionally with heavy-ball or Nesterov momentum.

    Update number :math:`t = 1, 2, \dots` with gradient :math:`g_t` at :math:`\theta_{t-1}`,
    momentum :math:`\mu`, dampening :math:`\tau`, weight decay :math:`\lambda`:

    .. math::

        g_t &\leftarrow -g_t \quad \text{if maximize} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1} \quad \text{(L2 penalty, if } \lambda \ne 0)\\
        b_t &= g_t \ \text{if } t = 1, \quad
              b_t = \mu b_{t-1} + (1 - \tau) g_t \ \text{otherwise}
              \quad (\text{if } \mu \ne 0) \\
        d_t &= g_t + \mu b_t \ \text{(Nesterov)}, \quad d_t = b_t \ \text{(momentum)},
              \quad d_t = g_t \ (\mu = 0) \\
        \theta_t &= \theta_{t-1} - \text{lr}\, d_t

    The first buffer is the first gradient itself (no dampening on step 1). With
    :math:`\tau = 0` and a constant ``lr`` this is Polyak's heavy ball
    :math:`\theta_t = \theta_{t-1} - \text{lr}\, g_t + \mu(\theta_{t-1} - \theta_{t-2})`,
    written with the velocity :math:`b` instead of the previous position.

    Args:
        lr: learning rate (>= 0), or a schedule ``count -> lr``.
        momentum: :math:`\mu \ge 0`. dampening: :math:`\tau` (``nesterov`` requires 0).
        weight_decay: :math:`\lambda \ge 0`, added to the gradient (L2 regularization).
        nesterov: use Nesterov's form (needs ``momentum > 0`` and ``dampening == 0``).
        maximize: ascend instead of descend.

    ``effective_lr(state)`` is ``lr``, the same for every coordinate. With momentum, the
    steady step on a constant gradient is :math:`(1 - \tau) / (1 - \mu)` times larger.

    References: Robbins & Monro (1951); Polyak (1964), heavy ball; Sutskever et al. (2013),
    Nesterov momentum in this form; PyTorch documentation, ``torch.optim.SGD``.
    """

    lr: float | Schedule = 1e-3
    momentum: float = 0.0
    dampening: float = 0.0
    weight_decay: float = 0.0
    nesterov: bool = False
    _: KW_ONLY
    maximize: bool = False

    State = SGDState

    def __post_init__(self) -> None:
        check_lr(self.lr)
        check_nonnegative("momentum", self.momentum)
        check_nonnegative("weight_decay", self.weight_decay)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "Invalid nesterov setting: Nesterov momentum requires momentum > 0 and "
                f"dampening == 0 (got momentum={self.momentum}, dampening={self.dampening})"
            )

    def _init_leaf(self, p):
        return (None if self.momentum == 0 else np.zeros_like(p),)

    def _update(self, lr, t, p, g, momentum_buffer):
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        if self.momentum != 0:
            if t == 1:
                momentum_buffer = g.copy()  # b_1 = g_1: the first step is not dampened
            else:
                momentum_buffer = self.momentum * momentum_buffer
                momentum_buffer += g if self.dampening == 0 else (1 - self.dampening) * g
            g = g + self.momentum * momentum_buffer if self.nesterov else momentum_buffer
        return p - lr * g, momentum_buffer

    def _update_scalar(self, lr, t, p, g, momentum_buffer):
        """``_update`` for one coordinate, on Python floats (same operations, same order)."""
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        if self.momentum != 0:
            if t == 1:
                momentum_buffer = g
            else:
                damped = g if self.dampening == 0 else (1 - self.dampening) * g
                momentum_buffer = self.momentum * momentum_buffer + damped
            g = g + self.momentum * momentum_buffer if self.nesterov else momentum_buffer
        return p - lr * g, momentum_buffer

    def effective_lr(self, state: SGDState) -> float:
        """The learning rate of the last update: the same for every coordinate."""
        if state.step < 1:
            raise ValueError("effective_lr needs a state after at least one update (step >= 1)")
        return self.lr_at(state.step - 1)
