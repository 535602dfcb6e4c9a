"""Tests for descentlab.meta: hypergradient descent and Reptile."""

import time

import numpy as np
import pytest

from descentlab import data, meta, nn


def bowl(x):
    """f(x) = ||x||^2 / 2 with gradient x (curvature 1: the best step size is 1)."""
    return 0.5 * float(x @ x), x


def test_sgd_hd_lr_grows_when_gradients_align():
    opt = meta.SGDHD(lr=0.01, beta=0.01)
    x, state = np.array([3.0, -4.0]), opt.init(np.zeros(2))
    lrs = []
    for _ in range(10):
        x, state = opt.step(x, bowl(x)[1], state)
        lrs.append(state.lr)
    assert lrs[0] == 0.01  # first step: no previous direction yet
    assert np.all(np.diff(lrs) > 0)  # too-short steps: g_t . g_{t-1} > 0 raises the lr


def test_sgd_hd_lr_shrinks_when_gradients_oppose():
    opt = meta.SGDHD(lr=1.9, beta=0.01)  # overshoots: x flips sign at every step
    x, state = np.array([3.0, -4.0]), opt.init(np.zeros(2))
    x, state = opt.step(x, bowl(x)[1], state)
    g_prev = bowl(x)[1]
    x, state = opt.step(x, g_prev, state)
    assert state.lr < 1.9
    # exactly alpha_t = alpha_{t-1} + beta g_t . g_{t-1}, with g_t . g_{t-1} < 0 here
    expected = 1.9 + 0.01 * (g_prev @ np.array([3.0, -4.0]))
    assert state.lr == pytest.approx(expected)


def test_sgd_hd_beats_a_badly_chosen_fixed_lr():
    A = np.diag([1.0, 10.0])

    def quad(x):
        return 0.5 * float(x @ A @ x), A @ x

    x0 = np.array([1.0, 1.0])
    _, fixed = meta.train(meta.SGDHD(lr=1e-3, beta=0.0), quad, x0, 200)  # plain SGD
    _, hd = meta.train(meta.SGDHD(lr=1e-3, beta=1e-3), quad, x0, 200)
    assert np.all(fixed["lr"] == 1e-3)
    assert hd["loss"][-1] < 1e-3 * fixed["loss"][-1]
    assert hd["lr"].max() > 0.05  # it found a much larger step size by itself


def test_sgd_hd_with_zero_beta_is_sgd_and_does_not_mutate():
    params = {"w": np.array([1.0, 2.0]), "b": np.array([0.5])}
    grads = {"w": np.array([0.1, -0.2]), "b": np.array([1.0])}
    opt = meta.SGDHD(lr=0.1, beta=0.0)
    new, state = opt.step(params, grads, opt.init(params))
    np.testing.assert_allclose(new["w"], [0.99, 2.02])
    np.testing.assert_allclose(new["b"], [0.4])
    assert params["w"].tolist() == [1.0, 2.0] and state.step == 1
    np.testing.assert_allclose(state.prev_direction["b"], [-1.0])


def test_adam_hd_adapts_and_matches_adam_when_beta_is_zero():
    g = np.array([0.3, -0.1])
    opt = meta.AdamHD(lr=0.01, beta=0.0)
    x, state = opt.step(np.zeros(2), g, opt.init(np.zeros(2)))
    # Adam's first step is -lr * sign(g) (up to eps)
    np.testing.assert_allclose(x, -0.01 * np.sign(g), rtol=1e-6)
    A = np.diag([1.0, 10.0])

    def quad(x):
        return 0.5 * float(x @ A @ x), A @ x

    _, fixed = meta.train(meta.AdamHD(lr=1e-4, beta=0.0), quad, np.ones(2), 300)
    _, hd = meta.train(meta.AdamHD(lr=1e-4, beta=1e-4), quad, np.ones(2), 300)
    assert hd["lr"][-1] > hd["lr"][0]  # consistent directions: the lr grew
    assert hd["loss"][-1] < 0.1 * fixed["loss"][-1]


def test_invalid_hyperparameters():
    with pytest.raises(ValueError, match="Invalid learning rate"):
        meta.SGDHD(lr=-1.0)
    with pytest.raises(ValueError, match="beta"):
        meta.SGDHD(beta=-1.0)
    with pytest.raises(ValueError, match="beta parameters"):
        meta.AdamHD(betas=(1.0, 0.9))


def test_adapt_lowers_the_training_loss():
    model = nn.MLP([1, 20, 1], activation="tanh", seed=0)
    X, y = data.sample_sine_task(0).sample(10, seed=1)
    _, losses = meta.adapt(model, model.params, X, y, steps=20, lr=0.02)
    assert losses[-1] < losses[0]


def test_reptile_init_adapts_better_than_random_init():
    model = nn.MLP([1, 40, 40, 1], activation="tanh", seed=0)
    start = time.perf_counter()
    theta = meta.reptile(model, iterations=1000, inner_steps=10, inner_lr=0.02, seed=1)
    elapsed = time.perf_counter() - start
    tasks = data.sine_tasks(20, seed=123)  # held-out tasks: a different seed
    kw = dict(steps=10, lr=0.02, k_shot=10, seed=7)
    learned = meta.evaluate_adaptation(model, theta, tasks, **kw)
    random = meta.evaluate_adaptation(model, model.init_params(99), tasks, **kw)
    assert learned.shape == (11,)
    assert learned[-1] < 0.3 * random[-1]  # measured: about 0.1
    assert learned[1] < 0.6 * learned[0] and learned[-1] < 0.3 * learned[0]  # steps help
    assert elapsed < 10  # about one second on two cores


def test_zero_beta_matches_the_package_sgd_and_adam():
    from descentlab import optim

    rng = np.random.default_rng(0)
    pairs = [
        (optim.SGD(lr=0.05), meta.SGDHD(lr=0.05, beta=0.0)),
        (optim.Adam(lr=0.01), meta.AdamHD(lr=0.01, beta=0.0)),
    ]
    for reference, ours in pairs:
        p_ref = p_ours = {"w": rng.standard_normal((2, 3)), "b": rng.standard_normal(3)}
        s_ref, s_ours = reference.init(p_ref), ours.init(p_ours)
        for _ in range(5):
            g = {"w": rng.standard_normal((2, 3)), "b": rng.standard_normal(3)}
            p_ref, s_ref = reference.step(p_ref, g, s_ref)
            p_ours, s_ours = ours.step(p_ours, g, s_ours)
        for k in p_ref:
            np.testing.assert_allclose(p_ours[k], p_ref[k], rtol=1e-12, atol=1e-15)
