"""Checkers for chapter 9, "How do batch size and mini-batch gradient descent impact
parameter updates?"."""

from __future__ import annotations

import numpy as np

from ._report import Report


def _exact_variance(per_example_grads, batch_size: int) -> float:
    """``E ||g_B - g||^2`` for a batch drawn uniformly without replacement.

    With ``N`` per-example gradients ``g_i``, mean ``g`` and total variance
    ``s2 = (1/N) sum_i ||g_i - g||^2``, the answer is ``s2 / B * (N - B) / (N - 1)``.
    """
    G = np.asarray(per_example_grads, dtype=float)
    G = G.reshape(len(G), -1)
    n = len(G)
    s2 = float(np.sum((G - G.mean(axis=0)) ** 2)) / n
    if n == 1:
        return 0.0
    return s2 / batch_size * (n - batch_size) / (n - 1)


def check_minibatch_variance(fn, verbose: bool = True) -> bool:
    """Check ``fn(per_example_grads, batch_size) -> float``.

    ``per_example_grads`` has one row per example (shape ``(N, d)``, or ``(N,)`` for a
    single parameter). ``fn`` must return the expected squared distance between the
    mini-batch gradient and the full gradient,
    :math:`\\mathbb{E}\\,\\lVert g_B - \\nabla L \\rVert^2`, when the batch holds ``B``
    distinct examples drawn uniformly at random (sampling without replacement, as one
    shuffled epoch does):
    :math:`\\frac{\\operatorname{tr}\\Sigma}{B}\\,\\frac{N - B}{N - 1}` with
    :math:`\\Sigma` the covariance of the per-example gradients (divisor ``N``).
    """
    report = Report("check_minibatch_variance", verbose)
    rng = np.random.default_rng(2026)
    problems = [
        ("10 gradients in 3-D, B = 1", rng.standard_normal((10, 3)) + 2.0, 1),
        ("10 gradients in 3-D, B = 4", rng.standard_normal((10, 3)) * [1.0, 5.0, 0.1], 4),
        ("40 scalar gradients, B = 8", rng.exponential(size=40), 8),
        ("7 gradients in 2-D, B = 7 (the whole dataset)", rng.standard_normal((7, 2)), 7),
    ]
    for what, G, B in problems:
        try:
            got = float(fn(G.copy(), B))
        except Exception as exc:  # the reader's code may raise anything
            report.check(False, what, f"raised {type(exc).__name__}: {exc}")
            continue
        want = _exact_variance(G, B)
        ok = bool(np.isclose(got, want, rtol=1e-9, atol=1e-12))
        hint = f"expected {want:.6g}, got {got:.6g}"
        flat = G.reshape(len(G), -1)
        n = len(flat)
        s2 = float(np.sum((flat - flat.mean(axis=0)) ** 2)) / n
        if np.isclose(got, s2 / B):
            hint += "; this is the with-replacement value: multiply by (N - B) / (N - 1)"
        elif np.isclose(got, s2 / B * n / (n - 1)):
            hint += "; the covariance divisor should be N (the whole population), not N - 1"
        report.check(ok, what, hint)

    # A Monte Carlo sanity check the reader can relate to: sample batches and compare.
    G = rng.standard_normal((30, 2)) * [3.0, 1.0]
    B = 5
    draws = np.argsort(rng.random((20000, len(G))), axis=1)[:, :B]
    sampled = float(np.mean(np.sum((G[draws].mean(axis=1) - G.mean(axis=0)) ** 2, axis=1)))
    try:
        got = float(fn(G.copy(), B))
        report.check(abs(got - sampled) < 0.05 * sampled,
                     "agrees with 20,000 sampled batches (30 examples, B = 5)",
                     f"sampling gives about {sampled:.4g}, your function {got:.4g}")
    except Exception as exc:  # the reader's code may raise anything
        report.check(False, "agrees with sampled batches", f"raised {type(exc).__name__}: {exc}")
    return report.finish()
