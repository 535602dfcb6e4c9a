"""Tests of learning-rate schedules (against recorded torch.optim.lr_scheduler values)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from descentlab import optim, schedules
from torch_reference import build_schedule, recorded_schedules

RECORDED = recorded_schedules()


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_schedule_matches_torch_lr_scheduler(name):
    record = RECORDED[name]
    schedule = build_schedule(record["spec"], record["base_lr"])
    ours = np.array([schedule(t) for t in range(len(record["lrs"]))])
    np.testing.assert_allclose(ours, record["lrs"], rtol=1e-10, atol=1e-15)


def test_recorded_schedules_cover_every_kind():
    kinds = {record["spec"]["type"] for record in RECORDED.values()}
    assert kinds >= {
        "StepLR",
        "ExponentialLR",
        "CosineAnnealingLR",
        "LinearLR",
        "SequentialLR",
        "CyclicLR",
        "OneCycleLR",
    }


def test_closed_forms():
    assert schedules.constant(0.3)(1000) == 0.3
    step = schedules.step_decay(1.0, step_size=3, gamma=0.5)
    assert [step(t) for t in range(7)] == [1, 1, 1, 0.5, 0.5, 0.5, 0.25]
    assert schedules.exponential_decay(2.0, 0.5)(3) == 0.25
    cosine = schedules.cosine_annealing(1.0, T_max=10, eta_min=0.1)
    assert (
        cosine(0) == 1.0 and cosine(10) == pytest.approx(0.1) and cosine(5) == pytest.approx(0.55)
    )
    assert cosine(20) == pytest.approx(1.0)  # torch's formula continues past T_max
    ramp = schedules.linear(1.0, start_factor=0.2, end_factor=1.0, total_iters=4)
    assert [ramp(t) for t in range(6)] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0, 1.0])


def test_linear_warmup_composes_with_any_schedule():
    after = schedules.cosine_annealing(0.1, T_max=90)
    warm = schedules.linear_warmup(after, warmup_steps=10, start_factor=0.1)
    lrs = [warm(t) for t in range(100)]
    assert lrs[0] == pytest.approx(0.01) and lrs[5] == pytest.approx(0.01 + 0.09 * 0.5)
    assert lrs[9] < lrs[10] == after(0)
    assert lrs[10:] == [after(t) for t in range(90)]
    constant_after = schedules.linear_warmup(0.5, warmup_steps=4, start_factor=0.5)
    assert [constant_after(t) for t in range(6)] == pytest.approx(
        [0.25, 0.3125, 0.375, 0.4375, 0.5, 0.5]
    )
    custom = schedules.linear_warmup(lambda t: 1.0 / (1 + t), warmup_steps=2)
    assert custom(2) == 1.0 and custom(3) == 0.5


def test_one_cycle_shape():
    sched = schedules.one_cycle(1.0, total_steps=100, pct_start=0.3)
    lrs = np.array([sched(t) for t in range(100)])
    assert lrs[0] == pytest.approx(1.0 / 25) and lrs.max() == pytest.approx(1.0)
    assert int(np.argmax(lrs)) == 29 and lrs[-1] == pytest.approx(1.0 / 25 / 1e4)
    assert sched(150) == lrs[-1]  # held after total_steps


def test_cyclic_triangular_shape():
    sched = schedules.cyclic(0.1, 1.0, step_size_up=2, step_size_down=3)
    assert [sched(t) for t in range(7)] == pytest.approx([0.1, 0.55, 1.0, 0.7, 0.4, 0.1, 0.55])


def test_optimizer_uses_schedule_of_zero_based_count_like_torch():
    # torch: for each update, optimizer.step() then scheduler.step(); the first update uses
    # the initial lr. With a constant gradient 1, SGD moves by exactly -lr_t per update.
    sched = schedules.step_decay(1.0, step_size=2, gamma=0.1)
    opt = optim.SGD(lr=sched)
    params, state = np.zeros(1), opt.init(np.zeros(1))
    moves = []
    for _ in range(5):
        new, state = opt.step(params, np.ones(1), state)
        moves.append(float(params[0] - new[0]))
        params = new
    assert moves == pytest.approx([1.0, 1.0, 0.1, 0.1, 0.01])


def test_lr_range_test_on_a_quadratic():
    L = 4.0  # f = L x^2 / 2 ; gradient descent diverges for lr > 2 / L = 0.5

    def loss_and_grad(x):
        return 0.5 * L * float(x @ x), L * x

    x0 = np.array([1.0, -2.0])
    lrs, losses, suggested = schedules.lr_range_test(
        optim.SGD, loss_and_grad, x0, min_lr=1e-4, max_lr=10.0, num_steps=200
    )
    assert len(lrs) == len(losses) < 200  # stopped early when the loss blew up
    assert lrs[-1] > 2 / L and losses[-1] > 4 * losses.min()
    assert 1e-2 < suggested < 2 / L
    np.testing.assert_array_equal(x0, [1.0, -2.0])
    result = schedules.lr_range_test(
        lambda lr: optim.SGD(lr=lr, momentum=0.5), loss_and_grad, x0, max_lr=1.0, num_steps=50
    )
    assert result.suggested_lr == result[2] and np.all(np.diff(result.lrs) > 0)
    k = np.arange(len(result.lrs))
    np.testing.assert_allclose(result.lrs, 1e-7 * (1.0 / 1e-7) ** (k / 49), rtol=1e-12)
    assert 0.75 < result.lrs[-1]  # GD with momentum 0.5 is stable up to lr = 2 (1 + 0.5) / L


INVALID = [
    (lambda: schedules.constant(-1.0), "lr"),
    (lambda: schedules.step_decay(0.1, step_size=0), "step_size"),
    (lambda: schedules.step_decay(0.1, step_size=5, gamma=-0.5), "gamma"),
    (lambda: schedules.exponential_decay(-0.1, 0.9), "lr"),
    (lambda: schedules.cosine_annealing(0.1, T_max=0), "T_max"),
    (lambda: schedules.cosine_annealing(0.1, T_max=10, eta_min=-1.0), "eta_min"),
    (lambda: schedules.linear(0.1, start_factor=0.0), "start_factor"),
    (lambda: schedules.linear(0.1, end_factor=1.5), "end_factor"),
    (lambda: schedules.linear(0.1, total_iters=0), "total_iters"),
    (lambda: schedules.sequential([schedules.constant(0.1)], [3]), "milestones"),
    (
        lambda: schedules.sequential([schedules.constant(0.1)] * 3, [5, 2]),
        "milestones",
    ),
    (lambda: schedules.linear_warmup(0.1, warmup_steps=0), "warmup_steps"),
    (lambda: schedules.cyclic(0.1, 1.0, step_size_up=0), "step_size_up"),
    (lambda: schedules.cyclic(0.1, 1.0, step_size_down=-1), "step_size_down"),
    (lambda: schedules.cyclic(0.1, 1.0, mode="sawtooth"), "mode"),
    (lambda: schedules.one_cycle(1.0, total_steps=0), "total_steps"),
    (lambda: schedules.one_cycle(1.0, total_steps=100, pct_start=1.5), "pct_start"),
    (lambda: schedules.one_cycle(1.0, total_steps=10, pct_start=0.05), "pct_start"),
    (lambda: schedules.one_cycle(1.0, 100, anneal_strategy="exp"), "anneal_strategy"),
    (lambda: schedules.one_cycle(1.0, 100, div_factor=0.0), "div_factor"),
    (lambda: schedules.one_cycle(1.0, 100, final_div_factor=-1.0), "final_div_factor"),
    (lambda: schedules.lr_range_test(optim.SGD, None, None, min_lr=0.0), "min_lr"),
    (lambda: schedules.lr_range_test(optim.SGD, None, None, min_lr=1.0, max_lr=0.5), "max_lr"),
    (lambda: schedules.lr_range_test(optim.SGD, None, None, num_steps=2), "num_steps"),
    (lambda: schedules.lr_range_test(optim.SGD, None, None, smoothing=1.0), "smoothing"),
    (lambda: schedules.lr_range_test(optim.SGD, None, None, diverge_factor=1.0), "diverge_factor"),
]


@pytest.mark.parametrize("make,match", INVALID)
def test_invalid_schedule_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_cosine_is_not_nan_anywhere():
    sched = schedules.cosine_annealing(0.1, T_max=7)
    assert all(math.isfinite(sched(t)) and sched(t) >= 0 for t in range(50))


def test_schedules_have_a_readable_deterministic_repr():
    sched = schedules.linear_warmup(schedules.cosine_annealing(0.1, T_max=90), warmup_steps=10)
    assert repr(schedules.cosine_annealing(0.1, T_max=10)) == (
        "cosine_annealing(lr=0.1, T_max=10, eta_min=0.0)"
    )
    text = repr(optim.SGD(lr=sched, momentum=0.9))
    assert "linear_warmup(after=cosine_annealing(lr=0.1, T_max=90" in text and "0x" not in text
