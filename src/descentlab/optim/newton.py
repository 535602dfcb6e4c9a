"""Newton's method with damping and an optional backtracking (Armijo) line search.

Newton's method minimizes the second-order Taylor model of the loss at each step::

    f(x + p) ~ f(x) + g.p + p^T H p / 2   is smallest at   p = -H^{-1} g

and converges quadratically near a minimum where ``H`` is positive definite: the error
roughly squares at every step (Nocedal & Wright, *Numerical Optimization*, 2nd ed.,
Theorem 3.5). Far from such a minimum ``H`` may be indefinite and the raw step may go
uphill; damping (Levenberg, 1944; Marquardt, 1963) and a line search make it safe.

Usage, with a closure ``params -> (loss, grad, hessian)``::

    opt = Newton(damping=1e-3, line_search="armijo")
    state = opt.init(params)
    params, state = opt.step(params, closure, state)

``hessian`` is the ``(n, n)`` matrix of second derivatives over the flattened parameters
(see :func:`descentlab.gradcheck.ravel`: arrays of a dict in key order, each row-major).
A surface object with ``value``, ``grad`` and ``hessian`` methods (as in
:mod:`descentlab.surfaces`) can be passed instead of the closure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ..gradcheck import ravel

__all__ = ["Newton", "NewtonState", "damped_newton_direction"]


class NewtonState(NamedTuple):
    """What one Newton step did, for inspection and plotting.

    * ``step``: number of steps taken;
    * ``loss``, ``grad_norm``: loss and ``||g||_2`` at the parameters passed to the step;
    * ``damping``: the ``lambda`` actually added to the Hessian (larger than the
      requested ``damping`` when the Hessian had to be made positive definite);
    * ``t``: the step length used (``lr``, or what the line search accepted);
    * ``func_evals``: closure evaluations so far;
    * ``status``: ``"ok"``, ``"converged"`` (``||g||_inf <= tolerance_grad``, no move),
      ``"line_search_failed"`` (no step length in ``max_ls`` halvings decreased the loss
      enough; no move), or ``"nonfinite"`` (the closure returned NaN or infinity; no move,
      and further steps do nothing).
    """

    step: int = 0
    loss: float | None = None
    grad_norm: float | None = None
    damping: float = 0.0
    t: float = 0.0
    func_evals: int = 0
    status: str = "initialized"


def damped_newton_direction(grad, hessian, damping: float = 0.0, max_tries: int = 60):
    """Solve ``(H + lam I) p = -g`` with the smallest ``lam >= damping`` that works.

    ``lam`` starts at ``damping``; while ``H + lam I`` is not positive definite (its
    Cholesky factorization fails), ``lam`` grows to ``max(2 lam, beta)`` with
    ``beta = 1e-3 * max(1, max_i |H_ii|)`` (Nocedal & Wright, Algorithm 3.3, "Cholesky
    with added multiple of the identity"). A positive-definite matrix guarantees a descent
    direction, ``g.p < 0``. Returns ``(p, lam)``.
    """
    n = grad.size
    lam = float(damping)
    beta = 1e-3 * max(1.0, float(np.max(np.abs(np.diag(hessian)), initial=0.0)))
    for _ in range(max_tries):
        try:
            chol = np.linalg.cholesky(hessian + lam * np.eye(n))
        except np.linalg.LinAlgError:
            lam = max(2.0 * lam, beta)
            continue
        # (H + lam I) p = -g  with  H + lam I = L L^T: two triangular solves
        p = -np.linalg.solve(chol.T, np.linalg.solve(chol, grad))
        return p, lam
    raise np.linalg.LinAlgError("Could not make the Hessian positive definite")


class Newton:
    """Damped Newton's method: ``x <- x + t p`` with ``(H + lam I) p = -g``.

    * ``lr=1.0``: the step length ``t`` (the first trial of the line search); ``lr = 1``
      is the pure Newton step, exact in one step on a positive-definite quadratic;
    * ``damping=0.0``: the ``lam`` added to the Hessian (Levenberg-Marquardt style): large
      ``lam`` turns the step into gradient descent with learning rate ``1 / lam``; ``lam``
      is raised automatically when ``H + lam I`` is not positive definite (see
      :func:`damped_newton_direction`);
    * ``line_search=None`` or ``"armijo"``: backtracking, ``t <- shrink * t`` until
      ``f(x + t p) <= f(x) + c1 t g.p`` (Armijo, 1966; Nocedal & Wright, Algorithm 3.1),
      at most ``max_ls`` times;
    * ``tolerance_grad=0.0``: no move when ``max_i |g_i| <= tolerance_grad``;
    * ``ensure_descent=True``: raise ``lam`` until ``H + lam I`` is positive definite.
      With ``False`` the step solves ``(H + lam I) p = -g`` as it is: the textbook
      Newton step, which heads for *any* stationary point of the quadratic model,
      saddles and maxima included (Dauphin et al., 2014).

    Each step costs one closure evaluation (plus one per line-search trial) and one
    ``O(n^3)`` factorization: cheap in steps, expensive per step.
    """

    def __init__(
        self,
        lr: float = 1.0,
        damping: float = 0.0,
        line_search: str | None = None,
        c1: float = 1e-4,
        shrink: float = 0.5,
        max_ls: int = 30,
        tolerance_grad: float = 0.0,
        ensure_descent: bool = True,
    ):
        if not lr > 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not damping >= 0.0:
            raise ValueError(f"Invalid damping: {damping}")
        if line_search not in (None, "armijo"):
            raise ValueError(f"Invalid line_search: {line_search!r} (None or 'armijo')")
        if not 0.0 < c1 < 1.0:
            raise ValueError(f"Invalid c1: {c1}")
        if not 0.0 < shrink < 1.0:
            raise ValueError(f"Invalid shrink factor: {shrink}")
        if int(max_ls) != max_ls or max_ls < 1:
            raise ValueError(f"Invalid max_ls: {max_ls}")
        self.lr = float(lr)
        self.damping = float(damping)
        self.line_search = line_search
        self.c1, self.shrink, self.max_ls = float(c1), float(shrink), int(max_ls)
        self.tolerance_grad = float(tolerance_grad)
        self.ensure_descent = bool(ensure_descent)

    def init(self, params) -> NewtonState:
        """Fresh state; nothing is evaluated."""
        ravel(params)  # validates the structure
        return NewtonState(damping=self.damping)

    def step(self, params, closure: Callable, state: NewtonState):
        """One Newton step from ``params``; returns ``(new_params, new_state)``.

        ``closure(params) -> (loss, grad, hessian)``, or an object with methods
        ``value(p)``, ``grad(p)`` and ``hessian(p)`` (a :mod:`descentlab.surfaces`
        surface), or a method of such an object (so ``run(Newton(), surface)`` works).
        Inputs are never modified.
        """
        if state.status == "nonfinite":
            return params, state
        closure = _as_newton_closure(closure)
        x, unravel = ravel(params)
        loss, g, hessian = self._evaluate(closure, unravel, x)
        evals = state.func_evals + 1
        new = dict(step=state.step + 1, loss=loss, func_evals=evals, t=0.0)
        if not _finite(loss, g) or not np.all(np.isfinite(hessian)):
            return params, state._replace(**new, status="nonfinite")
        new["grad_norm"] = float(np.linalg.norm(g))
        if hessian.shape != (x.size, x.size):
            raise ValueError(f"Hessian has shape {hessian.shape}, expected {(x.size, x.size)}")
        if np.max(np.abs(g), initial=0.0) <= self.tolerance_grad:
            return params, state._replace(**new, status="converged")

        if self.ensure_descent:
            p, lam = damped_newton_direction(g, hessian, self.damping)
        else:
            lam = self.damping
            p = -np.linalg.solve(hessian + lam * np.eye(x.size), g)
        new["damping"] = lam
        t = self.lr
        if self.line_search == "armijo":
            slope = g @ p  # < 0 when p is a descent direction
            for _ in range(self.max_ls):
                trial_loss = float(closure(unravel(x + t * p))[0])
                new["func_evals"] += 1
                if np.isfinite(trial_loss) and trial_loss <= loss + self.c1 * t * slope:
                    break
                t *= self.shrink
            else:
                return params, state._replace(**new, status="line_search_failed")
        new["t"] = t
        return unravel(x + t * p), state._replace(**new, status="ok")

    @staticmethod
    def _evaluate(closure, unravel, x):
        loss, grad, hessian = closure(unravel(x))
        return float(loss), ravel(grad)[0], np.atleast_2d(np.asarray(hessian, dtype=float))


def _finite(loss, grad) -> bool:
    return bool(np.isfinite(loss) and np.all(np.isfinite(grad)))


def _as_newton_closure(closure):
    """Use ``value``/``grad``/``hessian`` methods when given a surface or one of its methods."""
    surface = getattr(closure, "__self__", closure)
    if all(callable(getattr(surface, name, None)) for name in ("value", "grad", "hessian")):
        return lambda p: (surface.value(p), surface.grad(p), surface.hessian(p))
    return closure
