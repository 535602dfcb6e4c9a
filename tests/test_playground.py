"""The optimizer playground renders every surface and survives every control value."""

from __future__ import annotations

import numpy as np

from descentlab.viz.playground import SURFACES, TUNED_LR, playground, race_entry


def test_every_surface_renders_and_play_moves_the_picture():
    lab = playground(figsize=(6, 3), dpi=40)
    for surface in SURFACES:
        first = lab.frame(surface=surface, step=0).copy()
        later = lab.frame(surface=surface, step=40).copy()
        assert not np.array_equal(first, later), surface


def test_invalid_hyperparameters_are_reported_not_raised():
    lab = playground(figsize=(6, 3), dpi=40)
    lab.frame(sgd_nesterov=True, sgd_dampening=0.5)  # torch forbids this combination
    status = lab._scenes[("Rosenbrock",)].artists["status"].get_text()
    assert "SGD invalid" in status and "dampening" in status


def test_step_scale_is_what_the_optimizer_used():
    start = tuple(float(v) for v in SURFACES["Beale"].start)
    hyper = {"momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0}
    params, loss, scale, push, message = race_entry(
        "Beale", "SGD", 2.0, tuple(sorted(hyper.items())), start
    )
    assert np.isnan(scale[0]).all() and np.allclose(scale[1:], 2.0 * TUNED_LR["Beale"]["SGD"])
    assert np.isnan(push).all()  # no momentum, no momentum vector
    step = params[1] - params[0]
    grad = SURFACES["Beale"].grad(params[0])
    assert np.allclose(step, -scale[1] * grad)
