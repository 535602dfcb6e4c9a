"""Find every interactive figure of the book and time it: slider moves and static animations.

Each chapter notebook's code cells are executed in this process, in order, with the working
directory set to the notebook's folder and matplotlib on the Agg backend (what a kernel does,
minus the display). Every :class:`descentlab.viz.InteractiveFigure` appends itself to
``descentlab.viz.registry``; the figures a notebook added are measured right after it ran,
inside the notebook's own matplotlib settings.

Slider latency is ``InteractiveFigure.render("png", **changes)``: what the live widget runs on
a control change (move the changed artists over the cached background, encode a PNG). The
naive baseline, ``render_naive``, rebuilds the whole figure; it is timed on the same values
of the figure's first numeric control, interleaved move by move with the cached renders so
that both see the same machine load.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from _stats import ROOT, summarize

sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from descentlab import viz  # noqa: E402
from descentlab.viz import figure as _figure  # noqa: E402


# -- finding the figures -----------------------------------------------------------------------
def notebook_paths(book: Path, pattern: str = "*") -> list[Path]:
    """The notebooks under ``book`` whose file name matches ``pattern`` (a glob), sorted."""
    return sorted(
        p
        for p in book.glob(f"{pattern}.ipynb" if not pattern.endswith(".ipynb") else pattern)
        if ".ipynb_checkpoints" not in p.parts
    )


def _code_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def _transform(source: str) -> str:
    """IPython syntax (``%magic``, ``!cmd``) as plain Python calling ``get_ipython()``."""
    if not any(line.lstrip().startswith(("%", "!")) for line in source.splitlines()):
        return source
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _shell():
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance()


def execute_notebook(path: Path) -> dict:
    """Run the notebook's code cells in a fresh namespace; what went wrong, if anything.

    Printed output is discarded; warnings are counted (``plt.show()`` on Agg warns by
    design). The first exception stops the notebook and is reported, figures created
    before it stay in the registry.
    """
    path = Path(path).resolve()
    ns: dict = {"__name__": "__main__", "get_ipython": _shell}
    out = io.StringIO()
    start = time.perf_counter()
    error = None
    cwd = os.getcwd()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            os.chdir(path.parent)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                for i, source in enumerate(_code_cells(path)):
                    try:
                        code = compile(_transform(source), f"{path.name}[cell {i}]", "exec")
                        exec(code, ns)  # noqa: S102 - running the book's own notebooks
                    except Exception as e:  # noqa: BLE001 - report, measure what exists
                        error = f"code cell {i}: {type(e).__name__}: {e}"
                        break
        finally:
            os.chdir(cwd)
    import matplotlib.pyplot as plt

    plt.close("all")
    return {
        "seconds": time.perf_counter() - start,
        "error": error,
        "warnings": len(caught),
    }


def figures_of_notebooks(
    paths: Iterable[Path], on_figure: Callable[[str, object], None], log=print
) -> dict:
    """Execute each notebook, then call ``on_figure(figure_id, figure)`` for each new figure.

    Figures are measured inside the notebook's own ``rcParams`` (a chapter may change them).
    Returns ``{notebook name: execution summary}``.
    """
    runs = {}
    for path in paths:
        first = len(_figure.registry)
        with matplotlib.rc_context():
            log(f"  executing {path.name}")
            runs[path.stem] = execute_notebook(path)
            new = _figure.registry[first:]
            runs[path.stem]["figures"] = len(new)
            if runs[path.stem]["error"]:
                log(f"  ! {path.name}: {runs[path.stem]['error']}")
            for i, fig in enumerate(new):
                on_figure(figure_id(path.stem, i, fig), fig)
    return runs


def figure_id(notebook: str, index: int, fig) -> str:
    name = getattr(fig.setup, "__name__", "figure").removesuffix("_setup")
    return f"{notebook}#{index + 1} {name}"


# -- slider moves ------------------------------------------------------------------------------
def control_kind(control) -> str:
    return type(control).__name__


def slider_grid(control) -> np.ndarray:
    """The values the live widget can send for a Slider (its ipywidget snaps to a step).

    A log slider steps its exponent by 1/200 of the range, a linear one by ``step`` (or by
    1/200 of the range), as :meth:`descentlab.viz.Slider.widget` sets them up.
    """
    if control.log:
        lo, hi = np.log10(control.min), np.log10(control.max)
        return 10 ** np.linspace(lo, hi, 201)
    step = control.step or (control.max - control.min) / 200
    k = int(np.floor((control.max - control.min) / step + 1e-9))
    return control.min + step * np.arange(k + 1)


def _spread(grid: list, n: int, current) -> list:
    """``n`` values across ``grid``: evenly spaced if it has ``n`` or more, else cycled."""
    if len(grid) >= n:
        return [grid[i] for i in np.linspace(0, len(grid) - 1, n).round().astype(int)]
    start = 1 if grid[0] == current else 0
    return [grid[(start + i) % len(grid)] for i in range(n)]


def control_values(control, n: int) -> list:
    """``n`` successive values for a control, each one a change from the one before.

    A Slider goes from min to max over the values its widget can send (log-spaced for a
    log slider); an IntSlider or Play steps through integers across its range; either
    cycles when it has fewer than ``n`` values. A Choice cycles its options from the one
    after its current value; a Toggle flips.
    """
    if isinstance(control, viz.Slider):
        return _spread([float(v) for v in slider_grid(control)], n, control.value)
    if isinstance(control, (viz.IntSlider, viz.Play)):
        return _spread(list(range(control.min, control.max + 1, control.step)), n, control.value)
    if isinstance(control, viz.Choice):
        options = list(control.options)
        start = options.index(control.value) + 1
        return [options[(start + i) % len(options)] for i in range(n)]
    if isinstance(control, viz.Toggle):
        return [(not control.value) if i % 2 == 0 else control.value for i in range(n)]
    raise TypeError(f"unknown control type {type(control).__name__}")


def primary_controls(fig) -> tuple[str, list[str]]:
    """The control the naive baseline moves, and the controls measured in "primary" mode.

    The naive baseline moves the first numeric (Slider / IntSlider) control that does not
    redraw the background, else the Play control, else the first control. "Primary" mode
    measures that control and the Play control.
    """
    names = list(fig.controls)
    fg = [n for n in names if n not in fig.background_controls]
    numeric = [n for n in fg if isinstance(fig.controls[n], (viz.Slider, viz.IntSlider))]
    play = [n for n in names if isinstance(fig.controls[n], viz.Play)]
    naive = (numeric or play or fg or names)[0]
    chosen = [naive] + [n for n in play[:1] if n != naive]
    return naive, chosen


def _movable(control) -> bool:
    return not (isinstance(control, viz.Choice) and len(control.options) < 2)


def _timed(fn, *args, **kwargs) -> tuple[float, float]:
    """Wall and CPU milliseconds of one call (CPU: this process, all its threads)."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn(*args, **kwargs)
    return (time.perf_counter() - t0) * 1e3, (time.process_time() - c0) * 1e3


@contextlib.contextmanager
def update_meter(fig):
    """Count the CPU milliseconds spent inside the figure's own ``update`` function.

    ``update`` is the chapter's code (it often re-runs an optimizer); the rest of a move is
    drawing the moving artists and encoding the image. The meter is a list whose one item
    accumulates the time; reset it to 0 before each call.
    """
    spent = [0.0]
    original = fig.update
    own = "update" in vars(fig)

    def metered(*args, **kwargs):
        c0 = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += (time.process_time() - c0) * 1e3

    fig.update = metered
    try:
        yield spent
    finally:
        if own:
            fig.update = original
        else:
            del fig.update


def measure_sliders(fig, *, moves: int = 30, naive_moves: int = 10, controls: str = "all") -> dict:
    """Latency of ``moves`` moves of each control; the naive redraw on the naive control.

    Returns ``{"controls": [...], "naive_control": name, "naive_ms": summary}``; each control
    entry holds its ``latency_ms`` summary (median, p95, min, max over the moves), the
    process CPU time of the same moves, ``cpu_ms``, which a busy machine inflates far less,
    and ``update_cpu_ms``, the part of it spent in the figure's ``update`` function.
    """
    naive_name, primary = primary_controls(fig)
    if controls == "all":
        names = list(fig.controls)
    elif controls == "primary":
        names = primary
    else:
        raise ValueError(f"controls: expected 'all' or 'primary', got {controls!r}")
    fig.render("png")  # the first display: draws and caches the default background
    out, naive_samples, naive_cpu = [], [], []
    with update_meter(fig) as spent:
        for name in names:
            entry = _sweep(
                fig,
                name,
                moves,
                naive_moves if name == naive_name else 0,
                spent,
                naive_samples,
                naive_cpu,
            )
            if entry is not None:
                out.append(entry)
    return {
        "controls": out,
        "naive_control": naive_name,
        "naive_ms": summarize(naive_samples),
        "naive_cpu_ms": summarize(naive_cpu),
    }


def _sweep(fig, name, moves, naive_moves, spent, naive_samples, naive_cpu) -> dict | None:
    """One control's moves (and the naive redraws among them, when ``naive_moves``)."""
    control = fig.controls[name]
    if not _movable(control):
        return None
    values = control_values(control, moves)
    naive_at = set()
    if naive_moves > 0:
        k = min(naive_moves, len(values))
        naive_at = {int(i) for i in np.linspace(0, len(values) - 1, k).round()}
    fig.render("png")
    samples, cpu, update = [], [], []
    for i, v in enumerate(values):
        spent[0] = 0.0
        wall_ms, cpu_ms = _timed(fig.render, "png", **{name: v})
        samples.append(wall_ms)
        cpu.append(cpu_ms)
        update.append(spent[0])
        if i in naive_at:
            wall_ms, cpu_ms = _timed(fig.render_naive, "png", **{name: v})
            naive_samples.append(wall_ms)
            naive_cpu.append(cpu_ms)
    return {
        "control": name,
        "kind": control_kind(control),
        "background": name in fig.background_controls,
        "log": bool(getattr(control, "log", False)),
        "moves": len(values),
        "range": _describe_range(control),
        "latency_ms": summarize(samples),
        "cpu_ms": summarize(cpu),
        "update_cpu_ms": summarize(update),
    }


def _describe_range(control) -> str:
    if isinstance(control, viz.Choice):
        return f"{len(control.options)} options"
    if isinstance(control, viz.Toggle):
        return "on/off"
    scale = " log" if getattr(control, "log", False) else ""
    return f"{control.min:.3g}..{control.max:.3g}{scale}"


# -- static animation --------------------------------------------------------------------------
def measure_animation(fig, *, repeats: int = 3) -> dict:
    """Time and size of the static HTML player, from a cold background cache (as the build).

    ``frames`` is the number of pre-rendered frames (product of the controls' static
    values); per-frame figures divide the whole ``to_html()`` by it.
    """
    frames = len(fig.sweep()[1])
    totals, cpu, update, size = [], [], [], 0
    with update_meter(fig) as spent:
        for _ in range(max(1, repeats)):
            scenes = getattr(fig, "_scenes", None)
            if isinstance(scenes, dict):  # the build renders each figure once, from nothing
                scenes.clear()
            spent[0] = 0.0
            t0, c0 = time.perf_counter(), time.process_time()
            html = fig.to_html()
            totals.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
            update.append(spent[0])
            size = len(html.encode("utf-8"))
    return {
        "frames": frames,
        "total_ms": summarize(totals),
        "ms_per_frame": summarize([t / frames for t in totals]),
        "cpu_ms_per_frame": summarize([t / frames for t in cpu]),
        "update_cpu_ms_per_frame": summarize([t / frames for t in update]),
        "bytes_total": size,
        "bytes_per_frame": size / frames,
    }


def run_figures(
    book: Path,
    *,
    pattern: str = "*",
    sliders: bool = True,
    animations: bool = True,
    moves: int = 30,
    naive_moves: int = 10,
    controls: str = "all",
    anim_repeats: int = 3,
    log=print,
) -> dict:
    """Sections 1 and 2: every figure of the notebooks matching ``pattern``."""
    slider_rows, anim_rows = [], []

    def on_figure(fid, fig):
        notebook = fid.split("#", 1)[0]
        if sliders:
            log(f"    sliders    {fid}")
            res = measure_sliders(fig, moves=moves, naive_moves=naive_moves, controls=controls)
            slider_rows.append({"figure": fid, "notebook": notebook, **res})
        if animations:
            log(f"    animation  {fid}")
            anim_rows.append(
                {
                    "figure": fid,
                    "notebook": notebook,
                    **measure_animation(fig, repeats=anim_repeats),
                }
            )

    runs = figures_of_notebooks(notebook_paths(book, pattern), on_figure, log=log)
    settings = {
        "moves": moves,
        "naive_moves": naive_moves,
        "controls": controls,
        "anim_repeats": anim_repeats,
    }
    out = {}
    if sliders:
        out["sliders"] = {"settings": settings, "notebooks": runs, "figures": slider_rows}
    if animations:
        out["animations"] = {"settings": settings, "notebooks": runs, "figures": anim_rows}
    return out
