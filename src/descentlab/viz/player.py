"""The static face: a self-contained HTML player for pre-rendered frames.

A static background image carries everything that never moves; the frames are transparent
images of the moving parts, stacked on top. The frames of a figure form a grid: one axis
per swept control, in the order the controls were given. The player shows one range input
per axis with more than one value (and a play button for a time axis), and swaps the image
when an input moves. Everything is inline: the images are base64 in a JSON block, the
script is a few lines of plain JavaScript, and nothing is fetched from any host.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from dataclasses import dataclass

_STYLE = """<style>
.dl-figure{margin:1em 0;font:14px/1.4 system-ui,sans-serif}
.dl-figure .dl-stack{position:relative;display:inline-block;max-width:100%;border:1px solid #ddd}
.dl-figure .dl-stack img{max-width:100%;height:auto;display:block}
.dl-figure .dl-stack img.dl-frame{position:absolute;left:0;top:0;width:100%}
.dl-figure .dl-row{display:flex;align-items:center;gap:.6em;margin:.3em 0}
.dl-figure .dl-row label{min-width:9em}
.dl-figure .dl-row input[type=range]{flex:1;max-width:22em}
.dl-figure output{font-variant-numeric:tabular-nums;min-width:5em}
.dl-figure button{min-width:5.5em;padding:.1em .6em;cursor:pointer}
.dl-figure .dl-note{color:#555;font-size:12px}
</style>"""

# The same script serves every player on a page; each player initialises itself from its
# own JSON block, so several figures on a page never interfere.
_SCRIPT = """<script>
(function () {
  var root = document.getElementById(%(id)s);
  if (!root || root.dataset.ready) { return; }
  root.dataset.ready = "1";
  var spec = JSON.parse(root.querySelector("script.dl-data").textContent);
  var img = root.querySelector("img.dl-frame");
  var bg = root.querySelector("img.dl-bg");
  var inputs = root.querySelectorAll("input[data-axis]");
  var index = spec.axes.map(function (a) { return a.start; });
  function show() {
    var k = 0;
    for (var i = 0; i < spec.axes.length; i++) { k = k * spec.axes[i].labels.length + index[i]; }
    img.src = "data:image/png;base64," + spec.frames[spec.order[k]];
    if (spec.backgrounds.length > 1) {
      var b = 0;
      spec.bg_axes.forEach(function (i) { b = b * spec.axes[i].labels.length + index[i]; });
      bg.src = "data:image/jpeg;base64," + spec.backgrounds[b];
    }
    img.dataset.frame = String(k);
    inputs.forEach(function (el) {
      var a = +el.dataset.axis;
      el.value = index[a];
      var out = root.querySelector("output[data-axis='" + a + "']");
      out.textContent = spec.axes[a].labels[index[a]];
    });
  }
  inputs.forEach(function (el) {
    el.addEventListener("input", function () { index[+el.dataset.axis] = +el.value; show(); });
  });
  var button = root.querySelector("button.dl-play");
  var timer = null;
  function stop() { clearInterval(timer); timer = null; button.textContent = "\\u25B6 Play"; }
  if (button) {
    var t = spec.play;
    button.addEventListener("click", function () {
      if (timer) { stop(); return; }
      if (index[t] === spec.axes[t].labels.length - 1) { index[t] = 0; show(); }
      button.textContent = "\\u275A\\u275A Pause";
      timer = setInterval(function () {
        if (index[t] >= spec.axes[t].labels.length - 1) { stop(); return; }
        index[t] += 1; show();
      }, spec.interval);
    });
  }
  show();
})();
</script>"""


@dataclass
class Axis:
    """One swept control: its display name, the labels of its values, where to start."""

    name: str
    labels: list[str]
    start: int = 0


def frame_id(frames: list[bytes]) -> str:
    """A short id derived from the frames' bytes, so a rebuild gives identical HTML."""
    h = hashlib.sha1()
    for f in frames:
        h.update(f)
    return "dlf-" + h.hexdigest()[:12]


def player_html(
    frames: list[bytes],
    axes: list[Axis],
    *,
    backgrounds: list[bytes],
    background_axes: list[int] = (),
    play_axis: int | None = None,
    interval_ms: int = 120,
    alt: str = "",
    note: str = "",
) -> str:
    """HTML for a player over ``frames`` laid out row-major on the grid of ``axes``.

    ``backgrounds`` are JPEGs of everything static, one per combination of the values of the
    ``background_axes`` (row-major; a single one when there are none); ``frames`` are PNGs
    with transparency drawn on top.

    Identical frames are stored once (an ``order`` list maps grid positions to frames), which
    matters when a path stops moving (converged or diverged) before the animation ends.
    """
    n = 1
    for a in axes:
        n *= len(a.labels)
    if n != len(frames):
        raise ValueError(f"frames: expected {n} frames for the grid, got {len(frames)}")
    unique: dict[bytes, int] = {}
    order = [unique.setdefault(f, len(unique)) for f in frames]
    encoded = [base64.b64encode(f).decode("ascii") for f in unique]
    uid = frame_id(frames)
    spec = {
        "axes": [{"name": a.name, "labels": a.labels, "start": a.start} for a in axes],
        "frames": encoded,
        "backgrounds": [base64.b64encode(b).decode("ascii") for b in backgrounds],
        "bg_axes": list(background_axes),
        "order": order,
        "play": play_axis,
        "interval": interval_ms,
    }
    nb = 1
    for i in background_axes:
        nb *= len(axes[i].labels)
    if nb != len(backgrounds):
        raise ValueError(f"backgrounds: expected {nb} for the grid, got {len(backgrounds)}")
    k = b = 0
    for a in axes:
        k = k * len(a.labels) + a.start
    for i in background_axes:
        b = b * len(axes[i].labels) + axes[i].start
    rows = []
    for i, a in enumerate(axes):
        if len(a.labels) < 2:
            continue
        button = (
            '<button type="button" class="dl-play">&#9654; Play</button>' if i == play_axis else ""
        )
        rows.append(
            f'<div class="dl-row"><label for="{uid}-a{i}">{html.escape(a.name)}</label>{button}'
            f'<input type="range" id="{uid}-a{i}" data-axis="{i}" min="0" '
            f'max="{len(a.labels) - 1}" step="1" value="{a.start}">'
            f'<output data-axis="{i}">{html.escape(a.labels[a.start])}</output></div>'
        )
    note_html = f'<div class="dl-note">{html.escape(note)}</div>' if note else ""
    data = json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")
    return (
        f'{_STYLE}<div class="dl-figure" id="{uid}">'
        '<div class="dl-stack">'
        f'<img class="dl-bg" alt="{html.escape(alt)}" '
        f'src="data:image/jpeg;base64,{spec["backgrounds"][b]}">'
        f'<img class="dl-frame" alt="" src="data:image/png;base64,{encoded[order[k]]}">'
        "</div>"
        f"{''.join(rows)}{note_html}"
        f'<script type="application/json" class="dl-data">{data}</script></div>'
        + _SCRIPT
        % {"id": json.dumps(uid)}
    )
