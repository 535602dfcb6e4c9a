"""Checkers for chapter 5, "What are some common optimization algorithms used for parameter
updates?"."""

from __future__ import annotations

import numpy as np

from ..optim import RMSprop
from ._report import Report


def _gradient_sequences() -> dict[str, list[np.ndarray]]:
    """Gradient sequences with known trouble spots for an RMSprop step.

    * mixed scales: coordinates whose gradients differ by eight orders of magnitude;
    * alternating signs: the running average of the *gradient* is near zero, that of the
      *squared* gradient is not;
    * tiny gradients: with gradients near ``eps``, adding ``eps`` inside the square root
      gives a visibly different step than adding it outside.
    """
    rng = np.random.default_rng(5)
    mixed = [rng.normal(size=3) * np.array([1e-4, 1.0, 1e4]) for _ in range(12)]
    alternating = [np.array([1.0, -2.0]) * (-1.0) ** t for t in range(12)]
    tiny = [rng.normal(size=4) * 1e-7 for _ in range(12)]
    return {"mixed scales": mixed, "alternating signs": alternating, "tiny gradients": tiny}


def check_rmsprop_step(fn, verbose: bool = True) -> bool:
    """Check ``fn(theta, grad, square_avg, lr, alpha, eps) -> (theta, square_avg)``.

    The reference is one update of ``torch.optim.RMSprop`` (no momentum, not centered), as
    implemented by :class:`descentlab.optim.RMSprop`:

    .. math::

        v_t = \\alpha v_{t-1} + (1 - \\alpha) g_t^2, \\qquad
        \\theta_t = \\theta_{t-1} - \\text{lr}\\, \\frac{g_t}{\\sqrt{v_t} + \\epsilon},

    with ``eps`` added *outside* the square root. The reader's function is called
    repeatedly, feeding back its own outputs, on several gradient sequences and settings;
    parameters and running averages must agree to a relative error of ``1e-10``.
    """
    report = Report("check_rmsprop_step", verbose)
    settings = [(1e-2, 0.99, 1e-8), (0.1, 0.9, 1e-8), (1e-3, 0.99, 1e-6)]
    for case, grads in _gradient_sequences().items():
        for lr, alpha, eps in settings:
            reference = RMSprop(lr=lr, alpha=alpha, eps=eps)
            theta = np.linspace(-1.0, 1.0, grads[0].size)
            ref_theta, ref_state = theta.copy(), reference.init(theta)
            square_avg = np.zeros_like(theta)
            what = f"{case}, lr={lr:g}, alpha={alpha:g}, eps={eps:g}"
            try:
                with np.errstate(all="ignore"):
                    for t, g in enumerate(grads, start=1):
                        ref_theta, ref_state = reference.step(ref_theta, g, ref_state)
                        out = fn(theta.copy(), g.copy(), square_avg.copy(), lr, alpha, eps)
                        theta, square_avg = (np.asarray(x, dtype=float) for x in out)
                        if not _close(square_avg, ref_state.square_avg):
                            report.check(False, what, f"square_avg differs at step {t}: got "
                                         f"{square_avg}, expected {ref_state.square_avg}; "
                                         "average the *squared* gradient")
                            break
                        if not _close(theta, ref_theta, atol=1e-15):
                            report.check(False, what, f"theta differs at step {t}: got {theta}, "
                                         f"expected {ref_theta}; divide by sqrt(v) + eps")
                            break
                    else:
                        report.check(True, what)
            except Exception as exc:  # the reader's code may raise anything
                report.check(False, what, f"raised {type(exc).__name__}: {exc}")
    return report.finish()


def _close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-10, atol: float = 0.0) -> bool:
    """Same shape, all finite, and ``|a - b| <= rtol |b| + atol`` everywhere."""
    if a.shape != b.shape or not np.all(np.isfinite(a)):
        return False
    return bool(np.all(np.abs(a - b) <= rtol * np.abs(b) + atol))
