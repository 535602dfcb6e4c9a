"""Benchmark the optimizers: print timings (a script, not a test).

    python benchmarks/bench_optim.py                                      # about 30 s
    python benchmarks/bench_optim.py --json benchmarks/results/optim.json  # also as JSON

(``benchmarks/results/`` is git-ignored.)

Three measurements:

1. Cost of ``opt.step`` on a 2-D problem (the book's surfaces): microseconds per step in
   1000-step runs with a fixed gradient, and the total time of a 1000-step run that also
   computes the gradient of a quadratic; median (and min) over repeated runs, in wall-clock
   and CPU time. If PyTorch is importable, ``torch.optim`` on a 2-element tensor is timed
   alongside (``foreach=False``).
2. One Adam step on 10^6 float32 parameters, against ``torch.optim.Adam(foreach=True)``:
   median, min and max of repeated steps.
3. The memory-bandwidth bound of that Adam step: it must read parameters, gradient and the
   two moments and write parameters and moments, 7 arrays x 4 bytes per parameter. The
   bandwidth is measured with a large ``np.copyto`` (bytes read + written per second).

On a shared machine other processes inflate the wall-clock medians (torch's worker threads
suffer most from contention): compare the min and CPU-time columns, or use a quiet machine.
CPU time is this process's, summed over its threads (torch uses two or more for 10^6 values).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from descentlab import optim  # noqa: E402
from descentlab.optim import base as optim_base  # noqa: E402

try:
    import torch
except ImportError:  # torch is optional: only for the side-by-side figures
    torch = None

SMALL_CASES = {
    "SGD": (optim.SGD(lr=0.01), {"lr": 0.01}),
    "SGD momentum": (optim.SGD(lr=0.01, momentum=0.9), {"lr": 0.01, "momentum": 0.9}),
    "SGD nesterov": (
        optim.SGD(lr=0.01, momentum=0.9, nesterov=True),
        {"lr": 0.01, "momentum": 0.9, "nesterov": True},
    ),
    "Adagrad": (optim.Adagrad(lr=0.1), {"lr": 0.1}),
    "RMSprop": (optim.RMSprop(lr=0.01), {"lr": 0.01}),
    "RMSprop centered+momentum": (
        optim.RMSprop(lr=0.01, centered=True, momentum=0.9),
        {"lr": 0.01, "centered": True, "momentum": 0.9},
    ),
    "Adam": (optim.Adam(lr=0.01), {"lr": 0.01}),
    "Adam amsgrad": (optim.Adam(lr=0.01, amsgrad=True), {"lr": 0.01, "amsgrad": True}),
    "AdamW": (optim.AdamW(lr=0.01), {"lr": 0.01}),
    "NAdam": (optim.NAdam(lr=0.01), {"lr": 0.01}),
    "clip+Adam (chain)": (optim.chain(optim.clip_by_global_norm(1.0), optim.Adam(lr=0.01)), None),
}
TORCH_CLASS = {
    "SGD": "SGD",
    "Adagrad": "Adagrad",
    "RMSprop": "RMSprop",
    "Adam": "Adam",
    "NAdam": "NAdam",
}


def time_small(opt, steps=1000, repeats=15, clock=time.perf_counter):
    """(us/step with a fixed gradient, ms per ``steps`` steps that also compute a gradient),
    one entry per repeat, timed with ``clock`` (``time.process_time`` for CPU time)."""
    h = np.array([1.0, 10.0])
    g = np.array([0.3, -0.2])
    per_step, full = [], []
    for _ in range(repeats):
        x, state = np.array([1.0, 1.0]), opt.init(np.array([1.0, 1.0]))
        start = clock()
        for _ in range(steps):
            x, state = opt.step(x, g, state)
        per_step.append((clock() - start) / steps * 1e6)
        x, state = np.array([1.0, 1.0]), opt.init(np.array([1.0, 1.0]))
        start = clock()
        for _ in range(steps):
            x, state = opt.step(x, h * x, state)
        full.append((clock() - start) * 1e3)
    return per_step, full


def time_small_torch(name, kwargs, steps=1000, repeats=7, clock=time.perf_counter):
    """us/step of ``torch.optim`` on a 2-element float64 tensor, one entry per repeat."""
    cls = next(v for k, v in TORCH_CLASS.items() if name.startswith(k))
    if name.startswith("AdamW"):
        cls = "AdamW"
    p = torch.nn.Parameter(torch.tensor([1.0, 1.0], dtype=torch.float64))
    p.grad = torch.tensor([0.3, -0.2], dtype=torch.float64)
    opt = getattr(torch.optim, cls)([p], foreach=False, **kwargs)
    times = []
    for _ in range(repeats):
        start = clock()
        for _ in range(steps):
            opt.step()
        times.append((clock() - start) / steps * 1e6)
    return times


def _med_min(values):
    return f"{statistics.median(values):.2f} ({min(values):.2f})"


def summarize(samples_s):
    ms = [s * 1e3 for s in samples_s]
    return {"median_ms": statistics.median(ms), "min_ms": min(ms), "max_ms": max(ms)}


def time_large_adam(n=10**6, repeats=40, one_thread=False):
    """Adam steps on ``n`` float32 parameters; ``one_thread`` switches off the update in
    pieces on several threads (``descentlab.optim.base.PARALLEL_MIN_SIZE``)."""
    if one_thread:
        saved, optim_base.PARALLEL_MIN_SIZE = optim_base.PARALLEL_MIN_SIZE, n + 1
        try:
            return time_large_adam(n, repeats)
        finally:
            optim_base.PARALLEL_MIN_SIZE = saved
    rng = np.random.default_rng(0)
    params = rng.standard_normal(n).astype(np.float32)
    grads = rng.standard_normal(n).astype(np.float32)
    opt = optim.Adam(lr=1e-3)
    state = opt.init(params)
    for _ in range(3):  # warm up the allocator
        params, state = opt.step(params, grads, state)
    samples, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        params, state = opt.step(params, grads, state)
        samples.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return summarize(samples) | {"cpu_median_ms": statistics.median(cpu) * 1e3}


def time_large_torch_adam(n=10**6, repeats=40):
    p = torch.nn.Parameter(torch.randn(n, dtype=torch.float32))
    p.grad = torch.randn(n, dtype=torch.float32)
    opt = torch.optim.Adam([p], lr=1e-3, foreach=True)
    for _ in range(3):
        opt.step()
    samples, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        opt.step()
        samples.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return summarize(samples) | {"cpu_median_ms": statistics.median(cpu) * 1e3}


def copy_bandwidth(nbytes=256 * 2**20, repeats=5):
    """Bytes read + written per second by np.copyto on arrays far larger than the caches."""
    src = np.ones(nbytes // 8)
    dst = np.zeros_like(src)
    np.copyto(dst, src)
    best = min(_timed_copy(dst, src) for _ in range(repeats))
    return 2 * nbytes / best


def _timed_copy(dst, src):
    start = time.perf_counter()
    np.copyto(dst, src)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args()
    results = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": None if torch is None else torch.__version__,
        "machine": platform.machine(),
        "small": {},
    }

    print("1. opt.step on a 2-D problem (float64): median (min) over repeated 1000-step runs")
    print("   wall = wall clock; cpu = this process's CPU time (robust to a busy machine)")
    header = f"{'optimizer':26s} {'wall us/step':>14s} {'cpu us/step':>14s} {'ms/1000+grad':>14s}"
    print(header + ("" if torch is None else f" {'torch wall':>16s} {'torch cpu':>16s}"))
    for name, (opt, torch_kwargs) in SMALL_CASES.items():
        wall, full = time_small(opt)
        cpu, _ = time_small(opt, clock=time.process_time)
        row = {
            "us_per_step": statistics.median(wall),
            "us_per_step_min": min(wall),
            "cpu_us_per_step": statistics.median(cpu),
            "cpu_us_per_step_min": min(cpu),
            "ms_per_1000_steps_with_grad": statistics.median(full),
            "ms_per_1000_steps_with_grad_min": min(full),
        }
        line = f"{name:26s} {_med_min(wall):>14s} {_med_min(cpu):>14s} {_med_min(full):>14s}"
        if torch is not None and torch_kwargs is not None:
            torch_wall = time_small_torch(name, torch_kwargs)
            torch_cpu = time_small_torch(name, torch_kwargs, clock=time.process_time)
            row["torch_us_per_step"] = statistics.median(torch_wall)
            row["torch_us_per_step_min"] = min(torch_wall)
            row["torch_cpu_us_per_step"] = statistics.median(torch_cpu)
            line += f" {_med_min(torch_wall):>16s} {_med_min(torch_cpu):>16s}"
        results["small"][name] = row
        print(line)

    print("\n2. One Adam step on 10^6 float32 parameters: wall median [min, max] over 40 steps")
    ours = time_large_adam()
    results["adam_1e6"] = {"descentlab": ours}
    spread = f"[{ours['min_ms']:.3f}, {ours['max_ms']:.3f}]"
    print(
        f"   descentlab            {ours['median_ms']:.3f} ms {spread}"
        f"  cpu {ours['cpu_median_ms']:.3f} ms (summed over {optim_base._workers()} threads)"
    )
    single = time_large_adam(one_thread=True)
    results["adam_1e6"]["descentlab_1thread"] = single
    print(f"   descentlab, 1 thread  {single['median_ms']:.3f} ms")
    if torch is not None:
        theirs = time_large_torch_adam()
        results["adam_1e6"]["torch_foreach"] = theirs
        results["adam_1e6"]["torch_threads"] = torch.get_num_threads()
        ratio = ours["median_ms"] / theirs["median_ms"]
        results["adam_1e6"]["ratio_to_torch"] = ratio
        print(
            f"   torch (foreach=True)  {theirs['median_ms']:.3f} ms "
            f"[{theirs['min_ms']:.3f}, {theirs['max_ms']:.3f}]  cpu {theirs['cpu_median_ms']:.3f}"
            f" ms (summed over {torch.get_num_threads()} threads); "
            f"median descentlab/torch = {ratio:.2f}"
        )

    bandwidth = copy_bandwidth()
    bound_ms = 7 * 4 * 10**6 / bandwidth * 1e3
    results["bandwidth_GB_per_s"] = bandwidth / 1e9
    results["adam_1e6_bandwidth_bound_ms"] = bound_ms
    print(
        f"\n3. Memory bandwidth (np.copyto, read + write): {bandwidth / 1e9:.1f} GB/s; "
        f"Adam on 10^6 float32 moves 7 x 4 MB = 28 MB: bound {bound_ms:.3f} ms"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
