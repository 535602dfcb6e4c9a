"""The chapter 3 checker accepts a correct random search and rejects broken ones."""

from __future__ import annotations

import numpy as np

from descentlab.exercises import ch03


def random_search(objective, space, budget, seed):
    rng = np.random.default_rng(seed)
    best_config, best_value = None, np.inf
    for _ in range(budget):
        config = {}
        for name, (low, high, scale) in space.items():
            if scale == "log":
                config[name] = float(np.exp(rng.uniform(np.log(low), np.log(high))))
            else:
                config[name] = float(rng.uniform(low, high))
        value = objective(config)
        if np.isfinite(value) and value < best_value:
            best_config, best_value = config, value
    return best_config, best_value


def linear_everywhere(objective, space, budget, seed):
    """Ignores the scale: learning rates crowd at the top of their range."""
    linear = {name: (low, high, "linear") for name, (low, high, _) in space.items()}
    return random_search(objective, linear, budget, seed)


def nan_unaware(objective, space, budget, seed):
    """Picks the argmin with NumPy, which returns the first NaN when there is one."""
    rng = np.random.default_rng(seed)
    configs, values = [], []
    for _ in range(budget):
        config = {}
        for name, (low, high, scale) in space.items():
            if scale == "log":
                config[name] = float(np.exp(rng.uniform(np.log(low), np.log(high))))
            else:
                config[name] = float(rng.uniform(low, high))
        configs.append(config)
        values.append(objective(config))
    k = int(np.argmin(values))
    return configs[k], values[k]


def grid(objective, space, budget, seed):
    """A grid search: few distinct values per hyperparameter."""
    side = int(round(budget ** (1 / len(space))))
    axes = []
    for low, high, scale in space.values():
        u = (np.arange(side) + 0.5) / side
        axes.append(np.exp(np.log(low) + u * np.log(high / low)) if scale == "log"
                    else low + u * (high - low))
    best_config, best_value = None, np.inf
    for values in np.array(np.meshgrid(*axes)).reshape(len(space), -1).T:
        config = dict(zip(space, map(float, values), strict=True))
        value = objective(config)
        if np.isfinite(value) and value < best_value:
            best_config, best_value = config, value
    return best_config, best_value


def test_accepts_a_correct_random_search():
    assert ch03.check_random_search(random_search, verbose=False)


def test_rejects_linear_sampling_of_a_log_range():
    assert not ch03.check_random_search(linear_everywhere, verbose=False)


def test_rejects_choosing_a_diverged_trial():
    assert not ch03.check_random_search(nan_unaware, verbose=False)


def test_rejects_a_grid():
    assert not ch03.check_random_search(grid, verbose=False)


def test_rejects_a_function_that_raises(capsys):
    def broken(objective, space, budget, seed):
        raise RuntimeError("not written yet")

    assert not ch03.check_random_search(broken)
    assert "RuntimeError: not written yet" in capsys.readouterr().out
