"""The interface shared by every first-order optimizer, and the gradient transformations.

Every optimizer is a small frozen dataclass of hyperparameters with two methods::

    state = opt.init(params)                         # a NamedTuple; state.step == 0
    params, state = opt.step(params, grads, state)   # new values; the inputs are not touched

``params`` and ``grads`` are a floating-point NumPy array or a tree of them (a dict, list or
tuple of arrays: see :mod:`descentlab.tree`). The state holds the step count and one buffer
per algorithm quantity (``momentum_buffer``, ``exp_avg``, ...), each a tree with the shape of
``params``, so a reader can plot it. A subclass writes the update of *one* array in
``_update``; this module applies it to every array of the tree.

**Learning rate and schedules.** ``lr`` is a number or a *schedule*: a function of the
0-based update count. Update number ``k`` (``k = 1, 2, ...``; it is ``state.step`` after
the update) uses ``lr(k - 1)``, i.e. ``lr(state.step)`` evaluated on the state passed to
``step``. This is ``torch.optim``'s convention when ``scheduler.step()`` is called once
after each ``optimizer.step()``: the first update uses the scheduler's initial value.

**Gradient transformations.** A :class:`GradientTransformation` (e.g. clipping) maps
gradients to gradients with ``update(grads, state, params) -> (grads, state)``, after
optax's transformations. :func:`chain` applies transformations in order and then an
optimizer; the result has the same ``init``/``step`` interface as any optimizer.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar, NamedTuple

import numpy as np

from ..tree import flatten_matching, leaf_path, tree_flatten, tree_unflatten

__all__ = [
    "ChainState",
    "Chain",
    "ChainedTransformation",
    "GradientTransformation",
    "Optimizer",
    "Schedule",
    "chain",
]

#: A learning-rate schedule: maps the 0-based update count to a learning rate.
Schedule = Callable[[int], float]


def check_lr(lr: Any) -> None:
    """Raise ValueError for a negative (or NaN) learning rate; schedules are not called."""
    if callable(lr):
        return
    if not lr >= 0:
        raise ValueError(f"Invalid learning rate: {lr} (must be >= 0)")


def check_nonnegative(name: str, value: float) -> None:
    """Raise ValueError unless ``value >= 0`` (NaN is rejected too)."""
    if not value >= 0:
        raise ValueError(f"Invalid {name} value: {value} (must be >= 0)")


def check_unit_interval(name: str, value: float) -> None:
    """Raise ValueError unless ``0 <= value < 1``."""
    if not 0 <= value < 1:
        raise ValueError(f"Invalid {name} value: {value} (must be in [0, 1))")


def check_betas(betas: tuple[float, float]) -> None:
    """Raise ValueError unless ``betas`` is a pair with both values in ``[0, 1)``."""
    if len(betas) != 2:
        raise ValueError(f"Invalid betas: {betas!r} (must be a pair (beta1, beta2))")
    for index, beta in enumerate(betas):
        if not 0 <= beta < 1:
            raise ValueError(
                f"Invalid beta parameter at index {index}: {beta} (betas must be in [0, 1))"
            )


def maximum(a: float, b: float) -> float:
    """``np.maximum`` for two Python floats: the larger one, and NaN if either is NaN.

    (The builtin ``max`` would return ``a`` for ``max(a, nan)``.)
    """
    return a if a >= b or a != a else b


def _check_params(leaves: list[Any], treedef: Any) -> None:
    if not leaves:
        raise ValueError("params contains no arrays")
    for index, leaf in enumerate(leaves):
        if not (isinstance(leaf, np.ndarray) and np.issubdtype(leaf.dtype, np.floating)):
            kind = f"{leaf.dtype} array" if isinstance(leaf, np.ndarray) else type(leaf).__name__
            where = "params" + leaf_path(treedef, index)
            raise TypeError(
                f"Parameter {where} must be a floating-point NumPy array, got {kind} "
                "(convert with np.asarray(x, dtype=float))"
            )


class Optimizer:
    """Base class of the first-order optimizers: ``init`` and ``step`` for any tree.

    A subclass is a frozen dataclass whose fields are the hyperparameters, with:

    * ``State``: a NamedTuple class whose first field is ``step`` (the number of updates
      done) followed by buffer fields; a buffer is a tree shaped like ``params``, or
      ``None`` when an option is off (e.g. SGD without momentum has no buffer);
    * ``_init_leaf(p)``: the initial buffers for one array ``p``, in field order;
    * ``_update(lr, t, p, g, *buffers)``: update number ``t`` (1-based) of one array with
      learning rate ``lr``; returns ``(new_p, *new_buffers)``. It must allocate its outputs
      and never write into ``p``, ``g`` or a buffer. Its arrays have at least one
      dimension (a 0-d parameter is passed as shape ``(1,)``), so ``out=`` is safe.
      With ``_writes_out = True`` it also takes ``out=(new_p, *new_buffers)``, arrays to
      write into instead of allocating (Adam does), and large arrays are then updated in
      pieces on several threads, with the same results.
    """

    State: ClassVar[type]
    lr: float | Schedule
    #: ``_update`` for one coordinate on Python floats, ``(lr, t, p, g, *buffers) -> (p,
    #: *buffers)`` with the same operations in the same order, so its results are identical
    #: bit for bit. :func:`descentlab.run.run` uses it on problems of a few coordinates,
    #: where each NumPy call's fixed cost (about a microsecond) would dominate; None means
    #: "use the array update".
    _update_scalar: ClassVar[Callable | None] = None
    #: True if ``_update`` takes ``out=(new_p, *new_buffers)``, arrays to write its results
    #: into (None where it should allocate), so :meth:`step` can split a large array into
    #: pieces updated on several threads at once (see :func:`_update_in_pieces`).
    _writes_out: ClassVar[bool] = False

    def lr_at(self, count: int) -> float:
        """The learning rate of update number ``count + 1`` (``count`` is 0-based)."""
        lr = self.lr
        return lr(count) if callable(lr) else lr

    def init(self, params: Any) -> Any:
        """The state before the first update: ``step == 0`` and initial buffers.

        Raises TypeError if a leaf of ``params`` is not a floating-point NumPy array.
        """
        leaves, treedef = tree_flatten(params)
        _check_params(leaves, treedef)
        per_leaf = [self._init_leaf(p) for p in leaves]
        fields = []
        for column in zip(*per_leaf, strict=True):
            fields.append(None if column[0] is None else tree_unflatten(treedef, list(column)))
        return self.State(0, *fields)

    def step(self, params: Any, grads: Any, state: Any) -> tuple[Any, Any]:
        """One update: returns ``(new_params, new_state)``; never modifies its inputs.

        ``grads`` must have the structure and shapes of ``params`` (a TypeError or
        ValueError names the first mismatch), and should have their dtype: the new
        parameters and buffers have the dtype NumPy's promotion gives (float32 stays
        float32). A schedule ``lr`` is called as ``lr(state.step)``: the first update uses
        ``lr(0)``.

        NaN or infinite gradients are not checked (that would cost more than a small step):
        they propagate into the parameters and the state, as in ``torch.optim``, and NumPy
        may emit a RuntimeWarning (overflow, invalid value) on the way.
        :func:`descentlab.run.run` silences those, detects the divergence and reports it.

        Adam and AdamW update an array of at least ``PARALLEL_MIN_SIZE`` (:math:`2^{18}`)
        entries in pieces on up to four threads, one per core: the same numbers, bit for
        bit, as one pass (each coordinate's update depends on that coordinate alone).
        """
        t = state.step + 1
        lr = self.lr
        if callable(lr):
            lr = lr(t - 1)
        if (
            type(params) is np.ndarray
            and type(grads) is np.ndarray
            and params.shape == grads.shape
            and params.ndim
        ):  # fast path for one array: no tree bookkeeping
            new = self._update_leaf(lr, t, params, grads, *state[1:])
            return new[0], self.State(t, *new[1:])
        return self._step_tree(lr, t, params, grads, state)

    def _step_tree(self, lr: float, t: int, params: Any, grads: Any, state: Any):
        """``step`` for a tree: flatten, update leaf by leaf, rebuild every output tree."""
        leaves, treedef = tree_flatten(params)
        grad_leaves = _matching(treedef, grads, leaves, "grads")
        buffer_leaves = [
            None if buffer is None else _matching(treedef, buffer, leaves, f"state.{name}")
            for name, buffer in zip(state._fields[1:], state[1:], strict=True)
        ]
        rows = []
        for index, (p, g) in enumerate(zip(leaves, grad_leaves, strict=True)):
            buffers = [None if column is None else column[index] for column in buffer_leaves]
            if p.ndim:
                rows.append(self._update_leaf(lr, t, p, g, *buffers))
            else:  # a scalar parameter: update it as an array of shape (1,)
                flat = [None if x is None else np.reshape(x, 1) for x in (p, g, *buffers)]
                row = self._update(lr, t, *flat)
                rows.append([None if x is None else x.reshape(()) for x in row])
        columns = list(zip(*rows, strict=True))
        new_params = tree_unflatten(treedef, list(columns[0]))
        new_buffers = [
            None if old is None else tree_unflatten(treedef, list(column))
            for old, column in zip(state[1:], columns[1:], strict=True)
        ]
        return new_params, self.State(t, *new_buffers)

    def _update_leaf(self, lr: float, t: int, p: Any, g: Any, *buffers: Any) -> tuple:
        """``_update`` of one array: in pieces on several threads if it is large enough."""
        if self._writes_out and p.size >= PARALLEL_MIN_SIZE and _workers() > 1:
            arrays = [p, g, *(b for b in buffers if b is not None)]
            if all(a.flags.c_contiguous and a.dtype == p.dtype for a in arrays):
                return _update_in_pieces(self._update, lr, t, p, g, *buffers)
        return self._update(lr, t, p, g, *buffers)

    def effective_lr(self, state: Any) -> Any:
        """Per-coordinate step scale of the last update (needs ``state.step >= 1``).

        What multiplies the (momentum or moment) direction in the last update; see each
        optimizer's docstring. A tree shaped like ``params``, or a number when every
        coordinate shares it (SGD).
        """
        t = state.step
        if t < 1:
            raise ValueError("effective_lr needs a state after at least one update (step >= 1)")
        lr = self.lr_at(t - 1)
        leaves_per_field = [
            None if buffer is None else tree_flatten(buffer)[0] for buffer in state[1:]
        ]
        treedef = next(tree_flatten(b)[1] for b in state[1:] if b is not None)
        scales = [
            np.asarray(
                self._effective_lr_leaf(
                    lr, t, *[None if f is None else f[i] for f in leaves_per_field]
                )
            )
            for i in range(treedef.num_leaves)
        ]
        return tree_unflatten(treedef, scales)

    def _effective_lr_leaf(self, lr: float, t: int, *buffers: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} has no per-coordinate step scale")

    def _init_leaf(self, p: np.ndarray) -> tuple:
        raise NotImplementedError

    def _update(self, lr: float, t: int, p: Any, g: Any, *buffers: Any) -> tuple:
        raise NotImplementedError


#: Arrays of at least this many entries are updated in pieces on several threads by
#: optimizers whose ``_update`` can write into given arrays (below it, handing work to a
#: thread costs more than it saves).
PARALLEL_MIN_SIZE = 2**18

_pool: tuple[int, ThreadPoolExecutor] | None = None


def _workers() -> int:
    """Threads for one large update: the cores this process may use, at most 4 (the update
    is limited by memory bandwidth, which more threads do not add)."""
    if hasattr(os, "sched_getaffinity"):  # Linux: the cores this process may run on
        return min(4, len(os.sched_getaffinity(0)))
    return min(4, os.cpu_count() or 1)


def _update_in_pieces(update: Callable, lr: float, t: int, p, g, *buffers) -> tuple:
    r"""``update(lr, t, p, g, *buffers)`` for one large array, split into contiguous pieces.

    Every update rule here acts on each coordinate alone, so updating the pieces separately
    gives exactly the numbers of one update of the whole array. The outputs are allocated
    first; piece :math:`i` of every array goes to ``update(..., out=pieces_i)``, the first
    piece on this thread and the others on a pool of worker threads (NumPy releases the
    interpreter lock inside its loops, so the pieces run at the same time). Outputs are
    ``None`` where the corresponding buffer is (an option that is off).
    """
    global _pool
    n = _workers()
    if _pool is None or _pool[0] != os.getpid():  # a forked child cannot use its parent's threads
        _pool = (os.getpid(), ThreadPoolExecutor(n - 1, thread_name_prefix="descentlab"))
    inputs = [p, g, *buffers]
    outputs = [np.empty_like(p)] + [None if b is None else np.empty_like(p) for b in buffers]
    flat_in = [None if a is None else a.reshape(-1) for a in inputs]
    flat_out = [None if a is None else a.reshape(-1) for a in outputs]
    bounds = [p.size * i // n for i in range(n + 1)]

    def piece(i: int) -> None:
        part = slice(bounds[i], bounds[i + 1])
        args = [None if a is None else a[part] for a in flat_in]
        update(lr, t, *args, out=tuple(None if a is None else a[part] for a in flat_out))

    others = [_pool[1].submit(piece, i) for i in range(1, n)]
    piece(0)
    for future in others:
        future.result()
    return tuple(outputs)


def _matching(treedef: Any, tree: Any, leaves: list[Any], name: str) -> list[Any]:
    """Leaves of ``tree`` checked against the params tree; errors say which input failed."""
    try:
        return flatten_matching(treedef, tree, leaves)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{name} does not match params: {error}") from None


class GradientTransformation:
    """Maps gradients to new gradients (clipping, ...), modelled on optax.

    ``init(params) -> state`` and ``update(grads, state, params=None) -> (grads, state)``;
    like the optimizers, it returns new values and never modifies its inputs.
    """

    def init(self, params: Any) -> Any:
        """The transformation's initial state."""
        raise NotImplementedError

    def update(self, grads: Any, state: Any, params: Any = None) -> tuple[Any, Any]:
        """Transformed gradients and the new state."""
        raise NotImplementedError


class ChainState(NamedTuple):
    """State of :class:`Chain`: one state per transformation, then the optimizer's state.

    Attributes not found here are looked up on ``optimizer_state``, so ``state.step`` and
    ``state.exp_avg`` work on a chain ending in Adam just as on Adam's own state.
    """

    transform_states: tuple
    optimizer_state: Any

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.optimizer_state, name)


class Chain(Optimizer):
    """Gradient transformations applied in order, then an optimizer; itself an optimizer.

    ``Chain((t1, t2), opt).step(params, grads, state)`` computes
    ``g1 = t1.update(grads)``, ``g2 = t2.update(g1)``, then ``opt.step(params, g2)``.
    Build it with :func:`chain`.
    """

    def __init__(self, transforms: tuple[GradientTransformation, ...], optimizer: Any) -> None:
        self.transforms = tuple(transforms)
        self.optimizer = optimizer

    def __repr__(self) -> str:
        parts = ", ".join(repr(part) for part in (*self.transforms, self.optimizer))
        return f"chain({parts})"

    @property
    def lr(self) -> float | Schedule:  # type: ignore[override]
        """The learning rate (or schedule) of the final optimizer."""
        return self.optimizer.lr

    def init(self, params: Any) -> ChainState:
        """Initial states of every transformation and of the optimizer."""
        return ChainState(
            tuple(transform.init(params) for transform in self.transforms),
            self.optimizer.init(params),
        )

    def step(self, params: Any, grads: Any, state: ChainState) -> tuple[Any, ChainState]:
        """Transform ``grads`` through the chain, then take the optimizer's step."""
        transform_states = []
        for transform, transform_state in zip(self.transforms, state.transform_states, strict=True):
            grads, transform_state = transform.update(grads, transform_state, params)
            transform_states.append(transform_state)
        params, optimizer_state = self.optimizer.step(params, grads, state.optimizer_state)
        return params, ChainState(tuple(transform_states), optimizer_state)

    def effective_lr(self, state: ChainState) -> Any:
        """The final optimizer's :meth:`Optimizer.effective_lr`."""
        return self.optimizer.effective_lr(state.optimizer_state)


class ChainedTransformation(GradientTransformation):
    """Several gradient transformations applied in order; state is a tuple of their states."""

    def __init__(self, transforms: tuple[GradientTransformation, ...]) -> None:
        self.transforms = tuple(transforms)

    def __repr__(self) -> str:
        return f"chain({', '.join(repr(t) for t in self.transforms)})"

    def init(self, params: Any) -> tuple:
        """Initial states of every transformation."""
        return tuple(transform.init(params) for transform in self.transforms)

    def update(self, grads: Any, state: tuple, params: Any = None) -> tuple[Any, tuple]:
        """Apply each transformation in order."""
        new_states = []
        for transform, transform_state in zip(self.transforms, state, strict=True):
            grads, transform_state = transform.update(grads, transform_state, params)
            new_states.append(transform_state)
        return grads, tuple(new_states)


def chain(*parts: Any) -> Chain | ChainedTransformation:
    """Compose gradient transformations, optionally ending with an optimizer (optax's ``chain``).

    ``chain(clip_by_global_norm(1.0), Adam(lr=1e-3))`` clips the gradient, then takes an
    Adam step: it is an optimizer (``init``/``step``). Without a final optimizer the result
    is a :class:`GradientTransformation`. Only the last part may be an optimizer.

    Reference: optax documentation, ``optax.chain`` (DeepMind, 2020).
    """
    if not parts:
        raise ValueError("chain needs at least one transformation or optimizer")
    *transforms, last = parts
    for index, part in enumerate(transforms):
        if not isinstance(part, GradientTransformation):
            raise TypeError(
                f"chain part {index} ({part!r}) is not a gradient transformation; "
                "only the last part may be an optimizer"
            )
    if isinstance(last, GradientTransformation):
        return ChainedTransformation((*transforms, last))
    if not (hasattr(last, "init") and hasattr(last, "step")):
        raise TypeError(f"chain's last part {last!r} is neither an optimizer nor a transformation")
    return Chain(tuple(transforms), last)
