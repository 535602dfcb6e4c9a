"""The two-faced interactive figure and its static HTML player."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from descentlab import viz
from descentlab.viz.player import Axis, player_html


def _bowl(p):
    return p[..., 0] ** 2 + 4 * p[..., 1] ** 2


def _path(lr, n=20):
    x = np.array([-1.8, 0.9])
    pts = [x]
    for _ in range(n):
        x = x - lr * np.array([2 * x[0], 8 * x[1]])
        pts.append(x)
    return np.array(pts)


def make_figure(**kw):
    def setup(fig):
        ax = fig.add_subplot()
        viz.contour(ax, _bowl, ((-2, 2), (-1, 1)), n=40)
        line, head = viz.path_artists(ax)
        return {"line": line, "head": head, "status": viz.status_text(ax)}

    def update(a, lr, step):
        viz.set_path(a["line"], a["head"], _path(lr), step)
        a["status"].set_text(f"lr {lr:.2f}, step {step}")

    controls = {
        "lr": viz.Slider(0.01, 0.3, 0.1, static=[0.05, 0.1, 0.2]),
        "step": viz.Play(20, stride=5),
    }
    return viz.InteractiveFigure(setup, update, controls, figsize=(3, 2), dpi=50, **kw)


def test_frame_changes_with_controls_and_background_is_reused():
    fig = make_figure()
    a = fig.frame(lr=0.05, step=3).copy()
    b = fig.frame(lr=0.2, step=3).copy()
    assert a.shape == (100, 150, 3)
    assert not np.array_equal(a, b)
    # Going back gives exactly the first picture: nothing accumulates on the background.
    assert np.array_equal(fig.frame(lr=0.05, step=3), a)


def test_cached_render_matches_a_naive_full_redraw():
    fig = make_figure()
    from io import BytesIO

    from PIL import Image

    fast = np.asarray(Image.open(BytesIO(fig.render("png", lr=0.2, step=7))), dtype=float)
    slow = np.asarray(Image.open(BytesIO(fig.render_naive("png", lr=0.2, step=7))), dtype=float)
    assert fast.shape == slow.shape
    assert np.mean(np.abs(fast - slow)) < 2.0  # same picture up to antialiasing


def test_html_face_is_selfcontained_and_deterministic(monkeypatch):
    monkeypatch.setenv("DESCENTLAB_FIGURE_FACE", "html")
    fig = make_figure()
    bundle = fig._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" not in bundle
    page = bundle["text/html"]
    assert page == make_figure().to_html()  # a rebuild gives identical bytes
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    spec = json.loads(re.search(r'class="dl-data">(.*?)</script>', page).group(1))
    assert [len(a["labels"]) for a in spec["axes"]] == [3, 5]
    assert len(spec["order"]) == 15
    assert spec["play"] == 1
    assert 'class="dl-play"' in page


def test_widget_face_redraws_on_control_change(monkeypatch):
    monkeypatch.delenv("DESCENTLAB_FIGURE_FACE", raising=False)
    fig = make_figure()
    bundle = fig._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "text/html" not in bundle
    w = fig.widget()
    before = w.image.value
    w.inputs["lr"].value = 0.25
    assert w.image.value != before


def test_identical_frames_are_stored_once():
    frames = [b"a", b"b", b"b", b"b"]
    page = player_html(frames, [Axis("t", ["0", "1", "2", "3"])], backgrounds=[b"bg"])
    spec = json.loads(re.search(r'class="dl-data">(.*?)</script>', page).group(1))
    assert len(spec["frames"]) == 2
    assert spec["order"] == [0, 1, 1, 1]


def test_player_rejects_a_wrong_number_of_frames():
    with pytest.raises(ValueError, match="frames"):
        player_html([b"a"], [Axis("t", ["0", "1"])], backgrounds=[b"bg"])


def test_too_many_static_frames_is_an_error():
    fig = make_figure(max_frames=10)
    with pytest.raises(ValueError, match="max_frames"):
        fig.to_html()


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: viz.Slider(1.0, 0.5, 0.7), "min"),
        (lambda: viz.Slider(0.0, 1.0, 2.0), "outside"),
        (lambda: viz.Slider(0.0, 1.0, 0.5, log=True), "log"),
        (lambda: viz.Choice({}), "empty"),
        (lambda: viz.Choice({"a": 1}, value="b"), "not one of"),
        (lambda: viz.Play(10, value=11), "outside"),
    ],
)
def test_controls_validate_their_ranges(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_figure_needs_a_control():
    with pytest.raises(ValueError, match="controls"):
        viz.InteractiveFigure(lambda f: {}, lambda a: None, {})


def test_background_controls_redraw_the_static_part(monkeypatch):
    scales = {"round": 1.0, "narrow": 8.0}

    def setup(fig, shape):
        ax = fig.add_subplot()
        viz.contour(ax, lambda p: p[..., 0] ** 2 + shape * p[..., 1] ** 2, ((-2, 2), (-1, 1)), n=30)
        (dot,) = ax.plot([], [], "o")
        return {"dot": dot}

    def update(a, shape, x):
        a["dot"].set_data([x], [0.0])

    fig = viz.InteractiveFigure(
        setup,
        update,
        {
            "shape": viz.Choice(scales, static=["round", "narrow"]),
            "x": viz.Slider(-1, 1, 0, static=[-1, 0, 1]),
        },
        background=("shape",),
        figsize=(3, 2),
        dpi=40,
    )
    round_bg, narrow_bg = fig.background(shape="round"), fig.background(shape="narrow")
    assert not np.array_equal(round_bg, narrow_bg)
    assert np.array_equal(fig.background(shape="round"), round_bg)  # cached, unchanged
    page = fig.to_html()
    spec = json.loads(re.search(r'class="dl-data">(.*?)</script>', page).group(1))
    assert len(spec["backgrounds"]) == 2 and spec["bg_axes"] == [0]
    assert len(spec["order"]) == 6
    with pytest.raises(ValueError, match="background"):
        viz.InteractiveFigure(setup, update, {"x": viz.Slider(-1, 1, 0)}, background=("shape",))


def test_fast_png_decodes_to_the_same_pixels():
    """The hand-written PNG encoder of live frames is lossless, for RGB and RGBA."""
    import io

    from PIL import Image

    from descentlab.viz.figure import _encode

    rng = np.random.default_rng(0)
    for channels in (3, 4):
        pixels = rng.integers(0, 256, size=(7, 5, channels), dtype=np.uint8)
        decoded = np.asarray(Image.open(io.BytesIO(_encode(pixels, "png", 0))))
        assert decoded.shape == pixels.shape
        assert np.array_equal(decoded, pixels)
    with pytest.raises(ValueError, match="fmt"):
        _encode(pixels, "gif", 0)
