"""Tests of gradient clipping and of composing transformations with optimizers (chain)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from descentlab import optim
from descentlab.tree import tree_leaves, tree_map

ELEMENTS = st.floats(-1e3, 1e3, width=32)


@st.composite
def gradient_trees(draw):
    """An array (float32 or float64) or a dict of two arrays."""
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    shapes = hnp.array_shapes(min_dims=1, max_dims=2, max_side=5)
    first = draw(hnp.arrays(dtype, shapes, elements=ELEMENTS))
    if draw(st.booleans()):
        return first
    return {"W": first, "b": draw(hnp.arrays(dtype, shapes, elements=ELEMENTS))}


def flat(tree):
    return np.concatenate([np.ravel(leaf).astype(np.float64) for leaf in tree_leaves(tree)])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grads=gradient_trees(), max_norm=st.floats(1e-3, 1e3))
def test_global_norm_clip_bounds_the_norm_and_keeps_the_direction(grads, max_norm):
    clip = optim.clip_by_global_norm(max_norm)
    clipped, state = clip.update(grads, clip.init(grads))
    before, after = flat(grads), flat(clipped)
    norm = np.linalg.norm(before)
    assert state.norm == pytest.approx(norm, rel=1e-6)
    assert np.linalg.norm(after) <= max_norm * (1 + 1e-6)  # float32 rounding of the scaling
    # torch's rule, coef = max_norm / (norm + 1e-6), on the norm the transformation computed
    # (in float32 for float32 gradients: it can differ from `norm` in the last digits)
    if max_norm / (state.norm + 1e-6) >= 1:
        assert clipped is grads
    else:  # same direction: a positive multiple
        scale = max_norm / (norm + 1e-6)
        np.testing.assert_allclose(after, scale * before, rtol=1e-5, atol=1e-30)
    for leaf, old in zip(tree_leaves(clipped), tree_leaves(grads), strict=True):
        assert leaf.dtype == old.dtype


def test_global_norm_clip_result_is_at_most_max_norm_in_float64():
    rng = np.random.default_rng(0)
    clip = optim.clip_by_global_norm(1.0)
    for _ in range(200):
        grads = {"a": rng.standard_normal(7) * 100, "b": rng.standard_normal((3, 2))}
        clipped, _ = clip.update(grads, clip.init(grads))
        assert optim.global_norm(clipped) <= 1.0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grads=gradient_trees(), clip_value=st.floats(1e-3, 1e3))
def test_clip_by_value_bounds_every_entry(grads, clip_value):
    clip = optim.clip_by_value(clip_value)
    clipped, _ = clip.update(grads, clip.init(grads))
    for new, old in zip(tree_leaves(clipped), tree_leaves(grads), strict=True):
        np.testing.assert_array_equal(new, np.clip(old, -clip_value, clip_value))
        assert new.dtype == old.dtype and not np.shares_memory(new, old)


OPTIMIZERS = [
    optim.SGD(lr=0.1),
    optim.SGD(lr=0.1, momentum=0.9, nesterov=True),
    optim.Adagrad(lr=0.1, lr_decay=0.01),
    optim.RMSprop(lr=0.01, centered=True, momentum=0.5),
    optim.Adam(lr=0.01, amsgrad=True),
    optim.AdamW(lr=0.01, weight_decay=0.1),
    optim.Adamax(lr=0.01),
    optim.Adadelta(weight_decay=0.01),
    optim.NAdam(lr=0.01),
]


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=repr)
@pytest.mark.parametrize(
    "clip", [optim.clip_by_global_norm(0.5), optim.clip_by_value(0.3)], ids=repr
)
def test_chain_equals_clipping_then_stepping(opt, clip):
    rng = np.random.default_rng(1)
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    chained = optim.chain(clip, opt)
    state, manual_state = chained.init(params), opt.init(params)
    chained_params, manual_params = params, params
    for _ in range(5):
        grads = tree_map(lambda p: 3 * p + rng.standard_normal(p.shape), chained_params)
        chained_params, state = chained.step(chained_params, grads, state)
        clipped, _ = clip.update(grads, clip.init(grads))
        manual_params, manual_state = opt.step(manual_params, clipped, manual_state)
        for a, b in zip(tree_leaves(chained_params), tree_leaves(manual_params), strict=True):
            np.testing.assert_array_equal(a, b)
    assert state.step == 5  # the chain's state forwards to the optimizer's state
    for field in manual_state._fields[1:]:
        for a, b in zip(
            tree_leaves(getattr(state, field)),
            tree_leaves(getattr(manual_state, field)),
            strict=True,
        ):
            np.testing.assert_array_equal(a, b)


def test_chain_of_transformations_and_nesting():
    grads = np.array([3.0, -4.0])  # norm 5
    both = optim.chain(optim.clip_by_value(3.5), optim.clip_by_global_norm(1.0))
    assert isinstance(both, optim.GradientTransformation)
    clipped, states = both.update(grads, both.init(grads))
    expected = np.array([3.0, -3.5]) / (np.hypot(3.0, 3.5) + 1e-6)
    np.testing.assert_allclose(clipped, expected)
    assert states[1].norm == pytest.approx(np.hypot(3.0, 3.5))
    nested = optim.chain(both, optim.chain(optim.clip_by_value(10.0), optim.SGD(lr=1.0)))
    params, state = nested.step(np.zeros(2), grads, nested.init(np.zeros(2)))
    np.testing.assert_allclose(params, -expected)
    assert state.step == 1
    assert nested.lr == 1.0 and "chain(" in repr(nested)


def test_chain_effective_lr_and_schedule():
    opt = optim.chain(optim.clip_by_global_norm(1.0), optim.Adam(lr=lambda t: 0.1 / (t + 1)))
    params, state = opt.step(np.zeros(2), np.array([0.3, 0.4]), opt.init(np.zeros(2)))
    np.testing.assert_allclose(opt.effective_lr(state), 0.1 / (np.array([0.3, 0.4]) + 1e-8))
    assert opt.lr_at(1) == 0.05


def test_chain_rejects_bad_parts():
    with pytest.raises(ValueError, match="at least one"):
        optim.chain()
    with pytest.raises(TypeError, match="only the last part may be an optimizer"):
        optim.chain(optim.SGD(), optim.clip_by_value(1.0))
    with pytest.raises(TypeError, match="neither an optimizer nor a transformation"):
        optim.chain(optim.clip_by_value(1.0), 3.0)


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: optim.clip_by_global_norm(0.0), "max_norm"),
        (lambda: optim.clip_by_global_norm(-1.0), "max_norm"),
        (lambda: optim.clip_by_global_norm(1.0, norm_type=0.5), "norm_type"),
        (lambda: optim.clip_by_value(0.0), "clip_value"),
        (lambda: optim.clip_by_value(float("nan")), "clip_value"),
    ],
)
def test_invalid_clip_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_global_norm_variants():
    tree = {"a": np.array([3.0, -4.0]), "b": np.array([[12.0]])}
    assert optim.global_norm(tree) == pytest.approx(13.0)
    assert optim.global_norm(tree, math.inf) == 12.0
    assert optim.global_norm(tree, 1.0) == pytest.approx(19.0)
    huge = np.array([3e200, 4e200])  # the squares overflow; the norm does not
    assert optim.global_norm(huge) == pytest.approx(5e200)


def test_clipping_keeps_an_exploding_run_finite():
    # f(x) = x^4 / 4 from x = 10 with lr 0.1: plain GD overflows, clipped GD converges.
    def grad(x):
        return x**3

    for opt, finite in [
        (optim.SGD(lr=0.1), False),
        (optim.chain(optim.clip_by_global_norm(1.0), optim.SGD(lr=0.1)), True),
    ]:
        x, state = np.array([10.0]), opt.init(np.array([10.0]))
        with np.errstate(all="ignore"):
            for _ in range(200):
                x, state = opt.step(x, grad(x), state)
        assert bool(np.all(np.isfinite(x))) == finite


def test_nonfinite_gradients_propagate_through_clipping():
    clip = optim.clip_by_global_norm(1.0)
    with np.errstate(all="ignore"):
        clipped, state = clip.update(np.array([np.nan, 1.0]), clip.init(None))
        assert np.isnan(clipped[0]) and math.isnan(state.norm)
        clipped, state = clip.update(np.array([np.inf, 1.0]), clip.init(None))
        assert np.isnan(clipped[0]) and state.norm == math.inf
