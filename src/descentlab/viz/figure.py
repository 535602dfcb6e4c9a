"""One interactive figure, two faces.

:class:`InteractiveFigure` describes a figure as a function of its controls:

* ``setup(fig)`` draws everything that never changes (contours, axes, labels) once, and
  returns the artists that move, in a dict (controls named in ``background`` are passed to
  it, and it is called again when they change);
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
import struct
import zlib
from collections.abc import Callable
from typing import NamedTuple

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

#: How many backgrounds (one per combination of background-control values) stay cached.
_MAX_SCENES = 16


class _Scene(NamedTuple):
    fig: Figure
    canvas: FigureCanvasAgg
    artists: dict
    moving: list
    background: object


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
    background:
        Names of controls that change what ``setup`` draws (a surface picker, a condition
        number that reshapes the contours). ``setup`` then receives their values as keyword
        arguments, and one background is drawn and cached per combination of their values.
    groups:
        Optional tabs for the live controls, ``{"tab title": [control names]}``; controls in
        no group stay above the tabs. (The static player lists only swept controls.)
    figsize, dpi:
        Size of the rendered image (inches, dots per inch). Frames are ``figsize * dpi`` pixels.
    alt:
        Alternative text for the static image (what the figure shows, for screen readers).
    max_frames:
        Upper bound on the static sweep, to keep pages light.
    """

    def __init__(
        self,
        setup: Callable[..., dict],
        update: Callable[..., None],
        controls: dict,
        *,
        background: tuple[str, ...] = (),
        groups: dict[str, list[str]] | None = None,
        figsize=(6.4, 4.0),
        dpi: int = 80,
        alt: str = "",
        note: str = "",
        max_frames: int = 80,
        jpeg_quality: int = 80,
    ):
        if not controls:
            raise ValueError("controls: an interactive figure needs at least one control")
        unknown = [name for name in background if name not in controls]
        if unknown:
            raise ValueError(f"background: {unknown} are not among the controls {list(controls)}")
        self.setup, self.update, self.controls = setup, update, dict(controls)
        self.background_controls = tuple(background)
        self.groups = dict(groups or {})
        grouped = [name for names in self.groups.values() for name in names]
        if set(grouped) - set(controls) or len(grouped) != len(set(grouped)):
            raise ValueError("groups: each name must be a control, and in one group only")
        self.figsize, self.dpi, self.alt, self.note = figsize, dpi, alt, note
        self.max_frames, self.jpeg_quality = max_frames, jpeg_quality
        self._scenes: dict[tuple, _Scene] = {}
        self._widget = None
        registry.append(self)

    # -- rendering -------------------------------------------------------------------------
    def _raw(self, **changes) -> dict:
        """Control values as the controls hold them (a Choice by option name)."""
        unknown = set(changes) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown controls {sorted(unknown)}; known: {list(self.controls)}")
        return {name: changes.get(name, c.value) for name, c in self.controls.items()}

    def _values(self, raw: dict) -> dict:
        """Control values in the form ``update`` receives (a Choice passes its option's value)."""
        return {
            name: c.options[raw[name]] if isinstance(c, Choice) else raw[name]
            for name, c in self.controls.items()
        }

    def _scene(self, raw: dict) -> _Scene:
        """The figure drawn for these background-control values, with its cached background."""
        key = tuple(raw[name] for name in self.background_controls)
        if key in self._scenes:
            return self._scenes[key]
        values = self._values(raw)
        fig = Figure(figsize=self.figsize, dpi=self.dpi, layout="constrained")
        canvas = FigureCanvasAgg(fig)
        artists = self.setup(fig, **{name: values[name] for name in self.background_controls})
        moving = _flatten(artists)
        for a in moving:
            a.set_animated(True)
        # The layout is computed against real content (after a first update) in the one full
        # draw that paints the background, then frozen so that frames never move the axes.
        self.update(artists, **values)
        canvas.draw()
        fig.set_layout_engine("none")
        scene = _Scene(fig, canvas, artists, moving, canvas.copy_from_bbox(fig.bbox))
        if len(self._scenes) >= _MAX_SCENES:
            self._scenes.pop(next(iter(self._scenes)))
        self._scenes[key] = scene
        return scene

    def _updated(self, changes: dict) -> _Scene:
        raw = self._raw(**changes)
        scene = self._scene(raw)
        self.update(scene.artists, **self._values(raw))
        return scene

    def frame(self, **changes) -> np.ndarray:
        """The RGB pixels of the figure for these control values (others at their defaults)."""
        return self._frame_rgba(changes)[..., :3]

    def _frame_rgba(self, changes: dict) -> np.ndarray:
        """The canvas's own RGBA buffer after drawing the moving artists (not a copy)."""
        scene = self._updated(changes)
        scene.canvas.restore_region(scene.background)
        for a in scene.moving:
            scene.fig.draw_artist(a)
        return np.asarray(scene.canvas.buffer_rgba())

    def overlay(self, **changes) -> np.ndarray:
        """RGBA pixels of only the moving artists, transparent elsewhere (static frames)."""
        scene = self._updated(changes)
        scene.canvas.get_renderer().clear()
        for a in scene.moving:
            scene.fig.draw_artist(a)
        return np.asarray(scene.canvas.buffer_rgba()).copy()

    def background(self, **changes) -> np.ndarray:
        """RGB pixels of the static background (everything but the moving artists)."""
        scene = self._scene(self._raw(**changes))
        scene.canvas.restore_region(scene.background)
        return np.asarray(scene.canvas.buffer_rgba())[..., :3].copy()

    def render(self, fmt: str = "png", **changes) -> bytes:
        """The encoded image (``"png"`` or ``"jpeg"``) for these control values."""
        # The frame is opaque: RGB, a quarter less to compress than the canvas's RGBA.
        return _encode(self._frame_rgba(changes)[..., :3], fmt, self.jpeg_quality)

    def render_naive(self, fmt: str = "png", **changes) -> bytes:
        """Render by building the whole figure from scratch (a baseline for benchmarks)."""
        values = self._values(self._raw(**changes))
        fig = Figure(figsize=self.figsize, dpi=self.dpi, layout="constrained")
        canvas = FigureCanvasAgg(fig)
        artists = self.setup(fig, **{name: values[name] for name in self.background_controls})
        self.update(artists, **values)
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

        The static background is one JPEG per value of the background controls; each frame
        is a PNG of the moving artists on a transparent canvas, laid over it. Frames of a
        path on a contour plot are then a few kilobytes each instead of a whole picture.
        """
        axes, combos = self.sweep()
        names = list(self.controls)
        bg_axes = [names.index(name) for name in self.background_controls]
        bg_grid = itertools.product(
            *[self.controls[n].static_values() for n in self.background_controls]
        )
        backgrounds = [
            _encode(
                self.background(**dict(zip(self.background_controls, v, strict=True))),
                "jpeg",
                self.jpeg_quality,
            )
            for v in bg_grid
        ]
        frames = [_encode(self.overlay(**values), "png-small", 0) for values in combos]
        play = [i for i, c in enumerate(self.controls.values()) if isinstance(c, Play)]
        interval = next((c.interval_ms for c in self.controls.values() if isinstance(c, Play)), 120)
        return player_html(
            frames,
            axes,
            backgrounds=backgrounds,
            background_axes=bg_axes,
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
        grouped = {name for names in self.groups.values() for name in names}
        children = [b for name, b in boxes.items() if name not in grouped]
        if self.groups:
            tabs = w.Tab(
                children=[w.VBox([boxes[n] for n in names]) for names in self.groups.values()]
            )
            for i, title in enumerate(self.groups):
                tabs.set_title(i, title)
            children.append(tabs)
        self._widget = w.VBox([*children, image])
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


def _png_fast(pixels: np.ndarray) -> bytes:
    """A PNG of RGB or RGBA pixels, written directly: no row filters, zlib level 1.

    A PNG is a signature and three chunks (length, tag, data, CRC-32): ``IHDR`` (size, bit
    depth 8, colour type 2 = RGB or 6 = RGBA), ``IDAT`` (the zlib-compressed rows, each
    prefixed by its filter byte, 0 = none) and ``IEND``. Skipping Pillow's per-row filter
    search makes a live frame about 2.5x faster to encode; plots are mostly flat colour, so
    the file stays small (tens of kB).
    """

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    height, width, channels = pixels.shape
    rows = np.zeros((height, width * channels + 1), np.uint8)  # column 0: filter byte 0
    rows[:, 1:].reshape(height, width, channels)[...] = pixels
    header = struct.pack(">IIBBBBB", width, height, 8, {3: 2, 4: 6}[channels], 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)),
            chunk(b"IEND", b""),
        ]
    )


def _encode(pixels: np.ndarray, fmt: str, quality: int) -> bytes:
    """PNG (fast, for live redraws), small PNG (slow, for static frames) or JPEG bytes."""
    if fmt == "png":
        return _png_fast(pixels)
    buf = io.BytesIO()
    img = Image.fromarray(np.ascontiguousarray(pixels))
    if fmt == "png-small":
        # Moving artists use few colours: a 256-colour palette (alpha kept) is ~2x smaller.
        # (64 colours would save a little more but visibly miscolour anti-aliased edges where
        # several colours meet; Pillow's optimize=True saves ~10% at 2-3x the time.)
        img.quantize(256, method=Image.Quantize.FASTOCTREE).save(buf, format="png")
    elif fmt == "jpeg":
        img.save(buf, format="jpeg", quality=quality)
    else:
        raise ValueError(f"fmt: expected 'png', 'png-small' or 'jpeg', got {fmt!r}")
    return buf.getvalue()
