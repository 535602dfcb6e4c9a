"""Controls of an interactive figure, and what each becomes in the two faces.

A control describes one input of a figure. In a live kernel it becomes an ipywidget; in the
static book it becomes an axis of the pre-rendered sweep, with the values listed in
``static`` (the HTML player steps through them with a range input or a play button).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


def _check_range(name: str, low: float, high: float, value: float) -> None:
    if not low < high:
        raise ValueError(f"{name}: min ({low}) must be below max ({high})")
    if not low <= value <= high:
        raise ValueError(f"{name}: value {value} outside [{low}, {high}]")


@dataclass
class Slider:
    """A continuous control on ``[min, max]``.

    ``log=True`` spaces the slider logarithmically (for learning rates). ``static`` lists the
    values the HTML face pre-renders; by default only ``value`` (the control is then fixed in
    the static book, and the player shows no input for it).
    """

    min: float
    max: float
    value: float
    step: float | None = None
    label: str = ""
    log: bool = False
    static: Sequence[float] | None = None
    fmt: str = ".3g"

    def __post_init__(self):
        _check_range(self.label or "Slider", self.min, self.max, self.value)
        if self.log and self.min <= 0:
            raise ValueError(f"{self.label or 'Slider'}: a log slider needs min > 0")

    def static_values(self) -> list:
        return list(self.static) if self.static is not None else [self.value]

    def format(self, v) -> str:
        return format(v, self.fmt)

    def widget(self, name: str):
        import ipywidgets as w

        desc = self.label or name
        style = {"description_width": "initial"}
        if self.log:
            lo, hi = np.log10(self.min), np.log10(self.max)
            return w.FloatLogSlider(
                value=self.value,
                base=10,
                min=lo,
                max=hi,
                step=(hi - lo) / 200,
                description=desc,
                readout_format=self.fmt,
                continuous_update=True,
                style=style,
            )
        step = self.step if self.step is not None else (self.max - self.min) / 200
        return w.FloatSlider(
            value=self.value,
            min=self.min,
            max=self.max,
            step=step,
            description=desc,
            readout_format=self.fmt,
            continuous_update=True,
            style=style,
        )


@dataclass
class IntSlider:
    """An integer control on ``[min, max]`` (depth, batch size, number of steps)."""

    min: int
    max: int
    value: int
    step: int = 1
    label: str = ""
    static: Sequence[int] | None = None

    def __post_init__(self):
        _check_range(self.label or "IntSlider", self.min, self.max, self.value)

    def static_values(self) -> list:
        return list(self.static) if self.static is not None else [self.value]

    def format(self, v) -> str:
        return str(v)

    def widget(self, name: str):
        import ipywidgets as w

        return w.IntSlider(
            value=self.value,
            min=self.min,
            max=self.max,
            step=self.step,
            description=self.label or name,
            continuous_update=True,
            style={"description_width": "initial"},
        )


@dataclass
class Choice:
    """A choice among named options; the figure receives the option's value."""

    options: dict[str, Any]
    value: str | None = None
    label: str = ""
    static: Sequence[str] | None = None

    def __post_init__(self):
        if not self.options:
            raise ValueError(f"{self.label or 'Choice'}: options must not be empty")
        if self.value is None:
            self.value = next(iter(self.options))
        if self.value not in self.options:
            raise ValueError(
                f"{self.label or 'Choice'}: value {self.value!r} is not one of {list(self.options)}"
            )

    def static_values(self) -> list:
        """Option *names* to pre-render (the figure receives the matching values)."""
        return list(self.static) if self.static is not None else [self.value]

    def format(self, v) -> str:
        return str(v)

    def widget(self, name: str):
        import ipywidgets as w

        return w.Dropdown(
            options=list(self.options),
            value=self.value,
            description=self.label or name,
            style={"description_width": "initial"},
        )


@dataclass
class Toggle:
    """An on/off switch (a checkbox in JupyterLab); the figure receives ``True`` or ``False``."""

    value: bool = True
    label: str = ""
    static: Sequence[bool] | None = None

    def static_values(self) -> list:
        return list(self.static) if self.static is not None else [self.value]

    def format(self, v) -> str:
        return "on" if v else "off"

    def widget(self, name: str):
        import ipywidgets as w

        return w.Checkbox(value=self.value, description=self.label or name, indent=False)


@dataclass
class Play:
    """A time control: an integer frame counter with a play button in both faces.

    In JupyterLab it is an ``ipywidgets.Play`` linked to a slider; in the static book the
    player animates it. ``static`` defaults to every ``stride``-th value from min to max.
    """

    max: int
    min: int = 0
    value: int | None = None
    step: int = 1
    interval_ms: int = 120
    label: str = "step"
    static: Sequence[int] | None = None
    stride: int = 1

    def __post_init__(self):
        if self.value is None:
            self.value = self.max
        _check_range(self.label or "Play", self.min, self.max, self.value)

    def static_values(self) -> list:
        if self.static is not None:
            return list(self.static)
        values = list(range(self.min, self.max + 1, self.stride))
        if values[-1] != self.max:
            values.append(self.max)
        return values

    def format(self, v) -> str:
        return str(v)

    def widget(self, name: str):
        import ipywidgets as w

        play = w.Play(
            value=self.value,
            min=self.min,
            max=self.max,
            step=self.step,
            interval=self.interval_ms,
            description=self.label or name,
        )
        slider = w.IntSlider(
            value=self.value,
            min=self.min,
            max=self.max,
            step=self.step,
            description=self.label or name,
            style={"description_width": "initial"},
        )
        w.jslink((play, "value"), (slider, "value"))
        box = w.HBox([play, slider])
        box.value_widget = slider
        return box


def value_widget(widget):
    """The widget whose ``value`` a figure observes (a Play control is a box of two)."""
    return getattr(widget, "value_widget", widget)
