"""Adagrad: steps scaled by accumulated squared gradients, as ``torch.optim.Adagrad``."""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass
from typing import Any, NamedTuple

import numpy as np

from .base import Optimizer, Schedule, check_lr, check_nonnegative

__all__ = ["Adagrad", "AdagradState"]


class AdagradState(NamedTuple):
    """``step``: updates done; ``sum``: the running sum of squared gradients, per coordinate."""

    step: int
    sum: Any


@dataclass(frozen=True)
class Adagrad(Optimizer):
    r"""Adagrad: divide each coordinate's step by the root of its summed squared gradients.

    Update number :math:`t = 1, 2, \dots` with gradient :math:`g_t`, weight decay
    :math:`\lambda`, learning-rate decay :math:`\eta`, and :math:`s_0` =
    ``initial_accumulator_value`` in every coordinate:

    .. math::

        g_t &\leftarrow -g_t \quad \text{if maximize}, \qquad
        g_t \leftarrow g_t + \lambda \theta_{t-1} \quad \text{if } \lambda \ne 0 \\
        \text{clr}_t &= \frac{\text{lr}}{1 + (t - 1)\,\eta} \\
        s_t &= s_{t-1} + g_t^2 \\
        \theta_t &= \theta_{t-1} - \text{clr}_t \, \frac{g_t}{\sqrt{s_t} + \epsilon}

    Squares, roots and divisions are per coordinate, and :math:`\epsilon` is added *outside*
    the square root. The divisor is the root of the **accumulated squared gradients** (not of
    how far a parameter has moved): it only grows, so the steps of a coordinate that has seen
    large gradients shrink for good.

    ``effective_lr(state)`` is :math:`\text{clr}_t / (\sqrt{s_t} + \epsilon)`, the factor
    that multiplied :math:`g_t` in the last update.

    References: Duchi, Hazan & Singer (2011), "Adaptive subgradient methods for online
    learning and stochastic optimization", JMLR 12; PyTorch documentation,
    ``torch.optim.Adagrad``.
    """

    lr: float | Schedule = 1e-2
    lr_decay: float = 0.0
    weight_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    eps: float = 1e-10
    _: KW_ONLY
    maximize: bool = False

    State = AdagradState

    def __post_init__(self) -> None:
        check_lr(self.lr)
        check_nonnegative("lr_decay", self.lr_decay)
        check_nonnegative("weight_decay", self.weight_decay)
        check_nonnegative("initial_accumulator_value", self.initial_accumulator_value)
        check_nonnegative("eps", self.eps)

    def _init_leaf(self, p):
        return (np.full_like(p, self.initial_accumulator_value),)

    def _update(self, lr, t, p, g, state_sum):
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        clr = lr / (1 + (t - 1) * self.lr_decay)
        state_sum = state_sum + g * g  # s_t = s_{t-1} + g_t^2
        denom = np.sqrt(state_sum)
        denom += self.eps
        return p - clr * (g / denom), state_sum

    def _update_scalar(self, lr, t, p, g, state_sum):
        """``_update`` for one coordinate, on Python floats (same operations, same order)."""
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        clr = lr / (1 + (t - 1) * self.lr_decay)
        state_sum = state_sum + g * g
        return p - clr * (g / (math.sqrt(state_sum) + self.eps)), state_sum

    def _effective_lr_leaf(self, lr, t, state_sum):
        clr = lr / (1 + (t - 1) * self.lr_decay)
        return clr / (np.sqrt(state_sum) + self.eps)
