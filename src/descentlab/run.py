"""Run an optimizer on a function, record every step, and stop cleanly when it blows up.

::

    traj = run(optim.Adam(lr=0.1), surfaces.Rosenbrock(), steps=500)
    traj.params      # (n_steps + 1, 2): row k holds the parameters after k steps
    traj.loss        # (n_steps + 1,)
    traj.status      # "converged", "max_steps" or "diverged"

At step ``k`` the loop evaluates ``f(x_k)`` and ``g_k = ∇f(x_k)``, records them, and then
stops if the run has

- **diverged**: ``f(x_k)``, ``g_k`` or ``x_k`` is not finite, or ``‖x_k‖ > bound``;
- **converged**: ``‖g_k‖ < tol``;
- used up its budget: ``k == steps`` (status ``"max_steps"``);

otherwise it takes the step ``x_{k+1}, state_{k+1} = opt.step(x_k, g_k, state_k)``. All
the arithmetic runs under ``np.errstate(all="ignore")``: an exploding run ends with status
``"diverged"`` and a message, never with a stream of NumPy overflow warnings.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import chain, repeat
from typing import Any

import numpy as np

from .optim import clip
from .optim.base import Chain, ChainState
from .tree import tree_leaves

__all__ = ["Trajectory", "run", "run_many"]

#: Points with at most this many coordinates are stepped as Python floats when the optimizer
#: supports it (``Optimizer._update_scalar``); the results are the same, bit for bit. It is
#: clipping's small-gradient size, so that both paths compute a clipped norm the same way.
SCALAR_MAX_SIZE = clip.SMALL


@dataclass
class Trajectory:
    """Everything recorded while an optimizer ran; row ``k`` of each array is step ``k``.

    Attributes:
        params: array of shape ``(n_steps + 1, *x0.shape)`` (for a 2-D surface,
            ``(n_steps + 1, 2)``); for dict/list parameters, a list of ``n_steps + 1``
            parameter trees.
        loss: ``f(x_k)``, shape ``(n_steps + 1,)``.
        grad_norm: ``‖∇f(x_k)‖`` (Euclidean, over all parameters), shape ``(n_steps + 1,)``.
        state: optimizer state per step, ``{field name: array of shape (n_steps + 1, ...)}``
            for the fields that hold arrays or numbers; row ``k`` is the state after ``k``
            updates, the one that goes with ``params[k]`` (a field that is still ``None``
            at some step is ``nan`` there). ``None`` when not recorded.
        status: ``"converged"``, ``"max_steps"`` or ``"diverged"``.
        diverged_at: the step whose values were non-finite or out of bounds, else ``None``.
            That step is the last row, so plots show where the run blew up.
        n_steps: optimizer steps taken (the arrays have ``n_steps + 1`` rows).
        message: one human sentence, e.g. ``"diverged at step 37: loss became non-finite"``.
        name: a label, e.g. the optimizer's name in a race.
    """

    params: Any = field(repr=False)
    loss: np.ndarray = field(repr=False)
    grad_norm: np.ndarray = field(repr=False)
    state: dict[str, np.ndarray] | None = field(repr=False)
    status: str
    diverged_at: int | None
    n_steps: int
    message: str
    name: str = ""

    @property
    def converged(self) -> bool:
        return self.status == "converged"

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"

    @property
    def final_params(self):
        """The parameters at the last recorded step."""
        return self.params[-1]

    @property
    def final_loss(self) -> float:
        return float(self.loss[-1])


def _is_tree(x0) -> bool:
    """Dicts, and lists or tuples of arrays, are trees; a list of numbers is one point."""
    if isinstance(x0, Mapping):
        return True
    return isinstance(x0, list | tuple) and any(np.ndim(item) > 0 for item in x0)


def _array_norm(a) -> float:
    """Euclidean norm of an array of any shape.

    For a handful of numbers, ``math.hypot`` on a Python list is several times faster than
    a NumPy reduction, and it never overflows for finite input.
    """
    if a.size <= 32:
        return math.hypot(*a.ravel().tolist())
    return math.sqrt(np.vdot(a, a))


def _coordinates(grad, x: np.ndarray) -> list[float]:
    """The gradient as a list of floats, after checking it has the shape of ``x``."""
    if not (isinstance(grad, np.ndarray) and grad.shape == x.shape):
        raise ValueError(
            f"grads does not match params: expected an array of shape {x.shape}, "
            f"got {type(grad).__name__} of shape {np.shape(grad)}"
        )
    return grad.astype(float, copy=False).tolist()


def _tree_norm(tree) -> float:
    """Euclidean norm over all the arrays of a parameter tree."""
    return math.sqrt(sum(float(np.vdot(leaf, leaf)) for leaf in tree_leaves(tree)))


def _takes_closure(opt) -> bool:
    """True for optimizers that want the function itself, like ``step(params, closure, state)``.

    Second-order methods (L-BFGS, Newton) evaluate the function several times per step, as
    with ``torch.optim.LBFGS``; first-order methods take the gradient.
    """
    parameters = list(inspect.signature(opt.step).parameters)
    return len(parameters) > 1 and parameters[1] == "closure"


def _state_columns(states) -> dict[str, list]:
    """``{field name: [value at step 0, value at step 1, ...]}`` for a list of states."""
    first = states[0]
    if hasattr(first, "_fields"):  # NamedTuple: transposing tuples is the fast path
        return dict(zip(first._fields, map(list, zip(*states, strict=True)), strict=True))
    if isinstance(first, Mapping):
        return {name: [state[name] for state in states] for name in first}
    if dataclasses.is_dataclass(first):
        names = [f.name for f in dataclasses.fields(first)]
    else:
        names = list(vars(first))
    return {name: [getattr(state, name) for state in states] for name in names}


def _stack_column(values) -> np.ndarray | None:
    """One state field stacked over the steps, or ``None`` if it is not numeric.

    A field that is ``None`` at some steps (a buffer an optimizer creates on its first
    step) gets ``nan`` there.
    """
    try:
        column = np.array(values)
    except ValueError:  # ragged: None at some steps, arrays at others
        column = None
    if column is not None and column.dtype.kind in "biuf":
        return column
    present = [v for v in values if v is not None]
    if not present or not all(isinstance(v, np.ndarray | numbers.Real) for v in present):
        return None
    shape = np.shape(present[0])
    if any(np.shape(v) != shape for v in present):
        return None
    column = np.full((len(values), *shape), np.nan)
    for k, v in enumerate(values):
        if v is not None:
            column[k] = v
    return column


def _stack_states(states) -> dict[str, np.ndarray]:
    """``{field: array (steps, ...)}`` for the state fields that hold arrays or numbers.

    A chain's state (:class:`~descentlab.optim.ChainState`) is flattened: the optimizer's
    fields, then each transformation's (such as clipping's ``norm``).
    """
    if isinstance(states[0], ChainState):
        return _merge_chain_columns(
            _stack_states([state.optimizer_state for state in states]),
            [
                _stack_states([state.transform_states[i] for state in states])
                for i in range(len(states[0].transform_states))
            ],
        )
    columns = {name: _stack_column(values) for name, values in _state_columns(states).items()}
    return {name: column for name, column in columns.items() if column is not None}


def _merge_chain_columns(optimizer_columns: dict, transform_columns: list[dict]) -> dict:
    """The optimizer's columns, then each transformation's; a name already taken gets the
    transformation's index appended (``norm_1``)."""
    merged = dict(optimizer_columns)
    for i, columns in enumerate(transform_columns):
        for key, column in columns.items():
            merged[key if key not in merged else f"{key}_{i}"] = column
    return merged


def _why_diverged(params_norm: float, loss: float, grad_norm: float, bound: float) -> str:
    if not math.isfinite(params_norm):
        return "parameters became non-finite"
    if not math.isfinite(loss):
        return f"loss became non-finite ({loss})"
    if not math.isfinite(grad_norm):
        return "gradient became non-finite"
    return f"parameters left the bound ‖x‖ <= {bound:g} (‖x‖ = {params_norm:.3g})"


def run(
    opt,
    fn,
    x0=None,
    steps: int = 1000,
    tol: float = 1e-8,
    bound: float | None = 1e6,
    record_state: bool = True,
    name: str = "",
) -> Trajectory:
    """Run ``opt`` on ``fn`` from ``x0`` for at most ``steps`` steps; return a Trajectory.

    Args:
        opt: an optimizer with ``init(params)`` and ``step(params, grads, state)``.
            An optimizer whose ``step`` takes a ``closure`` instead (L-BFGS, Newton) gets
            ``fn``'s ``value_and_grad``; one of its steps may evaluate ``fn`` many times,
            and only the point it ends at is recorded.
        fn: an object with ``value_and_grad(x)`` (every surface), or a callable
            ``x -> (f(x), ∇f(x))`` (items after these two, such as the Hessian a Newton
            closure returns, are ignored here and passed on through the closure).
        x0: start point (array of any shape, or a dict/list of arrays); defaults to
            ``fn.start``.
        steps: maximum number of optimizer steps.
        tol: stop as converged once ``‖∇f(x_k)‖ < tol``; ``tol=0`` never stops early.
        bound: stop as diverged once ``‖x_k‖ > bound``; ``None`` checks finiteness only.
        record_state: keep the optimizer state of every step in ``Trajectory.state``.
        name: label stored on the trajectory.
    """
    value_and_grad: Callable = getattr(fn, "value_and_grad", fn)
    if x0 is None:
        if not hasattr(fn, "start"):
            raise ValueError("x0 is required when fn has no default `start`")
        x0 = fn.start
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"Invalid steps: {steps!r} (expected an integer >= 0)")
    if not tol >= 0:
        raise ValueError(f"Invalid tol: {tol} (expected tol >= 0)")
    if bound is not None and not bound > 0:
        raise ValueError(f"Invalid bound: {bound} (expected bound > 0, or None)")
    limit = math.inf if bound is None else float(bound)
    use_closure = _takes_closure(opt)

    tree = _is_tree(x0)
    x = x0 if tree else np.array(x0, dtype=float)
    state = opt.init(x)
    if not tree and x.ndim == 1 and x.size <= SCALAR_MAX_SIZE and _steps_floats(opt):
        return _run_coordinates(
            opt, fn, value_and_grad, x, state, steps, tol, limit, record_state, name
        )
    if tree:
        norm, path = _tree_norm, []
    else:
        norm, path = _array_norm, np.empty((steps + 1, *x.shape))
    losses = np.empty(steps + 1)
    grad_norms = np.empty(steps + 1)
    states = []

    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            value, grad = value_and_grad(x)[:2]  # a Newton closure also returns a Hessian
            if tree:
                path.append(x)
            else:
                path[k] = x
            losses[k] = value
            grad_norms[k] = grad_norm = norm(grad)
            if record_state:
                states.append(state)
            stop = _stop(k, steps, value, grad_norm, norm(x), tol, limit)
            if stop is not None:
                status, message = stop
                break
            x, state = opt.step(x, value_and_grad if use_closure else grad, state)

    if k < steps:  # stopped early: copy, so the unused part of the buffers can be freed
        losses, grad_norms = losses[: k + 1].copy(), grad_norms[: k + 1].copy()
        if not tree:
            path = path[: k + 1].copy()
    return Trajectory(
        params=path,
        loss=losses,
        grad_norm=grad_norms,
        state=_stack_states(states) if record_state else None,
        status=status,
        diverged_at=k if status == "diverged" else None,
        n_steps=k,
        message=message,
        name=name,
    )


def _steps_floats(opt) -> bool:
    """True if ``opt`` can step Python floats: an optimizer with ``_update_scalar``, or a
    chain of transformations with ``update_coords`` ending in one."""
    if isinstance(opt, Chain):
        if not all(hasattr(transform, "update_coords") for transform in opt.transforms):
            return False
        opt = opt.optimizer
    return getattr(opt, "_update_scalar", None) is not None


def _stop(
    k: int, steps: int, value: float, grad_norm: float, params_norm: float, tol: float, limit: float
) -> tuple[str, str] | None:
    """``(status, message)`` if the run stops at step ``k`` (see :func:`run`), else None."""
    if not (math.isfinite(value) and math.isfinite(grad_norm) and params_norm <= limit):
        why = _why_diverged(params_norm, value, grad_norm, limit)
        return "diverged", f"diverged at step {k}: {why}"
    if grad_norm < tol:
        return "converged", f"converged at step {k}: gradient norm {grad_norm:.3g} < tol {tol:g}"
    if k == steps:
        return "max_steps", (
            f"stopped after {steps} steps (max_steps): loss {value:.6g}, "
            f"gradient norm {grad_norm:.3g}"
        )
    return None


def _run_coordinates(opt, fn, value_and_grad, x, state, steps, tol, limit, record_state, name):
    """:func:`run` for a point of a few coordinates, held as Python floats.

    The same loop, stopping rules and numbers as the array version: each coordinate ``i``
    is updated by the optimizer's rule for one number, ``opt._update_scalar(lr, t, x_i,
    g_i, *buffers_i)``, which repeats the array update operation for operation (a chain
    first passes the gradient through each transformation's ``update_coords``). What it
    saves is NumPy's fixed cost per call on tiny arrays (about a microsecond, a dozen calls
    per Adam step); the arrays are built once, at the end. A surface's
    ``value_and_grad_coords`` is used when it has one.
    """
    transform_grads = transform_state = None  # a chain's transformations, as one function
    if isinstance(opt, Chain):
        transform_grads, transform_state, split = _chain_coords(
            opt.transforms, state.transform_states
        )
        opt, state = opt.optimizer, state.optimizer_state
    coords_fn = getattr(fn, "value_and_grad_coords", None)
    update, lr = opt._update_scalar, opt.lr
    fields = state._fields[1:]
    live = [j for j, buffer in enumerate(state[1:]) if buffer is not None]
    # One sequence per buffer field, holding its value for each coordinate (None if off)
    columns = [[None] * x.size if b is None else b.tolist() for b in state[1:]]
    coords = x.tolist()
    path, losses, grad_norms, history, transform_history = [], [], [], [], []
    inf = math.inf
    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            if coords_fn is not None:
                value, grads = coords_fn(coords)
            else:
                value, grad = value_and_grad(np.array(coords))[:2]
                grads = _coordinates(grad, x)
            grad_norm = math.hypot(*grads)
            path.append(coords)
            losses.append(value)
            grad_norms.append(grad_norm)
            if record_state:
                history.append(columns)
                if transform_grads is not None:
                    transform_history.append(transform_state)
            params_norm = math.hypot(*coords)
            if not (  # the usual case, checked inline; _stop sorts out why the run ends
                k < steps and tol <= grad_norm < inf and params_norm <= limit and -inf < value < inf
            ):
                stop = _stop(k, steps, value, grad_norm, params_norm, tol, limit)
                break
            if transform_grads is not None:
                grads, transform_state = transform_grads(grads, transform_state)
            lr_k = lr(k) if callable(lr) else lr  # update number k + 1 uses lr(k)
            # update(lr, t, x_i, g_i, *buffers_i) for each coordinate i; then back to columns
            # (not strict=True: every sequence has one entry per coordinate by construction,
            # and the check would cost a seventh of an Adam step)
            coords, *columns = zip(
                *map(update, repeat(lr_k), repeat(k + 1), coords, grads, *columns), strict=False
            )
    status, message = stop
    recorded = None
    if record_state:
        recorded = {"step": np.arange(k + 1)}
        for j in live:  # one (steps, coordinates) array per buffer field that is on
            recorded[fields[j]] = _float_rows([row[j] for row in history], x.size)
        if transform_grads is not None:
            recorded = _merge_chain_columns(
                recorded, [_stack_states(states) for states in split(transform_history)]
            )
    return Trajectory(
        params=_float_rows(path, x.size),
        loss=np.array(losses, dtype=float),
        grad_norm=np.array(grad_norms),
        state=recorded,
        status=status,
        diverged_at=k if status == "diverged" else None,
        n_steps=k,
        message=message,
        name=name,
    )


def _chain_coords(transforms: tuple, states: tuple) -> tuple[Callable, Any, Callable]:
    """A chain's gradient transformations as one function on Python floats.

    Returns ``(update, state, split)``: ``update(grads, state) -> (grads, state)`` applies
    each transformation's ``update_coords`` in order, ``state`` is its initial state, and
    ``split(history)`` turns a list of its states into one list per transformation.
    """
    if len(transforms) == 1:  # the usual case: the transformation itself, no wrapper
        return transforms[0].update_coords, states[0], lambda history: [history]
    updates = [transform.update_coords for transform in transforms]

    def update(grads: list[float], states: tuple) -> tuple[list[float], tuple]:
        new_states = []
        for update_coords, state in zip(updates, states, strict=True):
            grads, state = update_coords(grads, state)
            new_states.append(state)
        return grads, tuple(new_states)

    def split(history: list[tuple]) -> list[list]:
        return [list(states) for states in zip(*history, strict=True)]

    return update, tuple(states), split


def _float_rows(rows: list, width: int) -> np.ndarray:
    """``np.array(rows, dtype=float)`` for ``rows`` of ``width`` floats each: the same
    array, built from one flat iterator (twice as fast as NumPy's nested-list path)."""
    return np.fromiter(chain.from_iterable(rows), float, len(rows) * width).reshape(-1, width)


def run_many(optimizers, fn, x0=None, **options) -> dict[str, Trajectory]:
    """A race: run each named optimizer on ``fn`` from the same start.

    ``optimizers`` maps names to optimizers (a dict, or ``(name, opt)`` pairs); ``options``
    are passed on to :func:`run` (``steps``, ``tol``, ``bound``, ``record_state``).
    Returns ``{name: Trajectory}`` in the same order.
    """
    return {name: run(opt, fn, x0, name=name, **options) for name, opt in dict(optimizers).items()}
