"""Summary statistics, timed subprocesses and facts about the machine, for benchmarks/run.py."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def summarize(samples) -> dict:
    """Median, 95th percentile, min and max of a list of numbers (same unit as the samples)."""
    a = np.asarray(list(samples), dtype=float)
    if a.size == 0:
        return {"n": 0, "median": None, "p95": None, "min": None, "max": None}
    return {
        "n": int(a.size),
        "median": float(np.median(a)),
        "p95": float(np.percentile(a, 95)),
        "min": float(a.min()),
        "max": float(a.max()),
    }


def loadavg() -> list[float] | None:
    """The 1-, 5- and 15-minute load averages, or None where the OS does not say."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def machine_facts() -> dict:
    """Where and when the figures were taken: date, commit, load, CPUs, library versions."""
    import matplotlib

    status = git("status", "--porcelain")
    return {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "--short=12", "HEAD"),
        "git_dirty": bool(status) if status is not None else None,
        "cpus": os.cpu_count(),
        "loadavg_start": loadavg(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "matplotlib": matplotlib.__version__,
        "platform": platform.platform(),
    }


def timed_command(cmd, *, cwd, env=None, timeout=None, log: Path | None = None) -> dict:
    """Run ``cmd`` as a whole process: wall seconds, CPU seconds of it and its children.

    CPU time is the change of ``RUSAGE_CHILDREN`` (user + system) across the run, so it
    includes every descendant the command waited for (kernels started by a build, say).
    Output goes to ``log`` when given (else it is discarded, its last lines kept on failure).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [str(c) for c in cmd],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
        )
        returncode, output = proc.returncode, proc.stdout
    except subprocess.TimeoutExpired as e:
        returncode, output = "timeout", e.stdout or b""
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    text = _ANSI.sub("", output.decode("utf-8", "replace"))
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(text, encoding="utf-8")
    result = {"wall_s": wall, "cpu_s": cpu, "returncode": returncode}
    if returncode != 0:
        result["output_tail"] = "\n".join(text.splitlines()[-15:])
    return result


def tool(name: str) -> str:
    """A console script of the running interpreter's environment (e.g. jupyter-book)."""
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else name


def child_env(**extra: str) -> dict:
    """The environment for child processes: this venv first on PATH, the live figure face."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("DESCENTLAB_FIGURE_FACE", None)
    env.update(extra)
    return env
