"""Adam and AdamW (``torch.optim.Adam``, ``torch.optim.AdamW``)."""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np

from .base import Optimizer, Schedule, check_betas, check_lr, check_nonnegative, maximum

__all__ = ["Adam", "AdamState", "AdamW"]


class AdamState(NamedTuple):
    """Adam's state, per coordinate.

    ``step``: updates done :math:`t`; ``exp_avg``: first moment :math:`m_t` (running average
    of gradients, *not* bias-corrected); ``exp_avg_sq``: second moment :math:`v_t` (running
    average of squared gradients, not bias-corrected); ``max_exp_avg_sq``: the running
    maximum of :math:`v_t` for AMSGrad (None otherwise).
    """

    step: int
    exp_avg: Any
    exp_avg_sq: Any
    max_exp_avg_sq: Any


@dataclass(frozen=True)
class Adam(Optimizer):
    r"""Adam: momentum on the gradient, divided by the root of a running mean of its square.

    Update number :math:`t = 1, 2, \dots` with gradient :math:`g_t`, betas
    :math:`(\beta_1, \beta_2)`, weight decay :math:`\lambda`; :math:`m_0 = v_0 = 0`:

    .. math::

        g_t &\leftarrow -g_t \quad \text{if maximize}, \qquad
        g_t \leftarrow g_t + \lambda \theta_{t-1} \quad \text{if } \lambda \ne 0 \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat m_t &= \frac{m_t}{1 - \beta_1^t}, \qquad \hat v_t = \frac{v_t}{1 - \beta_2^t} \\
        v_t^{\max} &= \max(v_{t-1}^{\max}, v_t), \qquad
              \hat v_t = \frac{v_t^{\max}}{1 - \beta_2^t}
              \quad \text{instead, with AMSGrad} \\
        \theta_t &= \theta_{t-1} - \text{lr}\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    AMSGrad keeps the running maximum of the raw (not bias-corrected) :math:`v_t`, as torch
    does, in ``max_exp_avg_sq``. :math:`\epsilon` is added outside the square root, after
    bias correction, as torch computes ``denom = sqrt(v_t) / sqrt(1 - beta2^t) + eps`` and
    ``step_size = lr / (1 - beta1^t)``. The code multiplies numerator and denominator by
    :math:`\sqrt{1 - \beta_2^t}` (one pass fewer over the arrays; Kingma & Ba, section 2):
    :math:`\theta_t = \theta_{t-1} - \frac{\text{lr}\sqrt{1-\beta_2^t}}{1-\beta_1^t}
    \frac{m_t}{\sqrt{v_t} + \epsilon\sqrt{1-\beta_2^t}}`, the same number up to rounding.

    The bias correction undoes the start at zero: on the first step
    :math:`\hat m_1 = g_1` and :math:`\hat v_1 = g_1^2`, so every coordinate moves by
    :math:`\text{lr}\,|g_1| / (|g_1| + \epsilon) \approx \text{lr}`.

    ``effective_lr(state)`` is :math:`\text{lr} / (\sqrt{\hat v_t} + \epsilon)` (with the
    AMSGrad maximum if enabled), the factor that multiplied :math:`\hat m_t` in the last
    update.

    References: Kingma & Ba (2015), "Adam: A method for stochastic optimization", ICLR;
    Reddi, Kale & Kumar (2018), "On the convergence of Adam and beyond", ICLR (AMSGrad);
    PyTorch documentation, ``torch.optim.Adam``.
    """

    lr: float | Schedule = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsgrad: bool = False
    _: KW_ONLY
    maximize: bool = False

    State = AdamState
    #: AdamW's weight decay acts on the parameters, not through the gradient.
    decoupled_weight_decay: ClassVar[bool] = False

    def __post_init__(self) -> None:
        check_lr(self.lr)
        check_nonnegative("eps", self.eps)
        check_betas(self.betas)
        check_nonnegative("weight_decay", self.weight_decay)

    def _init_leaf(self, p):
        return np.zeros_like(p), np.zeros_like(p), np.zeros_like(p) if self.amsgrad else None

    _writes_out: ClassVar[bool] = True

    def _update(self, lr, t, p, g, exp_avg, exp_avg_sq, max_exp_avg_sq, out=(None,) * 4):
        beta1, beta2 = self.betas
        new_p, m, v, new_max = out  # arrays to write the results into, or None: allocate
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            if self.decoupled_weight_decay:
                p = p * (1 - lr * self.weight_decay)
            else:
                g = g + self.weight_decay * p
        # Each result is computed in one array (fresh, or the one given in ``out``) with
        # in-place steps: fewer passes over memory and fewer allocations than the textbook
        # expression; no input is written to.
        m = np.subtract(g, exp_avg, out=m)
        m *= 1 - beta1
        m += exp_avg  # m_t = m + (1 - beta1)(g - m) = beta1 m + (1 - beta1) g
        v = np.multiply(g, g, out=v)
        v -= exp_avg_sq
        v *= 1 - beta2
        v += exp_avg_sq  # v_t = beta2 v + (1 - beta2) g^2
        if self.amsgrad:
            max_exp_avg_sq = np.maximum(max_exp_avg_sq, v, out=new_max)
        bias_correction1 = 1 - beta1**t
        bias_correction2_sqrt = (1 - beta2**t) ** 0.5
        new_p = np.sqrt(max_exp_avg_sq if self.amsgrad else v, out=new_p)
        new_p += self.eps * bias_correction2_sqrt  # sqrt(v) + eps sqrt(1 - beta2^t)
        np.divide(m, new_p, out=new_p)
        new_p *= -lr * bias_correction2_sqrt / bias_correction1  # -lr m_hat / (sqrt(v_hat) + eps)
        new_p += p
        return new_p, m, v, max_exp_avg_sq

    def _update_scalar(self, lr, t, p, g, exp_avg, exp_avg_sq, max_exp_avg_sq):
        """``_update`` for one coordinate, on Python floats (same operations, same order)."""
        beta1, beta2 = self.betas
        if self.maximize:
            g = -g
        if self.weight_decay != 0:
            if self.decoupled_weight_decay:
                p = p * (1 - lr * self.weight_decay)
            else:
                g = g + self.weight_decay * p
        m = (g - exp_avg) * (1 - beta1) + exp_avg
        v = (g * g - exp_avg_sq) * (1 - beta2) + exp_avg_sq
        if self.amsgrad:
            max_exp_avg_sq = maximum(max_exp_avg_sq, v)
        bias_correction2_sqrt = (1 - beta2**t) ** 0.5
        denom = math.sqrt(max_exp_avg_sq if self.amsgrad else v) + self.eps * bias_correction2_sqrt
        step = m / denom * (-lr * bias_correction2_sqrt / (1 - beta1**t))
        return step + p, m, v, max_exp_avg_sq

    def _effective_lr_leaf(self, lr, t, exp_avg, exp_avg_sq, max_exp_avg_sq):
        beta1, beta2 = self.betas
        second = max_exp_avg_sq if self.amsgrad else exp_avg_sq
        return lr / (np.sqrt(second / (1 - beta2**t)) + self.eps)


@dataclass(frozen=True)
class AdamW(Adam):
    r"""AdamW: Adam with *decoupled* weight decay (default ``weight_decay=1e-2``).

    Identical to :class:`Adam` except that weight decay shrinks the parameters directly,
    before the moment updates, instead of adding :math:`\lambda\theta` to the gradient:

    .. math::

        \theta_{t-1} &\leftarrow \theta_{t-1} (1 - \text{lr}\,\lambda) \\
        \theta_t &= \theta_{t-1} - \text{lr}\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    with :math:`m_t, v_t` computed from the raw gradient. With plain Adam the decay term
    passes through :math:`1/\sqrt{\hat v_t}` and is weakened exactly where gradients are
    large; decoupling makes every coordinate decay at the same rate.

    References: Loshchilov & Hutter (2019), "Decoupled weight decay regularization", ICLR;
    PyTorch documentation, ``torch.optim.AdamW``.
    """

    weight_decay: float = 1e-2

    decoupled_weight_decay: ClassVar[bool] = True
