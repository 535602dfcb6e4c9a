r"""Learning-rate schedules, and the learning-rate range test.

A schedule is a plain function of the **0-based update count** :math:`t`: update number
:math:`t + 1` uses ``schedule(t)``. Pass one as any optimizer's ``lr``::

    opt = optim.SGD(lr=schedules.cosine_annealing(0.1, T_max=100), momentum=0.9)

The optimizer evaluates ``lr(state.step)`` on the state it is given, so the first update
uses ``schedule(0)``. This matches ``torch.optim.lr_scheduler`` used the standard way,
``optimizer.step()`` then ``scheduler.step()`` once per update: the lr of update :math:`t + 1`
is the scheduler's value after :math:`t` calls of ``scheduler.step()``. Each schedule below
names its torch counterpart; the values agree with it (tests compare recorded runs), except
where a docstring says otherwise.

Schedules combine: :func:`sequential` runs one schedule after another (torch
``SequentialLR``), and :func:`linear_warmup` puts a linear ramp in front of any schedule.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "NamedSchedule",
    "RangeTestResult",
    "Schedule",
    "constant",
    "cosine_annealing",
    "cyclic",
    "exponential_decay",
    "linear",
    "linear_warmup",
    "lr_range_test",
    "one_cycle",
    "sequential",
    "step_decay",
]

#: A schedule maps the 0-based update count to a learning rate.
Schedule = Callable[[int], float]


class NamedSchedule:
    """A schedule function with a readable repr, e.g. ``step_decay(lr=0.1, step_size=30, ...)``.

    Printing an optimizer then shows its schedule's arguments (no memory address, so
    notebook outputs stay the same from run to run). Calling it calls the function.
    """

    __slots__ = ("fn", "description")

    def __init__(self, fn: Schedule, description: str) -> None:
        self.fn = fn
        self.description = description

    def __call__(self, t: int) -> float:
        return self.fn(t)

    def __repr__(self) -> str:
        return self.description


def _named(fn: Schedule, name: str, **arguments: Any) -> NamedSchedule:
    listed = ", ".join(f"{key}={value!r}" for key, value in arguments.items())
    return NamedSchedule(fn, f"{name}({listed})")


def _check_positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"Invalid {name}: {value} (must be > 0)")


def _check_nonnegative(name: str, value: float) -> None:
    if not value >= 0:
        raise ValueError(f"Invalid {name}: {value} (must be >= 0)")


def constant(lr: float) -> Schedule:
    """:math:`\\eta_t = \\text{lr}` for every :math:`t`."""
    _check_nonnegative("lr", lr)

    def schedule(t: int) -> float:
        return lr

    return _named(schedule, "constant", lr=lr)


def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    r"""Multiply by ``gamma`` every ``step_size`` updates (torch ``StepLR``).

    .. math:: \eta_t = \text{lr} \cdot \gamma^{\lfloor t / \text{step\_size} \rfloor}
    """
    _check_nonnegative("lr", lr)
    _check_positive("step_size", step_size)
    _check_nonnegative("gamma", gamma)

    def schedule(t: int) -> float:
        return lr * gamma ** (t // step_size)

    return _named(schedule, "step_decay", lr=lr, step_size=step_size, gamma=gamma)


def exponential_decay(lr: float, gamma: float) -> Schedule:
    r"""Multiply by ``gamma`` after every update (torch ``ExponentialLR``).

    .. math:: \eta_t = \text{lr} \cdot \gamma^t
    """
    _check_nonnegative("lr", lr)
    _check_nonnegative("gamma", gamma)

    def schedule(t: int) -> float:
        return lr * gamma**t

    return _named(schedule, "exponential_decay", lr=lr, gamma=gamma)


def cosine_annealing(lr: float, T_max: int, eta_min: float = 0.0) -> Schedule:
    r"""Half a cosine from ``lr`` down to ``eta_min`` over ``T_max`` updates (torch
    ``CosineAnnealingLR``; Loshchilov & Hutter 2017, SGDR, without restarts).

    .. math::
        \eta_t = \eta_{\min} + \tfrac12 (\text{lr} - \eta_{\min})
                 \left(1 + \cos\frac{\pi t}{T_{\max}}\right)

    As in torch, the formula continues past :math:`T_{\max}`: the rate climbs back up along
    the cosine (it reaches ``lr`` again at :math:`2T_{\max}`). Train for :math:`T_{\max}`
    updates, or hold the end value with ``sequential([cosine, constant(eta_min)], [T_max])``.
    """
    _check_nonnegative("lr", lr)
    _check_positive("T_max", T_max)
    _check_nonnegative("eta_min", eta_min)

    def schedule(t: int) -> float:
        return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2

    return _named(schedule, "cosine_annealing", lr=lr, T_max=T_max, eta_min=eta_min)


def linear(
    lr: float, start_factor: float = 1 / 3, end_factor: float = 1.0, total_iters: int = 5
) -> Schedule:
    r"""Linear ramp of the factor from ``start_factor`` to ``end_factor`` (torch ``LinearLR``).

    .. math::
        \eta_t = \text{lr} \left(s + (e - s) \frac{\min(t, T)}{T}\right)

    with :math:`s` = ``start_factor``, :math:`e` = ``end_factor``, :math:`T` =
    ``total_iters``; constant at ``lr * end_factor`` after :math:`T` updates.
    """
    _check_nonnegative("lr", lr)
    if not 0 < start_factor <= 1:
        raise ValueError(f"Invalid start_factor: {start_factor} (must be in (0, 1])")
    if not 0 <= end_factor <= 1:
        raise ValueError(f"Invalid end_factor: {end_factor} (must be in [0, 1])")
    _check_positive("total_iters", total_iters)

    def schedule(t: int) -> float:
        return lr * (start_factor + (end_factor - start_factor) * min(t, total_iters) / total_iters)

    return _named(
        schedule,
        "linear",
        lr=lr,
        start_factor=start_factor,
        end_factor=end_factor,
        total_iters=total_iters,
    )


def sequential(schedules: Sequence[Schedule], milestones: Sequence[int]) -> Schedule:
    r"""Run ``schedules[0]`` until ``milestones[0]``, then ``schedules[1]``, ... (torch
    ``SequentialLR``).

    Each schedule restarts its own count at its milestone: for
    :math:`m_{k} \le t < m_{k+1}`, :math:`\eta_t = \text{schedules}[k+1](t - m_k)`.
    """
    schedules, milestones = list(schedules), list(milestones)  # private copies
    if len(milestones) != len(schedules) - 1:
        raise ValueError(
            f"Invalid milestones: {list(milestones)} (need len(schedules) - 1 = "
            f"{len(schedules) - 1} increasing counts)"
        )
    if any(b <= a for a, b in zip(milestones, milestones[1:], strict=False)) or any(
        m <= 0 for m in milestones
    ):
        raise ValueError(f"Invalid milestones: {list(milestones)} (must be positive, increasing)")
    starts = [0, *milestones]

    def schedule(t: int) -> float:
        k = bisect.bisect_right(milestones, t)  # how many milestones are <= t
        return schedules[k](t - starts[k])

    return _named(schedule, "sequential", schedules=schedules, milestones=milestones)


def linear_warmup(
    after: Schedule | float, warmup_steps: int, start_factor: float = 1 / 3
) -> Schedule:
    r"""A linear warm-up of ``warmup_steps`` updates, then ``after`` (a schedule or a number).

    With :math:`\eta^* = \text{after}(0)` and :math:`W` = ``warmup_steps``:

    .. math::
        \eta_t = \eta^* \left(s + (1 - s)\frac{t}{W}\right) \ (t < W), \qquad
        \eta_t = \text{after}(t - W) \ (t \ge W)

    The torch equivalent is ``SequentialLR([LinearLR(start_factor=s, total_iters=W), after],
    milestones=[W])``; e.g. ``linear_warmup(cosine_annealing(0.1, T_max=90), 10)``.
    References: Goyal et al. (2017), "Accurate, large minibatch SGD" (gradual warm-up).
    """
    if not callable(after):
        after = constant(after)
    _check_positive("warmup_steps", warmup_steps)
    ramp = linear(after(0), start_factor=start_factor, end_factor=1.0, total_iters=warmup_steps)
    joined = sequential([ramp, after], [warmup_steps])
    return _named(
        joined.fn,
        "linear_warmup",
        after=after,
        warmup_steps=warmup_steps,
        start_factor=start_factor,
    )


def cyclic(
    base_lr: float,
    max_lr: float,
    step_size_up: int = 2000,
    step_size_down: int | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
) -> Schedule:
    r"""Cyclical learning rate between ``base_lr`` and ``max_lr`` (torch ``CyclicLR``).

    A cycle rises linearly for ``step_size_up`` updates and falls for ``step_size_down``
    (default: the same). With cycle length :math:`C`, up fraction :math:`r`, cycle number
    :math:`c = \lfloor 1 + t/C \rfloor` and position :math:`x = 1 + t/C - c \in [0, 1)`:

    .. math::
        h = \frac{x}{r} \ (x \le r), \quad h = \frac{x - 1}{r - 1} \ (x > r), \qquad
        \eta_t = \text{base\_lr} + (\text{max\_lr} - \text{base\_lr})\, h\, \sigma

    where :math:`\sigma = 1` (``"triangular"``), :math:`2^{-(c-1)}` (``"triangular2"``:
    the amplitude halves each cycle) or :math:`\gamma^t` (``"exp_range"``). Momentum
    cycling is not part of this schedule. References: Smith (2017), "Cyclical learning rates
    for training neural networks", WACV.
    """
    _check_nonnegative("base_lr", base_lr)
    _check_nonnegative("max_lr", max_lr)
    _check_positive("step_size_up", step_size_up)
    if step_size_down is None:
        step_size_down = step_size_up
    _check_positive("step_size_down", step_size_down)
    if mode not in ("triangular", "triangular2", "exp_range"):
        raise ValueError(
            f"Invalid mode: {mode!r} (must be 'triangular', 'triangular2' or 'exp_range')"
        )
    total = float(step_size_up + step_size_down)
    up_ratio = step_size_up / total

    def schedule(t: int) -> float:
        cycle = math.floor(1 + t / total)
        x = 1.0 + t / total - cycle
        height = x / up_ratio if x <= up_ratio else (x - 1) / (up_ratio - 1)
        if mode == "triangular":
            scale = 1.0
        elif mode == "triangular2":
            scale = 1 / (2.0 ** (cycle - 1))
        else:
            scale = gamma**t
        return base_lr + (max_lr - base_lr) * height * scale

    return _named(
        schedule,
        "cyclic",
        base_lr=base_lr,
        max_lr=max_lr,
        step_size_up=step_size_up,
        step_size_down=step_size_down,
        mode=mode,
        gamma=gamma,
    )


def one_cycle(
    max_lr: float,
    total_steps: int,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
) -> Schedule:
    r"""The 1cycle policy (torch ``OneCycleLR``, learning rate only).

    Start at :math:`\eta_0 = \text{max\_lr} / \text{div\_factor}`, anneal up to ``max_lr``
    over the first ``pct_start`` of ``total_steps``, then down to
    :math:`\eta_0 / \text{final\_div\_factor}` at the last update ``total_steps - 1``.
    Phase boundaries are at counts :math:`p N - 1` (and :math:`2 p N - 2` for
    ``three_phase``, which first returns to :math:`\eta_0` and then anneals to the minimum),
    with :math:`N` = ``total_steps``, :math:`p` = ``pct_start``. Within a phase from count
    :math:`a` to :math:`b` and rates :math:`\eta_a \to \eta_b`, with :math:`q = (t-a)/(b-a)`:

    .. math::
        \eta_t = \eta_b + \tfrac12(\eta_a - \eta_b)(1 + \cos \pi q) \ (\text{"cos"}), \qquad
        \eta_t = \eta_a + (\eta_b - \eta_a)\, q \ (\text{"linear"})

    After ``total_steps`` updates the rate stays at its final value (torch raises instead).
    References: Smith & Topin (2019), "Super-convergence", SPIE 11006; Smith (2018),
    "A disciplined approach to neural network hyper-parameters", arXiv:1803.09820.
    """
    _check_nonnegative("max_lr", max_lr)
    if not (isinstance(total_steps, int) and total_steps > 0):
        raise ValueError(f"Invalid total_steps: {total_steps} (must be a positive integer)")
    if not 0 <= pct_start <= 1:
        raise ValueError(f"Invalid pct_start: {pct_start} (must be in [0, 1])")
    if anneal_strategy not in ("cos", "linear"):
        raise ValueError(
            f"Invalid anneal_strategy: {anneal_strategy!r} (must be 'cos' or 'linear')"
        )
    _check_positive("div_factor", div_factor)
    _check_positive("final_div_factor", final_div_factor)
    initial_lr = max_lr / div_factor
    min_lr = initial_lr / final_div_factor
    if three_phase:
        phases = [
            (float(pct_start * total_steps) - 1, initial_lr, max_lr),
            (float(2 * pct_start * total_steps) - 2, max_lr, initial_lr),
            (total_steps - 1, initial_lr, min_lr),
        ]
    else:
        phases = [
            (float(pct_start * total_steps) - 1, initial_lr, max_lr),
            (total_steps - 1, max_lr, min_lr),
        ]
    ends = [end for end, _, _ in phases]
    if any(b <= a for a, b in zip([0.0, *ends], ends, strict=False)):
        raise ValueError(
            f"Invalid pct_start: {pct_start} with total_steps={total_steps} gives an empty "
            "phase (each phase needs at least one update)"
        )

    def anneal(start: float, end: float, q: float) -> float:
        if anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * q) + 1)
        return (end - start) * q + start

    def schedule(t: int) -> float:
        t = min(t, total_steps - 1)
        phase_start = 0.0
        for index, (phase_end, start_lr, end_lr) in enumerate(phases):
            if t <= phase_end or index == len(phases) - 1:
                return anneal(start_lr, end_lr, (t - phase_start) / (phase_end - phase_start))
            phase_start = phase_end
        raise AssertionError("unreachable")

    return _named(
        schedule,
        "one_cycle",
        max_lr=max_lr,
        total_steps=total_steps,
        pct_start=pct_start,
        anneal_strategy=anneal_strategy,
        div_factor=div_factor,
        final_div_factor=final_div_factor,
        three_phase=three_phase,
    )


class RangeTestResult(NamedTuple):
    """Outcome of :func:`lr_range_test`: learning rates tried, losses, and a suggestion."""

    lrs: np.ndarray
    losses: np.ndarray
    suggested_lr: float


def lr_range_test(
    make_optimizer: Callable[[Schedule], Any],
    loss_and_grad: Callable[[Any], tuple[float, Any]],
    params: Any,
    min_lr: float = 1e-7,
    max_lr: float = 10.0,
    num_steps: int = 100,
    smoothing: float = 0.9,
    diverge_factor: float = 4.0,
) -> RangeTestResult:
    r"""The learning-rate range test (Smith 2017): one short run with a growing learning rate.

    Update :math:`t = 0, \dots, n - 1` uses the exponentially increasing rate
    :math:`\eta_t = \eta_{\min} (\eta_{\max}/\eta_{\min})^{t/(n-1)}`; ``losses[t]`` is the
    loss at the parameters that update :math:`t` starts from. The run stops early when the
    *smoothed* loss (an exponential moving average with factor ``smoothing``,
    bias-corrected) is not finite or exceeds ``diverge_factor`` times its lowest value.

    The suggested rate is where the smoothed loss falls fastest: the most negative slope
    with respect to :math:`\log \eta`, over the part of the run before its minimum.
    It is a starting point to check, not a guarantee.

    Args:
        make_optimizer: builds the optimizer from a learning rate or schedule, e.g.
            ``optim.Adam`` or ``lambda lr: optim.SGD(lr=lr, momentum=0.9)``.
        loss_and_grad: ``params -> (loss, grads)``.
        params: the starting parameters (not modified).

    Returns:
        ``RangeTestResult(lrs, losses, suggested_lr)``, unpackable as a triple.

    Reference: Smith (2017), "Cyclical learning rates for training neural networks", WACV,
    section 3.3 (there with a linear increase; the exponential sweep is the common variant).
    """
    _check_positive("min_lr", min_lr)
    if not max_lr > min_lr:
        raise ValueError(f"Invalid max_lr: {max_lr} (must be > min_lr = {min_lr})")
    if not num_steps >= 3:
        raise ValueError(f"Invalid num_steps: {num_steps} (must be >= 3)")
    if not 0 <= smoothing < 1:
        raise ValueError(f"Invalid smoothing: {smoothing} (must be in [0, 1))")
    if not diverge_factor > 1:
        raise ValueError(f"Invalid diverge_factor: {diverge_factor} (must be > 1)")
    ratio = max_lr / min_lr

    def sweep(t: int) -> float:
        return min_lr * ratio ** (t / (num_steps - 1))

    opt = make_optimizer(sweep)
    state = opt.init(params)
    lrs, losses, smoothed = [], [], []
    average = 0.0
    with np.errstate(all="ignore"):
        for t in range(num_steps):
            loss, grads = loss_and_grad(params)
            lrs.append(sweep(t))
            losses.append(float(loss))
            average = smoothing * average + (1 - smoothing) * float(loss)
            smoothed.append(average / (1 - smoothing ** (t + 1)))  # bias-corrected EMA
            if not math.isfinite(smoothed[-1]) or smoothed[-1] > diverge_factor * min(smoothed):
                break
            params, state = opt.step(params, grads, state)
    suggested = _steepest_descent_lr(np.array(lrs), np.array(smoothed))
    return RangeTestResult(np.array(lrs), np.array(losses), suggested)


def _steepest_descent_lr(lrs: np.ndarray, smoothed: np.ndarray) -> float:
    """The rate where the smoothed loss falls fastest against log(lr), before its minimum."""
    finite = np.isfinite(smoothed)
    lrs, smoothed = lrs[finite], smoothed[finite]
    end = int(np.argmin(smoothed)) + 1 if len(smoothed) else 0
    if end < 3:
        return float(lrs[0])
    slopes = np.gradient(smoothed[:end], np.log(lrs[:end]))
    return float(lrs[int(np.argmin(slopes))])
