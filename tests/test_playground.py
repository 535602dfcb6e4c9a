"""The optimizer playground renders every surface and survives every control value."""

from __future__ import annotations

import numpy as np
from matplotlib.text import Text

from descentlab.viz.figure import _flatten
from descentlab.viz.playground import (
    SURFACES,
    TUNED_LR,
    playground,
    race_entry,
    step_scale,
)

SGD_PLAIN = {"momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0}
ADAM_DEFAULT = {
    "beta1": 0.9,
    "beta2": 0.999,
    "eps": 1e-8,
    "weight_decay": 0.0,
    "amsgrad": False,
    "decoupled": False,
}


def _start(surface):
    return tuple(float(v) for v in SURFACES[surface].start)


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


def test_status_reports_a_stopped_run_once_the_animation_reaches_it():
    lab = playground(figsize=(6, 3), dpi=40)
    defaults = {k[4:]: c.value for k, c in lab.controls.items() if k.startswith("sgd_")}
    hyper = {k: v for k, v in defaults.items() if k not in ("on", "lr")}
    race = race_entry("saddle", "SGD", 1.0, tuple(sorted(hyper.items())), _start("saddle"))
    assert race.status == "diverged"  # x² - y² is unbounded below

    def status():
        return lab._scenes[("saddle",)].artists["status"].get_text()

    lab.frame(surface="saddle", step=race.stop - 1)
    assert status() == ""  # nothing to report yet: on screen the run is still going
    lab.frame(surface="saddle", step=race.stop)
    assert status() == f"SGD diverged at step {race.stop}"


def test_playing_the_steps_never_reruns_an_optimizer():
    lab = playground(figsize=(6, 3), dpi=40)
    lab.frame()
    misses = race_entry.cache_info().misses
    for step in range(0, 151, 7):
        lab.frame(step=step)
    assert race_entry.cache_info().misses == misses


def test_moving_text_is_one_plain_line():
    lab = playground(figsize=(6, 3), dpi=40)
    lab.frame(adam_lr=100.0, sgd_nesterov=True, sgd_dampening=0.5)  # invalid and diverged
    moving = lab._scenes[("Rosenbrock",)].moving
    texts = [a for a in moving if isinstance(a, Text)]
    assert len(texts) == 1 and "$" not in texts[0].get_text()
    assert len(moving) <= 20  # paths (with heads), curves, bars, one quiver, the status
    assert len(_flatten(lab._scenes[("Rosenbrock",)].artists)) == len(moving)


def test_step_scale_is_what_the_optimizer_used():
    race = race_entry("Beale", "SGD", 2.0, tuple(sorted(SGD_PLAIN.items())), _start("Beale"))
    assert np.isnan(step_scale(race, 0)[0]).all()
    scales = np.array([step_scale(race, t)[0] for t in range(1, race.stop + 1)])
    assert np.allclose(scales, 2.0 * TUNED_LR["Beale"]["SGD"])
    assert all(np.isnan(step_scale(race, t)[1]).all() for t in (1, 10))  # no momentum vector
    step = race.params[1] - race.params[0]
    grad = SURFACES["Beale"].grad(race.params[0])
    assert np.allclose(step, -step_scale(race, 1)[0] * grad)


def test_adams_momentum_vector_is_its_last_step():
    # Without weight decay Adam's update is exactly -scale * (bias-corrected first moment).
    race = race_entry(
        "Rosenbrock", "Adam", 1.0, tuple(sorted(ADAM_DEFAULT.items())), _start("Rosenbrock")
    )
    for t in (1, 2, 30, race.stop):
        scale, push = step_scale(race, t)
        assert np.allclose(push, race.params[t] - race.params[t - 1], rtol=1e-9, atol=1e-15)
