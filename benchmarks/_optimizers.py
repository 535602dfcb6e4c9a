"""Section 6: optimizer step cost, reusing benchmarks/bench_optim.py's timers.

* µs per ``opt.step`` on a 2-D problem for every optimizer of ``bench_optim.SMALL_CASES``
  (and ``torch.optim`` on a 2-element tensor alongside, where torch is importable);
* one Adam step on 10^6 float32 parameters against ``torch.optim.Adam(foreach=True)``,
  in alternating rounds (ours, then torch, ...): the ratio is taken round by round, so
  both sides of each ratio saw the same machine load;
* a whole 1000-step ``descentlab.run.run`` of every optimizer on Rosenbrock
  (``tol=0``, so it never stops early; the default ``record_state=True``).
"""

from __future__ import annotations

import statistics
import time

import bench_optim
import numpy as np
from _stats import summarize

from descentlab import optim, surfaces
from descentlab.run import run

#: Every optimizer, with settings that neither diverge nor converge within 1000 steps from
#: Rosenbrock's start (-1.2, 1), so every run takes all its steps (the table shows it).
RUN_CASES = {
    "SGD (lr=0.001)": optim.SGD(lr=0.001),
    "SGD momentum": optim.SGD(lr=0.001, momentum=0.9),
    "SGD nesterov": optim.SGD(lr=0.001, momentum=0.9, nesterov=True),
    "Adagrad": optim.Adagrad(lr=0.1),
    "RMSprop": optim.RMSprop(lr=0.01),
    "RMSprop centered+momentum": optim.RMSprop(lr=0.001, centered=True, momentum=0.9),
    "Adam (lr=0.01)": optim.Adam(lr=0.01),
    "Adam amsgrad": optim.Adam(lr=0.01, amsgrad=True),
    "AdamW": optim.AdamW(lr=0.01),
    "Adamax": optim.Adamax(lr=0.01),
    "Adadelta": optim.Adadelta(lr=1.0),
    "NAdam": optim.NAdam(lr=0.01),
    "clip+Adam (chain)": optim.chain(optim.clip_by_global_norm(1.0), optim.Adam(lr=0.01)),
}


def time_runs_1000(cases: dict, *, steps: int = 1000, repeats: int = 20) -> list[dict]:
    """Wall and CPU ms of a whole ``run`` on Rosenbrock (``tol=0``: never stops early), per case.

    The cases take turns, one run each per round, so that a slow spell of the machine (other
    processes, or other virtual machines on the same host) falls on every case alike rather
    than on whichever was being timed.
    """
    surface = surfaces.Rosenbrock()
    for opt in cases.values():
        run(opt, surface, steps=steps, tol=0.0)  # warm up
    samples = {name: ([], []) for name in cases}
    status = {}
    for _ in range(repeats):
        for name, opt in cases.items():
            t0, c0 = time.perf_counter(), time.process_time()
            traj = run(opt, surface, steps=steps, tol=0.0)
            samples[name][0].append((time.perf_counter() - t0) * 1e3)
            samples[name][1].append((time.process_time() - c0) * 1e3)
            status[name] = (traj.status, traj.n_steps)
    return [
        {
            "case": name,
            "ms": summarize(wall),
            "cpu_ms": summarize(cpu),
            "status": status[name][0],
            "n_steps": status[name][1],
        }
        for name, (wall, cpu) in samples.items()
    ]


def adam_1e6(n: int, *, rounds: int, steps: int) -> dict:
    """Rounds of: ours, ours on one thread, torch (its default threads), torch on one
    thread; ratios to torch per round.

    The one-thread run is context: on a busy machine torch's thread pool waits for cores
    that other processes hold, so its default setting suffers from load more than ours.
    """
    ours, ours1, theirs, single, ratios, ratios1 = [], [], [], [], [], []
    torch = bench_optim.torch
    threads = torch.get_num_threads() if torch is not None else None
    for _ in range(rounds):
        a = bench_optim.time_large_adam(n=n, repeats=steps)
        ours.append(a)
        ours1.append(bench_optim.time_large_adam(n=n, repeats=steps, one_thread=True))
        if torch is None:
            continue
        b = bench_optim.time_large_torch_adam(n=n, repeats=steps)
        theirs.append(b)
        ratios.append(a["median_ms"] / b["median_ms"])
        if threads > 1 and hasattr(torch, "set_num_threads"):
            torch.set_num_threads(1)
            try:
                c = bench_optim.time_large_torch_adam(n=n, repeats=steps)
            finally:
                torch.set_num_threads(threads)
            single.append(c)
            ratios1.append(a["median_ms"] / c["median_ms"])

    def merged(rows):
        return {
            "median": statistics.median(r["median_ms"] for r in rows),
            "min": min(r["min_ms"] for r in rows),
            "max": max(r["max_ms"] for r in rows),
            "rounds": len(rows),
            "steps_per_round": steps,
        }

    out = {
        "n": n,
        "descentlab_ms": merged(ours),
        "descentlab_threads": bench_optim.optim_base._workers(),
        "descentlab_1thread_ms": merged(ours1),
    }
    if torch is not None:
        out["torch_ms"] = merged(theirs)
        out["torch_threads"] = threads
        out["ratio"] = summarize(ratios)
        if single:
            out["torch_1thread_ms"] = merged(single)
            out["ratio_1thread"] = summarize(ratios1)
    return out


#: Sizes of the section: ``quick`` for --quick, ``full`` otherwise.
PRESETS = {
    "full": {
        "steps": 1000,
        "repeats": 7,
        "n": 10**6,
        "rounds": 5,
        "round_steps": 20,
        "copy_mb": 256,
        "run_repeats": 20,
        "cases": None,
    },
    "quick": {
        "steps": 200,
        "repeats": 3,
        "n": 10**6,
        "rounds": 2,
        "round_steps": 5,
        "copy_mb": 64,
        "run_repeats": 5,
        "cases": None,
    },
}


def measure_optimizers(*, quick: bool = False, log=print) -> dict:
    p = PRESETS["quick" if quick else "full"]
    steps, repeats = p["steps"], p["repeats"]
    torch = bench_optim.torch
    small = []
    for name, (opt, torch_kwargs) in bench_optim.SMALL_CASES.items():
        if p["cases"] is not None and name not in p["cases"]:
            continue
        log(f"  2-D step: {name}")
        us, _ = bench_optim.time_small(opt, steps=steps, repeats=repeats)
        row = {"optimizer": name, "us_per_step": summarize(us)}
        if torch is not None and torch_kwargs is not None:
            row["torch_us_per_step"] = summarize(
                bench_optim.time_small_torch(name, torch_kwargs, steps=steps, repeats=repeats)
            )
        small.append(row)
    log(f"  Adam on {p['n']:,} parameters")
    big = adam_1e6(p["n"], rounds=p["rounds"], steps=p["round_steps"])
    bandwidth = bench_optim.copy_bandwidth(nbytes=p["copy_mb"] * 2**20, repeats=3)
    big["bandwidth_GB_per_s"] = bandwidth / 1e9
    big["bandwidth_bound_ms"] = 7 * 4 * big["n"] / bandwidth * 1e3
    log(f"  run(): {len(RUN_CASES)} optimizers, taking turns")
    runs = time_runs_1000(RUN_CASES, repeats=p["run_repeats"])
    return {
        "torch": None if torch is None else torch.__version__,
        "numpy": np.__version__,
        "small": {"steps": steps, "repeats": repeats, "rows": small},
        "adam_1e6": big,
        "run_1000": runs,
    }
