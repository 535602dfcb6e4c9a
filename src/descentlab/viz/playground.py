"""The optimizer playground: any surface, any set of optimizers, every hyperparameter a control.

:func:`playground` builds one :class:`~descentlab.viz.InteractiveFigure` with three panels:

* the paths of the chosen optimizers over the surface's contours, and at each path's head an
  arrow for the optimizer's *momentum vector*: the displacement its running average of
  gradients (SGD's momentum buffer, RMSprop's momentum buffer, Adam's first moment) causes in
  the next update, :math:`-\\eta_{\\text{eff}} \\odot m_t`, drawn ``ARROW_SCALE`` times
  longer than it is;
* the loss against the step;
* the per-coordinate *step scale* :math:`\\eta_{\\text{eff}}` of the last update, read from the
  optimizer's state by ``effective_lr`` (for Adam :math:`\\eta / (\\sqrt{\\hat v_t} + \\epsilon)`,
  for Adagrad :math:`\\eta_t / (\\sqrt{s_t} + \\epsilon)`, for SGD just :math:`\\eta`), on a
  log scale, so a reader sees which coordinate each method is stretching or shrinking.

Learning rates are set as multiples of a per-surface value that gives a readable race (the
same multiplier means "as tuned" on every surface). Runs are cached, so playing the steps
only redraws.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache

import numpy as np

from .. import optim, surfaces
from ..run import run
from .controls import Choice, Play, Slider, Toggle
from .figure import InteractiveFigure
from .plots import PATH_COLORS, contour, path_artists, set_path

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


@lru_cache(maxsize=256)
def race_entry(surface: str, name: str, lr_mult: float, hyper: tuple, start: tuple):
    """One optimizer's run, with what the panels draw per step; or the reason it is invalid.

    Returns ``(params, loss, scale, push, message)``: positions ``(n+1, 2)``, losses
    ``(n+1,)``, the per-coordinate step scale of the last update ``(n+1, 2)`` (NaN at step
    0), the momentum displacement ``(n+1, 2)`` (NaN for methods without momentum), and the
    run's status in a few words. For invalid hyperparameters every array is empty and the message
    is the ``ValueError``'s text.
    """
    h = dict(hyper)
    lr = lr_mult * TUNED_LR[surface][name]
    try:
        opt = make_optimizer(name, lr, h)
    except ValueError as err:
        empty = np.empty((0, 2))
        return empty, np.empty(0), empty, empty, f"{name} invalid: {err}"
    traj = run(opt, SURFACES[surface], np.array(start), steps=STEPS, tol=1e-10, bound=1e3)
    n = traj.n_steps
    fields = opt.State._fields
    scale = np.full((n + 1, 2), np.nan)
    push = np.full((n + 1, 2), np.nan)
    buffer_field = {"SGD": "momentum_buffer", "RMSprop": "momentum_buffer", "Adam": "exp_avg"}
    with np.errstate(all="ignore"):
        for t in range(1, n + 1):
            state = opt.State(*[traj.state[f][t] if f in traj.state else None for f in fields])
            scale[t] = np.broadcast_to(opt.effective_lr(state), (2,))
            buf = traj.state.get(buffer_field.get(name, ""))
            if buf is not None:
                m = buf[t]
                if name == "Adam":  # the step uses the bias-corrected first moment
                    m = m / (1 - h["beta1"] ** t) if h["beta1"] > 0 else m
                push[t] = -scale[t] * m
    words = {"converged": "converged", "max_steps": "still moving", "diverged": "diverged"}
    return traj.params, traj.loss, scale, push, f"{name} run: {words[traj.status]} at step {n}"


def playground(figsize=(10.0, 4.8), dpi: int = 80) -> InteractiveFigure:
    """The optimizer playground as an :class:`InteractiveFigure` (see the module docstring)."""
    controls, groups = _controls()

    def setup(fig, surface):
        s = SURFACES[surface]
        grid = fig.add_gridspec(2, 2, width_ratios=[1.25, 1])
        ax = fig.add_subplot(grid[:, 0])
        contour(ax, s.value, s.bounds, levels=28, log=s.log_scale)
        for m in s.minima:
            ax.plot(*m, "*", color="white", mec="k", ms=11)
        ax.set(title=f"{surface}: paths, momentum vectors ×{ARROW_SCALE:g}", xlabel="x", ylabel="y")
        loss_ax = fig.add_subplot(grid[0, 1])
        X, Y, Z = s.grid(60)
        low, high = float(np.min(Z)), float(np.max(Z))
        loss_ax.set(
            xlim=(0, STEPS),
            ylim=(low - 0.05 * abs(low) - 1e-3, high),
            yscale="symlog",
            xlabel="step",
            ylabel="loss",
        )
        loss_ax.set_yscale("symlog", linthresh=1e-3)
        scale_ax = fig.add_subplot(grid[1, 1])
        scale_ax.set(
            ylim=(-6, 1),
            ylabel="log10 step scale",
            xticks=np.arange(4) + 0.325,
            xticklabels=OPTIMIZERS,
            xlim=(-0.4, 4),
        )
        scale_ax.axhline(0, color="0.7", lw=0.6)
        artists = {
            "status": ax.text(
                0.01,
                0.01,
                "",
                transform=ax.transAxes,
                fontsize=7,
                va="bottom",
                bbox=dict(fc="white", alpha=0.85, ec="0.7"),
            )
        }
        for i, name in enumerate(OPTIMIZERS):
            color = PATH_COLORS[i]
            line, head = path_artists(ax, color=color, label=name)
            line.set_markersize(0)
            arrow = ax.annotate(
                "", xy=(0, 0), xytext=(0, 0), arrowprops=dict(arrowstyle="-|>", color=color, lw=1.8)
            )
            (curve,) = loss_ax.plot([], [], color=color, lw=1.4)
            bars = scale_ax.bar(
                [i + 0.1, i + 0.55], [0, 0], width=0.4, color=color, edgecolor="k", linewidth=0.4
            )
            artists[name] = {
                "line": line,
                "head": head,
                "arrow": arrow,
                "curve": curve,
                "bars": list(bars),
            }
        ax.legend(loc="upper right", fontsize=7)
        scale_ax.text(
            0.01,
            0.97,
            "left bar: x, right bar: y",
            transform=scale_ax.transAxes,
            fontsize=7,
            va="top",
        )
        return artists

    def update(a, surface, dx, dy, step, **h):
        s = SURFACES[surface]
        (x0, x1), (y0, y1) = s.bounds
        start = (float(s.start[0] + dx * (x1 - x0)), float(s.start[1] + dy * (y1 - y0)))
        messages = []
        for name in OPTIMIZERS:
            key = name.lower() + "_"
            mine = {k[len(key) :]: v for k, v in h.items() if k.startswith(key)}
            art = a[name]
            shown = mine.pop("on")
            lr_mult = mine.pop("lr")
            everything = [art["line"], art["head"], art["arrow"], art["curve"], *art["bars"]]
            for artist in everything:
                artist.set_visible(shown)
            if not shown:
                continue
            params, loss, scale, push, message = race_entry(
                surface, name, float(lr_mult), tuple(sorted(mine.items())), start
            )
            messages.append(message)
            if len(params) == 0:
                for artist in everything:
                    artist.set_visible(False)
                continue
            t = min(step, len(params) - 1)
            set_path(art["line"], art["head"], params, t)
            art["curve"].set_data(np.arange(t + 1), loss[: t + 1])
            head = params[t]
            tip = head + (ARROW_SCALE * push[t] if np.all(np.isfinite(push[t])) else 0.0)
            art["arrow"].xy = tuple(tip)
            art["arrow"].set_position(tuple(head))
            art["arrow"].set_visible(bool(np.all(np.isfinite(push[t]))))
            heights = np.log10(scale[t]) + 6 if np.all(np.isfinite(scale[t])) else (0, 0)
            for bar, height in zip(art["bars"], heights, strict=True):
                bar.set_y(-6)
                bar.set_height(float(np.clip(height, 0, 7)))
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
