"""Tests for descentlab.optim.newton."""

import numpy as np
import pytest

from descentlab.optim.newton import Newton, damped_newton_direction


def quadratic(A, b):
    """f(x) = x^T A x / 2 - b.x, minimized at A^{-1} b."""
    return lambda x: (0.5 * x @ A @ x - b @ x, A @ x - b, A)


def rosenbrock(p):
    x, y = p
    value = (1 - x) ** 2 + 100 * (y - x**2) ** 2
    grad = np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])
    hess = np.array([[2 - 400 * (y - x**2) + 800 * x**2, -400 * x], [-400 * x, 200.0]])
    return value, grad, hess


def test_one_step_on_a_quadratic():
    rng = np.random.default_rng(0)
    M = rng.standard_normal((5, 5))
    A = M @ M.T + 0.1 * np.eye(5)  # positive definite, condition number in the hundreds
    b = rng.standard_normal(5)
    opt = Newton()
    x, state = opt.step(rng.standard_normal(5), quadratic(A, b), opt.init(np.zeros(5)))
    np.testing.assert_allclose(x, np.linalg.solve(A, b), rtol=1e-10, atol=1e-12)
    assert state.status == "ok" and state.step == 1 and state.func_evals == 1


def test_error_roughly_squares_near_the_optimum():
    opt = Newton()
    x, state = np.array([1.05, 1.1]), opt.init(np.zeros(2))
    errors = [np.linalg.norm(x - 1)]
    for _ in range(5):
        x, state = opt.step(x, rosenbrock, state)
        errors.append(np.linalg.norm(x - 1))
    errors = np.array(errors)
    assert errors[-1] < 1e-11 and state.damping == 0.0
    # quadratic convergence: e_{k+1} <= C e_k^2 with a modest constant (here C = 10)
    assert np.all(errors[1:] <= 10 * errors[:-1] ** 2)
    # ... so the number of correct digits roughly doubles at every step near the end
    digits = -np.log10(errors)
    assert np.all(digits[3:] >= 1.6 * digits[2:-1])


def test_dict_params_use_flattened_hessian():
    A = np.diag([1.0, 2.0, 4.0])

    def closure(p):
        x = np.concatenate([p["w"], p["b"]])
        return 0.5 * x @ A @ x - x.sum(), {"w": (A @ x - 1)[:2], "b": (A @ x - 1)[2:]}, A

    opt = Newton()
    params = {"w": np.zeros(2), "b": np.zeros(1)}
    new, _ = opt.step(params, closure, opt.init(params))
    np.testing.assert_allclose(new["w"], [1.0, 0.5])
    np.testing.assert_allclose(new["b"], [0.25])
    assert params["w"].tolist() == [0.0, 0.0]  # inputs untouched


def test_damping_makes_an_indefinite_hessian_safe():
    H = np.diag([1.0, -2.0])
    g = np.array([1.0, 1.0])
    p, lam = damped_newton_direction(g, H)
    assert lam > 2.0 and g @ p < 0  # shifted until positive definite; a descent direction
    p0, lam0 = damped_newton_direction(g, np.eye(2), damping=0.5)
    assert lam0 == 0.5
    np.testing.assert_allclose(p0, -g / 1.5)


def test_saddle_point_repels_damped_newton_and_attracts_pure_newton():
    # f = x^2 - y^2 + y^4 / 4 has a saddle at 0 and minima at (0, +-sqrt(2)).
    def f(p):
        x, y = p
        value = x**2 - y**2 + y**4 / 4
        return value, np.array([2 * x, -2 * y + y**3]), np.diag([2.0, -2 + 3 * y**2])

    opt = Newton(line_search="armijo")
    x, state = np.array([0.5, 0.1]), opt.init(np.zeros(2))
    for _ in range(30):
        x, state = opt.step(x, f, state)
    np.testing.assert_allclose(np.abs(x), [0.0, np.sqrt(2)], atol=1e-8)
    # Pure Newton jumps to the stationary point of the quadratic model: the saddle.
    plain_opt = Newton(ensure_descent=False)
    plain, plain_state = np.array([0.5, 0.1]), plain_opt.init(np.zeros(2))
    for _ in range(30):
        plain, plain_state = plain_opt.step(plain, f, plain_state)
    np.testing.assert_allclose(plain, [0.0, 0.0], atol=1e-8)


def test_armijo_rescues_a_newton_step_that_overshoots():
    # f(x) = sqrt(1 + x^2): Newton's pure step x -> -x^3 diverges from |x| > 1.
    def f(x):
        r = np.sqrt(1 + x**2)
        return float(r[0]), x / r, np.atleast_2d(1 / r**3)

    pure, damped = Newton(), Newton(line_search="armijo")
    x_pure = x_ls = np.array([1.5])
    s_pure, s_ls = pure.init(x_pure), damped.init(x_ls)
    for _ in range(6):
        x_pure, s_pure = pure.step(x_pure, f, s_pure)
        x_ls, s_ls = damped.step(x_ls, f, s_ls)
    assert abs(x_pure[0]) > 1e6  # 1.5 -> -3.4 -> 38 -> -5.6e4 -> 1.7e14
    assert abs(x_ls[0]) < 1e-6 and s_ls.func_evals > s_ls.step  # backtracked


def test_nonfinite_closure_stops():
    opt = Newton()
    x, state = opt.step(np.ones(2), lambda p: (np.nan, p, np.eye(2)), opt.init(np.ones(2)))
    assert state.status == "nonfinite"
    np.testing.assert_array_equal(x, np.ones(2))
    x, state2 = opt.step(x, quadratic(np.eye(2), np.zeros(2)), state)
    assert state2 is state  # terminal: nothing more happens


def test_converged_and_surface_like_objects():
    class Bowl:
        def value(self, p):
            return float(p @ p)

        def grad(self, p):
            return 2 * p

        def hessian(self, p):
            return 2 * np.eye(p.size)

        def value_and_grad(self, p):
            return self.value(p), self.grad(p)

    opt = Newton(tolerance_grad=1e-12)
    x, state = opt.step(np.array([3.0, -1.0]), Bowl(), opt.init(np.zeros(2)))
    np.testing.assert_allclose(x, 0.0, atol=1e-15)
    x, state = opt.step(x, Bowl().value_and_grad, state)  # as descentlab.run passes it
    assert state.status == "converged"


def test_invalid_hyperparameters():
    with pytest.raises(ValueError, match="Invalid learning rate: -0.1"):
        Newton(lr=-0.1)
    with pytest.raises(ValueError, match="damping"):
        Newton(damping=-1.0)
    with pytest.raises(ValueError, match="line_search"):
        Newton(line_search="wolfe")
