"""Adamax: Adam with an infinity-norm second moment (``torch.optim.Adamax``)."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import Any, NamedTuple

import numpy as np

from .base import Optimizer, Schedule, check_betas, check_lr, check_nonnegative, maximum

__all__ = ["Adamax", "AdamaxState"]


class AdamaxState(NamedTuple):
    """``step``: updates done; ``exp_avg``: first moment :math:`m_t` (not bias-corrected);
    ``exp_inf``: the decaying maximum :math:`u_t` of gradient magnitudes."""

    step: int
    exp_avg: Any
    exp_inf: Any


@dataclass(frozen=True)
class Adamax(Optimizer):
    r"""Adamax: replace Adam's root mean square by a decaying maximum of :math:`|g|`.

    Update number :math:`t = 1, 2, \dots` with gradient :math:`g_t`; :math:`m_0 = u_0 = 0`:

    .. math::

        g_t &\leftarrow -g_t \quad \text{if maximize}, \qquad
        g_t \leftarrow g_t + \lambda \theta_{t-1} \quad \text{if } \lambda \ne 0 \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        u_t &= \max(\beta_2 u_{t-1},\ |g_t| + \epsilon) \\
        \theta_t &= \theta_{t-1} - \frac{\text{lr}}{1 - \beta_1^t}\, \frac{m_t}{u_t}

    As in torch, :math:`\epsilon` is added to :math:`|g_t|` inside the maximum (so
    :math:`u_t > 0`). :math:`u_t` needs no bias correction: a maximum is not pulled
    towards its zero start the way an average is.

    ``effective_lr(state)`` is :math:`\text{lr} / ((1 - \beta_1^t) u_t)`, the factor that
    multiplied :math:`m_t` in the last update.

    References: Kingma & Ba (2015), "Adam: A method for stochastic optimization", ICLR,
    section 7.1; PyTorch documentation, ``torch.optim.Adamax``.
    """

    lr: float | Schedule = 2e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    _: KW_ONLY
    maximize: bool = False

    State = AdamaxState

    def __post_init__(self) -> None:
        check_lr(self.lr)
        check_nonnegative("eps", self.eps)
        check_betas(self.betas)
        check_nonnegative("weight_decay", self.weight_decay)

    def _init_leaf(self, p):
        return np.zeros_like(p), np.zeros_like(p)

    def _update(self, lr, t, p, g, exp_avg, exp_inf):
        beta1, beta2 = self.betas
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        m = g - exp_avg
        m *= 1 - beta1
        m += exp_avg  # m_t = beta1 m + (1 - beta1) g
        magnitude = np.abs(g)
        magnitude += self.eps
        u = np.maximum(beta2 * exp_inf, magnitude)
        return p - (lr / (1 - beta1**t)) * (m / u), m, u

    def _update_scalar(self, lr, t, p, g, exp_avg, exp_inf):
        """``_update`` for one coordinate, on Python floats (same operations, same order)."""
        beta1, beta2 = self.betas
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        m = (g - exp_avg) * (1 - beta1) + exp_avg
        u = maximum(beta2 * exp_inf, abs(g) + self.eps)
        return p - (lr / (1 - beta1**t)) * (m / u), m, u

    def _effective_lr_leaf(self, lr, t, exp_avg, exp_inf):
        return lr / (1 - self.betas[0] ** t) / exp_inf
