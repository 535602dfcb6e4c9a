"""Tables and verdicts from the results JSON: the printed report and the Markdown page.

Everything shown is computed from the results dict that ``benchmarks/run.py`` writes as JSON,
so ``--markdown`` can render a page from a saved file and no figure is typed by hand.
Sizes use decimal units: 1 KB = 1000 bytes, 1 MB = 10^6 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The targets on this project's 2-core reference machine.
TARGETS = {
    "slider_median_ms": 25.0,
    "slider_p95_ms": 50.0,
    "slider_vs_naive": 0.5,
    "anim_ms_per_frame": 30.0,
    "anim_bytes_per_frame": 25_000,
    "page_html_bytes": 2_000_000,
    "clean_build_s": 240.0,
    "rebuild_s": 15.0,
    "notebook_s": 20.0,
    "run_1000_ms": 5.0,
    "adam_vs_torch": 2.0,
}


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    align: str = ""  # one of "l"/"r" per column; default: first column left, the rest right
    notes: list[str] = field(default_factory=list)

    def aligns(self) -> str:
        return self.align or "l" + "r" * (len(self.headers) - 1)


# -- formatting --------------------------------------------------------------------------------
def num(v, digits: int = 1) -> str:
    if v is None:
        return "–"
    if digits >= 2 and 0 < abs(v) < 0.1:
        return f"{v:.2g}"
    if abs(v) >= 100 and digits <= 1:
        return f"{v:.0f}"
    return f"{v:.{digits}f}"


def spread(s: dict | None, digits: int = 1, key: str = "median") -> str:
    """``median [min–max]`` of a summary dict."""
    if not s or s.get(key) is None:
        return "–"
    if s.get("n", 2) == 1 or s["min"] == s["max"]:
        return num(s[key], digits)
    return f"{num(s[key], digits)} [{num(s['min'], digits)}–{num(s['max'], digits)}]"


def kb(nbytes) -> str:
    return "–" if nbytes is None else f"{nbytes / 1000:,.1f}"


def verdict(ok) -> str:
    return "–" if ok is None else ("PASS" if ok else "FAIL")


def _cpu_cell(entry: dict, total: str, update: str) -> str:
    """``CPU median (of which in update)``, from an entry's summaries."""
    cpu = (entry.get(total) or {}).get("median")
    upd = (entry.get(update) or {}).get("median")
    return num(cpu) if upd is None else f"{num(cpu)} ({num(upd)})"


def _lt(value, limit):
    return None if value is None else value < limit


# -- section 1: sliders ------------------------------------------------------------------------
def _slider_figure(fig: dict) -> dict:
    """Worst foreground median and p95, the naive median, and the verdicts of one figure."""
    fg = [c for c in fig["controls"] if not c["background"]]
    naive = fig["naive_ms"]["median"]
    worst_med = max(fg, key=lambda c: c["latency_ms"]["median"], default=None)
    worst_p95 = max(fg, key=lambda c: c["latency_ms"]["p95"], default=None)
    med = worst_med["latency_ms"]["median"] if worst_med else None
    cpu = _cpu_cell(worst_med, "cpu_ms", "update_cpu_ms") if worst_med else "–"
    p95 = worst_p95["latency_ms"]["p95"] if worst_p95 else None
    ratio = med / naive if med is not None and naive else None
    ok_med = _lt(med, TARGETS["slider_median_ms"])
    ok_p95 = _lt(p95, TARGETS["slider_p95_ms"])
    ok_ratio = _lt(ratio, TARGETS["slider_vs_naive"])
    checks = [c for c in (ok_med, ok_p95, ok_ratio) if c is not None]
    return {
        "median": med,
        "median_control": worst_med["control"] if worst_med else None,
        "cpu_median": cpu,
        "cpu_value": worst_med.get("cpu_ms", {}).get("median") if worst_med else None,
        "p95": p95,
        "p95_control": worst_p95["control"] if worst_p95 else None,
        "naive": naive,
        "ratio": ratio,
        "ok_median": ok_med,
        "ok_p95": ok_p95,
        "ok_ratio": ok_ratio,
        "ok": all(checks) if checks else None,
    }


def slider_tables(sec: dict) -> list[Table]:
    st = sec["settings"]
    summary = Table(
        "1. Slider latency per figure: `render()` of a control move, ms",
        [
            "figure",
            "controls",
            "median (control)",
            "p95 (control)",
            "CPU (update)",
            "naive median",
            "vs naive",
            "verdict",
        ],
        [],
        align="llrrrrrl",
    )
    cols = [
        "figure",
        "control",
        "kind",
        "range",
        "moves",
        "median",
        "p95",
        "min–max",
        "CPU (update)",
        "vs naive",
    ]
    detail = Table(
        "1b. Slider latency per control, ms: median, p95, [min–max] over the moves",
        [*cols, "verdict"],
        [],
        align="llllrrrrrrl",
    )
    background = Table(
        "1c. Background controls, ms (not judged against the targets)",
        cols,
        [],
        align="llllrrrrrr",
        notes=[
            "A background control changes what `setup` draws: a move to a value not seen "
            "before builds and caches a new scene, a move back to a cached one is cheap."
        ],
    )
    for fig in sec["figures"]:
        s = _slider_figure(fig)
        naive = fig["naive_ms"]
        summary.rows.append(
            [
                fig["figure"],
                str(len(fig["controls"])),
                f"{num(s['median'])} ({s['median_control']})" if s["median"] is not None else "–",
                f"{num(s['p95'])} ({s['p95_control']})" if s["p95"] is not None else "–",
                s["cpu_median"],
                f"{num(naive['median'])} ({fig['naive_control']}, n={naive['n']})",
                num(s["ratio"], 2),
                verdict(s["ok"]),
            ]
        )
        for c in fig["controls"]:
            lat = c["latency_ms"]
            ratio = lat["median"] / naive["median"] if naive["median"] else None
            row = [
                fig["figure"],
                c["control"],
                c["kind"],
                c["range"],
                str(c["moves"]),
                num(lat["median"]),
                num(lat["p95"]),
                f"{num(lat['min'])}–{num(lat['max'])}",
                _cpu_cell(c, "cpu_ms", "update_cpu_ms"),
                num(ratio, 2),
            ]
            if c["background"]:
                background.rows.append(row)
            else:
                ok = [
                    _lt(lat["median"], TARGETS["slider_median_ms"]),
                    _lt(lat["p95"], TARGETS["slider_p95_ms"]),
                    _lt(ratio, TARGETS["slider_vs_naive"]),
                ]
                detail.rows.append(row + [verdict(all(x for x in ok if x is not None))])
    summary.notes.append(
        "Each figure's worst control that is not a background control: the median and "
        "p95 columns name it. "
        f"{st['moves']} moves per control ({st['controls']} controls); the naive redraw "
        f"(render_naive) is timed on {st['naive_moves']} of the moves of the control named, "
        "interleaved with the cached renders. vs naive = median / naive median (wall). "
        "CPU = the process's CPU time for the same moves, which load inflates far less than "
        "wall time; (update) = the part of it spent in the figure's own update function, the "
        "rest is drawing the moving artists and encoding the PNG. "
        f"Targets: median < {TARGETS['slider_median_ms']:g} ms, p95 < "
        f"{TARGETS['slider_p95_ms']:g} ms, vs naive < {TARGETS['slider_vs_naive']:g}."
    )
    errors = {k: v["error"] for k, v in sec.get("notebooks", {}).items() if v.get("error")}
    for nb, err in errors.items():
        summary.notes.append(f"{nb} stopped early ({err}); its later figures are missing.")
    tables = [summary, detail]
    if background.rows:
        tables.append(background)
    return tables


# -- section 2: animations ---------------------------------------------------------------------
def animation_tables(sec: dict) -> list[Table]:
    t = Table(
        "2. Static animation: `to_html()` from a cold background cache",
        [
            "figure",
            "frames",
            "total ms",
            "ms/frame",
            "CPU ms/frame (update)",
            "KB total",
            "KB/frame",
            "verdict",
        ],
        [],
        align="lrrrrrrl",
    )
    for f in sec["figures"]:
        ok = _lt(f["ms_per_frame"]["median"], TARGETS["anim_ms_per_frame"]) and _lt(
            f["bytes_per_frame"], TARGETS["anim_bytes_per_frame"]
        )
        t.rows.append(
            [
                f["figure"],
                str(f["frames"]),
                spread(f["total_ms"], 0),
                spread(f["ms_per_frame"]),
                _cpu_cell(f, "cpu_ms_per_frame", "update_cpu_ms_per_frame"),
                kb(f["bytes_total"]),
                kb(f["bytes_per_frame"]),
                verdict(ok),
            ]
        )
    t.notes.append(
        f"median [min–max] over runs (runs per figure: {sec['settings']['anim_repeats']}); "
        "per frame = the whole to_html() / frames; CPU as in table 1 (update = the figure's "
        "update function). Targets: < "
        f"{TARGETS['anim_ms_per_frame']:g} ms and < {TARGETS['anim_bytes_per_frame'] / 1000:g}"
        " KB per frame."
    )
    return [t]


# -- section 3: pages --------------------------------------------------------------------------
def page_tables(sec: dict) -> list[Table]:
    t = Table(
        "3. Page weight of the built book",
        ["page", "HTML KB", "assets KB (files)", "total KB", "verdict", "notes"],
        [],
        align="lrrrll",
    )
    for p in sec["pages"]:
        notes = []
        if p["stale"]:
            notes.append("stale: source newer")
        if p["missing_assets"]:
            notes.append(f"{len(p['missing_assets'])} assets missing")
        if p["external"]:
            notes.append(f"{len(p['external'])} external")
        ok = _lt(p["html_bytes"], TARGETS["page_html_bytes"]) if p["chapter"] else None
        t.rows.append(
            [
                p["page"],
                kb(p["html_bytes"]),
                f"{kb(p['assets_bytes'])} ({p['assets']})",
                kb(p["total_bytes"]),
                verdict(ok),
                ", ".join(notes),
            ]
        )
    for m in sec["missing_from_build"]:
        t.rows.append([f"{m}.html", "–", "–", "–", "FAIL", "in _toc.yml, not built"])
    big = max(sec["pages"], key=lambda p: p.get("largest_asset_bytes", 0), default=None)
    if big and big.get("largest_asset"):
        t.notes.append(
            f"Largest shared asset: {big['largest_asset']} ({kb(big['largest_asset_bytes'])} KB)."
            " Assets are cached by the browser after the first page; files they load in turn"
            " (fonts, MathJax components) are not counted."
        )
    t.notes.append(
        f"Heaviest page: {sec['heaviest_html']} (HTML), {sec['heaviest_total']} (with assets). "
        f"Target: every chapter page's HTML < {TARGETS['page_html_bytes'] / 1e6:g} MB. "
        f"Build read: {sec['html_dir']}."
    )
    return [t]


# -- sections 4 and 5: processes ---------------------------------------------------------------
def build_tables(sec: dict) -> list[Table]:
    t = Table(
        f"4. Book build: `{sec['command']}` in a scratch copy, whole process, seconds",
        ["build", "runs", "wall s", "CPU s", "verdict", "notes"],
        [],
        align="lrrrll",
    )
    for key, label, limit in [
        ("clean", "clean (no _build)", TARGETS["clean_build_s"]),
        ("rebuild", "unchanged rebuild", TARGETS["rebuild_s"]),
    ]:
        r = sec[key]
        if not r["n"]:
            continue
        notes = [f"target < {limit:g} s"]
        if not r["ok"]:
            notes.append(
                "a run FAILED: "
                + next((str(x["returncode"]) for x in r["runs"] if x["returncode"] != 0), "")
            )
        executed = [x.get("executed_notebooks", 0) for x in r["runs"]]
        notes.append(f"notebooks executed: {max(executed)}")
        ok = r["ok"] and _lt(r["wall_s"]["median"], limit)
        t.rows.append(
            [
                label,
                str(r["n"]),
                spread(r["wall_s"]),
                spread(r["cpu_s"]),
                verdict(ok),
                "; ".join(notes),
            ]
        )
    return [t]


def notebook_tables(sec: dict) -> list[Table]:
    t = Table(
        "5. Notebooks under nbval, whole process, seconds",
        ["notebook", "runs", "wall s", "CPU s", "nbval", "verdict"],
        [],
        align="lrrrll",
    )
    for nb in sec["notebooks"]:
        ok = _lt(nb["wall_s"]["median"], TARGETS["notebook_s"])
        t.rows.append(
            [
                nb["notebook"],
                str(nb["n"]),
                spread(nb["wall_s"]),
                spread(nb["cpu_s"]),
                "passed" if nb["passed"] else f"FAILED {nb.get('failed_runs', '?')}/{nb['n']}",
                verdict(ok),
            ]
        )
    t.notes.append(
        f"Each run is `python {sec['command']}`, from start to exit (interpreter, pytest and "
        f"kernel start-up included). Target: every notebook < {TARGETS['notebook_s']:g} s "
        "(median)."
    )
    return [t]


# -- section 6: optimizers ---------------------------------------------------------------------
def optim_tables(sec: dict) -> list[Table]:
    small = sec["small"]
    t1 = Table(
        f"6a. `opt.step` on a 2-D problem, µs per step (median [min–max] of "
        f"{small['repeats']} runs of {small['steps']} steps)",
        ["optimizer", "descentlab µs", "torch.optim µs", "descentlab/torch"],
        [],
    )
    for r in small["rows"]:
        theirs = r.get("torch_us_per_step")
        ratio = r["us_per_step"]["median"] / theirs["median"] if theirs else None
        t1.rows.append(
            [r["optimizer"], spread(r["us_per_step"], 2), spread(theirs, 2), num(ratio, 2)]
        )
    big = sec["adam_1e6"]
    t2 = Table(
        f"6b. One Adam step on {big['n']:,} float32 parameters, ms",
        ["implementation", "median [min–max]", "ratio (per round)", "verdict"],
        [],
        align="lrrl",
    )
    ratio = big.get("ratio")
    threads = big.get("descentlab_threads")
    label = (
        "descentlab" if threads is None else f"descentlab, {threads} thread" + "s" * (threads > 1)
    )
    t2.rows.append([label, spread(big["descentlab_ms"], 3), "", ""])
    if big.get("descentlab_1thread_ms") and threads and threads > 1:
        t2.rows.append(
            [
                "descentlab, 1 thread (context)",
                spread(big["descentlab_1thread_ms"], 3),
                "",
                "(info)",
            ]
        )
    if ratio:
        t2.rows.append(
            [
                f"torch.optim.Adam(foreach=True), {big['torch_threads']} threads",
                spread(big["torch_ms"], 3),
                spread(ratio, 2),
                verdict(_lt(ratio["median"], TARGETS["adam_vs_torch"])),
            ]
        )
    if big.get("torch_1thread_ms"):
        t2.rows.append(
            [
                "torch.optim.Adam(foreach=True), 1 thread (context)",
                spread(big["torch_1thread_ms"], 3),
                spread(big["ratio_1thread"], 2),
                "(info)",
            ]
        )
    t2.notes.append(
        f"{big['descentlab_ms']['rounds']} alternating rounds of "
        f"{big['descentlab_ms']['steps_per_round']} steps; memory bandwidth "
        f"{big['bandwidth_GB_per_s']:.1f} GB/s bounds the step at "
        f"{big['bandwidth_bound_ms']:.3f} ms (7 arrays x 4 bytes per parameter). "
        f"Target: within {TARGETS['adam_vs_torch']:g}x torch."
    )
    t3 = Table(
        "6c. A 1000-step `descentlab.run.run` on Rosenbrock, ms",
        ["optimizer", "median [min–max]", "CPU median", "status", "verdict"],
        [],
        align="lrrll",
    )
    for r in sec["run_1000"]:
        t3.rows.append(
            [
                r["case"],
                spread(r["ms"], 2),
                f"{r['cpu_ms']['median']:.2f}" if "cpu_ms" in r else "–",
                f"{r['status']} ({r['n_steps']} steps)",
                verdict(_lt(r["ms"]["median"], TARGETS["run_1000_ms"])),
            ]
        )
    t3.notes.append(
        f"Target: < {TARGETS['run_1000_ms']:g} ms. `run` steps a 2-D point as Python "
        "floats (each optimizer's `_update_scalar`, each clipping's `update_coords`): the "
        "same numbers as the NumPy array path, without NumPy's fixed cost per call."
    )
    return [t1, t2, t3]


SECTION_TABLES = {
    "sliders": slider_tables,
    "animations": animation_tables,
    "pages": page_tables,
    "build": build_tables,
    "notebooks": notebook_tables,
    "optim": optim_tables,
}


# -- the targets -------------------------------------------------------------------------------
def _worst(items, value, label, limit, unit, fmt=num):
    """A target row: the worst item, how many fail, and the gap when any does."""
    items = [(label(i), value(i)) for i in items if value(i) is not None]
    if not items:
        return None
    name, worst = max(items, key=lambda x: x[1])
    failing = [n for n, v in items if not v < limit]
    gap = ""
    if failing and len(items) == 1:
        gap = f"{worst / limit:.3g}x the target"
    elif failing:
        gap = f"{len(failing)} of {len(items)} over; worst {worst / limit:.3g}x the target"
    return [f"{fmt(worst)} {unit} ({name})", verdict(not failing), gap]


def target_rows(results: dict) -> Table:
    t = Table(
        "Verdicts against the targets",
        ["target", "measured (worst)", "verdict", "gap"],
        [],
        align="lrll",
    )

    def add(label, row):
        if row is not None:
            t.rows.append([label, *row])

    def add_info(label, row):
        if row is not None:
            t.rows.append([label, row[0], "(info)", row[2]])

    if "sliders" in results:
        figs = [(f["figure"], _slider_figure(f)) for f in results["sliders"]["figures"]]
        add(
            f"slider median < {TARGETS['slider_median_ms']:g} ms, every figure",
            _worst(
                figs, lambda x: x[1]["median"], lambda x: x[0], TARGETS["slider_median_ms"], "ms"
            ),
        )
        add_info(
            "slider median in CPU time (what load inflates least)",
            _worst(
                figs,
                lambda x: x[1]["cpu_value"],
                lambda x: x[0],
                TARGETS["slider_median_ms"],
                "ms CPU",
            ),
        )
        add(
            f"slider p95 < {TARGETS['slider_p95_ms']:g} ms, every figure",
            _worst(figs, lambda x: x[1]["p95"], lambda x: x[0], TARGETS["slider_p95_ms"], "ms"),
        )
        add(
            f"slider median < {TARGETS['slider_vs_naive']:g} x naive redraw",
            _worst(
                figs,
                lambda x: x[1]["ratio"],
                lambda x: x[0],
                TARGETS["slider_vs_naive"],
                "x naive",
                lambda v: f"{v:.2f}",
            ),
        )
    if "animations" in results:
        figs = results["animations"]["figures"]
        add(
            f"animation < {TARGETS['anim_ms_per_frame']:g} ms per frame",
            _worst(
                figs,
                lambda f: f["ms_per_frame"]["median"],
                lambda f: f["figure"],
                TARGETS["anim_ms_per_frame"],
                "ms",
            ),
        )
        add_info(
            "animation per frame in CPU time (what load inflates least)",
            _worst(
                figs,
                lambda f: f.get("cpu_ms_per_frame", {}).get("median"),
                lambda f: f["figure"],
                TARGETS["anim_ms_per_frame"],
                "ms CPU",
            ),
        )
        add(
            f"animation < {TARGETS['anim_bytes_per_frame'] / 1000:g} KB per frame",
            _worst(
                figs,
                lambda f: f["bytes_per_frame"] / 1000,
                lambda f: f["figure"],
                TARGETS["anim_bytes_per_frame"] / 1000,
                "KB",
            ),
        )
    if "pages" in results:
        sec = results["pages"]
        chapters = [p for p in sec["pages"] if p["chapter"]]
        row = _worst(
            chapters,
            lambda p: p["html_bytes"] / 1e6,
            lambda p: p["page"],
            TARGETS["page_html_bytes"] / 1e6,
            "MB",
            lambda v: f"{v:.2f}",
        )
        if row and sec["missing_from_build"]:
            row[1] = "FAIL"
            row[2] = (row[2] + "; " if row[2] else "") + (
                f"{len(sec['missing_from_build'])} toc pages not built"
            )
        add(f"every chapter page < {TARGETS['page_html_bytes'] / 1e6:g} MB of HTML", row)
    if "build" in results:
        sec = results["build"]
        for key, label, limit in [
            ("clean", "clean build", TARGETS["clean_build_s"]),
            ("rebuild", "unchanged rebuild", TARGETS["rebuild_s"]),
        ]:
            r = sec[key]
            if r["n"]:
                row = _worst(
                    [r],
                    lambda x: x["wall_s"]["median"],
                    lambda x: f"{x['n']} run{'s' if x['n'] > 1 else ''}",
                    limit,
                    "s",
                )
                if not r["ok"]:
                    row[1], row[2] = "FAIL", "a build failed"
                add(f"{label} < {limit:g} s", row)
    if "notebooks" in results:
        nbs = results["notebooks"]["notebooks"]
        row = _worst(
            nbs,
            lambda n: n["wall_s"]["median"],
            lambda n: n["notebook"],
            TARGETS["notebook_s"],
            "s",
        )
        add(f"every notebook < {TARGETS['notebook_s']:g} s under nbval", row)
        failed = [n for n in nbs if not n["passed"]]
        runs = sum(n["n"] for n in nbs)
        bad = sum(n.get("failed_runs", n["n"]) for n in failed)
        names = ", ".join(n["notebook"] for n in failed)
        t.rows.append(
            [
                "every nbval run passes (a check, not a speed target)",
                f"{runs - bad} of {runs} runs passed",
                verdict(not failed),
                f"failed: {names}" if failed else "",
            ]
        )
    if "optim" in results:
        sec = results["optim"]
        add(
            f"1000-step run < {TARGETS['run_1000_ms']:g} ms",
            _worst(
                sec["run_1000"],
                lambda r: r["ms"]["median"],
                lambda r: r["case"],
                TARGETS["run_1000_ms"],
                "ms",
                lambda v: f"{v:.2f}",
            ),
        )
        ratio = sec["adam_1e6"].get("ratio")
        if ratio:
            add(
                f"Adam step on {sec['adam_1e6']['n']:,} params within "
                f"{TARGETS['adam_vs_torch']:g}x torch",
                _worst(
                    [ratio],
                    lambda r: r["median"],
                    lambda r: "descentlab/torch",
                    TARGETS["adam_vs_torch"],
                    "x",
                    lambda v: f"{v:.2f}",
                ),
            )
    return t


def all_tables(results: dict) -> list[Table]:
    out = []
    for name, make in SECTION_TABLES.items():
        if name in results:
            out.extend(make(results[name]))
    out.append(target_rows(results))
    return out


# -- rendering ---------------------------------------------------------------------------------
def render_text(t: Table) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in t.rows)) if t.rows else len(h)
        for i, h in enumerate(t.headers)
    ]
    aligns = t.aligns()

    def line(cells):
        return "  ".join(
            c.rjust(w) if a == "r" else c.ljust(w)
            for c, w, a in zip(cells, widths, aligns, strict=True)
        ).rstrip()

    out = [t.title, line(t.headers), line(["-" * w for w in widths])]
    out += [line(r) for r in t.rows]
    out += [f"  {n}" for n in t.notes]
    return "\n".join(out)


def _md_cell(s: str) -> str:
    return s.replace("|", "\\|") or " "


def render_markdown(t: Table, level: int = 3) -> str:
    aligns = t.aligns()
    out = [f"{'#' * level} {t.title}", ""]
    out.append("| " + " | ".join(_md_cell(h) for h in t.headers) + " |")
    out.append("|" + "|".join("---:" if a == "r" else ":---" for a in aligns) + "|")
    out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in t.rows]
    if t.notes:
        out.append("")
        out += [n + "\n" for n in t.notes]
    return "\n".join(out).rstrip() + "\n"


def header_lines(results: dict) -> list[str]:
    m = results["meta"]
    load = m.get("loadavg_start")
    end = m.get("loadavg_end")
    commit = (m.get("git_commit") or "unknown") + (
        " (with uncommitted changes)" if m.get("git_dirty") else ""
    )
    lines = [
        f"Measured {m['date']} at commit {commit}, on {m['cpus']} CPUs "
        f"({m['platform']}; Python {m['python']}, NumPy {m['numpy']}, "
        f"matplotlib {m['matplotlib']}).",
        f"Load average (1, 5, 15 min) at the start: {_load(load)}; at the end: {_load(end)}."
        + (
            " The machine was busy with other work: absolute times are inflated; ratios "
            "measured side by side in the same run hold better."
            if load and m.get("cpus") and load[0] > m["cpus"]
            else ""
        ),
        _section_loads(results),
        f"Sections: {', '.join(m['sections'])}"
        + (" (quick mode: fewer moves and runs)." if m.get("quick") else "."),
    ]
    return lines


def _section_loads(results: dict) -> str:
    """The 1-minute load average at the start and end of each section."""
    parts = []
    for name in SECTION_TABLES:
        la = results.get(name, {}).get("loadavg") or {}
        if la.get("start") and la.get("end"):
            parts.append(f"{name} {la['start'][0]:.1f} → {la['end'][0]:.1f}")
    return "1-minute load average during each section (start → end): " + (
        "; ".join(parts) + "." if parts else "not recorded."
    )


def _load(v) -> str:
    return "unknown" if not v else ", ".join(f"{x:.2f}" for x in v)


def markdown_report(results: dict) -> str:
    parts = ["\n\n".join(header_lines(results)), ""]
    tables = all_tables(results)
    targets = tables.pop()
    parts.append(render_markdown(targets))
    parts += [render_markdown(t) for t in tables]
    return "\n".join(parts).rstrip() + "\n"


def text_report(results: dict, sections=None) -> str:
    out = []
    for name, make in SECTION_TABLES.items():
        if name in results and (sections is None or name in sections):
            out += [render_text(t) for t in make(results[name])]
    return "\n\n".join(out)
