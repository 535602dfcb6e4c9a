"""Meta-learning: learn the learning rate online, or learn an initialization.

* **Hypergradient descent** (Baydin et al., "Online Learning Rate Adaptation with
  Hypergradient Descent", ICLR 2018): treat the learning rate ``alpha`` as a parameter and
  take a gradient step on it at every step. :class:`SGDHD` and :class:`AdamHD` have the
  ``init``/``step`` interface of :mod:`descentlab.optim`.
* **Reptile** (Nichol, Achiam & Schulman, "On First-Order Meta-Learning Algorithms",
  2018): find an initialization from which a few SGD steps fit a new task well, on the
  sine-wave tasks of MAML (Finn, Abbeel & Levine, 2017).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .data import SineTask, sample_sine_task
from .gradcheck import ravel
from .nn import MLP

__all__ = [
    "AdamHD",
    "AdamHDState",
    "SGDHD",
    "SGDHDState",
    "adapt",
    "evaluate_adaptation",
    "reptile",
    "reptile_step",
    "train",
]


# ---------------------------------------------------------------------------------------
# Hypergradient descent
# ---------------------------------------------------------------------------------------


class SGDHDState(NamedTuple):
    """State of :class:`SGDHD`: step count, current ``lr`` and last direction ``u = -g``.

    ``prev_direction`` has the structure of the parameters (zeros before the first step).
    """

    step: int
    lr: float
    prev_direction: Any


class SGDHD:
    """SGD with hypergradient descent on the learning rate (SGD-HD, Baydin et al. 2018).

    Step ``t`` sees ``g_t = grad f(theta_{t-1})``. Since the previous step set
    ``theta_{t-1} = theta_{t-2} + alpha u_{t-1}``, the derivative of ``f(theta_{t-1})``
    with respect to ``alpha`` (the *hypergradient*) is ``g_t . u_{t-1}``. Each step does::

        alpha_t = alpha_{t-1} - beta g_t . u_{t-1}        (hypergradient step on alpha)
        u_t     = -g_t
        theta_t = theta_{t-1} + alpha_t u_t

    With ``u = -g``: ``alpha`` grows by ``beta g_t . g_{t-1}``, so it **increases while
    consecutive gradients point the same way** (steps too short) and **decreases when they
    point in opposite directions** (overshooting). ``u_0 = 0``: the first step uses
    ``lr`` unchanged. ``beta = 0`` is plain SGD.
    """

    def __init__(self, lr: float = 1e-3, beta: float = 1e-3):
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not beta >= 0.0:
            raise ValueError(f"Invalid hypergradient learning rate beta: {beta}")
        self.lr, self.beta = float(lr), float(beta)

    def init(self, params) -> SGDHDState:
        """``lr`` as given; a zero previous direction."""
        x, unravel = ravel(params)
        return SGDHDState(step=0, lr=self.lr, prev_direction=unravel(np.zeros_like(x)))

    def step(self, params, grads, state: SGDHDState):
        """One SGD-HD step; returns ``(new_params, new_state)`` without changing inputs."""
        x, unravel = ravel(params)
        g = ravel(grads)[0]
        lr = state.lr - self.beta * (g @ ravel(state.prev_direction)[0])
        u = -g
        return unravel(x + lr * u), SGDHDState(state.step + 1, float(lr), unravel(u))


class AdamHDState(NamedTuple):
    """State of :class:`AdamHD`: step count, ``lr``, Adam's moments ``m`` and ``v``, and the
    last direction ``u = -m_hat / (sqrt(v_hat) + eps)``; all arrays shaped like the params.
    """

    step: int
    lr: float
    exp_avg: Any
    exp_avg_sq: Any
    prev_direction: Any


class AdamHD:
    """Adam with hypergradient descent on the learning rate (Adam-HD, Baydin et al. 2018).

    Adam's moments, as in ``torch.optim.Adam`` (``betas``, ``eps`` outside the root)::

        m_t = b1 m_{t-1} + (1 - b1) g_t           v_t = b2 v_{t-1} + (1 - b2) g_t^2
        u_t = -(m_t / (1 - b1^t)) / (sqrt(v_t / (1 - b2^t)) + eps)

    and the same hypergradient step as :class:`SGDHD` on the learning rate::

        alpha_t = alpha_{t-1} - beta g_t . u_{t-1}
        theta_t = theta_{t-1} + alpha_t u_t

    The paper's suggested ``beta`` for Adam-HD is small (``1e-7`` on its problems)
    because ``u`` is not scaled by the gradient size.
    """

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        beta: float = 1e-7,
    ):
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not (0.0 <= betas[0] < 1.0 and 0.0 <= betas[1] < 1.0):
            raise ValueError(f"Invalid beta parameters: {betas}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not beta >= 0.0:
            raise ValueError(f"Invalid hypergradient learning rate beta: {beta}")
        self.lr, self.betas, self.eps, self.beta = float(lr), tuple(betas), float(eps), beta

    def init(self, params) -> AdamHDState:
        """``lr`` as given; zero moments and previous direction."""
        x, unravel = ravel(params)
        zeros = unravel(np.zeros_like(x))
        return AdamHDState(0, self.lr, zeros, zeros, zeros)

    def step(self, params, grads, state: AdamHDState):
        """One Adam-HD step; returns ``(new_params, new_state)`` without changing inputs."""
        x, unravel = ravel(params)
        g = ravel(grads)[0]
        b1, b2 = self.betas
        t = state.step + 1
        lr = state.lr - self.beta * (g @ ravel(state.prev_direction)[0])
        m = b1 * ravel(state.exp_avg)[0] + (1 - b1) * g
        v = b2 * ravel(state.exp_avg_sq)[0] + (1 - b2) * g**2
        u = -(m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + self.eps)
        new_state = AdamHDState(t, float(lr), unravel(m), unravel(v), unravel(u))
        return unravel(x + lr * u), new_state


def train(opt, loss_and_grad: Callable, params, num_steps: int):
    """Run ``num_steps`` steps of any ``init``/``step`` optimizer on ``loss_and_grad``.

    ``loss_and_grad(params) -> (loss, grads)``. Returns ``(params, history)`` where
    ``history["loss"][t]`` is the loss before step ``t`` and ``history["lr"][t]`` the
    learning rate used by step ``t`` (``nan`` if the state has no ``lr``).
    """
    state = opt.init(params)
    losses, lrs = [], []
    for _ in range(num_steps):
        loss, grads = loss_and_grad(params)
        params, state = opt.step(params, grads, state)
        losses.append(float(loss))
        lrs.append(float(getattr(state, "lr", np.nan)))
    return params, {"loss": np.array(losses), "lr": np.array(lrs)}


# ---------------------------------------------------------------------------------------
# Reptile on sine waves
# ---------------------------------------------------------------------------------------


def adapt(model: MLP, params, X, y, steps: int, lr: float):
    """Fit one task from ``params`` with ``steps`` full-batch SGD steps of size ``lr``.

    ``phi_0 = params``, ``phi_{i+1} = phi_i - lr grad L(phi_i; X, y)``. Returns
    ``(phi_steps, train_losses)`` with the loss before each step.
    """
    losses = []
    for _ in range(steps):
        loss, grads = model.loss_and_grad(params, X, y)
        params = {k: params[k] - lr * grads[k] for k in params}
        losses.append(loss)
    return params, losses


def reptile_step(model: MLP, params, task: SineTask, rng, inner_steps, inner_lr, epsilon, k_shot):
    """One Reptile meta-update (Nichol et al. 2018, Algorithm 1)::

        phi   = adapt(theta, K points of the task, inner_steps SGD steps)
        theta = theta + epsilon (phi - theta)

    Moving ``theta`` toward the adapted weights ``phi`` of many tasks lands it where a few
    steps reach each task's solution. No second derivatives are needed (unlike MAML).
    """
    X, y = task.sample(k_shot, rng)
    phi, _ = adapt(model, params, X, y, inner_steps, inner_lr)
    return {k: params[k] + epsilon * (phi[k] - params[k]) for k in params}


def reptile(
    model: MLP,
    params=None,
    iterations: int = 2000,
    inner_steps: int = 10,
    inner_lr: float = 0.02,
    epsilon: float = 0.5,
    k_shot: int = 10,
    seed=0,
):
    """Meta-train an initialization with Reptile on random sine tasks.

    Each iteration draws a task (:func:`~descentlab.data.sample_sine_task`) and ``k_shot``
    points of it, then applies :func:`reptile_step`. The outer step size decays linearly,
    ``epsilon_i = epsilon (1 - i / iterations)``, as in the paper's sine experiment. The
    paper starts from ``epsilon = 0.1`` over 30,000 iterations; with 2,000 iterations
    (about a second or two for a 1-40-40-1 network) a larger start, 0.5, learns more.
    Starts from ``params`` (default: ``model.params``). Returns the meta-learned params.
    """
    rng = np.random.default_rng(seed)
    params = model.params if params is None else params
    for i in range(iterations):
        task = sample_sine_task(rng)
        eps_i = epsilon * (1.0 - i / iterations)
        params = reptile_step(model, params, task, rng, inner_steps, inner_lr, eps_i, k_shot)
    return params


def evaluate_adaptation(
    model: MLP,
    params,
    tasks,
    steps: int = 10,
    lr: float = 0.02,
    k_shot: int = 10,
    seed=0,
):
    """Average test loss of few-shot adaptation from ``params`` over ``tasks``.

    For each task: draw ``k_shot`` training points, take ``steps`` SGD steps from
    ``params`` with :func:`adapt`, and measure the MSE on 100 evenly spaced points of
    ``[-5, 5]`` after each step. Returns an array of length ``steps + 1``: entry ``i`` is
    the mean test loss after ``i`` steps (entry 0: before adapting).
    """
    rng = np.random.default_rng(seed)
    curves = []
    for task in tasks:
        X, y = task.sample(k_shot, rng)
        X_test, y_test = task.grid(100)
        phi, curve = params, []
        for _ in range(steps):
            curve.append(model.loss(phi, X_test, y_test))
            phi, _ = adapt(model, phi, X, y, 1, lr)
        curve.append(model.loss(phi, X_test, y_test))
        curves.append(curve)
    return np.mean(curves, axis=0)
