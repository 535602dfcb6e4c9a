"""L-BFGS with the hyperparameters, defaults, steps and stopping rules of ``torch.optim.LBFGS``.

L-BFGS (Nocedal, 1980; Liu & Nocedal, 1989) builds a quasi-Newton direction ``d = -H g``
from the last ``m`` pairs of parameter steps ``s_i = x_{i+1} - x_i`` and gradient changes
``y_i = g_{i+1} - g_i``, never forming the matrix ``H``: the *two-loop recursion* (Nocedal &
Wright, *Numerical Optimization*, 2nd ed., Algorithm 7.4) applies it in ``O(m n)``.
The strong Wolfe line search is Algorithms 3.5/3.6 of the same book with cubic
interpolation, organized as in PyTorch (itself a port of minFunc and torch7's ``optim``).

Usage, with a closure ``params -> (loss, grad)``::

    opt = LBFGS(line_search_fn="strong_wolfe")
    state = opt.init(params)
    params, state = opt.step(params, closure, state)   # up to max_iter iterations

Like ``torch.optim.LBFGS.step``, one ``step`` runs up to ``max_iter`` iterations and
``max_eval`` closure evaluations; the memory carries over to the next ``step``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ..gradcheck import ravel

__all__ = ["LBFGS", "LBFGSState", "strong_wolfe", "two_loop_direction"]

#: Statuses after which :meth:`LBFGS.step` does nothing more.
TERMINAL = ("nonfinite",)


class LBFGSState(NamedTuple):
    """Everything L-BFGS carries between steps (mirrors torch's ``optimizer.state``).

    * ``func_evals``, ``n_iter``: closure evaluations and iterations so far (all steps);
    * ``loss``: the loss at the parameters passed to the last ``step`` (what torch's
      ``step`` returns);
    * ``status``: why the last ``step`` stopped: ``"converged"`` (``max|g| <=
      tolerance_grad``), ``"max_iter"``, ``"max_eval"``, ``"small_step"`` (``max|t d| <=
      tolerance_change``), ``"small_change"`` (``|f_new - f_old| < tolerance_change``),
      ``"small_directional_derivative"`` (``g.d > -tolerance_change``), or
      ``"nonfinite"``: the closure returned NaN or infinity. The parameters are then the
      last ones with a finite loss and gradient, and further steps do nothing.
    * ``d``, ``t``: the last search direction and step length;
    * ``old_dirs`` (the ``y_i``), ``old_stps`` (the ``s_i``), ``ro`` (``1 / y_i.s_i``):
      the curvature memory, oldest first; ``H_diag = s.y / y.y`` of the newest pair, the
      scale of the initial inverse Hessian ``H0 = H_diag I``;
    * ``prev_flat_grad``, ``prev_loss``: gradient and loss at the start of the last
      iteration.

    Vectors (``d``, the memory, ``prev_flat_grad``) live in the flattened parameter space
    of :func:`descentlab.gradcheck.ravel`.
    """

    func_evals: int = 0
    n_iter: int = 0
    loss: float | None = None
    status: str = "initialized"
    d: Any = None
    t: float | None = None
    old_dirs: tuple = ()
    old_stps: tuple = ()
    ro: tuple = ()
    H_diag: float = 1.0
    prev_flat_grad: Any = None
    prev_loss: float | None = None


def two_loop_direction(g, old_stps, old_dirs, ro, H_diag):
    """Return ``d = -H g`` for the L-BFGS inverse-Hessian estimate ``H`` (two-loop recursion).

    With pairs ``(s_i, y_i)``, oldest first, and ``rho_i = 1 / (y_i . s_i)``::

        q = -g
        for i = newest ... oldest:  alpha_i = rho_i s_i.q ;  q = q - alpha_i y_i
        r = H_diag q
        for i = oldest ... newest:  beta_i = rho_i y_i.r ;   r = r + (alpha_i - beta_i) s_i
        d = r

    This equals ``-H g`` for ``H`` obtained by applying the BFGS update
    ``H <- (I - rho s y^T) H (I - rho y s^T) + rho s s^T`` to ``H_diag I`` once per pair.
    """
    q = -g
    alpha = [0.0] * len(old_stps)
    for i in reversed(range(len(old_stps))):
        alpha[i] = (old_stps[i] @ q) * ro[i]
        q = q - alpha[i] * old_dirs[i]
    r = q * H_diag
    for i in range(len(old_stps)):
        beta = (old_dirs[i] @ r) * ro[i]
        r = r + (alpha[i] - beta) * old_stps[i]
    return r


def _cubic_minimizer(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimizer of the cubic through ``(x1, f1)``, ``(x2, f2)`` with slopes ``g1``, ``g2``.

    (Nocedal & Wright, eq. 3.59.) With ``d1 = g1 + g2 - 3 (f1 - f2) / (x1 - x2)`` and
    ``d2 = sqrt(d1^2 - g1 g2)``, and ``x2`` the larger point::

        x* = x2 - (x2 - x1) (g2 + d2 - d1) / (g2 - g1 + 2 d2)

    clipped to ``bounds`` (default: the interval between the points). If the cubic has
    no minimizer (``d1^2 < g1 g2``), returns the midpoint of the bounds.
    """
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    with np.errstate(all="ignore"):  # a collapsed bracket gives NaN, handled below
        d1 = g1 + g2 - 3 * (f1 - f2) / np.float64(x1 - x2)
        d2_square = d1**2 - g1 * g2
        if not d2_square >= 0:
            return (lo + hi) / 2.0
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            x_min = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            x_min = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(x_min, lo), hi)


def _finite(loss, grad) -> bool:
    return bool(np.isfinite(loss) and np.all(np.isfinite(grad)))


class _NonFinite(Exception):
    """Raised inside a step when the closure returns NaN or infinity."""

    def __init__(self, evals: int):
        self.evals = evals


def strong_wolfe(evaluate, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Find a step ``t`` along ``d`` that satisfies the strong Wolfe conditions::

        f(x + t d) <= f(x) + c1 t g.d          (sufficient decrease, Armijo)
        |g(x + t d).d| <= c2 |g.d|              (curvature)

    ``evaluate(x_new) -> (f, g)``; ``gtd = g.d < 0``. A *bracketing* phase grows ``t``
    (by cubic interpolation, at most 10x per trial) until an interval is known to contain
    an acceptable step; a *zoom* phase shrinks that interval by safeguarded cubic
    interpolation (Nocedal & Wright, Algorithms 3.5 and 3.6). At most ``max_ls`` trial
    evaluations after the first; same rules as torch's ``_strong_wolfe``.

    Returns ``(f_new, g_new, t, evaluations)``. Raises ``_NonFinite`` if an evaluation is
    not finite.
    """
    d_norm = np.max(np.abs(d))
    evals = 0

    def trial(step):
        nonlocal evals
        f_step, g_step = evaluate(x + step * d)
        evals += 1
        if not _finite(f_step, g_step):
            raise _NonFinite(evals)
        return f_step, g_step, g_step @ d

    f_new, g_new, gtd_new = trial(t)

    # Bracketing: find an interval [t_prev, t] that contains an acceptable step.
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g, bracket_gtd = [t], [f_new], [g_new], [gtd_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        # Still going down: extrapolate to a longer step, between 1.01 t and 10 t.
        bounds = (t + 0.01 * (t - t_prev), t * 10)
        t_next = _cubic_minimizer(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds)
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new, gtd_new
        t = t_next
        f_new, g_new, gtd_new = trial(t)
        ls_iter += 1

    if ls_iter == max_ls:  # out of evaluations: keep the better of 0 and t
        bracket, bracket_f = [0.0, t], [f, f_new]
        bracket_g, bracket_gtd = [g, g_new], [gtd, gtd_new]

    # Zoom: shrink the bracket until a point satisfies both conditions.
    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_minimizer(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        # Safeguard: a trial too close to an end of the bracket (within 10% of its width)
        # is accepted once; the second time in a row, or at the end itself, move it to 10%.
        b_min, b_max = min(bracket), max(bracket)
        margin = 0.1 * (b_max - b_min)
        if min(b_max - t, t - b_min) < margin:
            if insufficient_progress or t >= b_max or t <= b_min:
                t = b_max - margin if abs(t - b_max) < abs(t - b_min) else b_min + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False

        f_new, g_new, gtd_new = trial(t)
        ls_iter += 1

        if f_new > f + c1 * t * gtd or f_new >= bracket_f[low]:
            # Not a sufficient decrease, or no better than the low end: new high end.
            bracket[high], bracket_f[high] = t, f_new
            bracket_g[high], bracket_gtd[high] = g_new, gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                # The minimum lies between t and the old low end: it becomes the high end.
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low] = t, f_new
            bracket_g[low], bracket_gtd[low] = g_new, gtd_new

    return bracket_f[low], bracket_g[low], bracket[low], evals


class LBFGS:
    """Limited-memory BFGS, a drop-in NumPy twin of ``torch.optim.LBFGS``.

    Arguments, defaults and behavior are torch's:

    * ``lr=1``: step length (the first iteration ever uses ``min(1, 1/||g||_1) lr``);
      with ``line_search_fn="strong_wolfe"`` it is the first trial step of each search;
    * ``max_iter=20``: iterations per :meth:`step`;
    * ``max_eval=None``: closure evaluations per :meth:`step`, default
      ``max_iter * 5 // 4``;
    * ``tolerance_grad=1e-7``: stop when ``max_i |g_i| <= tolerance_grad``;
    * ``tolerance_change=1e-9``: stop when a step ``max_i |t d_i|``, or the change of the
      loss, falls below it, or when ``g.d > -tolerance_change``;
    * ``history_size=100``: number of ``(s, y)`` pairs kept; a pair is stored only if
      ``y.s > 1e-10`` (curvature condition, keeps ``H`` positive definite);
    * ``line_search_fn``: ``None`` (fixed step ``t = lr``) or ``"strong_wolfe"``
      (:func:`strong_wolfe` with ``c1 = 1e-4``, ``c2 = 0.9``; these two are extra
      keyword arguments here, fixed in torch).

    Two consequences of torch's rules worth knowing. ``max_iter=1`` gives ``max_eval =
    1``, which leaves the line search no trial beyond the first (on Rosenbrock it never
    moves): for one iteration per step, pass ``max_eval`` too (e.g. 25). And near a
    minimum ``g.d`` is about the squared gradient, so the default ``tolerance_change=1e-9``
    stops Rosenbrock at an error of about ``4e-5``; use ``1e-12`` for a tighter answer.

    One iteration: direction ``d = -g`` on the first iteration ever, else
    ``d = two_loop_direction(g, ...)`` after adding the newest pair ``(s, y) = (t d_prev,
    g - g_prev)``; then ``x <- x + t d``.

    The closure takes the parameters (an array, or a dict/list of arrays) and returns
    ``(loss, grad)`` with ``grad`` shaped like the parameters. If it returns a NaN or
    infinite value, the step stops with ``status == "nonfinite"`` (see
    :class:`LBFGSState`).
    """

    def __init__(
        self,
        lr: float = 1.0,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
        *,
        c1: float = 1e-4,
        c2: float = 0.9,
    ):
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if int(max_iter) != max_iter or max_iter < 1:
            raise ValueError(f"Invalid max_iter: {max_iter}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        if int(max_eval) != max_eval or max_eval < 1:
            raise ValueError(f"Invalid max_eval: {max_eval}")
        if int(history_size) != history_size or history_size < 1:
            raise ValueError(f"Invalid history_size: {history_size}")
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(f"Invalid line_search_fn: {line_search_fn!r} (None or 'strong_wolfe')")
        if not 0.0 < c1 < c2 < 1.0:
            raise ValueError(f"Invalid Wolfe constants: need 0 < c1 < c2 < 1, got {c1}, {c2}")
        self.lr = float(lr)
        self.max_iter = int(max_iter)
        self.max_eval = int(max_eval)
        self.tolerance_grad = float(tolerance_grad)
        self.tolerance_change = float(tolerance_change)
        self.history_size = int(history_size)
        self.line_search_fn = line_search_fn
        self.c1, self.c2 = float(c1), float(c2)

    def init(self, params) -> LBFGSState:
        """Empty memory; nothing is evaluated."""
        ravel(params)  # validates the structure
        return LBFGSState()

    def step(self, params, closure: Callable, state: LBFGSState):
        """Run up to ``max_iter`` iterations from ``params``; return ``(params, state)``.

        ``closure(params) -> (loss, grad)``, or an object with a ``value_and_grad``
        method (a :mod:`descentlab.surfaces` surface). Inputs are never modified.
        Follows ``torch.optim.LBFGS.step`` rule by rule.
        """
        if state.status in TERMINAL:
            return params, state
        if not callable(closure):  # a surface-like object with a value_and_grad method
            closure = closure.value_and_grad
        x, unravel = ravel(params)

        def evaluate(x_new):
            loss, grad = closure(unravel(x_new))
            return float(loss), ravel(grad)[0]

        s = state._asdict()  # local, mutable copy of the state
        loss, g = evaluate(x)
        s["func_evals"] += 1
        s["loss"] = loss
        if not _finite(loss, g):
            return params, LBFGSState(**{**s, "status": "nonfinite"})
        if np.max(np.abs(g), initial=0.0) <= self.tolerance_grad:
            return params, LBFGSState(**{**s, "status": "converged"})

        d, t = s["d"], s["t"]
        current_evals, n_iter = 1, 0
        status, opt_cond = "max_iter", False
        while n_iter < self.max_iter:
            n_iter += 1
            s["n_iter"] += 1

            # -- direction ------------------------------------------------------------
            if s["n_iter"] == 1:
                d = -g
                s.update(old_dirs=(), old_stps=(), ro=(), H_diag=1.0)
            else:
                self._remember(s, g - s["prev_flat_grad"], d * t)
                d = two_loop_direction(g, s["old_stps"], s["old_dirs"], s["ro"], s["H_diag"])
            s["prev_flat_grad"], s["prev_loss"] = g, loss

            # -- step length ----------------------------------------------------------
            if s["n_iter"] == 1:
                t = min(1.0, 1.0 / np.sum(np.abs(g))) * self.lr
            else:
                t = self.lr
            gtd = g @ d
            if gtd > -self.tolerance_change:
                status = "small_directional_derivative"
                break

            # -- move: with a line search, or a fixed step -------------------------------
            if self.line_search_fn == "strong_wolfe":
                try:
                    loss, g, t, evals = strong_wolfe(
                        evaluate,
                        x,
                        t,
                        d,
                        loss,
                        g,
                        gtd,
                        c1=self.c1,
                        c2=self.c2,
                        tolerance_change=self.tolerance_change,
                        max_ls=self.max_eval - current_evals,
                    )
                except _NonFinite as err:
                    s["func_evals"] += err.evals
                    status = "nonfinite"
                    break
                x = x + t * d
                opt_cond = np.max(np.abs(g)) <= self.tolerance_grad
            else:
                x_new, evals = x + t * d, 0
                # Like torch, skip the evaluation after the last iteration: the next step
                # evaluates there anyway.
                if n_iter != self.max_iter:
                    loss_new, g_new = evaluate(x_new)
                    evals = 1
                    if not _finite(loss_new, g_new):
                        s["func_evals"] += 1
                        status = "nonfinite"
                        break
                    loss, g = loss_new, g_new
                    opt_cond = np.max(np.abs(g)) <= self.tolerance_grad
                x = x_new
            current_evals += evals
            s["func_evals"] += evals

            # -- stopping rules (same order as torch) ------------------------------------
            if n_iter == self.max_iter:
                status = "max_iter"
                break
            if current_evals >= self.max_eval:
                status = "max_eval"
                break
            if opt_cond:
                status = "converged"
                break
            if np.max(np.abs(d * t)) <= self.tolerance_change:
                status = "small_step"
                break
            if abs(loss - s["prev_loss"]) < self.tolerance_change:
                status = "small_change"
                break

        s.update(d=d, t=t, status=status)
        return unravel(x), LBFGSState(**s)

    def _remember(self, s: dict, y, step):
        """Add the pair ``(s, y)`` to the memory if ``y.s > 1e-10``; drop the oldest if full."""
        ys = y @ step
        if ys > 1e-10:
            start = 1 if len(s["ro"]) == self.history_size else 0  # forget the oldest pair
            s["old_dirs"] = s["old_dirs"][start:] + (y,)
            s["old_stps"] = s["old_stps"][start:] + (step,)
            s["ro"] = s["ro"][start:] + (1.0 / ys,)
            s["H_diag"] = ys / (y @ y)
