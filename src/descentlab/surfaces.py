"""Test surfaces: small functions with known minima, exact gradients and exact Hessians.

Shape convention: a point is an array whose **last axis holds the coordinates**. One point
has shape ``(dim,)``; a batch or a grid of points has shape ``(..., dim)``. Then

- ``value(p)`` has shape ``(...)``,
- ``grad(p)`` has shape ``(..., dim)``,
- ``hessian(p)`` has shape ``(..., dim, dim)``.

So a whole contour grid is one call: ``surface.value(np.stack([X, Y], axis=-1))``, which is
what :meth:`Surface.grid` does. For a single 2-D point, ``value`` returns a Python float and
``grad`` a NumPy array of shape ``(2,)``.

Every surface also carries what a figure needs: ``name``, ``bounds`` (one ``(low, high)``
pair per coordinate, the plotting window), a default ``start``, the known ``minima`` and
``saddle_points`` (arrays of shape ``(k, dim)``, possibly ``k = 0``), and ``log_scale``,
which says whether contour levels look best spaced logarithmically (see :func:`log_levels`).

The formulas are written with ``+``, ``-`` and ``*`` only (no ``**``), so far from the
minimum they overflow to ``inf`` instead of raising; :func:`descentlab.run.run` turns that
into a clean "diverged" status.
"""

from __future__ import annotations

import numpy as np


def _points(points, dim: int) -> np.ndarray:
    """Points as a read-only float array of shape (k, dim)."""
    array = np.array(points, dtype=float).reshape(-1, dim)
    array.setflags(write=False)
    return array


def _pair(a, b, axis: int = -1) -> np.ndarray:
    """Stack two components along a new axis; a constant broadcasts against an array."""
    if isinstance(a, float) and isinstance(b, float):
        return np.array([a, b])
    return np.stack(np.broadcast_arrays(a, b), axis=axis)


def log_levels(Z, n: int = 30, floor: float | None = None, decades: float = 5.0) -> np.ndarray:
    """Contour levels that are evenly spaced in ``log(Z - floor)``.

    Surfaces such as Rosenbrock span many orders of magnitude: linear levels crowd the
    steep walls and leave the valley, where the optimizers are, empty. Here the gaps above
    ``floor`` (default ``Z.min()``) grow geometrically from ``top * 10**-decades`` to
    ``top = Z.max() - floor``, so each decade of height gets the same number of lines.
    """
    Z = np.asarray(Z, dtype=float)
    floor = float(np.min(Z)) if floor is None else float(floor)
    top = float(np.max(Z)) - floor
    if not top > 0:
        raise ValueError(f"Invalid Z: it has no values above floor={floor}")
    return floor + np.geomspace(top * 10.0**-decades, top, n)


class Surface:
    """A smooth function ``f: R^dim -> R`` with its gradient, its Hessian and plotting hints.

    Subclasses implement :meth:`value`, :meth:`grad` and :meth:`hessian` for points of
    shape ``(..., dim)`` (see the module docstring). The attributes are plain and may be
    reassigned, e.g. ``surface.start = np.array([0.5, 2.0])``.
    """

    def __init__(self, name, dim, bounds, start, minima=(), saddle_points=(), log_scale=False):
        self.name = name
        self.dim = dim
        self.bounds = tuple((float(low), float(high)) for low, high in bounds)
        self.start = _points(start, dim)[0]
        self.minima = _points(minima, dim)
        self.saddle_points = _points(saddle_points, dim)
        self.log_scale = log_scale

    def value(self, p):
        """``f(p)``, shape ``(...)`` for points of shape ``(..., dim)``."""
        raise NotImplementedError

    def grad(self, p):
        """The gradient ``∇f(p)``, shape ``(..., dim)``."""
        raise NotImplementedError

    def hessian(self, p):
        """The Hessian ``∇²f(p)``, shape ``(..., dim, dim)``."""
        raise NotImplementedError

    def value_and_grad(self, p):
        """``(f(p), ∇f(p))`` in one call: the form :func:`descentlab.run.run` consumes."""
        return self.value(p), self.grad(p)

    @property
    def min_value(self) -> float:
        """The lowest value over the known minima (``nan`` if there are none)."""
        if len(self.minima) == 0:
            return float("nan")
        return float(np.min(self.value(self.minima)))

    def grid(self, n: int = 200):
        """Coordinates and values on an ``n``-point-per-axis grid over ``bounds``.

        2-D surfaces return ``(X, Y, Z)`` with shapes ``(n, n)``, ready for
        ``plt.contour(X, Y, Z)``; 1-D surfaces return ``(x, z)`` with shapes ``(n,)``.
        """
        axes = [np.linspace(low, high, n) for low, high in self.bounds]
        if self.dim == 1:
            return axes[0], self.value(axes[0][:, None])
        if self.dim == 2:
            X, Y = np.meshgrid(*axes)
            return X, Y, self.value(np.stack([X, Y], axis=-1))
        raise ValueError(f"grid() needs a 1-D or 2-D surface; {self.name} has dim={self.dim}")

    def levels(self, n: int = 30, Z=None) -> np.ndarray:
        """``n`` contour levels for ``Z`` (default: the values of :meth:`grid`).

        Log-spaced above the minimum value when ``log_scale`` is set, linear otherwise.
        """
        if Z is None:
            Z = self.grid()[-1]
        if self.log_scale:
            floor = self.min_value
            return log_levels(Z, n, floor=None if np.isnan(floor) else floor)
        return np.linspace(np.min(Z), np.max(Z), n)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} dim={self.dim}>"


def _xy(p):
    """Split points of shape (..., 2) into x and y.

    A single point becomes two Python floats: arithmetic on them is several times faster
    than on NumPy scalars, which keeps a 1000-step run within a few milliseconds.
    """
    p = np.asarray(p, dtype=float)
    if p.shape[-1:] != (2,):
        raise ValueError(f"expected points of shape (..., 2), got shape {p.shape}")
    if p.ndim == 1:
        return p.tolist()
    return p[..., 0], p[..., 1]


class Surface2D(Surface):
    """A surface on the plane written as scalar formulas in ``x`` and ``y``.

    Subclasses implement ``_value(x, y)``, ``_grad(x, y) -> (f_x, f_y)`` and
    ``_hessian(x, y) -> (f_xx, f_xy, f_yy)`` using only ``+``, ``-`` and ``*``, so the same
    formulas serve Python floats (one point) and NumPy arrays (a grid).
    """

    def __init__(self, name, bounds, start, minima=(), saddle_points=(), log_scale=False):
        super().__init__(name, 2, bounds, start, minima, saddle_points, log_scale)

    def value(self, p):
        return self._value(*_xy(p))

    def grad(self, p):
        return _pair(*self._grad(*_xy(p)))

    def value_and_grad(self, p):
        x, y = _xy(p)
        return self._value(x, y), _pair(*self._grad(x, y))

    def value_and_grad_coords(self, coords):
        """``value_and_grad`` of one point given as two Python floats, returning floats.

        ``(f(x, y), [f_x, f_y])``: the same numbers as ``value_and_grad``, without building
        arrays (used by :func:`descentlab.run.run` on small problems). A subclass that
        overrides ``value_and_grad`` must override this method too.
        """
        x, y = coords
        f_x, f_y = self._grad(x, y)
        return self._value(x, y), [float(f_x), float(f_y)]

    def hessian(self, p):
        f_xx, f_xy, f_yy = self._hessian(*_xy(p))
        return _pair(_pair(f_xx, f_xy), _pair(f_xy, f_yy), axis=-2)


class Rosenbrock(Surface2D):
    """Rosenbrock's banana valley (Rosenbrock, 1960).

    .. math:: f(x, y) = (a - x)^2 + b\\,(y - x^2)^2

    with ``a = 1``, ``b = 100`` by default. The single minimum is ``f(a, a²) = 0``. The
    minimum sits in a long, curved, flat-bottomed valley whose walls are about ``b`` times
    steeper than its floor, so gradient descent finds the valley at once and then crawls
    along it. For ``a = 1`` the window is ``[-2, 2] x [-1, 3]`` and the start is the
    classic ``(-1.2, 1)`` (Moré, Garbow & Hillstrom, 1981); both shift with ``a``.

    Gradient: ``f_x = -2(a - x) - 4b x (y - x²)``, ``f_y = 2b (y - x²)``.
    Hessian: ``f_xx = 2 - 4b y + 12b x²``, ``f_xy = -4b x``, ``f_yy = 2b``.

    Reference: H. H. Rosenbrock, "An automatic method for finding the greatest or least
    value of a function", The Computer Journal 3(3), 1960; J. J. Moré, B. S. Garbow and
    K. E. Hillstrom, "Testing unconstrained optimization software", ACM Transactions on
    Mathematical Software 7(1), 1981.
    """

    def __init__(self, a: float = 1.0, b: float = 100.0):
        self.a, self.b = float(a), float(b)
        super().__init__(
            name="Rosenbrock",
            bounds=((a - 3.0, a + 1.0), (a * a - 2.0, a * a + 2.0)),
            start=(a - 2.2, a * a),
            minima=[(a, a * a)],
            log_scale=True,
        )

    def _value(self, x, y):
        u, r = self.a - x, y - x * x
        return u * u + self.b * r * r

    def _grad(self, x, y):
        u, r = self.a - x, y - x * x
        return -2.0 * u - 4.0 * self.b * x * r, 2.0 * self.b * r

    def _hessian(self, x, y):
        b = self.b
        return 2.0 - 4.0 * b * y + 12.0 * b * x * x, -4.0 * b * x, 2.0 * b


class Beale(Surface2D):
    """Beale's function (Beale, 1958).

    .. math:: f(x, y) = \\sum_{i=1}^{3} r_i^2, \\qquad r_i = c_i - x + x\\,y^i,
              \\qquad c = (1.5,\\ 2.25,\\ 2.625)

    The minimum is ``f(3, 0.5) = 0``, at the end of a narrow, flat valley (Hessian
    eigenvalues there are about 0.30 and 49). Two saddle points, ``(0, 1)`` and about
    ``(0.1005, -2.6445)``, lie inside the plotting window; the whole line ``x = 0`` is flat
    at height 14.203125, and the corners rise to about 1.8e5.

    Gradient: ``f_x = Σ 2 r_i (y^i - 1)``, ``f_y = Σ 2 r_i i x y^(i-1)``.
    Hessian: ``f_xx = Σ 2 (y^i - 1)²``,
    ``f_xy = Σ 2 i y^(i-1) (x (y^i - 1) + r_i)``,
    ``f_yy = Σ 2 i x (i x y^(2i-2) + (i - 1) r_i y^(i-2))``.

    Reference: E. M. L. Beale, "On an iterative method for finding a local minimum of a
    function of more than one variable", Technical Report 25, Statistical Techniques
    Research Group, Princeton University, 1958.
    """

    C = (1.5, 2.25, 2.625)

    def __init__(self):
        super().__init__(
            name="Beale",
            bounds=((-4.5, 4.5), (-4.5, 4.5)),
            start=(1.0, 1.0),
            minima=[(3.0, 0.5)],
            saddle_points=[(0.0, 1.0), (0.100537937324158, -2.644513585023125)],
            log_scale=True,
        )

    def _terms(self, x, y):
        """Yield ``(i, y^(i-1), y^i, r_i)`` for i = 1, 2, 3, with powers built by products."""
        power = 1.0
        for i, c in enumerate(self.C, start=1):
            previous, power = power, power * y
            yield i, previous, power, c - x + x * power

    def _value(self, x, y):
        return sum(r * r for _, _, _, r in self._terms(x, y))

    def _grad(self, x, y):
        f_x = f_y = 0.0
        for i, previous, power, r in self._terms(x, y):
            f_x = f_x + 2.0 * r * (power - 1.0)
            f_y = f_y + 2.0 * r * i * x * previous
        return f_x, f_y

    def _hessian(self, x, y):
        f_xx = f_xy = f_yy = 0.0
        older = 0.0  # y^(i-2); its coefficient (i - 1) vanishes for i = 1
        for i, previous, power, r in self._terms(x, y):
            f_xx = f_xx + 2.0 * (power - 1.0) * (power - 1.0)
            f_xy = f_xy + 2.0 * i * previous * (x * (power - 1.0) + r)
            f_yy = f_yy + 2.0 * i * x * (i * x * previous * previous + (i - 1) * r * older)
            older = previous
        return f_xx, f_xy, f_yy


class Himmelblau(Surface2D):
    """Himmelblau's function (Himmelblau, 1972): four minima of equal height.

    .. math:: f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2

    All four minima have ``f = 0``: ``(3, 2)`` exactly, and about ``(-2.8051, 3.1313)``,
    ``(-3.7793, -3.2832)``, ``(3.5844, -1.8481)``. Between them sit four saddle points and
    one local maximum, about ``(-0.2708, -0.9230)`` with ``f ≈ 181.62``. Which minimum
    gradient descent reaches depends on where it starts.

    Gradient: ``f_x = 4x (x² + y - 11) + 2 (x + y² - 7)``,
    ``f_y = 2 (x² + y - 11) + 4y (x + y² - 7)``.
    Hessian: ``f_xx = 12x² + 4y - 42``, ``f_xy = 4 (x + y)``, ``f_yy = 12y² + 4x - 26``.

    Reference: D. M. Himmelblau, *Applied Nonlinear Programming*, McGraw-Hill, 1972.
    """

    def __init__(self):
        super().__init__(
            name="Himmelblau",
            bounds=((-5.0, 5.0), (-5.0, 5.0)),
            start=(0.0, -4.0),
            minima=[
                (3.0, 2.0),
                (-2.805118086952745, 3.131312518250573),
                (-3.779310253377747, -3.283185991286169),
                (3.584428340330492, -1.848126526964403),
            ],
            saddle_points=[
                (-3.07302575076439, -0.081353044287968),
                (0.086677504555396, 2.884254701174776),
                (-0.12796134673068, -1.953714980244577),
                (3.385154183607021, 0.073851879837749),
            ],
            log_scale=True,
        )

    def _value(self, x, y):
        u, v = x * x + y - 11.0, x + y * y - 7.0
        return u * u + v * v

    def _grad(self, x, y):
        u, v = x * x + y - 11.0, x + y * y - 7.0
        return 4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v

    def _hessian(self, x, y):
        return 12.0 * x * x + 4.0 * y - 42.0, 4.0 * (x + y), 12.0 * y * y + 4.0 * x - 26.0


class MonkeySaddle(Surface2D):
    """The monkey saddle: three valleys around one flat critical point.

    .. math:: f(x, y) = x^3 - 3 x y^2 = r^3 \\cos 3\\theta

    There is no minimum (``f`` is unbounded below, so ``minima`` is empty). The origin is
    a degenerate saddle point: gradient and Hessian are both zero there, so neither
    gradient descent nor Newton's method gets any signal to leave it.

    Gradient: ``(3x² - 3y², -6xy)``. Hessian: ``[[6x, -6y], [-6y, -6x]]``.

    Reference: D. Hilbert and S. Cohn-Vossen, *Geometry and the Imagination*, Chelsea, 1952.
    """

    def __init__(self):
        super().__init__(
            name="monkey saddle",
            bounds=((-1.5, 1.5), (-1.5, 1.5)),
            start=(1.0, 0.1),
            saddle_points=[(0.0, 0.0)],
        )

    def _value(self, x, y):
        return x * x * x - 3.0 * x * y * y

    def _grad(self, x, y):
        return 3.0 * (x * x - y * y), -6.0 * x * y

    def _hessian(self, x, y):
        return 6.0 * x, -6.0 * y, -6.0 * x


def _rowdot(u, v):
    """Dot product along the last axis; ``ndarray.dot`` is the fast path for one point."""
    if u.ndim == 1:
        return u.dot(v)
    return np.einsum("...i,...i->...", u, v)


class Quadratic(Surface):
    """A quadratic in any dimension.

    .. math:: f(x) = \\tfrac12 x^\\top A x - b^\\top x + c, \\qquad
              \\nabla f(x) = A x - b, \\qquad \\nabla^2 f(x) = A

    ``A`` must be symmetric. If ``A`` is positive definite, the unique minimum is
    ``x* = A⁻¹ b`` with ``f(x*) = c - ½ bᵀ A⁻¹ b``; if ``A`` has eigenvalues of both signs,
    ``A⁻¹ b`` is a saddle point instead and ``minima`` is empty; if ``A`` is singular there
    is no isolated critical point and both lists are empty.

    ``L`` and ``mu`` are the largest and smallest eigenvalues of ``A``, and
    ``condition_number = L / mu`` (``inf`` unless ``A`` is positive definite). Gradient
    descent with learning rate ``lr`` converges exactly when ``0 < lr < 2 / L``.

    Reference: J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Springer,
    2006, section 3.3.
    """

    def __init__(self, A, b=None, c=0.0, *, name="quadratic", bounds=None, start=None):
        A = np.array(A, dtype=float)
        if A.ndim != 2 or A.shape[0] != A.shape[1] or not np.allclose(A, A.T):
            raise ValueError(f"Invalid A: expected a symmetric square matrix, got {A.tolist()}")
        dim = A.shape[0]
        b = np.zeros(dim) if b is None else np.array(b, dtype=float).reshape(dim)
        self.A, self.b, self.c = A, b, float(c)
        self.eigenvalues = np.linalg.eigvalsh(A)
        self.L, self.mu = float(self.eigenvalues[-1]), float(self.eigenvalues[0])
        self.condition_number = self.L / self.mu if self.mu > 0 else np.inf

        minima, saddles = [], []
        scale = np.max(np.abs(self.eigenvalues))
        singular = np.min(np.abs(self.eigenvalues)) <= 1e-12 * scale
        center = np.zeros(dim) if singular else np.linalg.solve(A, b)
        if not singular and self.mu > 0:
            minima = [center]
        elif not singular and self.L > 0:
            saddles = [center]
        if bounds is None:
            bounds = [(m - 5.0, m + 5.0) for m in center]
        if start is None:
            start = center + np.resize([-4.0, 2.5], dim)
        super().__init__(name, dim, bounds, start, minima, saddles)

    def value(self, x):
        x = np.asarray(x, dtype=float)
        return 0.5 * _rowdot(x, x.dot(self.A)) - x.dot(self.b) + self.c

    def grad(self, x):
        # A is symmetric, so x·A equals A·x for every point in the batch.
        return np.asarray(x, dtype=float).dot(self.A) - self.b

    def value_and_grad(self, x):
        # With g = Ax - b:  ½xᵀAx - bᵀx = ½ xᵀ(g - b), so one product gives both.
        x = np.asarray(x, dtype=float)
        g = x.dot(self.A) - self.b
        return 0.5 * _rowdot(x, g - self.b) + self.c, g

    def hessian(self, x):
        x = np.asarray(x, dtype=float)
        return np.broadcast_to(self.A, x.shape[:-1] + self.A.shape).copy()


class Parabola(Quadratic):
    """The 1-D quadratic ``f(x) = (L/2) x²``, minimum ``f(0) = 0``, curvature ``L``.

    A gradient-descent step maps ``x`` to ``(1 - lr·L) x``, so the iterates shrink to 0
    exactly when ``|1 - lr·L| < 1``, that is ``0 < lr < 2/L``; at ``lr = 1/L`` one step
    lands on the minimum. Points have shape ``(..., 1)``; the start is ``x = 3``.

    Reference: Nocedal and Wright, *Numerical Optimization*, 2006, section 3.3.
    """

    def __init__(self, L: float = 1.0):
        if not L > 0:
            raise ValueError(f"Invalid L: {L} (expected L > 0)")
        super().__init__([[L]], name=f"(L/2) x², L={L:g}", bounds=[(-4.0, 4.0)], start=[3.0])


class IllConditionedQuadratic(Quadratic):
    """A 2-D quadratic bowl with a chosen condition number and orientation.

    .. math:: f(x) = \\tfrac12 x^\\top R\\,\\mathrm{diag}(\\mu, L)\\,R^\\top x, \\qquad
              \\mu = L / \\kappa, \\qquad
              R = \\begin{pmatrix}\\cos\\theta & -\\sin\\theta \\\\
                                  \\sin\\theta & \\cos\\theta\\end{pmatrix}

    The minimum is ``f(0, 0) = 0``. The contours are ellipses whose long axis (the flat
    direction, curvature ``mu``) makes the angle ``theta = angle`` (radians) with the
    x-axis; across it the curvature is ``L``, ``condition_number = κ`` times larger.
    Gradient descent with the best fixed learning rate ``2/(L + mu)`` shrinks the error by
    ``(κ - 1)/(κ + 1)`` per step; heavy-ball momentum tuned for this bowl reaches
    ``(√κ - 1)/(√κ + 1)`` (Polyak, 1964). The start is the point ``(-4, 2.5)`` rotated with
    the bowl.

    References: B. T. Polyak, "Some methods of speeding up the convergence of iteration
    methods", USSR Computational Mathematics and Mathematical Physics 4(5), 1964;
    Nocedal and Wright, *Numerical Optimization*, 2006, section 3.3.
    """

    def __init__(self, condition_number: float = 10.0, angle: float = 0.0, L: float = 1.0):
        if not condition_number >= 1:
            raise ValueError(f"Invalid condition_number: {condition_number} (expected >= 1)")
        if not L > 0:
            raise ValueError(f"Invalid L: {L} (expected L > 0)")
        cos, sin = np.cos(angle), np.sin(angle)
        R = np.array([[cos, -sin], [sin, cos]])
        A = R @ np.diag([L / condition_number, L]) @ R.T
        A = 0.5 * (A + A.T)  # exactly symmetric despite rounding
        self.angle = float(angle)
        super().__init__(
            A,
            name=f"quadratic κ={condition_number:g}",
            bounds=((-5.0, 5.0), (-5.0, 5.0)),
            start=R @ np.array([-4.0, 2.5]),
        )


class Saddle(Quadratic):
    """The saddle ``f(x, y) = x² - y²``: a quadratic with ``A = diag(2, -2)``.

    The origin is a saddle point (curving up along x, down along y) and there is **no
    minimum**: ``f`` is unbounded below, so ``minima`` is empty and every descent run
    eventually leaves the window. Started close to the x-axis, gradient descent first
    slides toward the saddle, then escapes along y, by a factor ``1 + 2·lr`` per step:
    the slow escape that makes saddles costly in high dimensions (Dauphin et al., 2014).

    Reference: Y. Dauphin et al., "Identifying and attacking the saddle point problem in
    high-dimensional non-convex optimization", NeurIPS 2014.
    """

    def __init__(self):
        super().__init__(
            np.diag([2.0, -2.0]),
            name="saddle x² - y²",
            bounds=((-2.0, 2.0), (-2.0, 2.0)),
            start=(-1.5, 0.01),
        )


class Rastrigin(Surface):
    """Rastrigin's function in ``dim`` dimensions (Rastrigin, 1974): a bowl full of dimples.

    .. math:: f(x) = A\\,n + \\sum_{i=1}^{n} \\left(x_i^2 - A \\cos 2\\pi x_i\\right)

    with ``A = 10``. The global minimum is ``f(0) = 0``; near every integer point there is
    a local minimum, so gradient descent stops in whichever dimple it starts in.

    Gradient: ``∂f/∂x_i = 2x_i + 2πA sin 2πx_i``.
    Hessian: diagonal, ``∂²f/∂x_i² = 2 + 4π²A cos 2πx_i``.

    References: L. A. Rastrigin, *Systems of Extremal Control*, Nauka, 1974; H. Mühlenbein,
    M. Schomisch and J. Born, "The parallel genetic algorithm as function optimizer",
    Parallel Computing 17, 1991 (the n-dimensional form).
    """

    def __init__(self, dim: int = 2, A: float = 10.0):
        self.A = float(A)
        super().__init__(
            name="Rastrigin",
            dim=dim,
            bounds=[(-5.12, 5.12)] * dim,
            start=np.resize([-3.3, 2.6], dim),
            minima=np.zeros(dim),
        )

    def value(self, x):
        x = np.asarray(x, dtype=float)
        return self.A * x.shape[-1] + np.sum(x * x - self.A * np.cos(2 * np.pi * x), axis=-1)

    def grad(self, x):
        x = np.asarray(x, dtype=float)
        return 2.0 * x + 2 * np.pi * self.A * np.sin(2 * np.pi * x)

    def hessian(self, x):
        x = np.asarray(x, dtype=float)
        diagonal = 2.0 + 4 * np.pi**2 * self.A * np.cos(2 * np.pi * x)
        return diagonal[..., :, None] * np.eye(x.shape[-1])


SURFACES = {
    "rosenbrock": Rosenbrock,
    "beale": Beale,
    "himmelblau": Himmelblau,
    "quadratic": IllConditionedQuadratic,
    "saddle": Saddle,
    "monkey saddle": MonkeySaddle,
    "rastrigin": Rastrigin,
}
"""Name -> class for every 2-D surface with default arguments (for pickers and playgrounds)."""
