"""Tests for descentlab.surfaces: derivatives against finite differences, critical points."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descentlab import surfaces
from descentlab.surfaces import (
    Beale,
    Himmelblau,
    IllConditionedQuadratic,
    MonkeySaddle,
    Parabola,
    Quadratic,
    Rastrigin,
    Rosenbrock,
    Saddle,
    log_levels,
)

SURFACES = {
    "rosenbrock": Rosenbrock(),
    "rosenbrock a=2 b=10": Rosenbrock(a=2.0, b=10.0),
    "beale": Beale(),
    "himmelblau": Himmelblau(),
    "monkey saddle": MonkeySaddle(),
    "saddle": Saddle(),
    "quadratic k=10": IllConditionedQuadratic(10.0),
    "quadratic k=100 rotated": IllConditionedQuadratic(100.0, angle=0.7, L=2.0),
    "quadratic 3-D": Quadratic([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]], b=[1, -2, 0.5]),
    "parabola": Parabola(4.0),
    "rastrigin": Rastrigin(),
    "rastrigin 3-D": Rastrigin(dim=3),
}
ALL = pytest.mark.parametrize("surface", SURFACES.values(), ids=SURFACES.keys())
PLANAR = pytest.mark.parametrize(
    "surface",
    [s for s in SURFACES.values() if s.dim == 2],
    ids=[k for k, s in SURFACES.items() if s.dim == 2],
)


def central_difference(f, p, h=1e-6):
    """Central differences of f at p: one column per coordinate, error O(h^2)."""
    p = np.asarray(p, dtype=float)
    columns = []
    for e in np.eye(p.size):
        step = h * max(1.0, np.max(np.abs(p)))
        columns.append((np.asarray(f(p + step * e)) - np.asarray(f(p - step * e))) / (2 * step))
    return np.stack(columns, axis=-1)


def points_in(surface):
    """A hypothesis strategy for points inside the surface's plotting bounds."""
    coordinates = [st.floats(low, high) for low, high in surface.bounds]
    return st.tuples(*coordinates).map(np.array)


@ALL
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_gradient_matches_central_differences(surface, data):
    p = data.draw(points_in(surface))
    expected = central_difference(surface.value, p)
    scale = 1.0 + np.max(np.abs(expected))
    np.testing.assert_allclose(surface.grad(p), expected, rtol=0, atol=1e-6 * scale)


@ALL
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_hessian_matches_central_differences_of_gradient(surface, data):
    p = data.draw(points_in(surface))
    hessian = surface.hessian(p)
    expected = central_difference(surface.grad, p)
    scale = 1.0 + np.max(np.abs(expected))
    np.testing.assert_allclose(hessian, expected, rtol=0, atol=1e-6 * scale)
    np.testing.assert_allclose(hessian, hessian.T, rtol=1e-12, atol=1e-12)


@ALL
def test_value_and_grad_agrees_with_value_and_grad(surface):
    p = surface.start + 0.3
    value, grad = surface.value_and_grad(p)
    assert value == pytest.approx(surface.value(p), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(grad, surface.grad(p), rtol=1e-12, atol=1e-12)


@ALL
def test_batches_of_points_broadcast_like_single_points(surface):
    rng = np.random.default_rng(0)
    low, high = np.array(surface.bounds).T
    batch = rng.uniform(low, high, size=(4, 3, surface.dim))
    values, grads, hessians = surface.value(batch), surface.grad(batch), surface.hessian(batch)
    assert values.shape == (4, 3)
    assert grads.shape == (4, 3, surface.dim)
    assert hessians.shape == (4, 3, surface.dim, surface.dim)
    for index in np.ndindex(4, 3):
        point = batch[index]
        assert values[index] == pytest.approx(surface.value(point), rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(grads[index], surface.grad(point), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(hessians[index], surface.hessian(point), rtol=1e-12, atol=1e-9)
        batch_value, batch_grad = surface.value_and_grad(batch)
        np.testing.assert_allclose(batch_value, values)
        np.testing.assert_allclose(batch_grad, grads)


@ALL
def test_single_point_gives_scalar_value_and_vector_gradient(surface):
    value, grad = surface.value_and_grad(surface.start)
    assert np.ndim(value) == 0
    assert grad.shape == (surface.dim,)
    assert surface.hessian(surface.start).shape == (surface.dim, surface.dim)


@ALL
def test_minima_are_strict_local_minima_with_the_documented_value(surface):
    for minimum in surface.minima:
        np.testing.assert_allclose(surface.grad(minimum), 0.0, atol=1e-9)
        assert np.all(np.linalg.eigvalsh(surface.hessian(minimum)) > 0)
        assert surface.value(minimum) == pytest.approx(surface.min_value, abs=1e-12)


@ALL
def test_saddle_points_are_critical_points_that_are_not_minima(surface):
    for saddle in surface.saddle_points:
        np.testing.assert_allclose(surface.grad(saddle), 0.0, atol=1e-9)
        eigenvalues = np.linalg.eigvalsh(surface.hessian(saddle))
        degenerate = np.allclose(eigenvalues, 0.0)  # the monkey saddle
        assert degenerate or (eigenvalues.min() < 0 < eigenvalues.max())


@ALL
def test_start_and_critical_points_lie_inside_the_bounds(surface):
    low, high = np.array(surface.bounds).T
    for p in [surface.start, *surface.minima, *surface.saddle_points]:
        assert np.all(low <= p) and np.all(p <= high)
    assert surface.start.shape == (surface.dim,)
    assert len(surface.bounds) == surface.dim
    assert isinstance(surface.name, str) and surface.name


def test_known_minimum_values_and_locations():
    assert Rosenbrock().value([1.0, 1.0]) == 0.0
    np.testing.assert_array_equal(Rosenbrock(a=2.0).minima, [[2.0, 4.0]])
    assert Beale().value([3.0, 0.5]) == 0.0
    assert Himmelblau().value([3.0, 2.0]) == 0.0
    assert len(Himmelblau().minima) == 4
    np.testing.assert_allclose(Himmelblau().value(Himmelblau().minima), 0.0, atol=1e-24)
    assert Rastrigin(dim=5).value(np.zeros(5)) == 0.0
    assert Rastrigin().value([1.0, -2.0]) == pytest.approx(5.0)  # 1 + 4 + 10·2(1 - cos 2πk)


def test_surfaces_without_a_minimum_have_empty_minima():
    for surface in (Saddle(), MonkeySaddle()):
        assert surface.minima.shape == (0, 2)
        assert np.isnan(surface.min_value)
        np.testing.assert_array_equal(surface.saddle_points, [[0.0, 0.0]])


def test_critical_point_arrays_are_read_only():
    with pytest.raises(ValueError):
        Rosenbrock().minima[0, 0] = 5.0


def test_saddle_is_x_squared_minus_y_squared():
    x, y = 1.3, -0.4
    assert Saddle().value([x, y]) == pytest.approx(x * x - y * y)


def test_himmelblau_local_maximum_from_the_docstring():
    maximum = np.array([-0.270844590667348, -0.923038556479981])
    np.testing.assert_allclose(Himmelblau().grad(maximum), 0.0, atol=1e-9)
    assert np.all(np.linalg.eigvalsh(Himmelblau().hessian(maximum)) < 0)
    assert Himmelblau().value(maximum) == pytest.approx(181.62, abs=0.01)


def test_beale_is_constant_along_x_equals_zero():
    ys = np.linspace(-4, 4, 9)
    values = Beale().value(np.stack([np.zeros_like(ys), ys], axis=-1))
    np.testing.assert_allclose(values, 14.203125)


# --- quadratics -------------------------------------------------------------------------


def test_general_quadratic_minimum_is_the_solution_of_a_x_equals_b():
    A = np.array([[4.0, 1.0], [1.0, 3.0]])
    b = np.array([1.0, 2.0])
    q = Quadratic(A, b, c=0.5)
    x_star = np.linalg.solve(A, b)
    np.testing.assert_allclose(q.minima, [x_star])
    assert q.min_value == pytest.approx(0.5 - 0.5 * b @ x_star)
    assert q.value([0.0, 0.0]) == 0.5
    np.testing.assert_allclose(q.grad([0.0, 0.0]), -b)


def test_quadratic_classifies_its_critical_point():
    indefinite = Quadratic([[1.0, 0.0], [0.0, -3.0]], b=[1.0, 3.0])
    assert indefinite.minima.shape == (0, 2)
    np.testing.assert_allclose(indefinite.saddle_points, [[1.0, -1.0]])
    singular = Quadratic([[1.0, 0.0], [0.0, 0.0]])
    assert singular.minima.shape == (0, 2) and singular.saddle_points.shape == (0, 2)
    assert singular.condition_number == np.inf


def test_quadratic_rejects_a_non_symmetric_matrix():
    with pytest.raises(ValueError, match="Invalid A"):
        Quadratic([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="Invalid A"):
        Quadratic([1.0, 2.0])


@settings(max_examples=30, deadline=None)
@given(
    condition_number=st.floats(1.0, 1e4),
    angle=st.floats(-np.pi, np.pi),
    L=st.floats(0.01, 100.0),
)
def test_ill_conditioned_quadratic_has_the_requested_spectrum(condition_number, angle, L):
    q = IllConditionedQuadratic(condition_number, angle=angle, L=L)
    np.testing.assert_allclose(q.eigenvalues, [L / condition_number, L], rtol=1e-9)
    assert q.condition_number == pytest.approx(condition_number, rel=1e-8)
    assert q.L == pytest.approx(L) and q.mu == pytest.approx(L / condition_number)
    flat_direction = np.array([np.cos(angle), np.sin(angle)])
    np.testing.assert_allclose(q.A @ flat_direction, q.mu * flat_direction, atol=1e-9 * L)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"condition_number": 0.5}, "Invalid condition_number"),
        ({"condition_number": float("nan")}, "Invalid condition_number"),
        ({"L": 0.0}, "Invalid L"),
    ],
)
def test_ill_conditioned_quadratic_validates_its_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        IllConditionedQuadratic(**kwargs)


def test_parabola_is_l_over_two_x_squared():
    p = Parabola(L=3.0)
    assert p.dim == 1
    assert p.value([2.0]) == pytest.approx(6.0)
    np.testing.assert_allclose(p.grad([2.0]), [6.0])
    np.testing.assert_allclose(p.hessian([2.0]), [[3.0]])
    assert p.L == 3.0
    with pytest.raises(ValueError, match="Invalid L"):
        Parabola(L=-1.0)


# --- grids and levels -------------------------------------------------------------------


@PLANAR
def test_grid_matches_pointwise_values(surface):
    X, Y, Z = surface.grid(31)
    assert X.shape == Y.shape == Z.shape == (31, 31)
    (x_low, x_high), (y_low, y_high) = surface.bounds
    assert X[0, 0] == x_low and X[0, -1] == x_high
    assert Y[0, 0] == y_low and Y[-1, 0] == y_high
    assert Z[5, 7] == pytest.approx(surface.value([X[5, 7], Y[5, 7]]))


def test_grid_of_a_one_dimensional_surface():
    x, z = Parabola(2.0).grid(11)
    np.testing.assert_allclose(z, x * x)


def test_grid_refuses_three_dimensions():
    with pytest.raises(ValueError, match="dim=3"):
        Rastrigin(dim=3).grid()


@PLANAR
def test_levels_increase_and_cover_the_grid(surface):
    X, Y, Z = surface.grid(60)
    levels = surface.levels(20, Z)
    assert levels.shape == (20,)
    assert np.all(np.diff(levels) > 0)
    assert levels[-1] == pytest.approx(Z.max())
    if surface.log_scale:
        gaps = levels - surface.min_value
        ratios = gaps[1:] / gaps[:-1]
        np.testing.assert_allclose(ratios, ratios[0])


def test_log_levels_are_geometric_above_the_floor():
    Z = np.array([[1.0, 2.0], [101.0, 1001.0]])
    levels = log_levels(Z, n=4, floor=1.0, decades=3)
    np.testing.assert_allclose(levels, 1.0 + np.array([1.0, 10.0, 100.0, 1000.0]))
    with pytest.raises(ValueError, match="no values above"):
        log_levels(np.ones((3, 3)))


def test_points_with_the_wrong_number_of_coordinates_are_rejected():
    with pytest.raises(ValueError, match=r"\(\.\.\., 2\)"):
        Rosenbrock().value(np.zeros(3))


def test_registry_builds_every_surface():
    for name, cls in surfaces.SURFACES.items():
        surface = cls()
        assert surface.dim == 2, name
        value, grad = surface.value_and_grad(surface.start)
        assert np.isfinite(value) and np.all(np.isfinite(grad))
