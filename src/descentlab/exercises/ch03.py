"""Checkers for chapter 3, "What is the difference between a parameter and a hyperparameter?"."""

from __future__ import annotations

import math

import numpy as np

from ._report import Report


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def check_random_search(fn, verbose: bool = True) -> bool:
    """Check ``fn(objective, space, budget, seed) -> (best_config, best_value)``.

    The reference behaviour is random search on a budget (Bergstra & Bengio, 2012):

    * ``space`` maps each hyperparameter name to ``(low, high, scale)`` with ``scale``
      ``"linear"`` (draw uniformly from ``[low, high]``) or ``"log"`` (draw uniformly in
      ``log(value)``, i.e. log-uniformly, as is usual for learning rates);
    * every trial draws a fresh configuration, a dict ``{name: value}``, independently of
      the others, with ``np.random.default_rng(seed)``; the same seed gives the same trials;
    * ``objective(config)`` (a validation loss, one training run) is called exactly
      ``budget`` times;
    * a trial whose objective is not finite (a diverged run) can never be the best;
      the result is the configuration with the lowest finite value, and that value.
    """
    report = Report("check_random_search", verbose)

    class Recorder:
        """An objective that remembers every configuration it was asked about."""

        def __init__(self, f):
            self.f, self.calls = f, []

        def __call__(self, config):
            self.calls.append(dict(config))
            return self.f(config)

    def call(objective, space, budget, seed):
        try:
            with np.errstate(all="ignore"):
                best_config, best_value = fn(objective, space, budget, seed)
            return best_config, best_value
        except Exception as exc:  # the reader's code may raise anything
            report.check(False, "runs without raising", f"{type(exc).__name__}: {exc}")
            return None

    space = {"lr": (1e-5, 1e-1, "log"), "momentum": (0.0, 0.9, "linear")}

    def bowl(config):
        return (math.log10(config["lr"]) + 3.0) ** 2 + (config["momentum"] - 0.5) ** 2

    objective = Recorder(bowl)
    out = call(objective, space, 400, 0)
    if out is None:
        return report.finish()
    best_config, best_value = out
    calls = objective.calls
    report.check(len(calls) == 400, "the objective is called exactly `budget` times",
                 f"it was called {len(calls)} times for a budget of 400")
    if not calls:
        return report.finish()
    keys_ok = all(set(c) == set(space) for c in calls)
    report.check(keys_ok, "every trial sets every hyperparameter, and nothing else",
                 f"first trial was {calls[0]}")
    if not keys_ok:
        return report.finish()
    inside = all(low <= c[name] <= high for c in calls for name, (low, high, _) in space.items())
    report.check(inside, "every value lies inside its range", "check low and high")
    lrs = np.array([c["lr"] for c in calls], dtype=float)
    moms = np.array([c["momentum"] for c in calls], dtype=float)
    below = float(np.mean(lrs < 1e-3))  # 1e-3 is the middle of [1e-5, 1e-1] on a log scale
    report.check(0.4 <= below <= 0.6, "a 'log' range is sampled log-uniformly",
                 f"{below:.0%} of the learning rates are below 1e-3, the logarithmic middle "
                 "of the range; expected about half (draw the exponent uniformly)")
    middle = float(np.mean(moms < 0.45))
    report.check(0.4 <= middle <= 0.6, "a 'linear' range is sampled uniformly",
                 f"{middle:.0%} of the momenta are below 0.45; expected about half")
    report.check(len(np.unique(lrs)) == len(lrs) and len(np.unique(moms)) == len(moms),
                 "every trial tries new values of every hyperparameter (not a grid)",
                 "draw each trial independently")
    values = [bowl(c) for c in calls]
    k = int(np.argmin(values))
    report.check(_finite(best_value) and abs(float(best_value) - values[k]) <= 1e-12,
                 "the best value is the lowest value seen", f"got {best_value}, lowest {values[k]}")
    report.check(isinstance(best_config, dict) and best_config == calls[k],
                 "the best configuration is the one that gave the best value",
                 f"got {best_config}")

    again = Recorder(bowl)
    repeat = call(again, space, 400, 0)
    other = Recorder(bowl)
    call(other, space, 400, 1)
    report.check(repeat is not None and again.calls == calls,
                 "the same seed gives the same trials", "use np.random.default_rng(seed)")
    report.check(other.calls != calls, "another seed gives other trials",
                 "draw from np.random.default_rng(seed), not a fixed sequence")

    def diverges_above(config):
        # Large learning rates "diverge": the run returns NaN, as a failed training run does.
        return math.nan if config["lr"] > 1e-3 else -math.log10(config["lr"])

    diverging = Recorder(diverges_above)
    out = call(diverging, space, 50, 2)
    if out is not None:
        best_config, best_value = out
        finite = [v for v in (diverges_above(c) for c in diverging.calls) if _finite(v)]
        report.check(_finite(best_value) and bool(finite) and float(best_value) == min(finite),
                     "diverged trials (NaN) are never chosen",
                     f"got best value {best_value}; comparisons with NaN are always False, "
                     "so skip non-finite values explicitly")
        report.check(isinstance(best_config, dict) and best_config.get("lr", 1.0) <= 1e-3,
                     "...and the chosen configuration did not diverge", f"got {best_config}")
    return report.finish()
