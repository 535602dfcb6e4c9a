"""Drawing helpers shared by the chapters: loss contours, paths, markers, status text."""

from __future__ import annotations

import numpy as np

PATH_COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"]


def contour(ax, f, bounds, *, n: int = 160, levels: int = 24, log: bool = False, cmap="viridis"):
    """Filled contours of ``f`` over ``bounds = ((xmin, xmax), (ymin, ymax))``.

    ``f`` maps an array of points with the coordinates in the last axis, shape ``(..., 2)``,
    to values of shape ``(...)``. With ``log=True`` the levels are spaced evenly in
    ``log(f - min f + 1e-3)``, which shows the floor of valleys like Rosenbrock's.
    """
    (x0, x1), (y0, y1) = bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    Z = np.asarray(f(np.stack([X, Y], axis=-1)), dtype=float)
    if log:
        Z = np.log10(Z - Z.min() + 1e-3)
    cs = ax.contourf(X, Y, Z, levels=levels, cmap=cmap, alpha=0.85)
    ax.contour(X, Y, Z, levels=levels, colors="k", linewidths=0.3, alpha=0.4)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("auto")
    return cs


def path_artists(ax, color: str = PATH_COLORS[0], label: str | None = None):
    """A line for a path and a marker for its current point; move both with ``set_data``."""
    (line,) = ax.plot([], [], "-o", color=color, lw=1.6, ms=2.5, label=label)
    (head,) = ax.plot([], [], "o", color=color, ms=7, mec="white", mew=1.2)
    return line, head


def set_path(line, head, points: np.ndarray, upto: int | None = None) -> None:
    """Show ``points[: upto + 1]`` (all of them if ``upto`` is None) on a path's artists."""
    pts = np.asarray(points, dtype=float)
    if pts.ndim == 1:
        pts = pts[:, None]
    if upto is not None:
        pts = pts[: upto + 1]
    if pts.shape[1] == 1:
        line.set_data(pts[:, 0], np.zeros(len(pts)))
    else:
        line.set_data(pts[:, 0], pts[:, 1])
    head.set_data(pts[-1:, 0], pts[-1:, 1] if pts.shape[1] > 1 else [0.0])


def status_text(ax, x: float = 0.02, y: float = 0.97, **kw):
    """A text artist in axes coordinates for a run's status line, updated with ``set_text``."""
    style = dict(
        transform=ax.transAxes,
        va="top",
        ha="left",
        fontsize=9,
        bbox=dict(boxstyle="round", fc="white", ec="0.7", alpha=0.9),
    )
    style.update(kw)
    return ax.text(x, y, "", **style)
