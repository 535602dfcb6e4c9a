"""Record reference trajectories from ``torch.optim`` for the first-order optimizer tests.

PyTorch is used only here, never by the package or its tests. To re-record (about 5 s)::

    pip install torch==2.13.0          # the CPU build; see shared/TOOLCHAIN_NOTES.md
    python scripts/record_torch_fixtures.py

It writes ``tests/fixtures/torch_optim/``:

* ``cases.json``: every case (optimizer, keyword arguments, learning-rate scheduler, problem,
  whether the objective is negated for ``maximize``) and the torch version;
* ``<optimizer>.npz``: per case, the parameters after each of the 100 steps (row 0 is the
  start), the learning rate of every step, and the final optimizer state;
* ``schedules.json``: learning rates produced by ``torch.optim.lr_scheduler`` schedulers,
  read before each optimizer step (``scheduler.step()`` called after ``optimizer.step()``).

Everything runs in float64 with the single-tensor implementation (``foreach=False``).
Gradients come from torch autograd on the two problems below; ``tests/test_optim.py``
defines the same functions in NumPy with hand-written gradients, and checks them against
the recorded first gradient.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "torch_optim"
STEPS = 100

T_MATRIX = [[1.0, 0.5, -1.0], [0.0, 2.0, 1.0]]
STARTS = {
    "rosenbrock": {"x": [-1.5, 2.0]},
    "two_arrays": {"w": [-1.2, 1.0, 0.8], "B": [[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]]},
}


def rosenbrock(p):
    """A mild Rosenbrock valley: ``(1 - x0)^2 + 10 (x1 - x0^2)^2``; one array of shape (2,)."""
    x = p["x"]
    return (1 - x[0]) ** 2 + 10 * (x[1] - x[0] ** 2) ** 2


def two_arrays(p):
    """A non-quadratic function of a vector ``w`` (3,) and a matrix ``B`` (2, 3).

    ``sum_i (1 - w_i)^2 + 5 (w_{i+1} - w_i^2)^2`` (i = 0, 1) ``+ sum log(1 + (B - T)^2)
    + 0.1 w_0^2 sum(B^2)``.
    """
    w, b = p["w"], p["B"]
    t = torch.tensor(T_MATRIX)
    chain = torch.sum((1 - w[:-1]) ** 2 + 5 * (w[1:] - w[:-1] ** 2) ** 2)
    return chain + torch.sum(torch.log1p((b - t) ** 2)) + 0.1 * w[0] ** 2 * torch.sum(b**2)


PROBLEMS = {"rosenbrock": rosenbrock, "two_arrays": two_arrays}

# (name, optimizer class name, keyword arguments, scheduler spec or None)
CASES = [
    ("sgd", "SGD", {"lr": 4e-3}, None),
    ("sgd_momentum", "SGD", {"lr": 4e-3, "momentum": 0.9}, None),
    ("sgd_dampening", "SGD", {"lr": 4e-3, "momentum": 0.9, "dampening": 0.5}, None),
    ("sgd_nesterov", "SGD", {"lr": 4e-3, "momentum": 0.8, "nesterov": True}, None),
    ("sgd_weight_decay", "SGD", {"lr": 4e-3, "momentum": 0.5, "weight_decay": 0.1}, None),
    (
        "sgd_nesterov_wd_maximize",
        "SGD",
        {"lr": 4e-3, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05, "maximize": True},
        None,
    ),
    (
        "sgd_dampening_wd",
        "SGD",
        {"lr": 4e-3, "momentum": 0.7, "dampening": 0.3, "weight_decay": 0.01},
        None,
    ),
    ("sgd_wd_maximize", "SGD", {"lr": 4e-3, "weight_decay": 0.2, "maximize": True}, None),
    ("adagrad", "Adagrad", {"lr": 0.1}, None),
    ("adagrad_lr_decay", "Adagrad", {"lr": 0.1, "lr_decay": 0.01}, None),
    (
        "adagrad_init_acc_wd",
        "Adagrad",
        {"lr": 0.1, "initial_accumulator_value": 0.5, "weight_decay": 0.05},
        None,
    ),
    (
        "adagrad_eps_maximize",
        "Adagrad",
        {"lr": 0.1, "eps": 1e-3, "lr_decay": 0.05, "maximize": True},
        None,
    ),
    ("rmsprop", "RMSprop", {"lr": 1e-2}, None),
    ("rmsprop_centered", "RMSprop", {"lr": 1e-2, "centered": True}, None),
    ("rmsprop_momentum", "RMSprop", {"lr": 1e-3, "momentum": 0.9}, None),
    (
        "rmsprop_centered_momentum_wd",
        "RMSprop",
        {"lr": 1e-3, "alpha": 0.95, "centered": True, "momentum": 0.8, "weight_decay": 0.05},
        None,
    ),
    ("rmsprop_eps_maximize", "RMSprop", {"lr": 1e-2, "eps": 1e-4, "maximize": True}, None),
    ("adam", "Adam", {"lr": 1e-2}, None),
    ("adam_amsgrad", "Adam", {"lr": 1e-2, "amsgrad": True}, None),
    ("adam_weight_decay", "Adam", {"lr": 1e-2, "weight_decay": 0.1}, None),
    (
        "adam_betas_eps_maximize",
        "Adam",
        {"lr": 1e-2, "betas": [0.8, 0.99], "eps": 1e-6, "maximize": True},
        None,
    ),
    (
        "adam_amsgrad_wd_betas",
        "Adam",
        {"lr": 1e-2, "amsgrad": True, "weight_decay": 0.05, "betas": [0.5, 0.9]},
        None,
    ),
    ("adamw", "AdamW", {"lr": 1e-2}, None),
    ("adamw_amsgrad", "AdamW", {"lr": 1e-2, "weight_decay": 0.1, "amsgrad": True}, None),
    ("adamw_maximize", "AdamW", {"lr": 1e-2, "weight_decay": 0.05, "maximize": True}, None),
    ("adamax", "Adamax", {"lr": 2e-2}, None),
    (
        "adamax_betas_eps_wd_maximize",
        "Adamax",
        {"lr": 2e-2, "betas": [0.8, 0.99], "eps": 1e-3, "weight_decay": 0.05, "maximize": True},
        None,
    ),
    ("nadam", "NAdam", {"lr": 2e-2}, None),
    (
        "nadam_betas_eps_wd_decay_maximize",
        "NAdam",
        {
            "lr": 2e-2,
            "betas": [0.8, 0.99],
            "eps": 1e-6,
            "weight_decay": 0.05,
            "momentum_decay": 0.05,
            "maximize": True,
        },
        None,
    ),
    (
        "nadam_decoupled_weight_decay",
        "NAdam",
        {"lr": 2e-2, "weight_decay": 0.1, "decoupled_weight_decay": True},
        None,
    ),
    # Some settings amplify last-bit differences (NumPy and torch round a few operations
    # differently) along the run; the cases below keep that amplification small, so that
    # the 1e-10 comparison tests the update rule rather than rounding. With the default
    # eps=1e-6, Adadelta's ratio sqrt(u + eps) / sqrt(v + eps) amplifies
    # last-bit differences about 6x per step on part of the two_arrays run (1e-16 to 1e-8
    # in ten steps), which would test rounding, not the update rule: use eps=1e-5.
    ("adadelta", "Adadelta", {"lr": 1.0, "eps": 1e-5}, None),
    (
        "adadelta_rho_eps_wd_maximize",
        "Adadelta",
        {"lr": 0.5, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.05, "maximize": True},
        None,
    ),
    (
        "sgd_momentum_steplr",
        "SGD",
        {"lr": 4e-3, "momentum": 0.9},
        {"type": "StepLR", "kwargs": {"step_size": 30, "gamma": 0.5}},
    ),
    (
        "adam_warmup_cosine",
        "Adam",
        {"lr": 2e-2},
        {
            "type": "SequentialLR",
            "schedulers": [
                {"type": "LinearLR", "kwargs": {"start_factor": 0.1, "total_iters": 10}},
                {"type": "CosineAnnealingLR", "kwargs": {"T_max": 90, "eta_min": 1e-4}},
            ],
            "milestones": [10],
        },
    ),
    (
        "rmsprop_one_cycle",
        "RMSprop",
        {"lr": 1e-2},
        {
            "type": "OneCycleLR",
            "kwargs": {"max_lr": 1e-2, "total_steps": STEPS, "cycle_momentum": False},
        },
    ),
]

# Schedules recorded on their own, for ``tests/test_schedules.py``: (name, base lr, spec).
SCHEDULES = [
    ("step", 0.1, {"type": "StepLR", "kwargs": {"step_size": 7, "gamma": 0.5}}),
    ("exponential", 0.1, {"type": "ExponentialLR", "kwargs": {"gamma": 0.93}}),
    ("cosine", 0.1, {"type": "CosineAnnealingLR", "kwargs": {"T_max": 40}}),
    (
        "cosine_past_t_max",
        0.1,
        {"type": "CosineAnnealingLR", "kwargs": {"T_max": 25, "eta_min": 1e-3}},
    ),
    ("linear", 0.1, {"type": "LinearLR", "kwargs": {"start_factor": 0.1, "total_iters": 10}}),
    (
        "linear_decay",
        0.1,
        {
            "type": "LinearLR",
            "kwargs": {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 30},
        },
    ),
    (
        "warmup_cosine",
        0.1,
        {
            "type": "SequentialLR",
            "schedulers": [
                {"type": "LinearLR", "kwargs": {"start_factor": 0.01, "total_iters": 8}},
                {"type": "CosineAnnealingLR", "kwargs": {"T_max": 52, "eta_min": 1e-4}},
            ],
            "milestones": [8],
        },
    ),
    (
        "warmup_step",
        0.1,
        {
            "type": "SequentialLR",
            "schedulers": [
                {"type": "LinearLR", "kwargs": {"start_factor": 0.25, "total_iters": 5}},
                {"type": "StepLR", "kwargs": {"step_size": 10, "gamma": 0.3}},
            ],
            "milestones": [5],
        },
    ),
    (
        "cyclic_triangular",
        0.1,
        {
            "type": "CyclicLR",
            "kwargs": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5},
        },
    ),
    (
        "cyclic_triangular2",
        0.1,
        {
            "type": "CyclicLR",
            "kwargs": {
                "base_lr": 0.01,
                "max_lr": 0.1,
                "step_size_up": 4,
                "step_size_down": 8,
                "mode": "triangular2",
            },
        },
    ),
    (
        "cyclic_exp_range",
        0.1,
        {
            "type": "CyclicLR",
            "kwargs": {
                "base_lr": 0.01,
                "max_lr": 0.1,
                "step_size_up": 6,
                "mode": "exp_range",
                "gamma": 0.97,
            },
        },
    ),
    ("one_cycle", 0.1, {"type": "OneCycleLR", "kwargs": {"max_lr": 0.5, "total_steps": 60}}),
    (
        "one_cycle_linear_three_phase",
        0.1,
        {
            "type": "OneCycleLR",
            "kwargs": {
                "max_lr": 0.5,
                "total_steps": 60,
                "pct_start": 0.25,
                "anneal_strategy": "linear",
                "three_phase": True,
                "div_factor": 10.0,
                "final_div_factor": 100.0,
            },
        },
    ),
]
SCHEDULE_STEPS = 60


def make_scheduler(optimizer, spec):
    """A torch scheduler from a JSON spec (momentum cycling off: only lr is compared)."""
    sched = torch.optim.lr_scheduler
    if spec["type"] == "SequentialLR":
        parts = [make_scheduler(optimizer, part) for part in spec["schedulers"]]
        return sched.SequentialLR(optimizer, parts, milestones=spec["milestones"])
    kwargs = dict(spec["kwargs"])
    if spec["type"] in ("CyclicLR", "OneCycleLR"):
        kwargs.setdefault("cycle_momentum", False)
    return getattr(sched, spec["type"])(optimizer, **kwargs)


def record_case(name, opt_name, kwargs, spec, problem):
    negate = bool(kwargs.get("maximize", False))
    params = {k: torch.tensor(v, requires_grad=True) for k, v in STARTS[problem].items()}
    torch_kwargs = {k: tuple(v) if k == "betas" else v for k, v in kwargs.items()}
    optimizer = getattr(torch.optim, opt_name)(params.values(), foreach=False, **torch_kwargs)
    scheduler = None if spec is None else make_scheduler(optimizer, spec)
    path = {k: [v.detach().numpy().copy()] for k, v in params.items()}
    lrs = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = PROBLEMS[problem](params)
        (-loss if negate else loss).backward()
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        for k, v in params.items():
            path[k].append(v.detach().numpy().copy())
    arrays = {f"{name}/{problem}/params/{k}": np.array(v) for k, v in path.items()}
    arrays[f"{name}/{problem}/lr"] = np.array(lrs)
    for k, p in params.items():
        for field, value in optimizer.state[p].items():
            if field != "step" and torch.is_tensor(value):
                arrays[f"{name}/{problem}/state/{field}/{k}"] = value.numpy().copy()
    for values in arrays.values():
        assert np.all(np.isfinite(values)), f"{name} on {problem} is not finite"
    return arrays, negate


def first_gradients():
    grads = {}
    for problem, start in STARTS.items():
        params = {k: torch.tensor(v, requires_grad=True) for k, v in start.items()}
        PROBLEMS[problem](params).backward()
        for k, v in params.items():
            grads[f"{problem}/{k}"] = v.grad.numpy().tolist()
    return grads


def record_schedules():
    out = {}
    for name, base_lr, spec in SCHEDULES:
        param = torch.zeros(1, requires_grad=True)
        optimizer = torch.optim.SGD([param], lr=base_lr)
        scheduler = make_scheduler(optimizer, spec)
        lrs = []
        for _ in range(SCHEDULE_STEPS):
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
        out[name] = {"base_lr": base_lr, "spec": spec, "lrs": lrs}
    return out


def main() -> None:
    torch.set_default_dtype(torch.float64)
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = {
        "torch_version": torch.__version__,
        "steps": STEPS,
        "starts": STARTS,
        "t_matrix": T_MATRIX,
        "first_gradients": first_gradients(),
        "cases": [],
    }
    per_optimizer: dict[str, dict[str, np.ndarray]] = {}
    for name, opt_name, kwargs, spec in CASES:
        for problem in PROBLEMS:
            arrays, negate = record_case(name, opt_name, kwargs, spec, problem)
            per_optimizer.setdefault(opt_name.lower(), {}).update(arrays)
        manifest["cases"].append(
            {
                "name": name,
                "optimizer": opt_name,
                "kwargs": kwargs,
                "schedule": spec,
                "negate": negate,
                "file": f"{opt_name.lower()}.npz",
            }
        )
    for file_stem, arrays in per_optimizer.items():
        np.savez_compressed(OUT / f"{file_stem}.npz", **arrays)
    (OUT / "cases.json").write_text(json.dumps(manifest, indent=1) + "\n")
    schedules = {"torch_version": torch.__version__, "schedules": record_schedules()}
    (OUT / "schedules.json").write_text(json.dumps(schedules, indent=1) + "\n")
    total = sum(f.stat().st_size for f in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files, {total / 1024:.0f} KiB, to {OUT}")


if __name__ == "__main__":
    main()
