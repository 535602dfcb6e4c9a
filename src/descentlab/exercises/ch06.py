"""Checkers for chapter 6, "How does the learning rate affect parameter updates?"."""

from __future__ import annotations

import numpy as np

from .. import schedules
from ._report import Report


def reference_warmup_cosine(lr, warmup_steps, total_steps, eta_min=0.0, start_factor=0.1):
    """The package's linear warm-up followed by cosine annealing, for comparison."""
    cosine = schedules.cosine_annealing(lr, T_max=total_steps - warmup_steps, eta_min=eta_min)
    return schedules.linear_warmup(cosine, warmup_steps, start_factor=start_factor)


def check_warmup_cosine(fn, verbose: bool = True) -> bool:
    """Check ``fn(lr, warmup_steps, total_steps, eta_min, start_factor) -> schedule``.

    ``schedule(t)`` is the learning rate of update number ``t + 1`` (``t`` counts from 0,
    as in :mod:`descentlab.schedules`). With :math:`W` = ``warmup_steps``, :math:`N` =
    ``total_steps``, :math:`s` = ``start_factor``:

    .. math::
        \\eta_t = \\text{lr}\\,\\bigl(s + (1 - s)\\,t / W\\bigr) \\quad (t < W), \\qquad
        \\eta_t = \\eta_{\\min} + \\tfrac12(\\text{lr} - \\eta_{\\min})
                  \\bigl(1 + \\cos(\\pi (t - W) / (N - W))\\bigr) \\quad (W \\le t \\le N).

    That is ``schedules.linear_warmup(schedules.cosine_annealing(lr, T_max=N - W,
    eta_min=eta_min), W, start_factor=s)``, compared at every ``t`` from 0 to ``N``.
    """
    report = Report("check_warmup_cosine", verbose)
    cases = [
        (0.1, 10, 100, 0.0, 0.1),
        (3e-4, 5, 40, 1e-5, 0.5),
        (1.0, 1, 12, 0.0, 0.25),
    ]
    for lr, warmup, total, eta_min, start in cases:
        label = f"lr={lr:g}, warmup={warmup}, total={total}, eta_min={eta_min:g}, start={start:g}"
        try:
            schedule = fn(lr, warmup, total, eta_min, start)
            got = np.array([float(schedule(t)) for t in range(total + 1)])
        except Exception as exc:  # the reader's code may raise anything
            report.check(False, f"{label}: runs without raising", f"{type(exc).__name__}: {exc}")
            continue
        ref = reference_warmup_cosine(lr, warmup, total, eta_min, start)
        want = np.array([ref(t) for t in range(total + 1)])

        tol = 1e-12 * lr
        if np.allclose(got, want, rtol=1e-9, atol=tol):
            report.check(True, f"{label}: matches the package at every step 0..{total}")
            continue
        # Say what is wrong, most basic mistake first.
        wrong = ~np.isclose(got, want, rtol=1e-9, atol=tol)
        if wrong[0]:
            report.check(False, f"{label}: first rate", f"schedule(0) = {got[0]:.6g}, expected "
                         f"start_factor * lr = {start * lr:.6g}")
        elif wrong[:warmup].any():
            t = int(np.argmax(wrong[:warmup]))
            report.check(False, f"{label}: warm-up ramp", f"schedule({t}) = {got[t]:.6g}, "
                         f"expected {want[t]:.6g}; the ramp should reach lr at t = warmup_steps, "
                         "not before (use t / warmup_steps)")
        elif wrong[warmup]:
            report.check(False, f"{label}: peak", f"schedule({warmup}) = {got[warmup]:.6g}, "
                         f"expected lr = {lr:g} right after the warm-up")
        elif wrong[total]:
            report.check(False, f"{label}: end", f"schedule({total}) = {got[total]:.6g}, "
                         f"expected eta_min = {eta_min:g}; the cosine should last "
                         "total_steps - warmup_steps updates")
        else:
            t = int(np.argmax(wrong))
            report.check(False, f"{label}: cosine", f"first difference at t = {t}: got "
                         f"{got[t]:.6g}, expected {want[t]:.6g}")
    return report.finish()
