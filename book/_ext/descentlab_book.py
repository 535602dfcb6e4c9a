"""Sphinx glue for the book build.

Notebooks execute inside kernels started by this Sphinx process, and those kernels inherit
its environment. Setting ``DESCENTLAB_FIGURE_FACE=html`` here tells every
:class:`descentlab.viz.InteractiveFigure` that it is being rendered for the static book, so
it emits its self-contained HTML animation instead of live widgets.
"""

import os


def setup(app):
    os.environ["DESCENTLAB_FIGURE_FACE"] = "html"
    return {"parallel_read_safe": True, "parallel_write_safe": True}
