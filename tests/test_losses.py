"""Tests for descentlab.losses: gradients, stability, input checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descentlab import losses
from descentlab.gradcheck import gradcheck

TOL = 1e-6


def _check(value_fn, grad_fn, pred, target, **kw):
    return gradcheck(lambda p: (value_fn(p, target, **kw), grad_fn(p, target, **kw)), pred)


shapes = st.tuples(st.integers(1, 6), st.integers(1, 5))
seeds = st.integers(0, 2**32 - 1)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(shape=shapes, seed=seeds)
def test_regression_losses_match_finite_differences(shape, seed):
    rng = np.random.default_rng(seed)
    pred = rng.standard_normal(shape)
    # keep residuals away from the kinks of |r| at 0 and of Huber at +-delta
    r = rng.uniform(0.1, 0.9, shape) * rng.choice([-1, 1], shape)
    r = np.where(rng.random(shape) < 0.5, r, 1.5 * np.sign(r) + r)
    target = pred - r
    assert _check(losses.mse, losses.mse_grad, pred, target) < TOL
    assert _check(losses.mae, losses.mae_grad, pred, target) < TOL
    assert _check(losses.huber, losses.huber_grad, pred, target, delta=1.0) < TOL


@settings(max_examples=40, deadline=None, derandomize=True)
@given(shape=shapes, seed=seeds, scale=st.sampled_from([0.1, 1.0, 3.0]))
def test_classification_losses_match_finite_differences(shape, seed, scale):
    rng = np.random.default_rng(seed)
    logits = scale * rng.standard_normal(shape)
    y_bin = rng.integers(0, 2, shape).astype(float)
    assert _check(losses.bce_with_logits, losses.bce_with_logits_grad, logits, y_bin) < TOL
    assert _check(losses.sigmoid_mse, losses.sigmoid_mse_grad, logits, y_bin) < TOL
    labels = rng.integers(0, shape[1], shape[0])
    assert _check(losses.cross_entropy, losses.cross_entropy_grad, logits, labels) < TOL
    probs = losses.softmax(rng.standard_normal(shape))
    assert _check(losses.cross_entropy, losses.cross_entropy_grad, logits, probs) < TOL


def test_known_values():
    assert losses.mse([1.0, 3.0], [0.0, 0.0]) == 5.0
    assert losses.mae([1.0, -3.0], [0.0, 0.0]) == 2.0
    # |r| = 0.5 is quadratic, |r| = 3 is linear: (0.125 + (3 - 0.5)) / 2
    assert losses.huber([0.5, 3.0], [0.0, 0.0]) == pytest.approx((0.125 + 2.5) / 2)
    assert losses.bce_with_logits([0.0], [1.0]) == pytest.approx(np.log(2))
    assert losses.cross_entropy(np.zeros((2, 4)), [0, 3]) == pytest.approx(np.log(4))


def test_integer_labels_equal_one_hot():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    one_hot = np.eye(3)[labels]
    assert losses.cross_entropy(z, labels) == pytest.approx(losses.cross_entropy(z, one_hot))
    np.testing.assert_allclose(
        losses.cross_entropy_grad(z, labels), losses.cross_entropy_grad(z, one_hot)
    )


def test_cross_entropy_with_two_classes_equals_binary_cross_entropy():
    z = np.array([-2.0, 0.3, 4.0])
    y = np.array([1, 0, 1])
    two_class = np.stack([np.zeros(3), z], axis=1)  # softmax([0, z])_1 = sigmoid(z)
    assert losses.cross_entropy(two_class, y) == pytest.approx(losses.bce_with_logits(z, y))


@pytest.mark.parametrize("big", [1000.0, -1000.0, 1e300])
def test_stable_at_extreme_logits(big):
    z = np.array([[big, -big, 0.0], [0.0, big, -big]])
    for y in [(z > 0).astype(float), (z < 0).astype(float)]:
        for fn in (losses.bce_with_logits, losses.bce_with_logits_grad, losses.sigmoid_mse):
            assert np.all(np.isfinite(fn(z, y)))
        assert np.all(np.isfinite(losses.sigmoid_mse_grad(z, y)))
    for labels in ([0, 1], [2, 2]):
        assert np.isfinite(losses.cross_entropy(z, labels))
        assert np.all(np.isfinite(losses.cross_entropy_grad(z, labels)))
    assert np.all(np.isfinite(losses.softplus(z))) and np.all(np.isfinite(losses.sigmoid(z)))


def test_extreme_logits_give_the_limit_values():
    # confidently right: loss 0; confidently wrong by 1000: loss 1000 (averaged)
    assert losses.bce_with_logits([1000.0], [1.0]) == 0.0
    assert losses.bce_with_logits([-1000.0], [1.0]) == pytest.approx(1000.0)
    assert losses.cross_entropy([[1000.0, -1000.0]], [1]) == pytest.approx(2000.0)
    np.testing.assert_allclose(losses.cross_entropy_grad([[1000.0, -1000.0]], [1]), [[1, -1]])


def test_sigmoid_cross_entropy_gradient_is_p_minus_y():
    rng = np.random.default_rng(1)
    z = rng.standard_normal(7)
    y = rng.integers(0, 2, 7).astype(float)
    p = losses.sigmoid(z)
    np.testing.assert_allclose(losses.bce_with_logits_grad(z, y) * z.size, p - y, rtol=1e-14)


def test_cross_entropy_does_not_saturate_like_mse():
    # One confidently wrong example: logit -10, label 1 (p = 4.5e-5).
    z, y = np.array([-10.0]), np.array([1.0])
    ce = abs(losses.bce_with_logits_grad(z, y)[0])
    se = abs(losses.sigmoid_mse_grad(z, y)[0])
    assert ce > 0.99  # |p - y|: about 1, the largest possible gradient
    assert se < 1e-4  # 2 (p - y) p (1 - p): the saturated sigmoid kills the signal
    assert ce > 1000 * se


def test_shape_mismatch_raises():
    with pytest.raises(ValueError, match="Shape mismatch"):
        losses.mse(np.zeros((3, 1)), np.zeros(3))
    with pytest.raises(ValueError, match="Shape mismatch"):
        losses.bce_with_logits_grad(np.zeros(4), np.zeros(3))
    with pytest.raises(ValueError, match="labels"):
        losses.cross_entropy(np.zeros((3, 2)), [0, 1])
    with pytest.raises(ValueError, match="shape"):
        losses.cross_entropy(np.zeros(3), [0, 1, 2])


def test_bad_labels_raise():
    with pytest.raises(ValueError, match="outside the valid range 0..2"):
        losses.cross_entropy(np.zeros((2, 3)), [0, 3])
    with pytest.raises(ValueError, match="outside"):
        losses.cross_entropy_grad(np.zeros((2, 3)), [-1, 0])
    with pytest.raises(ValueError, match="integers"):
        losses.cross_entropy(np.zeros((2, 3)), [0.5, 1])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        losses.bce_with_logits(np.zeros(2), [0.0, 2.0])
    with pytest.raises(ValueError, match="sum to 1"):
        losses.cross_entropy(np.zeros((1, 2)), [[0.5, 0.6]])
    with pytest.raises(ValueError, match="delta"):
        losses.huber([1.0], [0.0], delta=0.0)


def test_value_and_grad_dispatch():
    pred, y = np.array([0.0, 2.0]), np.array([1.0, 1.0])
    value, grad = losses.value_and_grad("huber", pred, y, delta=0.5)
    assert value == losses.huber(pred, y, delta=0.5)
    np.testing.assert_array_equal(grad, losses.huber_grad(pred, y, delta=0.5))
    with pytest.raises(ValueError, match="Unknown loss"):
        losses.value_and_grad("hinge", pred, y)


def test_logsumexp_and_softmax():
    z = np.array([[1000.0, 1000.0], [-1000.0, 0.0]])
    np.testing.assert_allclose(losses.logsumexp(z), [1000 + np.log(2), 0.0])
    np.testing.assert_allclose(losses.softmax(z).sum(axis=1), 1.0)
    np.testing.assert_allclose(losses.softplus(np.array([-800.0, 0.0, 800.0])), [0, np.log(2), 800])
