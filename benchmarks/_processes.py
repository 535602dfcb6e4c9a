"""Whole-process timings: the book build (clean and unchanged) and each notebook under nbval.

The build is timed in a scratch copy of the working tree, so the real ``_build`` (which
others may be reading) is never deleted. The copy's own ``src`` is put first on the
kernels' ``PYTHONPATH``, so the copy builds with its own package.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

from _stats import child_env, summarize, timed_command, tool

#: Not copied into the scratch tree: builds, caches, environments, results.
_IGNORE = shutil.ignore_patterns(
    "_build",
    ".git",
    ".venv",
    "venv",
    ".ci-venv",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".ipynb_checkpoints",
    ".jupyter_cache",
    "__pycache__",
    "*.egg-info",
    "test-artifacts",
    "results",
)

BUILD_COMMAND = ("jupyter-book", "build", ".", "-W")


def scratch_copy(root: Path, dest: Path | None = None) -> Path:
    """A copy of the working tree (tracked and untracked files, no builds or caches)."""
    dest = Path(dest) if dest else Path(tempfile.mkdtemp(prefix="descentlab-bench-")) / "repo"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(root, dest, ignore=_IGNORE, symlinks=True)
    return dest


def _executed(log: Path) -> int:
    """How many notebooks a build log says were executed (myst-nb logs one line each)."""
    if not log.exists():
        return 0
    text = log.read_text(encoding="utf-8", errors="replace")
    return len(re.findall(r"Executed notebook in", text))


def _build_cmd() -> list[str]:
    return [tool(BUILD_COMMAND[0]), *BUILD_COMMAND[1:]]


def _runs_summary(runs: list[dict]) -> dict:
    ok = [r for r in runs if r["returncode"] == 0]
    return {
        "runs": runs,
        "n": len(runs),
        "ok": len(ok) == len(runs),
        "wall_s": summarize(r["wall_s"] for r in runs),
        "cpu_s": summarize(r["cpu_s"] for r in runs),
    }


def measure_build(
    root: Path,
    *,
    clean_runs: int = 1,
    rebuild_runs: int = 3,
    scratch: Path | None = None,
    logs: Path,
    timeout: float = 1800,
    log=print,
) -> dict:
    """Clean builds (``_build`` removed first) then unchanged rebuilds of a scratch copy."""
    copy = scratch_copy(root, scratch)
    env = child_env(PYTHONPATH=str(copy / "src"))
    cmd = _build_cmd()
    clean, rebuild = [], []
    for i in range(clean_runs):
        shutil.rmtree(copy / "_build", ignore_errors=True)
        log(f"  clean build {i + 1}/{clean_runs} in {copy}")
        path = logs / f"build-clean-{i + 1}.log"
        r = timed_command(cmd, cwd=copy, env=env, timeout=timeout, log=path)
        clean.append({**r, "log": str(path), "executed_notebooks": _executed(path)})
    for i in range(rebuild_runs):
        log(f"  unchanged rebuild {i + 1}/{rebuild_runs}")
        path = logs / f"build-rebuild-{i + 1}.log"
        r = timed_command(cmd, cwd=copy, env=env, timeout=timeout, log=path)
        rebuild.append({**r, "log": str(path), "executed_notebooks": _executed(path)})
    return {
        "command": " ".join(BUILD_COMMAND),
        "scratch": str(copy),
        "html_dir": str(copy / "_build" / "html"),
        "clean": _runs_summary(clean),
        "rebuild": _runs_summary(rebuild),
    }


def ensure_build(root: Path, *, log=print, timeout: float = 1800) -> dict | None:
    """Build ``root`` (``jupyter-book build . -W -q``) if it has no ``_build/html`` yet."""
    if (root / "_build" / "html" / "index.html").exists():
        return None
    log(f"  no build in {root}: building it")
    return timed_command([*_build_cmd(), "-q"], cwd=root, env=child_env(), timeout=timeout)


def nbval_command(notebook: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        "--nbval-current-env",
        "-p",
        "no:cacheprovider",
        notebook,
    ]


def measure_notebooks(
    root: Path, notebooks: list[Path], *, runs: int = 3, timeout: float = 600, log=print
) -> dict:
    """Each notebook as nbval runs it, as a whole process, ``runs`` times (round robin)."""
    rows = {nb.stem: [] for nb in notebooks}
    for i in range(runs):
        for nb in notebooks:
            log(f"  nbval {nb.name} ({i + 1}/{runs})")
            rel = nb.relative_to(root).as_posix()
            rows[nb.stem].append(
                timed_command(nbval_command(rel), cwd=root, env=child_env(), timeout=timeout)
            )
    out = []
    for nb in notebooks:
        r = _runs_summary(rows[nb.stem])
        failed = [x for x in r["runs"] if x["returncode"] != 0]
        out.append(
            {
                "notebook": nb.relative_to(root).as_posix(),
                "n": r["n"],
                "passed": not failed,
                "failed_runs": len(failed),
                "wall_s": r["wall_s"],
                "cpu_s": r["cpu_s"],
                "failure": failed[0].get("output_tail") if failed else None,
            }
        )
    return {"command": " ".join(nbval_command("book/X.ipynb")[1:]), "runs": runs, "notebooks": out}
