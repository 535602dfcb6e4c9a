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

It also drops pydata-sphinx-theme's ``fontawesome.js`` from every page (see
:func:`_drop_fontawesome_js`) and works around a Sphinx 7.4 bug that wrote an inline script
twice (see :func:`_no_duplicate_inline_scripts`).
"""

import os
import re
from pathlib import Path

from jinja2 import BaseLoader, TemplateNotFound

# The theme's macro file that writes the ``<script>`` tag, and the tag with its comment.
_FA_TEMPLATE = "static/webpack-macros.html"
_FA_SCRIPT = re.compile(
    r"(?:[ \t]*<!-- So that users can add custom icons -->\n)?"
    r"[ \t]*<script defer src=\"\{\{ pathto\('_static/scripts/fontawesome\.js', 1\) \}\}[^\n]*"
    r"</script>\n?"
)


def setup(app):
    os.environ["DESCENTLAB_FIGURE_FACE"] = "html"
    profile = Path(app.outdir).parent / ".ipython" / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "ipython_kernel_config.py").write_text(
        'c.IPKernelApp.log_level = "ERROR"\nc.HistoryManager.enabled = False\n'
    )
    os.environ["IPYTHONDIR"] = str(profile.parent)
    # Changing this value rewrites every page (it is part of the HTML build's config hash).
    app.add_config_value("descentlab_fontawesome_js", False, "html", types=[bool])
    app.connect("builder-inited", _drop_fontawesome_js)
    app.connect("builder-inited", _no_duplicate_inline_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


class _PatchedTemplate(BaseLoader):
    """Serves one template with a fixed source, ahead of the theme's own loaders."""

    def __init__(self, name: str, source: str, filename: str | None):
        self.name, self.source, self.filename = name, source, filename

    def get_source(self, environment, template):
        if template != self.name:
            raise TemplateNotFound(template)
        return self.source, self.filename, lambda: True


def _drop_fontawesome_js(app):
    """Remove the ``<script src="_static/scripts/fontawesome.js">`` tag from every page.

    pydata-sphinx-theme loads Font Awesome twice: as webfonts with their CSS (inside
    ``pydata-sphinx-theme.css``) and as ``fontawesome.js`` (1.45 MB, 540 KB gzipped), a
    script that swaps each ``<i class="fa-...">`` icon for an inline SVG. The webfont alone
    draws every icon of the theme (navbar buttons, search, table of contents, theme switch,
    download menu), so the script is pure weight: it was a third of a chapter page's bytes.
    The tag is written by a macro in the theme's ``static/webpack-macros.html``; this serves
    a copy of that template without the tag. Set ``descentlab_fontawesome_js: true`` (under
    ``sphinx: config:``) to keep the script, e.g. for custom icons that need it.
    """
    templates = getattr(app.builder, "templates", None)
    if app.config.descentlab_fontawesome_js or not hasattr(templates, "loaders"):
        return
    for loader in templates.loaders:
        try:
            source, filename, _ = loader.get_source(templates.environment, _FA_TEMPLATE)
        except TemplateNotFound:
            continue
        patched, n = _FA_SCRIPT.subn("", source)
        if n:
            templates.loaders.insert(0, _PatchedTemplate(_FA_TEMPLATE, patched, filename))
            # Templates named "!x" skip the user's template paths: this loader is one of them.
            templates.templatepathlen += 1
        return


def _no_duplicate_inline_scripts(app):
    """Write each inline ``<script>`` once.

    Sphinx 7.4 registers an inline script that an extension adds after the builder starts
    twice, once with filename ``None`` and once with ``""``, and does not see the two as
    duplicates (fixed upstream in sphinx-doc/sphinx#13402). sphinx-thebe adds its
    configuration that way, so every page declared ``const THEBE_JS_URL`` twice and the
    browser logged a SyntaxError. Passing ``""`` for ``None`` lets Sphinx drop the copy.
    """
    add = getattr(app.builder, "add_js_file", None)
    if add is None:
        return

    def add_js_file(filename, **kwargs):
        return add(filename or "", **kwargs)

    app.builder.add_js_file = add_js_file
