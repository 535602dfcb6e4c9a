"""RMSprop: steps scaled by a running average of squared gradients (``torch.optim.RMSprop``)."""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass
from typing import Any, NamedTuple

import numpy as np

from .base import Optimizer, Schedule, check_lr, check_nonnegative, check_unit_interval, maximum

__all__ = ["RMSprop", "RMSpropState"]


class RMSpropState(NamedTuple):
    """RMSprop's state, per coordinate.

    ``step``: updates done; ``square_avg``: running average :math:`v` of squared gradients;
    ``momentum_buffer``: :math:`b` (None when ``momentum == 0``); ``grad_avg``: running
    average :math:`\\bar g` of gradients (None unless ``centered``).
    """

    step: int
    square_avg: Any
    momentum_buffer: Any
    grad_avg: Any


@dataclass(frozen=True)
class RMSprop(Optimizer):
    r"""RMSprop: divide by the root of a running average of **squared** gradients.

    Update number :math:`t = 1, 2, \dots` with gradient :math:`g_t`, smoothing constant
    :math:`\alpha`, momentum :math:`\mu`, weight decay :math:`\lambda`; all buffers start at 0:

    .. math::

        g_t &\leftarrow -g_t \quad \text{if maximize}, \qquad
        g_t \leftarrow g_t + \lambda \theta_{t-1} \quad \text{if } \lambda \ne 0 \\
        v_t &= \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
        \bar g_t &= \alpha \bar g_{t-1} + (1 - \alpha) g_t, \qquad
        \tilde v_t = v_t - \bar g_t^2 \quad \text{if centered, else } \tilde v_t = v_t \\
        b_t &= \mu b_{t-1} + \frac{g_t}{\sqrt{\tilde v_t} + \epsilon}, \qquad
        \theta_t = \theta_{t-1} - \text{lr}\, b_t \quad \text{if } \mu > 0 \\
        \theta_t &= \theta_{t-1} - \text{lr}\, \frac{g_t}{\sqrt{\tilde v_t} + \epsilon}
              \quad \text{if } \mu = 0

    :math:`\epsilon` is added outside the square root. The centered variant divides by an
    estimate of the gradient's standard deviation instead of its root mean square;
    :math:`\tilde v_t` is clamped at 0, because rounding can make it slightly negative when
    the gradient hardly changes (torch would take the root of that negative number: NaN).
    There is no bias correction: early steps are larger than later ones because
    :math:`v_t` starts at 0.

    ``effective_lr(state)`` is :math:`\text{lr} / (\sqrt{\tilde v_t} + \epsilon)`, the factor
    that multiplied :math:`g_t` in the last update (before momentum).

    References: Tieleman & Hinton (2012), Coursera "Neural Networks for Machine Learning",
    lecture 6.5; Graves (2013), "Generating sequences with recurrent neural networks"
    (centered form); PyTorch documentation, ``torch.optim.RMSprop``.
    """

    lr: float | Schedule = 1e-2
    alpha: float = 0.99
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum: float = 0.0
    centered: bool = False
    _: KW_ONLY
    maximize: bool = False

    State = RMSpropState

    def __post_init__(self) -> None:
        check_lr(self.lr)
        check_unit_interval("alpha", self.alpha)
        check_nonnegative("eps", self.eps)
        check_nonnegative("momentum", self.momentum)
        check_nonnegative("weight_decay", self.weight_decay)

    def _init_leaf(self, p):
        return (
            np.zeros_like(p),
            np.zeros_like(p) if self.momentum > 0 else None,
            np.zeros_like(p) if self.centered else None,
        )

    def _update(self, lr, t, p, g, square_avg, momentum_buffer, grad_avg):
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        alpha = self.alpha
        square_avg = alpha * square_avg + (1 - alpha) * (g * g)
        if self.centered:
            grad_avg = grad_avg + (1 - alpha) * (g - grad_avg)  # = alpha*avg + (1-alpha)*g
            # v - g_avg^2 >= 0 in exact arithmetic; clamp so rounding cannot give sqrt(< 0)
            denom = np.sqrt(np.maximum(square_avg - grad_avg * grad_avg, 0.0))
        else:
            denom = np.sqrt(square_avg)
        denom += self.eps
        if self.momentum > 0:
            momentum_buffer = self.momentum * momentum_buffer + g / denom
            return p - lr * momentum_buffer, square_avg, momentum_buffer, grad_avg
        return p - lr * (g / denom), square_avg, momentum_buffer, grad_avg

    def _update_scalar(self, lr, t, p, g, square_avg, momentum_buffer, grad_avg):
        """``_update`` for one coordinate, on Python floats (same operations, same order)."""
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        alpha = self.alpha
        square_avg = alpha * square_avg + (1 - alpha) * (g * g)
        if self.centered:
            grad_avg = grad_avg + (1 - alpha) * (g - grad_avg)
            denom = math.sqrt(maximum(square_avg - grad_avg * grad_avg, 0.0))
        else:
            denom = math.sqrt(square_avg)
        denom += self.eps
        if self.momentum > 0:
            momentum_buffer = self.momentum * momentum_buffer + g / denom
            return p - lr * momentum_buffer, square_avg, momentum_buffer, grad_avg
        return p - lr * (g / denom), square_avg, momentum_buffer, grad_avg

    def _effective_lr_leaf(self, lr, t, square_avg, momentum_buffer, grad_avg):
        if grad_avg is None:
            variance = square_avg
        else:
            variance = np.maximum(square_avg - grad_avg * grad_avg, 0.0)
        return lr / (np.sqrt(variance) + self.eps)
