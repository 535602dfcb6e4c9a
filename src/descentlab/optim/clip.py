"""Gradient clipping, as gradient transformations to put in front of an optimizer.

``chain(clip_by_global_norm(1.0), Adam(lr=1e-3))`` clips every gradient before Adam sees it.
The rules are those of ``torch.nn.utils.clip_grad_norm_`` and ``clip_grad_value_``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ..tree import tree_leaves, tree_map
from .base import GradientTransformation

__all__ = [
    "ClipByGlobalNorm",
    "ClipByGlobalNormState",
    "ClipByValue",
    "EmptyState",
    "clip_by_global_norm",
    "clip_by_value",
    "global_norm",
]


#: Up to this many gradient entries in all, the 2-norm is ``math.hypot`` of them;
#: :func:`descentlab.run.run` steps points of up to this many coordinates as Python floats.
SMALL = 8


class EmptyState(NamedTuple):
    """State of a transformation that keeps none."""


class ClipByGlobalNormState(NamedTuple):
    """``norm``: the global norm of the last gradient *before* clipping (NaN before any)."""

    norm: float


def global_norm(tree: Any, norm_type: float = 2.0) -> float:
    r"""The norm of all entries of all leaves, as if concatenated into one vector.

    :math:`\|g\|_p = (\sum_i |g_i|^p)^{1/p}`; ``norm_type=math.inf`` gives :math:`\max_i |g_i|`.
    For ``p = 2``, an overflow of the sum of squares is avoided by rescaling; up to
    ``SMALL`` entries in all, ``math.hypot`` computes the norm (correctly rounded, no
    overflow, and what ``update_coords`` uses on the same numbers). The same quantity as
    torch's ``torch.nn.utils.get_total_norm``.
    """
    if isinstance(tree, np.ndarray):
        leaves = [tree]
    else:
        leaves = [np.asarray(leaf) for leaf in tree_leaves(tree)]
    if norm_type == math.inf:
        return max((float(np.max(np.abs(leaf))) for leaf in leaves if leaf.size), default=0.0)
    if norm_type == 2:
        if sum(leaf.size for leaf in leaves) <= SMALL:
            return math.hypot(*[x for leaf in leaves for x in leaf.ravel().tolist()])
        norm = math.sqrt(sum(float(np.vdot(leaf, leaf)) for leaf in leaves))
        if math.isinf(norm):  # the squares overflowed: rescale by the largest entry
            scale = global_norm(tree, math.inf)
            if math.isfinite(scale):
                return scale * global_norm(tree_map(lambda x: x / scale, tree))
        return norm
    total = sum(float(np.sum(np.abs(leaf) ** norm_type)) for leaf in leaves)
    return total ** (1.0 / norm_type)


@dataclass(frozen=True)
class ClipByGlobalNorm(GradientTransformation):
    r"""Rescale all gradients together so that their global norm is at most ``max_norm``.

    .. math::

        n = \|g\|_p, \qquad c = \min\Big(1, \frac{\text{max\_norm}}{n + 10^{-6}}\Big),
        \qquad g \leftarrow c\, g

    The direction is unchanged; only the length shrinks, and the clipped norm is slightly
    below ``max_norm`` (the :math:`10^{-6}` is torch's guard against dividing by zero).
    Gradients with NaN or infinite entries are not repaired: NaN propagates (an infinite
    entry times :math:`c = 0` is NaN), and :func:`descentlab.run.run` reports it.
    The state records the norm before clipping, for plotting how often clipping acts.

    References: Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent
    neural networks", ICML; PyTorch documentation, ``torch.nn.utils.clip_grad_norm_``;
    optax ``clip_by_global_norm``.
    """

    max_norm: float
    norm_type: float = 2.0

    def __post_init__(self) -> None:
        if not self.max_norm > 0:
            raise ValueError(f"Invalid max_norm value: {self.max_norm} (must be > 0)")
        if not self.norm_type >= 1:
            raise ValueError(f"Invalid norm_type value: {self.norm_type} (must be >= 1 or inf)")

    def init(self, params: Any) -> ClipByGlobalNormState:
        """No norm seen yet."""
        return ClipByGlobalNormState(math.nan)

    def update(
        self, grads: Any, state: ClipByGlobalNormState, params: Any = None
    ) -> tuple[Any, ClipByGlobalNormState]:
        """Clipped gradients (the input itself when no clipping is needed) and the norm."""
        norm = global_norm(grads, self.norm_type)
        coef = self.max_norm / (norm + 1e-6)
        if not coef < 1:  # short enough already (or NaN norm: leave the NaN in place)
            return grads, ClipByGlobalNormState(norm)
        if isinstance(grads, np.ndarray):
            return grads * coef, ClipByGlobalNormState(norm)
        return tree_map(lambda g: g * coef, grads), ClipByGlobalNormState(norm)

    def update_coords(
        self, grads: list[float], state: ClipByGlobalNormState
    ) -> tuple[list[float], ClipByGlobalNormState]:
        """``update`` for a few finite gradient entries as Python floats (the same numbers).

        :func:`descentlab.run.run` uses it on small problems; it never passes a non-finite
        gradient (the run stops first).
        """
        p = self.norm_type
        if p == 2:  # as global_norm computes it for a few entries
            norm = math.hypot(*grads)
        elif p == math.inf:
            norm = max(map(abs, grads), default=0.0)
        else:  # rare: let NumPy do it (Python's ** raises on overflow, NumPy gives inf)
            norm = global_norm(np.array(grads), p)
        coef = self.max_norm / (norm + 1e-6)
        # The state built by tuple.__new__: a NamedTuple's own __new__ is a Python function
        # and would cost a fifth of this method.
        state = tuple.__new__(ClipByGlobalNormState, (norm,))
        if not coef < 1:
            return grads, state
        return [g * coef for g in grads], state


@dataclass(frozen=True)
class ClipByValue(GradientTransformation):
    r"""Clip every gradient entry to :math:`[-\text{clip\_value}, \text{clip\_value}]`.

    .. math:: g_i \leftarrow \min(\max(g_i, -c), c)

    Unlike :class:`ClipByGlobalNorm` this changes the direction of the gradient. NaN entries
    stay NaN; infinite entries become :math:`\pm c`.

    References: Mikolov (2012), PhD thesis (gradient clipping by value); PyTorch
    documentation, ``torch.nn.utils.clip_grad_value_``; optax ``clip``.
    """

    clip_value: float

    def __post_init__(self) -> None:
        if not self.clip_value > 0:
            raise ValueError(f"Invalid clip_value value: {self.clip_value} (must be > 0)")

    def init(self, params: Any) -> EmptyState:
        """No state."""
        return EmptyState()

    def update(self, grads: Any, state: EmptyState, params: Any = None) -> tuple[Any, EmptyState]:
        """Gradients clipped entry by entry (always new arrays)."""
        c = self.clip_value
        if isinstance(grads, np.ndarray):
            return np.clip(grads, -c, c), state
        return tree_map(lambda g: np.clip(g, -c, c), grads), state

    def update_coords(
        self, grads: list[float], state: EmptyState
    ) -> tuple[list[float], EmptyState]:
        """``update`` for a few finite gradient entries as Python floats (the same numbers)."""
        c = self.clip_value  # (conditionals: a third of the time of min(max(g, -c), c))
        return [c if g > c else -c if g < -c else g for g in grads], state


def clip_by_global_norm(max_norm: float, norm_type: float = 2.0) -> ClipByGlobalNorm:
    """Transformation that clips the global norm of the gradients to ``max_norm``.

    See :class:`ClipByGlobalNorm` for the rule (``torch.nn.utils.clip_grad_norm_``).
    """
    return ClipByGlobalNorm(max_norm, norm_type)


def clip_by_value(clip_value: float) -> ClipByValue:
    """Transformation that clips each gradient entry to ``[-clip_value, clip_value]``.

    See :class:`ClipByValue` for the rule (``torch.nn.utils.clip_grad_value_``).
    """
    return ClipByValue(clip_value)
