"""NAdam: Adam with Nesterov momentum (``torch.optim.NAdam``)."""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass
from typing import Any, NamedTuple

import numpy as np

from .base import Optimizer, Schedule, check_betas, check_lr, check_nonnegative

__all__ = ["NAdam", "NAdamState"]


class NAdamState(NamedTuple):
    """NAdam's state, per coordinate.

    ``step``: updates done :math:`t`; ``mu_product``: the product
    :math:`\\prod_{i \\le t} \\mu_i` of the momentum coefficients so far (the same number in
    every coordinate: it is kept per coordinate like the other buffers, so that the state is
    shaped like the parameters); ``exp_avg``: first moment :math:`m_t`; ``exp_avg_sq``:
    second moment :math:`v_t` (neither bias-corrected).
    """

    step: int
    mu_product: Any
    exp_avg: Any
    exp_avg_sq: Any


def momentum_coefficient(beta1: float, t: int, momentum_decay: float) -> float:
    r""":math:`\mu_t = \beta_1 \left(1 - \tfrac12\, 0.96^{\,t\,\psi}\right)`, with
    :math:`\psi` = ``momentum_decay`` (Dozat's momentum schedule, as in torch)."""
    return beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))


@dataclass(frozen=True)
class NAdam(Optimizer):
    r"""NAdam: Adam whose step looks ahead along the momentum, as Nesterov's method does.

    Update number :math:`t = 1, 2, \dots` with gradient :math:`g_t`, betas
    :math:`(\beta_1, \beta_2)`, weight decay :math:`\lambda`, ``momentum_decay``
    :math:`\psi`; :math:`m_0 = v_0 = 0`:

    .. math::

        g_t &\leftarrow -g_t \quad \text{if maximize}, \qquad
        g_t \leftarrow g_t + \lambda \theta_{t-1} \quad \text{if } \lambda \ne 0
        \text{ (or } \theta_{t-1} \leftarrow \theta_{t-1}(1 - \text{lr}\,\lambda)
        \text{ if decoupled\_weight\_decay)} \\
        \mu_t &= \beta_1 \left(1 - \tfrac12\, 0.96^{\,t \psi}\right), \qquad
        \mu_{t+1} = \beta_1 \left(1 - \tfrac12\, 0.96^{\,(t+1) \psi}\right) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \theta_t &= \theta_{t-1}
            - \frac{\text{lr}\,(1 - \mu_t)}{1 - \prod_{i \le t} \mu_i}\,
              \frac{g_t}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}
            - \frac{\text{lr}\,\mu_{t+1}}{1 - \prod_{i \le t+1} \mu_i}\,
              \frac{m_t}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}

    The two terms are the Nesterov look-ahead: the current gradient with weight
    :math:`1 - \mu_t`, and the momentum with the *next* step's coefficient
    :math:`\mu_{t+1}`, each divided by its own bias correction (the product of the
    :math:`\mu_i`, which replaces Adam's :math:`1 - \beta_1^t`). The coefficients
    :math:`\mu_t` start near :math:`\beta_1 / 2` and rise towards :math:`\beta_1` as
    :math:`0.96^{t\psi}` decays: with the default :math:`\psi = 0.004` that takes thousands
    of steps, a gentle warm-up of the momentum.

    ``effective_lr(state)`` is :math:`\text{lr} / (\sqrt{v_t / (1 - \beta_2^t)} + \epsilon)`,
    the per-coordinate scale the two terms share.

    References: Dozat (2016), "Incorporating Nesterov momentum into Adam", ICLR workshop;
    PyTorch documentation, ``torch.optim.NAdam``.
    """

    lr: float | Schedule = 2e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum_decay: float = 4e-3
    decoupled_weight_decay: bool = False
    _: KW_ONLY
    maximize: bool = False

    State = NAdamState

    def __post_init__(self) -> None:
        check_lr(self.lr)
        check_nonnegative("eps", self.eps)
        check_betas(self.betas)
        check_nonnegative("weight_decay", self.weight_decay)
        check_nonnegative("momentum_decay", self.momentum_decay)

    def _init_leaf(self, p):
        return np.ones_like(p), np.zeros_like(p), np.zeros_like(p)

    def _update(self, lr, t, p, g, mu_product, exp_avg, exp_avg_sq):
        beta1, beta2 = self.betas
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            if self.decoupled_weight_decay:
                p = p * (1 - lr * self.weight_decay)
            else:
                g = g + self.weight_decay * p
        mu = momentum_coefficient(beta1, t, self.momentum_decay)
        mu_next = momentum_coefficient(beta1, t + 1, self.momentum_decay)
        mu_product = mu_product * mu
        m = (g - exp_avg) * (1 - beta1) + exp_avg  # = beta1 m + (1 - beta1) g
        v = (g * g - exp_avg_sq) * (1 - beta2) + exp_avg_sq  # = beta2 v + (1 - beta2) g^2
        denom = np.sqrt(v / (1 - beta2**t))
        denom += self.eps
        new_p = p + (g / denom) * (-lr * (1 - mu) / (1 - mu_product))
        new_p += (m / denom) * (-lr * mu_next / (1 - mu_product * mu_next))
        return new_p, mu_product, m, v

    def _update_scalar(self, lr, t, p, g, mu_product, exp_avg, exp_avg_sq):
        """``_update`` for one coordinate, on Python floats (same operations, same order)."""
        beta1, beta2 = self.betas
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            if self.decoupled_weight_decay:
                p = p * (1 - lr * self.weight_decay)
            else:
                g = g + self.weight_decay * p
        mu = momentum_coefficient(beta1, t, self.momentum_decay)
        mu_next = momentum_coefficient(beta1, t + 1, self.momentum_decay)
        mu_product = mu_product * mu
        m = (g - exp_avg) * (1 - beta1) + exp_avg
        v = (g * g - exp_avg_sq) * (1 - beta2) + exp_avg_sq
        denom = math.sqrt(v / (1 - beta2**t)) + self.eps
        new_p = p + (g / denom) * (-lr * (1 - mu) / (1 - mu_product))
        new_p = new_p + (m / denom) * (-lr * mu_next / (1 - mu_product * mu_next))
        return new_p, mu_product, m, v

    def _effective_lr_leaf(self, lr, t, mu_product, exp_avg, exp_avg_sq):
        beta2 = self.betas[1]
        return lr / (np.sqrt(exp_avg_sq / (1 - beta2**t)) + self.eps)
