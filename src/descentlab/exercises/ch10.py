"""Checkers for chapter 10, "What are the challenges of parameter updates in deep learning
models?"."""

from __future__ import annotations

import math

import numpy as np

from ..optim import clip_by_global_norm, global_norm
from ._report import Report


def _reference(grads, max_norm):
    transform = clip_by_global_norm(max_norm)
    clipped, _ = transform.update(grads, transform.init(grads))
    return clipped


def check_clip_by_global_norm(fn, verbose: bool = True) -> bool:
    """Check ``fn(grads, max_norm) -> clipped``, for ``grads`` a dict of arrays.

    The reference is :func:`descentlab.optim.clip_by_global_norm` (the rule of
    ``torch.nn.utils.clip_grad_norm_``): with :math:`n` the Euclidean norm of all entries of
    all arrays together, every array is multiplied by
    :math:`c = \\min\\bigl(1, \\text{max\\_norm} / (n + 10^{-6})\\bigr)`. The function must
    return a dict with the same keys and shapes and must not modify its input. Results are
    compared with a relative tolerance of ``1e-5``, so leaving out the ``1e-6`` guard is
    accepted.
    """
    report = Report("check_clip_by_global_norm", verbose)
    rng = np.random.default_rng(10)
    cases = [
        ("a small gradient is returned unchanged",
         {"W0": 0.01 * rng.standard_normal((3, 4)), "b0": 0.01 * rng.standard_normal(4)}, 1.0),
        ("a large gradient is scaled down to the threshold",
         {"W0": 50 * rng.standard_normal((3, 4)), "b0": rng.standard_normal(4)}, 1.0),
        ("the norm is global: one huge array shrinks the others too",
         {"W0": 1e3 * np.ones((2, 2)), "W1": 0.1 * np.ones((2, 2)), "b1": np.zeros(2)}, 5.0),
        ("a gradient that is already at the threshold is (almost) unchanged",
         {"W0": np.array([[3.0, 4.0]])}, 5.0),
    ]
    for what, grads, max_norm in cases:
        original = {k: v.copy() for k, v in grads.items()}
        try:
            got = fn(grads, max_norm)
        except Exception as exc:  # the reader's code may raise anything
            report.check(False, what, f"raised {type(exc).__name__}: {exc}")
            continue
        want = _reference(original, max_norm)
        if not isinstance(got, dict) or set(got) != set(want):
            report.check(False, what, "return a dict with the same keys as the input")
            continue
        shapes_ok = all(np.shape(got[k]) == np.shape(want[k]) for k in want)
        values_ok = shapes_ok and all(
            np.allclose(got[k], want[k], rtol=1e-5, atol=1e-12) for k in want)
        hint = ""
        if not values_ok and shapes_ok:
            norm = global_norm(original)
            per_array = {k: v * min(1.0, max_norm / (np.linalg.norm(v) + 1e-6))
                         for k, v in original.items()}
            if all(np.allclose(got[k], per_array[k], rtol=1e-5) for k in want):
                hint = ("this clips each array separately; use one norm over all arrays "
                        "together")
            else:
                hint = (f"the global norm is {norm:.4g}; expected the arrays scaled by "
                        f"{min(1.0, max_norm / (norm + 1e-6)):.4g}")
        report.check(values_ok, what, hint or "shapes differ from the input")
        untouched = all(np.array_equal(grads[k], original[k]) for k in original)
        report.check(untouched, "...without modifying the input arrays",
                     "build new arrays (g * c) instead of scaling in place (g *= c)")

    grads = {"W0": rng.standard_normal((4, 4)) * 100, "b0": rng.standard_normal(4)}
    try:
        got = fn(grads, 2.0)
        flat_in = np.concatenate([grads[k].ravel() for k in grads])
        flat_out = np.concatenate([np.asarray(got[k]).ravel() for k in grads])
        cosine = flat_in @ flat_out / (np.linalg.norm(flat_in) * np.linalg.norm(flat_out))
        report.check(math.isclose(cosine, 1.0, rel_tol=1e-9),
                     "the direction of the whole gradient is unchanged",
                     f"cosine between input and output is {cosine:.6f}")
    except Exception as exc:  # the reader's code may raise anything
        report.check(False, "the direction is unchanged", f"raised {type(exc).__name__}: {exc}")
    return report.finish()
