"""Benchmark the book: print a table of every figure and target, and write it as JSON.

    python benchmarks/run.py                       # everything (about 10 min on 2 cores)
    python benchmarks/run.py --quick               # smoke mode: a few minutes, no builds
    python benchmarks/run.py --only sliders,optim  # some sections
    python benchmarks/run.py --from-json benchmarks/results/latest.json \\
        --markdown book/appendix_performance.md    # the book's results table, from a run

Sections (names for ``--only``):

sliders     every interactive figure of every notebook: latency of a control move
            (``InteractiveFigure.render``), median and p95 over 30 moves across each
            control's range, beside a naive full redraw (``render_naive``) in the same run
animations  each figure's static HTML player (``to_html``): ms and bytes per frame
pages       page weight of the built book: each page's HTML and the assets it loads
build       a clean ``jupyter-book build . -W`` and unchanged rebuilds, in a scratch copy
notebooks   each notebook as a whole ``pytest --nbval`` process
optim       optimizer step cost (benchmarks/bench_optim.py's timers), a 1000-step run

Each figure is a median of repeated runs with its min and max; the two sides of a ratio
are measured in the same run, interleaved. Results go to benchmarks/results/latest.json
(git-ignored) unless ``--json`` says otherwise. ``--markdown PATH`` writes the tables as
Markdown: into PATH between the lines ``<!-- benchmark-results:start -->`` and
``<!-- benchmark-results:end -->`` when PATH has them, else as the whole file.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _report  # noqa: E402
from _stats import ROOT, loadavg, machine_facts  # noqa: E402

SECTIONS = ("sliders", "animations", "pages", "build", "notebooks", "optim")
SLOW_SECTIONS = ("build", "notebooks")  # skipped by --quick unless named in --only
DEFAULT_JSON = HERE / "results" / "latest.json"
MARK_START = "<!-- benchmark-results:start -->"
MARK_END = "<!-- benchmark-results:end -->"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[1:]),
    )
    p.add_argument("--json", type=Path, help=f"results file (default {DEFAULT_JSON})")
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke mode: few moves and runs; skips build and notebooks unless --only",
    )
    p.add_argument("--only", help="comma-separated sections: " + ",".join(SECTIONS))
    p.add_argument("--markdown", type=Path, help="also write the tables as Markdown here")
    p.add_argument(
        "--from-json", type=Path, help="measure nothing: read these results and print / write them"
    )
    p.add_argument(
        "--notebooks", default="*", help="glob of the notebooks under book/ to use (default: all)"
    )
    p.add_argument("--moves", type=int, help="moves per control (default 30; quick 8)")
    p.add_argument("--naive-moves", type=int, help="naive redraws per figure (default 10; quick 3)")
    p.add_argument(
        "--controls",
        choices=("all", "primary"),
        help="time every control, or the first numeric and the Play control "
        "(default all; quick primary)",
    )
    p.add_argument("--anim-repeats", type=int, help="to_html runs per figure (default 3; quick 1)")
    p.add_argument("--nb-runs", type=int, help="nbval runs per notebook (default 3; quick 1)")
    p.add_argument("--clean-builds", type=int, default=1, help="clean builds (default 1)")
    p.add_argument("--rebuilds", type=int, help="unchanged rebuilds (default 3; quick 1)")
    p.add_argument(
        "--html",
        type=Path,
        help="built HTML to weigh (default: this run's clean build, else _build/html)",
    )
    p.add_argument("--scratch", type=Path, help="where to copy the repo for the build section")
    p.add_argument("--keep-scratch", action="store_true", help="keep the build's scratch copy")
    p.add_argument(
        "--logs",
        type=Path,
        default=HERE / "results" / "logs",
        help="build logs go here (default benchmarks/results/logs)",
    )
    args = p.parse_args(argv)
    q = args.quick
    for name, full, quick in [
        ("moves", 30, 8),
        ("naive_moves", 10, 3),
        ("controls", "all", "primary"),
        ("anim_repeats", 3, 1),
        ("nb_runs", 3, 1),
        ("rebuilds", 3, 1),
    ]:
        if getattr(args, name) is None:
            setattr(args, name, quick if q else full)
    if args.only:
        names = [s.strip() for s in args.only.split(",") if s.strip()]
        unknown = sorted(set(names) - set(SECTIONS))
        if unknown:
            p.error(f"--only: unknown sections {unknown}; choose from {', '.join(SECTIONS)}")
        args.sections = [s for s in SECTIONS if s in names]
    else:
        args.sections = [s for s in SECTIONS if not (q and s in SLOW_SECTIONS)]
    return args


def write_markdown(path: Path, results: dict) -> None:
    """The Markdown report, between the markers of ``path`` if it has them, else as the file."""
    report = _report.markdown_report(results)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if MARK_START in text and MARK_END in text:
        head, rest = text.split(MARK_START, 1)
        _, tail = rest.split(MARK_END, 1)
        text = f"{head}{MARK_START}\n\n{report}\n{MARK_END}{tail}"
    else:
        text = report
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _save(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")


def measure(args, json_path: Path) -> dict:
    results = {
        "meta": {
            **machine_facts(),
            "quick": args.quick,
            "sections": args.sections,
            "argv": sys.argv[1:],
        }
    }
    wanted = set(args.sections)
    html_dir = args.html
    scratch_made = None

    def section(name, fn):
        log(f"[{name}] load average {loadavg()}")
        t0, load0 = time.perf_counter(), loadavg()
        out = fn()
        for key, value in out.items():
            value["loadavg"] = {"start": load0, "end": loadavg()}
            value["seconds"] = time.perf_counter() - t0
            results[key] = value
            print("\n" + _report.text_report(results, [key]) + "\n", flush=True)
        _save(json_path, results)

    try:
        if "build" in wanted:
            from _processes import measure_build

            def build():
                return {
                    "build": measure_build(
                        ROOT,
                        clean_runs=args.clean_builds,
                        rebuild_runs=args.rebuilds,
                        scratch=args.scratch,
                        logs=args.logs,
                        log=log,
                    )
                }

            section("build", build)
            scratch_made = Path(results["build"]["scratch"])
            if html_dir is None and results["build"]["clean"]["ok"]:
                html_dir = Path(results["build"]["html_dir"])
        if "pages" in wanted:
            from _pages import measure_pages
            from _processes import ensure_build

            def pages():
                nonlocal html_dir
                if html_dir is None:
                    if args.quick and not (ROOT / "_build" / "html" / "index.html").exists():
                        log("  no _build/html: skipping pages in quick mode")
                        return {}
                    ensure_build(ROOT, log=log)
                    html_dir = ROOT / "_build" / "html"
                # The toc and sources of the tree that was built (a scratch copy, maybe).
                built = html_dir.resolve().parents[1]
                source = built if (built / "_toc.yml").exists() else ROOT
                return {"pages": measure_pages(html_dir, source)}

            section("pages", pages)
        if wanted & {"sliders", "animations"}:
            from _figures import run_figures

            section(
                "figures",
                lambda: run_figures(
                    ROOT / "book",
                    pattern=args.notebooks,
                    sliders="sliders" in wanted,
                    animations="animations" in wanted,
                    moves=args.moves,
                    naive_moves=args.naive_moves,
                    controls=args.controls,
                    anim_repeats=args.anim_repeats,
                    log=log,
                ),
            )
        if "notebooks" in wanted:
            from _figures import notebook_paths
            from _processes import measure_notebooks

            section(
                "notebooks",
                lambda: {
                    "notebooks": measure_notebooks(
                        ROOT,
                        notebook_paths(ROOT / "book", args.notebooks),
                        runs=args.nb_runs,
                        log=log,
                    )
                },
            )
        if "optim" in wanted:
            from _optimizers import measure_optimizers

            section("optim", lambda: {"optim": measure_optimizers(quick=args.quick, log=log)})
    finally:
        if scratch_made is not None and args.scratch is None and not args.keep_scratch:
            shutil.rmtree(scratch_made.parent, ignore_errors=True)
    results["meta"]["loadavg_end"] = loadavg()
    _save(json_path, results)
    return results


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.from_json:
        results = json.loads(args.from_json.read_text(encoding="utf-8"))
        print(_report.text_report(results))
        if args.json:
            _save(args.json, results)
    else:
        json_path = args.json or DEFAULT_JSON
        results = measure(args, json_path)
        log(f"wrote {json_path}")
    print("\n" + "\n".join(_report.header_lines(results)))
    print("\n" + _report.render_text(_report.target_rows(results)))
    if args.markdown:
        write_markdown(args.markdown, results)
        log(f"wrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
