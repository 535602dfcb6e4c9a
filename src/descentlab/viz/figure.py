"""One interactive figure, two faces.

:class:`InteractiveFigure` describes a figure as a function of its controls:

* ``setup(fig)`` draws everything that never changes (contours, axes, labels) once, and
  returns the artists that move, in a dict;
* ``update(artists, **values)`` moves them for the given control values (``set_data``,
  ``set_text``...), and must not touch anything else.

Both faces render frames with the same code. The moving artists are marked *animated*, so a
full draw paints only the static background; a frame restores that cached background and
draws just the moving artists over it, which keeps a slider move to a few milliseconds.

* In a live kernel (JupyterLab) the figure displays as ipywidgets controls above an
  ``ipywidgets.Image`` that is re-rendered on every control change.
* In the static book (the build sets ``DESCENTLAB_FIGURE_FACE=html``) it displays as a
  self-contained HTML player over frames pre-rendered for the controls' ``static`` values.
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Callable

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .controls import Choice, Play, value_widget
from .player import Axis, player_html

FACE_VARIABLE = "DESCENTLAB_FIGURE_FACE"

#: Every figure created in this process, in order (the benchmarks time each one).
registry: list[InteractiveFigure] = []


def _flatten(artists) -> list[Artist]:
    if isinstance(artists, Artist):
        return [artists]
    if isinstance(artists, dict):
        artists = artists.values()
    out: list[Artist] = []
    for a in artists:
        out.extend(_flatten(a))
    return out


def current_face() -> str:
    """``"html"`` when rendering for the static book, else ``"widget"``."""
    return "html" if os.environ.get(FACE_VARIABLE, "").lower() == "html" else "widget"


class InteractiveFigure:
    """A matplotlib figure driven by controls; see the module docstring.

    Parameters
    ----------
    setup, update:
        The two drawing functions described above.
    controls:
        Mapping from the keyword name ``update`` receives to a control
        (:class:`~descentlab.viz.Slider`, :class:`~descentlab.viz.IntSlider`,
        :class:`~descentlab.viz.Choice`, :class:`~descentlab.viz.Play`).
    figsize, dpi:
        Size of the rendered image (inches, dots per inch). Frames are ``figsize * dpi`` pixels.
    alt:
        Alternative text for the static image (what the figure shows, for screen readers).
    max_frames:
        Upper bound on the static sweep, to keep pages light.
    """

    def __init__(
        self,
        setup: Callable[[Figure], dict],
        update: Callable[..., None],
        controls: dict,
        *,
        figsize=(6.4, 4.0),
        dpi: int = 80,
        alt: str = "",
        note: str = "",
        max_frames: int = 80,
        jpeg_quality: int = 80,
    ):
        if not controls:
            raise ValueError("controls: an interactive figure needs at least one control")
        self.setup, self.update, self.controls = setup, update, dict(controls)
        self.figsize, self.dpi, self.alt, self.note = figsize, dpi, alt, note
        self.max_frames, self.jpeg_quality = max_frames, jpeg_quality
        self._fig = None
        self._widget = None
        registry.append(self)

    # -- rendering -------------------------------------------------------------------------
    def _values(self, **changes) -> dict:
        """Control values in the form ``update`` receives (a Choice passes its option's value)."""
        values = {}
        for name, c in self.controls.items():
            v = changes.get(name, c.value)
            values[name] = c.options[v] if isinstance(c, Choice) else v
        return values

    def _prepare(self):
        """Draw the static background once and cache it."""
        fig = Figure(figsize=self.figsize, dpi=self.dpi, layout="constrained")
        canvas = FigureCanvasAgg(fig)
        artists = self.setup(fig)
        moving = _flatten(artists)
        for a in moving:
            a.set_animated(True)
        # The first update fixes the layout against real content before the background is cut.
        self.update(artists, **self._values())
        canvas.draw()
        fig.set_layout_engine("none")
        canvas.draw()
        self._fig, self._canvas, self._artists, self._moving = fig, canvas, artists, moving
        self._background = canvas.copy_from_bbox(fig.bbox)

    def frame(self, **changes) -> np.ndarray:
        """The RGB pixels of the figure for these control values (others at their defaults)."""
        if self._fig is None:
            self._prepare()
        self.update(self._artists, **self._values(**changes))
        self._canvas.restore_region(self._background)
        for a in self._moving:
            self._fig.draw_artist(a)
        return np.asarray(self._canvas.buffer_rgba())[..., :3]

    def overlay(self, **changes) -> np.ndarray:
        """RGBA pixels of only the moving artists, transparent elsewhere (static frames)."""
        if self._fig is None:
            self._prepare()
        self.update(self._artists, **self._values(**changes))
        self._canvas.get_renderer().clear()
        for a in self._moving:
            self._fig.draw_artist(a)
        return np.asarray(self._canvas.buffer_rgba()).copy()

    def background(self) -> np.ndarray:
        """RGB pixels of the static background (everything but the moving artists)."""
        if self._fig is None:
            self._prepare()
        self._canvas.restore_region(self._background)
        return np.asarray(self._canvas.buffer_rgba())[..., :3].copy()

    def render(self, fmt: str = "png", **changes) -> bytes:
        """The encoded image (``"png"`` or ``"jpeg"``) for these control values."""
        return _encode(self.frame(**changes), fmt, self.jpeg_quality)

    def render_naive(self, fmt: str = "png", **changes) -> bytes:
        """Render by building the whole figure from scratch (a baseline for benchmarks)."""
        fig = Figure(figsize=self.figsize, dpi=self.dpi, layout="constrained")
        canvas = FigureCanvasAgg(fig)
        artists = self.setup(fig)
        self.update(artists, **self._values(**changes))
        canvas.draw()
        return _encode(np.asarray(canvas.buffer_rgba())[..., :3], fmt, self.jpeg_quality)

    # -- the static face -------------------------------------------------------------------
    def sweep(self) -> tuple[list[Axis], list[dict]]:
        """The grid of control values the static face pre-renders, row-major."""
        axes, grids = [], []
        for name, c in self.controls.items():
            vals = c.static_values()
            start = vals.index(c.value) if c.value in vals else 0
            axes.append(Axis(c.label or name, [c.format(v) for v in vals], start))
            grids.append([(name, v) for v in vals])
        combos = [dict(p) for p in itertools.product(*grids)]
        if len(combos) > self.max_frames:
            raise ValueError(
                f"static sweep has {len(combos)} frames, more than max_frames={self.max_frames}; "
                "list fewer `static` values"
            )
        return axes, combos

    def to_html(self) -> str:
        """The self-contained HTML player (no kernel, no network).

        The static background is one JPEG; each frame is a PNG of the moving artists on a
        transparent canvas, laid over it. Frames of a path on a contour plot are then a few
        kilobytes each instead of a whole picture.
        """
        axes, combos = self.sweep()
        background = _encode(self.background(), "jpeg", self.jpeg_quality)
        frames = [_encode(self.overlay(**values), "png-small", 0) for values in combos]
        play = [i for i, c in enumerate(self.controls.values()) if isinstance(c, Play)]
        interval = next((c.interval_ms for c in self.controls.values() if isinstance(c, Play)), 120)
        return player_html(
            frames,
            axes,
            background=background,
            play_axis=play[0] if play else None,
            interval_ms=interval,
            alt=self.alt,
            note=self.note,
        )

    # -- the live face ---------------------------------------------------------------------
    def widget(self):
        """ipywidgets controls above an image that re-renders on every change."""
        if self._widget is not None:
            return self._widget
        import ipywidgets as w

        width = round(self.figsize[0] * self.dpi)
        image = w.Image(
            value=self.render("png"),
            format="png",
            layout=w.Layout(width=f"{width}px", max_width="100%"),
        )
        boxes = {name: c.widget(name) for name, c in self.controls.items()}
        inputs = {name: value_widget(b) for name, b in boxes.items()}

        def redraw(_change=None):
            image.value = self.render("png", **{n: i.value for n, i in inputs.items()})

        for i in inputs.values():
            i.observe(redraw, names="value")
        self._widget = w.VBox([*boxes.values(), image])
        self._widget.image = image
        self._widget.inputs = inputs
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        names = ", ".join(self.controls)
        text = {"text/plain": f"<InteractiveFigure controlled by: {names}>"}
        if current_face() == "html":
            return {**text, "text/html": self.to_html()}
        bundle = self.widget()._repr_mimebundle_(include=include, exclude=exclude)
        return {**bundle, **text} if isinstance(bundle, dict) else text


def _encode(pixels: np.ndarray, fmt: str, quality: int) -> bytes:
    """PNG (fast, for live redraws), small PNG (slow, for static frames) or JPEG bytes."""
    buf = io.BytesIO()
    img = Image.fromarray(np.ascontiguousarray(pixels))
    if fmt == "png":
        img.save(buf, format="png", compress_level=1)
    elif fmt == "png-small":
        # Moving artists use few colours: a 64-colour palette (alpha kept) is ~2.5x smaller.
        img.quantize(64, method=Image.Quantize.FASTOCTREE).save(buf, format="png", optimize=True)
    elif fmt == "jpeg":
        img.save(buf, format="jpeg", quality=quality)
    else:
        raise ValueError(f"fmt: expected 'png' or 'jpeg', got {fmt!r}")
    return buf.getvalue()
