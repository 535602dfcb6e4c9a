"""Numbers for prose: values that a notebook computes and its Markdown quotes.

The chapters quote computed numbers with MyST's ``{eval}`` role, which both myst-nb (when it
builds the book) and jupyterlab-myst (in JupyterLab) evaluate in the running kernel and show
as the ``text/plain`` representation of the result. A Python string's representation carries
quotes, so :func:`fmt` returns a small object whose representation is the bare text.
"""

from __future__ import annotations


class Inline:
    """Text that displays without quotes: ``repr(Inline("0.25")) == "0.25"``."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = str(text)

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__

    def __eq__(self, other) -> bool:
        return str(other) == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def fmt(value, spec: str = ".3g") -> Inline:
    """Format ``value`` with the format ``spec`` (as in ``format(value, spec)``) for prose.

    Integers given the default spec are shown in full with thousands separators
    (``fmt(12345) -> 12,345``); everything else goes through ``format``.
    """
    if spec == ".3g" and isinstance(value, int) and not isinstance(value, bool):
        return Inline(f"{value:,}")
    return Inline(format(value, spec))
