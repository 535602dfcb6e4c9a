"""Plain gradient descent with the descentlab.optim interface, written independently of it.

The tests of ``run`` and ``training`` use it so that they do not depend on the optimizers
they drive.
"""

from __future__ import annotations

from typing import NamedTuple


class GDState(NamedTuple):
    step: int


class GD:
    """theta <- theta - lr * grad, for an array or a dict of arrays."""

    def __init__(self, lr):
        self.lr = lr

    def init(self, params):
        return GDState(0)

    def step(self, params, grads, state):
        if isinstance(params, dict):
            params = {key: params[key] - self.lr * grads[key] for key in params}
        else:
            params = params - self.lr * grads
        return params, GDState(state.step + 1)
