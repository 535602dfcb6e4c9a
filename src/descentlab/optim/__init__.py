# ruff: noqa: F401  (this file only re-exports names)
"""Optimizers: one module per family, one interface for all::

    from descentlab import optim
    opt = optim.Adam(lr=1e-3)
    state = opt.init(params)
    params, state = opt.step(params, grads, state)

Hyperparameter names, defaults and update equations are those of ``torch.optim``; gradient
transformations such as clipping compose with :func:`chain`, after optax. See
:mod:`descentlab.optim.base` for the interface and the learning-rate schedule convention.
"""

from .adadelta import Adadelta, AdadeltaState
from .adagrad import Adagrad, AdagradState
from .adam import Adam, AdamState, AdamW
from .adamax import Adamax, AdamaxState
from .base import (
    Chain,
    ChainedTransformation,
    ChainState,
    GradientTransformation,
    Optimizer,
    Schedule,
    chain,
)
from .clip import (
    ClipByGlobalNorm,
    ClipByGlobalNormState,
    ClipByValue,
    EmptyState,
    clip_by_global_norm,
    clip_by_value,
    global_norm,
)
from .lbfgs import LBFGS, LBFGSState
from .nadam import NAdam, NAdamState
from .newton import Newton, NewtonState
from .rmsprop import RMSprop, RMSpropState
from .sgd import SGD, SGDState
