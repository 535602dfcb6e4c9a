"""The page checker catches what it claims to catch, on small pages with known faults.

The good page is generated here by real :class:`descentlab.viz.InteractiveFigure` objects
(their HTML face), so it follows the player as it is today; the faulty pages are in
``fixtures/``. Requests to other hosts are aborted by the browser context before they leave
the machine.
"""

from __future__ import annotations

import gzip
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from descentlab.viz import InteractiveFigure, IntSlider, Play, Slider

from .conftest import require
from .pagecheck import (
    ANIMATION,
    CATEGORIES,
    CONSOLE,
    EXTERNAL,
    FAILED,
    MATH,
    OUTPUTS,
    WIDGETS,
    StaticServer,
    check_page,
    link_problems,
    new_context,
)

FIXTURES = Path(__file__).parent / "fixtures"


def _players() -> str:
    """Two independent players: a play axis by a slider, and a 2 x 3 grid of sliders."""

    def setup(fig):
        ax = fig.add_subplot()
        ax.set(xlim=(0, 5), ylim=(0, 5), xticks=[], yticks=[])
        (dot,) = ax.plot([], [], "o", color="C3")
        return {"dot": dot}

    def update(artists, **values):
        x, y = list(values.values())
        artists["dot"].set_data([x], [y])

    common = {"figsize": (1.6, 1.2), "dpi": 50}
    timed = InteractiveFigure(setup, update, {
        "step": Play(max=4, interval_ms=50),
        "height": Slider(0.0, 5.0, 1.0, static=[1.0, 4.0]),
    }, alt="a dot that moves with time", **common)
    grid = InteractiveFigure(setup, update, {
        "x": Slider(0.0, 5.0, 1.0, static=[1.0, 3.0]),
        "y": IntSlider(0, 5, 2, static=[1, 2, 4]),
    }, alt="a dot on a grid", **common)
    return timed.to_html() + grid.to_html()


def _page(body: str) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
            f"</head><body><p>Players.</p>{body}</body></html>")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("fixtures")
    shutil.copytree(FIXTURES, root, dirs_exist_ok=True)
    players = _players()
    (root / "good_player.html").write_text(_page(players))
    # The same players without their script: the images show, nothing moves.
    scriptless, n = re.subn(r"<script>\s*\(function.*?</script>", "", players, flags=re.S)
    assert n == 2 and "dataset.ready" not in scriptless
    (root / "scriptless_player.html").write_text(_page(scriptless))
    (root / "other_port.html").write_text(_page('<img src="http://127.0.0.1:9/x.png" alt="">'))
    (root / "big.html").write_text(_page("<p>" + "gradient descent " * 50_000 + "</p>"))
    with StaticServer(root) as server:
        yield server


@pytest.fixture(scope="module")
def context(browser, site):
    ctx = new_context(browser, site.origin)
    yield ctx
    ctx.close()


def _check(context, site, name):
    report = check_page(context, site.url(name), change_ms=1000)
    report.page.close()
    return report


def _only(report, *categories):
    """The categories with problems are exactly ``categories``."""
    found = {c for c in CATEGORIES if report.problems.get(c)}
    assert found == set(categories), report.failures() or "no problems found"


def test_good_players_pass_every_check(context, site):
    report = _check(context, site, "good_player.html")
    _only(report)
    assert report.figures == 2
    assert report.interactions == 5  # play button and two sliders; the grid's two sliders
    assert 0 < report.wire_bytes <= report.raw_bytes


def test_player_without_its_script_fails_the_animation_check(context, site):
    report = _check(context, site, "scriptless_player.html")
    _only(report, ANIMATION)
    assert all("never initialised" in p for p in report.problems[ANIMATION])
    assert len(report.problems[ANIMATION]) == 2


def test_player_whose_frame_never_changes_fails_the_animation_check(context, site):
    report = _check(context, site, "frozen_player.html")
    _only(report, ANIMATION)
    problems = report.problems[ANIMATION]
    assert any("play button did not change the frame" in p for p in problems), problems
    assert any("slider 0 did not change the frame" in p for p in problems), problems


@pytest.mark.parametrize("name, url", [
    ("cdn_script.html", "https://cdn.example.org/x.js"),
    ("cdn_stylesheet.html", "https://cdn.example.org/font-awesome/4.7.0/css/font-awesome.min.css"),
])
def test_cdn_asset_is_blocked_and_fails_the_external_check(context, site, name, url):
    report = _check(context, site, name)
    # Chromium also logs the blocked load as a console error.
    _only(report, EXTERNAL, CONSOLE)
    assert report.problems[EXTERNAL] == [f"blocked {url}"]
    assert context.traffic.blocked == [url]  # the route aborted it: it never left the machine


def test_another_local_port_counts_as_another_host(context, site):
    report = _check(context, site, "other_port.html")
    _only(report, EXTERNAL, CONSOLE)
    assert report.problems[EXTERNAL] == ["blocked http://127.0.0.1:9/x.png"]


def test_untypeset_math_fails_the_math_check(context, site):
    report = _check(context, site, "raw_math.html")
    _only(report, MATH)
    text = "\n".join(report.problems[MATH])
    for delim in ("'$$'", "'\\\\('", "'\\\\['", "no mjx-container"):
        assert delim in text, text
    assert "in code is fine" not in text  # code blocks are not prose


def test_traceback_stderr_and_warning_outputs_fail(context, site):
    report = _check(context, site, "error_outputs.html")
    _only(report, OUTPUTS)
    text = "\n".join(report.problems[OUTPUTS])
    assert "traceback output" in text and "stderr output" in text and "Warning:" in text, text


def test_widget_area_fails_the_widget_check(context, site):
    report = _check(context, site, "widget_area.html")
    _only(report, WIDGETS)
    assert any(p.startswith("empty widget element div.jupyter-widgets")
               for p in report.problems[WIDGETS]), report.problems[WIDGETS]


def test_console_error_and_missing_asset_fail(context, site):
    report = _check(context, site, "console_error.html")
    _only(report, FAILED, CONSOLE)
    assert any("missing.png: HTTP 404" in p for p in report.problems[FAILED])
    text = "\n".join(report.problems[CONSOLE])
    assert "something broke" in text and "undefinedFunction" in text, text


def test_weight_is_measured_decoded_and_on_the_wire(context, site):
    report = _check(context, site, "big.html")
    _only(report)
    html = [r for r in report.resources if r[0] == "/big.html"]
    assert len(html) == 1
    _, raw, wire = html[0]
    assert raw == (Path(site.root) / "big.html").stat().st_size
    assert wire < raw / 50  # gzip on the wire, as any static host serves it


def test_server_gzips_text_only_when_asked(site):
    req = urllib.request.Request(site.url("big.html"), headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req) as r:
        assert r.headers["Content-Encoding"] == "gzip"
        body = gzip.decompress(r.read())
    assert body == (Path(site.root) / "big.html").read_bytes()
    with urllib.request.urlopen(site.url("big.html")) as r:
        assert r.headers["Content-Encoding"] is None
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(site.url("no-such-page.html"))
    e.value.close()
    assert e.value.code == 404


def test_link_checker():
    assert link_problems(FIXTURES / "links", ["good.html", "other.html", "sub/index.html"]) == []
    problems = link_problems(FIXTURES / "links", ["broken.html"])
    assert problems == [
        "broken.html: link 'nowhere.html': no file 'nowhere.html'",
        "broken.html: link 'other.html#no-such-id': no id 'no-such-id' in other.html",
        "broken.html: link '#not-here': no id 'not-here' in broken.html",
        "broken.html: link '../../../../etc/x.html': no file 'etc/x.html'",
    ], problems


def test_skip_or_fail_policy(monkeypatch):
    message = "Chromium not found: install it with `apt-get install -y chromium`"
    monkeypatch.delenv("DESCENTLAB_REQUIRE_BROWSER", raising=False)
    require(True, message)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        require(False, message)
    monkeypatch.setenv("DESCENTLAB_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="DESCENTLAB_REQUIRE_BROWSER=1"):
        require(False, message)
