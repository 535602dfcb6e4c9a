"""Helpers for the tests that compare with recorded ``torch.optim`` runs (no torch needed).

The fixtures in ``tests/fixtures/torch_optim`` are written by
``scripts/record_torch_fixtures.py``; the two objectives below are NumPy versions (with
hand-written gradients) of the ones defined there with torch autograd.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from descentlab import optim, schedules

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "torch_optim"


@cache
def manifest() -> dict:
    return json.loads((FIXTURES / "cases.json").read_text())


@cache
def recorded_arrays(file_name: str) -> dict[str, np.ndarray]:
    with np.load(FIXTURES / file_name) as data:
        return {key: data[key] for key in data.files}


@cache
def recorded_schedules() -> dict:
    return json.loads((FIXTURES / "schedules.json").read_text())["schedules"]


def rosenbrock(x: np.ndarray) -> tuple[float, np.ndarray]:
    """``(1 - x0)^2 + 10 (x1 - x0^2)^2`` and its gradient."""
    a, b = x
    value = (1 - a) ** 2 + 10 * (b - a * a) ** 2
    grad = np.array([-2 * (1 - a) - 40 * a * (b - a * a), 20 * (b - a * a)])
    return value, grad


def two_arrays(p: dict) -> tuple[float, dict]:
    """``sum_i (1 - w_i)^2 + 5 (w_{i+1} - w_i^2)^2 + sum log(1 + (B - T)^2) + 0.1 w0^2 |B|^2``."""
    w, b = p["w"], p["B"]
    t = np.array(manifest()["t_matrix"])
    r = w[1:] - w[:-1] ** 2
    value = np.sum((1 - w[:-1]) ** 2 + 5 * r**2) + np.sum(np.log1p((b - t) ** 2))
    value += 0.1 * w[0] ** 2 * np.sum(b**2)
    grad_w = np.zeros_like(w)
    grad_w[:-1] += -2 * (1 - w[:-1]) - 20 * w[:-1] * r
    grad_w[1:] += 10 * r
    grad_w[0] += 0.2 * w[0] * np.sum(b**2)
    grad_b = 2 * (b - t) / (1 + (b - t) ** 2) + 0.2 * w[0] ** 2 * b
    return value, {"w": grad_w, "B": grad_b}


PROBLEMS = {"rosenbrock": rosenbrock, "two_arrays": two_arrays}


def start(problem: str):
    """The recorded start: one array for ``rosenbrock``, a dict for ``two_arrays``."""
    values = {k: np.array(v, dtype=np.float64) for k, v in manifest()["starts"][problem].items()}
    return values["x"] if problem == "rosenbrock" else values


def as_dict(params) -> dict:
    """Parameters keyed as in the fixtures (the single array is called ``x``)."""
    return params if isinstance(params, dict) else {"x": params}


def build_schedule(spec: dict, lr: float):
    """Our schedule equivalent to a recorded ``torch.optim.lr_scheduler`` spec."""
    kind, kwargs = spec["type"], dict(spec.get("kwargs", {}))
    kwargs.pop("cycle_momentum", None)
    if kind == "SequentialLR":
        parts = [build_schedule(part, lr) for part in spec["schedulers"]]
        return schedules.sequential(parts, spec["milestones"])
    if kind == "CyclicLR":
        return schedules.cyclic(**kwargs)
    if kind == "OneCycleLR":
        return schedules.one_cycle(**kwargs)
    by_name = {
        "StepLR": schedules.step_decay,
        "ExponentialLR": schedules.exponential_decay,
        "CosineAnnealingLR": schedules.cosine_annealing,
        "LinearLR": schedules.linear,
    }
    return by_name[kind](lr, **kwargs)


def make_optimizer(case: dict):
    """Our optimizer for a recorded case (its torch class name, keyword arguments, schedule)."""
    kwargs = {k: tuple(v) if k == "betas" else v for k, v in case["kwargs"].items()}
    if case["schedule"] is not None:
        kwargs["lr"] = build_schedule(case["schedule"], kwargs["lr"])
    return getattr(optim, case["optimizer"])(**kwargs)
