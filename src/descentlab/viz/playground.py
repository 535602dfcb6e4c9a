"""The optimizer playground: any surface, any set of optimizers, every hyperparameter a control.

:func:`playground` builds one :class:`~descentlab.viz.InteractiveFigure` with three panels:

* the paths of the chosen optimizers over the surface's contours, and at each path's head an
  arrow for the optimizer's *momentum vector*: the displacement its running average of
  gradients (SGD's momentum buffer, RMSprop's momentum buffer, Adam's first moment) produced
  in the latest update, :math:`-\\eta_{\\text{eff}} \\odot m_t` (a fraction
  :math:`\\beta` of it carries over into the next one), drawn ``ARROW_SCALE`` times longer
  than it is;
* the loss against the step;
* the per-coordinate *step scale* :math:`\\eta_{\\text{eff}}` of the last update, read from the
  optimizer's state by ``effective_lr`` (for Adam :math:`\\eta / (\\sqrt{\\hat v_t} + \\epsilon)`,
  for Adagrad :math:`\\eta_t / (\\sqrt{s_t} + \\epsilon)`, for SGD just :math:`\\eta`), on a
  log scale, so a reader sees which coordinate each method is stretching or shrinking.

Learning rates are set as multiples of a per-surface value that gives a readable race (the
same multiplier means "as tuned" on every surface). Runs are cached on the surface, start and
hyperparameters, so playing the steps never reruns an optimizer: it only looks up one row of
the cached run and redraws. The step scale and momentum vector are read from the optimizer's
recorded state only for the step on screen.

Drawing, not computing, is what a slider move mostly costs, so the moving part is kept light:
one line (with its head marker) per path, one set of arrows for all the momentum vectors, the
loss curves, eight bars, and one plain status line that is empty unless a run is invalid or
has stopped (everything static, legend included, is drawn once per surface).
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from .. import optim, surfaces
from ..run import run
from .controls import Choice, Play, Slider, Toggle
from .figure import InteractiveFigure
from .plots import PATH_COLORS, contour

SURFACES = {
    "Rosenbrock": surfaces.Rosenbrock(),
    "Beale": surfaces.Beale(),
    "Himmelblau": surfaces.Himmelblau(),
    "saddle": surfaces.Saddle(),
    "quadratic κ=20": surfaces.IllConditionedQuadratic(20.0, np.pi / 6),
}

#: Learning rates that make a readable 150-step race on each surface (found by a coarse
#: search over powers of about 3, then rounded down a notch for stability).
TUNED_LR = {
    "Rosenbrock": {"SGD": 1e-3, "Adagrad": 0.5, "RMSprop": 0.02, "Adam": 0.1},
    "Beale": {"SGD": 3e-3, "Adagrad": 0.5, "RMSprop": 0.01, "Adam": 0.1},
    "Himmelblau": {"SGD": 3e-3, "Adagrad": 0.5, "RMSprop": 0.05, "Adam": 0.1},
    "saddle": {"SGD": 0.02, "Adagrad": 0.1, "RMSprop": 0.02, "Adam": 0.05},
    "quadratic κ=20": {"SGD": 0.3, "Adagrad": 0.5, "RMSprop": 0.05, "Adam": 0.1},
}

OPTIMIZERS = ["SGD", "Adagrad", "RMSprop", "Adam"]
#: Momentum displacements are a fraction of a step; drawn this many times longer.
ARROW_SCALE = 10.0
STEPS = 150


def _lr():
    return Slider(0.01, 100.0, 1.0, log=True, label="lr × tuned", fmt=".3g")


def _weight_decay():
    return Slider(0.0, 0.5, 0.0, step=0.01, label="weight_decay", fmt=".2f")


def _controls() -> tuple[dict, dict]:
    c = {
        "surface": Choice(
            {name: name for name in SURFACES}, label="surface", static=list(SURFACES)
        ),
        "dx": Slider(-0.5, 0.5, 0.0, step=0.02, label="start shift x (× width)", fmt=".2f"),
        "dy": Slider(-0.5, 0.5, 0.0, step=0.02, label="start shift y (× height)", fmt=".2f"),
        "step": Play(STEPS, stride=10, interval_ms=150),
        "sgd_on": Toggle(True, "show SGD"),
        "sgd_lr": _lr(),
        "sgd_momentum": Slider(0.0, 0.99, 0.9, step=0.01, label="momentum", fmt=".2f"),
        "sgd_dampening": Slider(0.0, 0.99, 0.0, step=0.01, label="dampening", fmt=".2f"),
        "sgd_nesterov": Toggle(False, "nesterov"),
        "sgd_weight_decay": _weight_decay(),
        "adagrad_on": Toggle(True, "show Adagrad"),
        "adagrad_lr": _lr(),
        "adagrad_lr_decay": Slider(0.0, 0.1, 0.0, step=0.001, label="lr_decay", fmt=".3f"),
        "adagrad_initial_accumulator_value": Slider(
            0.0, 1.0, 0.0, step=0.01, label="initial_accumulator_value", fmt=".2f"
        ),
        "adagrad_eps": Slider(1e-10, 1e-1, 1e-10, log=True, label="eps", fmt=".0e"),
        "adagrad_weight_decay": _weight_decay(),
        "rmsprop_on": Toggle(True, "show RMSprop"),
        "rmsprop_lr": _lr(),
        "rmsprop_alpha": Slider(0.5, 0.999, 0.99, step=0.001, label="alpha", fmt=".3f"),
        "rmsprop_eps": Slider(1e-8, 1e-1, 1e-8, log=True, label="eps", fmt=".0e"),
        "rmsprop_momentum": Slider(0.0, 0.99, 0.0, step=0.01, label="momentum", fmt=".2f"),
        "rmsprop_centered": Toggle(False, "centered"),
        "rmsprop_weight_decay": _weight_decay(),
        "adam_on": Toggle(True, "show Adam"),
        "adam_lr": _lr(),
        "adam_beta1": Slider(0.0, 0.99, 0.9, step=0.01, label="beta1", fmt=".2f"),
        "adam_beta2": Slider(0.5, 0.9999, 0.999, step=0.0001, label="beta2", fmt=".4f"),
        "adam_eps": Slider(1e-8, 1e-1, 1e-8, log=True, label="eps", fmt=".0e"),
        "adam_weight_decay": _weight_decay(),
        "adam_amsgrad": Toggle(False, "amsgrad"),
        "adam_decoupled": Toggle(False, "decoupled weight decay (AdamW)"),
    }
    groups = {name: [k for k in c if k.startswith(name.lower() + "_")] for name in OPTIMIZERS}
    return c, groups


def make_optimizer(name: str, lr: float, h: dict):
    """The optimizer ``name`` with learning rate ``lr`` and hyperparameters ``h`` (by name).

    The playground's controls carry torch.optim's keyword names, except Adam's, whose
    ``beta1``/``beta2`` form ``betas`` and whose ``decoupled`` switch picks AdamW.
    """
    if name != "Adam":
        return getattr(optim, name)(lr=lr, **h)
    h = dict(h)
    kind = optim.AdamW if h.pop("decoupled") else optim.Adam
    return kind(lr=lr, betas=(h.pop("beta1"), h.pop("beta2")), **h)


#: The state field holding each optimizer's running average of gradients (Adagrad has none).
MOMENTUM_FIELD = {"SGD": "momentum_buffer", "RMSprop": "momentum_buffer", "Adam": "exp_avg"}


class Race(NamedTuple):
    """One optimizer's run in the playground, or the reason it could not run.

    ``params`` ``(n+1, 2)`` and ``loss`` ``(n+1,)`` are the recorded path; ``status`` is
    ``"converged"``, ``"max_steps"``, ``"diverged"`` or ``"invalid"`` and ``stop`` the step
    it ended at; ``message`` says it in a few words. ``opt`` and ``state`` (the optimizer and
    its state per step, as :func:`descentlab.run.run` records it) feed :func:`step_scale`.
    For invalid hyperparameters the arrays are empty and the message is the ``ValueError``.
    """

    name: str
    params: np.ndarray
    loss: np.ndarray
    status: str
    stop: int
    message: str
    opt: Any = None
    state: dict | None = None


@lru_cache(maxsize=256)
def race_entry(surface: str, name: str, lr_mult: float, hyper: tuple, start: tuple) -> Race:
    """One optimizer's run on ``surface`` from ``start``, cached on all the arguments.

    ``hyper`` holds the hyperparameters other than the learning rate as sorted
    ``(name, value)`` pairs (hashable, for the cache); ``lr_mult`` multiplies the tuned rate.
    """
    lr = lr_mult * TUNED_LR[surface][name]
    try:
        opt = make_optimizer(name, lr, dict(hyper))
    except ValueError as err:
        empty = np.empty((0, 2))
        return Race(name, empty, np.empty(0), "invalid", 0, f"{name} invalid: {err}")
    traj = run(opt, SURFACES[surface], np.array(start), steps=STEPS, tol=1e-10, bound=1e3)
    n = traj.n_steps
    words = {"converged": "converged", "max_steps": "still moving", "diverged": "diverged"}
    message = f"{name} {words[traj.status]} at step {n}"
    return Race(name, traj.params, traj.loss, traj.status, n, message, opt, traj.state)


def step_scale(race: Race, t: int) -> tuple[np.ndarray, np.ndarray]:
    """The step scale of update ``t`` per coordinate, and the momentum displacement after it.

    The scale is the optimizer's ``effective_lr`` read from its state after ``t`` updates (for
    Adam :math:`\\eta / (\\sqrt{\\hat v_t} + \\epsilon)`, for SGD :math:`\\eta`); the
    displacement is :math:`-\\eta_{\\text{eff}} \\odot m_t`, with :math:`m_t` the running
    average of gradients (Adam's bias-corrected). Both have shape ``(2,)``; NaN where there is
    nothing to show (step 0, no momentum buffer, an invalid run).
    """
    nothing = np.full(2, np.nan)
    if race.opt is None or not 1 <= t <= race.stop:
        return nothing, nothing
    opt, columns = race.opt, race.state
    state = opt.State(*[columns[f][t] if f in columns else None for f in opt.State._fields])
    with np.errstate(all="ignore"):
        scale = np.broadcast_to(opt.effective_lr(state), (2,)).astype(float)
        buffer = columns.get(MOMENTUM_FIELD.get(race.name, ""))
        if buffer is None:
            return scale, nothing
        m = buffer[t]
        if race.name == "Adam" and opt.betas[0] > 0:  # the step uses the bias-corrected moment
            m = m / (1 - opt.betas[0] ** t)
        return scale, -scale * m


def _decade_label(v: float) -> str:
    """``0``, ``0.01``, ``100``, ``-1e4``: a power of ten (or zero) as a short plain label."""
    if v == 0 or 1e-2 <= abs(v) <= 1e2:
        return f"{v:g}"
    return f"{'-' if v < 0 else ''}1e{round(np.log10(abs(v)))}"


def _panels(fig):
    """The three panels, placed at fixed margins in inches.

    A fixed layout instead of matplotlib's constrained layout: the layout pass measures every
    tick label and costs more than drawing the whole figure, once per surface.
    """
    fig.set_layout_engine("none")
    width, height = fig.get_size_inches()
    left, right, bottom, top, gap_x, gap_y = 0.6, 0.15, 0.45, 0.27, 0.8, 0.5
    main = (width - left - right - gap_x) * 1.25 / 2.25  # the paths get 1.25 : 1 of the width

    def box(x0, y0, x1, y1):  # inches from the lower left corner
        return [x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height]

    mid = (bottom + height - top) / 2
    x_right = left + main + gap_x
    return (
        fig.add_axes(box(left, bottom, left + main, height - top)),
        fig.add_axes(box(x_right, mid + gap_y / 2, width - right, height - top)),
        fig.add_axes(box(x_right, bottom, width - right, mid - gap_y / 2)),
    )


def playground(figsize=(10.0, 4.8), dpi: int = 80) -> InteractiveFigure:
    """The optimizer playground as an :class:`InteractiveFigure` (see the module docstring)."""
    controls, groups = _controls()
    colors = PATH_COLORS[: len(OPTIMIZERS)]

    def setup(fig, surface):
        s = SURFACES[surface]
        ax, loss_ax, scale_ax = _panels(fig)
        contour(ax, s.value, s.bounds, n=120, levels=28, log=s.log_scale)
        for m in s.minima:
            ax.plot(*m, "*", color="white", mec="k", ms=11)
        # A title at a fixed height: placing it automatically measures the tick labels.
        ax.set_title(f"{surface}: paths, momentum vectors ×{ARROW_SCALE:g}", y=1.0, pad=4)
        ax.set(xlabel="x", ylabel="y")
        ax.locator_params(nbins=5)
        X, Y, Z = s.grid(60)
        low, high = float(np.min(Z)), float(np.max(Z))
        loss_ax.set(xlim=(0, STEPS), ylim=(low - 0.05 * abs(low) - 1e-3, high), xlabel="step")
        loss_ax.set_xticks(range(0, STEPS + 1, 50))
        loss_ax.set_yscale("symlog", linthresh=1e-3)
        # Every other decade, with plain labels ("1e4"): mathtext labels ("10⁴") are parsed
        # anew for every surface.
        ticks = [0.0] + [
            sign * 10.0**k
            for sign in (-1, 1)
            for k in range(-2, 9, 2)
            if low <= sign * 10.0**k <= high
        ]
        loss_ax.set_yticks(ticks, [_decade_label(v) for v in ticks])
        loss_ax.minorticks_off()
        loss_ax.set_ylabel("loss")
        scale_ax.set(
            ylim=(-6, 1),
            ylabel="log10 step scale",
            yticks=[-6, -4, -2, 0],
            xticks=np.arange(4) + 0.325,
            xticklabels=OPTIMIZERS,
            xlim=(-0.4, 4),
        )
        scale_ax.axhline(0, color="0.7", lw=0.6)
        scale_ax.text(
            0.01,
            0.97,
            "left bar: x, right bar: y",
            transform=scale_ax.transAxes,
            fontsize=7,
            va="top",
        )
        artists = {}  # drawn in this order: paths, curves and bars, arrows, status line
        for i, name in enumerate(OPTIMIZERS):
            # The path and its head are one line: the marker is drawn on the last point only.
            (path,) = ax.plot(
                [],
                [],
                "-o",
                color=colors[i],
                lw=1.6,
                ms=7,
                mec="white",
                mew=1.2,
                markevery=[-1],
                label=name,
            )
            (curve,) = loss_ax.plot([], [], color=colors[i], lw=1.4)
            bars = scale_ax.bar(
                [i + 0.1, i + 0.55],
                [0, 0],
                bottom=-6,
                width=0.4,
                color=colors[i],
                edgecolor="k",
                linewidth=0.4,
            )
            artists[name] = {"path": path, "curve": curve, "bars": list(bars)}
        # All four momentum vectors in one artist, drawn ARROW_SCALE times longer.
        artists["arrows"] = ax.quiver(
            np.zeros(4),
            np.zeros(4),
            np.zeros(4),
            np.zeros(4),
            color=colors,
            angles="xy",
            scale_units="xy",
            scale=1 / ARROW_SCALE,
            width=0.006,
        )
        # One plain text line for the runs that stopped or could not run; usually empty, and
        # an empty text costs nothing to draw.
        artists["status"] = ax.text(
            0.01,
            0.01,
            "",
            transform=ax.transAxes,
            fontsize=7,
            va="bottom",
            bbox=dict(fc="white", alpha=0.85, ec="0.7"),
        )
        ax.legend(loc="upper right", fontsize=7)  # static: drawn once, with the background
        return artists

    def update(a, surface, dx, dy, step, **h):
        s = SURFACES[surface]
        (x0, x1), (y0, y1) = s.bounds
        start = (float(s.start[0] + dx * (x1 - x0)), float(s.start[1] + dy * (y1 - y0)))
        heads, pushes, messages = np.full((4, 2), np.nan), np.full((4, 2), np.nan), []
        for i, name in enumerate(OPTIMIZERS):
            key = name.lower() + "_"
            mine = {k[len(key) :]: v for k, v in h.items() if k.startswith(key)}
            shown, lr_mult = mine.pop("on"), mine.pop("lr")
            art = a[name]
            race = None
            if shown:
                race = race_entry(surface, name, float(lr_mult), tuple(sorted(mine.items())), start)
                # Report a run once the animation reaches its end (an invalid one at once).
                if race.status == "invalid" or (race.status != "max_steps" and step >= race.stop):
                    messages.append(race.message)
            visible = race is not None and race.status != "invalid"
            for artist in [art["path"], art["curve"], *art["bars"]]:
                artist.set_visible(visible)
            if not visible:
                continue
            t = min(step, race.stop)
            art["path"].set_data(race.params[: t + 1, 0], race.params[: t + 1, 1])
            art["curve"].set_data(np.arange(t + 1), race.loss[: t + 1])
            scale, push = step_scale(race, t)
            heads[i], pushes[i] = race.params[t], push
            with np.errstate(all="ignore"):
                heights = np.log10(scale) + 6  # bars stand on log10 = -6
            heights = np.where(np.isfinite(heights), np.clip(heights, 0, 7), 0.0)
            for bar, height in zip(art["bars"], heights, strict=True):
                bar.set_height(float(height))
        a["arrows"].set_offsets(heads)  # NaN arrows (no momentum, hidden) are not drawn
        a["arrows"].set_UVC(pushes[:, 0], pushes[:, 1])
        a["status"].set_text("\n".join(textwrap.fill(m, 64) for m in messages))

    return InteractiveFigure(
        setup,
        update,
        controls,
        background=("surface",),
        groups=groups,
        figsize=figsize,
        dpi=dpi,
        max_frames=100,
        alt="Optimizer race: paths of SGD, Adagrad, RMSprop and Adam over a surface, their "
        "loss curves and per-coordinate step scales.",
    )
