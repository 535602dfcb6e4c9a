"""Sphinx glue for the book build.

Notebooks execute inside kernels started by this Sphinx process, and those kernels inherit
its environment. Two settings travel that way:

* ``DESCENTLAB_FIGURE_FACE=html`` tells every :class:`descentlab.viz.InteractiveFigure` that
  it is being rendered for the static book, so it emits its self-contained HTML player
  instead of live widgets.
* ``IPYTHONDIR`` points the kernels at a profile inside the build folder that quiets the
  kernel's own start-up log (ipykernel logs a notice about its local TCP transport on every
  start), so the build output shows only what matters; it also keeps a reader's personal
  IPython start-up files out of the book.
"""

import os
from pathlib import Path


def setup(app):
    os.environ["DESCENTLAB_FIGURE_FACE"] = "html"
    profile = Path(app.outdir).parent / ".ipython" / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "ipython_kernel_config.py").write_text(
        'c.IPKernelApp.log_level = "ERROR"\nc.HistoryManager.enabled = False\n'
    )
    os.environ["IPYTHONDIR"] = str(profile.parent)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
