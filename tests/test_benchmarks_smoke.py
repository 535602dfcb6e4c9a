"""Smoke test of benchmarks/run.py: every code path runs on tiny settings (no timing claims).

Nothing here reads the built book or runs a build: the figure, the notebook and the HTML
pages are small stand-ins made in a temporary folder.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import _figures  # noqa: E402
import _pages  # noqa: E402
import _processes  # noqa: E402
import _report  # noqa: E402
import _stats  # noqa: E402
import run as bench  # noqa: E402

from descentlab import viz  # noqa: E402

FIGURE_CELL = """
import numpy as np
from descentlab import viz

def setup(fig, shape):
    ax = fig.add_subplot()
    ax.set(xlim=(-2, 2), ylim=(-2, 2))
    ax.plot(np.linspace(-2, 2, 20), shape * np.linspace(-2, 2, 20) ** 2, color="0.6")
    (line,) = ax.plot([], [], "o-")
    return {"line": line, "text": ax.text(0.05, 0.9, "", transform=ax.transAxes)}

def update(a, lr, depth, shape, show, step):
    xs = np.linspace(-1, 1, depth + 2) * lr
    a["line"].set_data(xs[: step + 1], xs[: step + 1] ** 2)
    a["line"].set_visible(show)
    a["text"].set_text(f"lr {lr:.2g}")

controls = {
    "lr": viz.Slider(0.01, 1.0, 0.1, log=True, static=[0.1, 0.5]),
    "depth": viz.IntSlider(1, 4, 2),
    "shape": viz.Choice({"flat": 0.1, "steep": 1.0}),
    "show": viz.Toggle(True),
    "step": viz.Play(3, static=[0, 3]),
}
tiny = viz.InteractiveFigure(setup, update, controls, background=("shape",),
                             figsize=(1.6, 1.2), dpi=40)
print("made a figure")
"""


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    folder = tmp_path_factory.mktemp("book")
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# A chapter"]},
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
                "source": FIGURE_CELL.splitlines(keepends=True),
            },
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
                "source": ["tiny.render('png', lr=0.5)\n", "tiny"],
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = folder / "ch99_tiny.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_summarize():
    s = _stats.summarize([3.0, 1.0, 2.0])
    assert (s["n"], s["median"], s["min"], s["max"]) == (3, 2.0, 1.0, 3.0)
    assert 2.0 < s["p95"] <= 3.0
    assert _stats.summarize([])["median"] is None


def test_control_values_cover_each_range():
    n = 30
    log = _figures.control_values(viz.Slider(0.01, 1.0, 0.1, log=True), n)
    assert len(log) == n and log[0] == pytest.approx(0.01) and log[-1] == pytest.approx(1.0)
    assert np.all(np.diff(np.log(log)) > 0)
    lin = _figures.control_values(viz.Slider(-1.0, 1.0, 0.0), n)
    assert (lin[0], lin[-1]) == (-1.0, 1.0) and len(set(lin)) == n
    grid = np.round((np.array(lin) + 1) / 0.01, 9)  # on the widget's grid, step 2 / 200
    assert np.allclose(grid, np.round(grid))
    coarse = _figures.control_values(viz.Slider(0.5, 1.5, 1.3, step=0.25), 8)
    assert coarse == [0.5, 0.75, 1.0, 1.25, 1.5, 0.5, 0.75, 1.0]
    small = _figures.control_values(viz.IntSlider(0, 3, 0), n)
    assert len(small) == n and set(small) == {0, 1, 2, 3} and small[0] != 0
    big = _figures.control_values(viz.Play(500), n)
    assert len(set(big)) == n and (big[0], big[-1]) == (0, 500)
    choice = _figures.control_values(viz.Choice({"a": 1, "b": 2, "c": 3}), n)
    assert choice[:4] == ["b", "c", "a", "b"]
    flips = _figures.control_values(viz.Toggle(True), 4)
    assert flips == [False, True, False, True]


def test_notebook_figures_sliders_and_animation(notebook):
    res = _figures.run_figures(
        notebook.parent, moves=3, naive_moves=2, controls="all", anim_repeats=1, log=lambda m: None
    )
    run_info = res["sliders"]["notebooks"]["ch99_tiny"]
    assert run_info["error"] is None and run_info["figures"] == 1
    (fig,) = res["sliders"]["figures"]
    assert fig["figure"] == "ch99_tiny#1 setup"
    assert fig["naive_control"] == "lr" and fig["naive_ms"]["n"] == 2
    kinds = {c["control"]: (c["kind"], c["background"]) for c in fig["controls"]}
    assert kinds["shape"] == ("Choice", True) and kinds["step"] == ("Play", False)
    assert all(c["latency_ms"]["n"] == 3 and c["latency_ms"]["median"] > 0 for c in fig["controls"])
    (anim,) = res["animations"]["figures"]
    assert anim["frames"] == 2 * 2 and anim["bytes_total"] > 0
    assert anim["bytes_per_frame"] == anim["bytes_total"] / 4

    assert all(c["update_cpu_ms"]["n"] == 3 for c in fig["controls"])
    assert anim["update_cpu_ms_per_frame"]["median"] >= 0
    tiny = viz.registry[-1]
    assert tiny.update.__name__ == "update"  # the meter put the figure's function back

    primary = _figures.measure_sliders(viz.registry[-1], moves=2, naive_moves=0, controls="primary")
    assert [c["control"] for c in primary["controls"]] == ["lr", "step"]

    results = {"meta": _meta(), **res}
    text = _report.text_report(results)
    assert "ch99_tiny#1 setup" in text and "1c. Background controls" in text


def test_a_failing_notebook_is_reported(tmp_path):
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
                "source": ["1 / 0\n"],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "broken.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    out = _figures.execute_notebook(path)
    assert "ZeroDivisionError" in out["error"]


def _page(folder: Path, name: str, body: str) -> Path:
    page = folder / "book" / name
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(
        '<html><head><link rel="stylesheet" href="../_static/a.css?v=1">'
        '<link rel="preload" as="script" href="../_static/b.js?d=2">'
        '<link rel="next" href="other.html"><script src="../_static/b.js?d=2"></script>'
        '<script src="https://cdn.example.org/x.js"></script>'
        f"<script src='../_static/gone.js'></script></head><body>{body}</body></html>",
        encoding="utf-8",
    )
    return page


def test_page_weight(tmp_path):
    html = tmp_path / "html"
    (html / "_static").mkdir(parents=True)
    (html / "_static" / "a.css").write_text("x" * 100)
    (html / "_static" / "b.js").write_text("y" * 50)
    _page(html, "ch01_x.html", "z" * 1000)
    _page(html, "intro.html", "")
    src = tmp_path / "src"
    (src / "book").mkdir(parents=True)
    (src / "book" / "ch01_x.ipynb").write_text("{}")
    (src / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n- file: book/ch01_x\n- file: book/ch02_y\n"
    )
    res = _pages.measure_pages(html, src)
    pages = {p["page"]: p for p in res["pages"]}
    ch = pages["book/ch01_x.html"]
    assert ch["chapter"] and not pages["book/intro.html"]["chapter"]
    assert (ch["assets"], ch["assets_bytes"]) == (2, 150)  # b.js once, not twice
    assert ch["external"] == ["https://cdn.example.org/x.js"]
    assert ch["missing_assets"] == ["../_static/gone.js"]
    assert res["missing_from_build"] == ["book/ch02_y"]
    assert res["heaviest_html"] == "book/ch01_x.html"
    table = _report.page_tables(res)[0]
    assert any("not built" in r[-1] for r in table.rows)


def test_timed_command_and_scratch_copy(tmp_path):
    ok = _stats.timed_command(
        [sys.executable, "-c", "print('hi')"], cwd=tmp_path, log=tmp_path / "out.log"
    )
    assert ok["returncode"] == 0 and ok["wall_s"] > 0
    assert (tmp_path / "out.log").read_text().strip() == "hi"
    bad = _stats.timed_command([sys.executable, "-c", "raise SystemExit(3)"], cwd=tmp_path)
    assert bad["returncode"] == 3 and "output_tail" in bad
    tree = tmp_path / "tree"
    (tree / "_build" / "html").mkdir(parents=True)
    (tree / "book").mkdir()
    (tree / "book" / "a.md").write_text("a")
    copy = _processes.scratch_copy(tree, tmp_path / "copy")
    assert (copy / "book" / "a.md").exists() and not (copy / "_build").exists()
    assert "--nbval" in _processes.nbval_command("book/x.ipynb")


def _meta():
    return {
        "date": "2026-01-01T00:00:00",
        "git_commit": "abc",
        "git_dirty": False,
        "cpus": 2,
        "loadavg_start": [5.0, 4.0, 3.0],
        "loadavg_end": [5.0, 4.0, 3.0],
        "python": "3",
        "numpy": "2",
        "matplotlib": "3",
        "platform": "test",
        "quick": True,
        "sections": ["optim"],
    }


class _FakeTorch:
    __version__ = "stand-in"

    @staticmethod
    def get_num_threads():
        return 1


def test_optim_section_and_cli(tmp_path, monkeypatch):
    """--quick --only optim end to end, then --from-json into a page with markers.

    Tiny sizes, and a stand-in for torch's side (importing torch alone takes seconds).
    """
    if "torch" not in sys.modules:
        monkeypatch.setitem(sys.modules, "torch", None)
    import _optimizers
    import bench_optim

    tiny = {
        "steps": 20,
        "repeats": 2,
        "n": 10_000,
        "rounds": 2,
        "round_steps": 2,
        "copy_mb": 1,
        "run_repeats": 1,
        "cases": ["SGD", "Adam", "clip+Adam (chain)"],
    }
    monkeypatch.setitem(_optimizers.PRESETS, "quick", tiny)
    monkeypatch.setattr(bench_optim, "torch", _FakeTorch)
    monkeypatch.setattr(bench_optim, "time_small_torch", lambda name, kw, steps, repeats: [9.0])
    monkeypatch.setattr(
        bench_optim,
        "time_large_torch_adam",
        lambda n, repeats: {"median_ms": 1.0, "min_ms": 0.5, "max_ms": 2.0},
    )
    out = tmp_path / "r.json"
    assert bench.main(["--quick", "--only", "optim", "--json", str(out)]) == 0
    results = json.loads(out.read_text())
    assert results["meta"]["sections"] == ["optim"]
    sec = results["optim"]
    assert [r["case"] for r in sec["run_1000"]] == list(_optimizers.RUN_CASES)
    assert all(r["status"] == "max_steps" and r["n_steps"] == 1000 for r in sec["run_1000"])
    assert all(r["cpu_ms"]["median"] > 0 for r in sec["run_1000"])
    rows = {r["optimizer"]: r for r in sec["small"]["rows"]}
    assert set(rows) == set(tiny["cases"]) and "torch_us_per_step" in rows["Adam"]
    assert "torch_us_per_step" not in rows["clip+Adam (chain)"]
    assert sec["adam_1e6"]["n"] == 10_000 and sec["adam_1e6"]["ratio"]["n"] == 2
    assert sec["adam_1e6"]["descentlab_1thread_ms"]["rounds"] == 2
    page = tmp_path / "page.md"
    page.write_text(f"# Page\n\n{bench.MARK_START}\nSTALE TABLE\n{bench.MARK_END}\n\nafter\n")
    assert bench.main(["--from-json", str(out), "--markdown", str(page)]) == 0
    text = page.read_text()
    assert "STALE TABLE" not in text and text.endswith(f"{bench.MARK_END}\n\nafter\n")
    assert "1000-step run < 5 ms" in text and "| target |" in text


def test_markdown_and_targets_from_synthetic_results():
    s = _stats.summarize
    results = {
        "meta": _meta(),
        "build": {
            "command": "jupyter-book build . -W",
            "clean": {
                "n": 1,
                "ok": True,
                "runs": [{"returncode": 0}],
                "wall_s": s([200.0]),
                "cpu_s": s([300.0]),
            },
            "rebuild": {
                "n": 2,
                "ok": True,
                "wall_s": s([20.0, 22.0]),
                "cpu_s": s([9.0, 9.0]),
                "runs": [{"returncode": 0, "executed_notebooks": 0}] * 2,
            },
        },
        "notebooks": {
            "command": "-m pytest --nbval",
            "runs": 1,
            "notebooks": [
                {
                    "notebook": "book/a.ipynb",
                    "n": 1,
                    "passed": True,
                    "wall_s": s([12.0]),
                    "cpu_s": s([8.0]),
                    "failure": None,
                },
                {
                    "notebook": "book/b.ipynb",
                    "n": 1,
                    "passed": False,
                    "wall_s": s([9.0]),
                    "cpu_s": s([8.0]),
                    "failure": "boom",
                },
            ],
        },
    }
    rows = {r[0]: r for r in _report.target_rows(results).rows}
    assert rows["clean build < 240 s"][2] == "PASS"
    assert rows["unchanged rebuild < 15 s"][2] == "FAIL"
    assert rows["unchanged rebuild < 15 s"][3] == "1.4x the target"
    assert rows["every notebook < 20 s under nbval"][2] == "PASS"
    nbval = rows["every nbval run passes (a check, not a speed target)"]
    assert nbval[1:] == ["1 of 2 runs passed", "FAIL", "failed: book/b.ipynb"]
    md = _report.markdown_report(results)
    assert "Load average (1, 5, 15 min) at the start: 5.00, 4.00, 3.00" in md
    assert "commit abc" in md and "| unchanged rebuild |" in md
    assert bench.parse_args(["--quick"]).sections == ["sliders", "animations", "pages", "optim"]
    with pytest.raises(SystemExit):
        bench.parse_args(["--only", "nothing"])
