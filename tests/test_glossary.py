"""Every glossary term is linked at its first use in each chapter, and links resolve."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("link_glossary", ROOT / "scripts/link_glossary.py")
link_glossary = importlib.util.module_from_spec(spec)
spec.loader.exec_module(link_glossary)


def test_glossary_has_terms():
    terms = link_glossary.glossary_terms()
    assert len(terms) > 40
    assert "learning rate" in terms and "saddle point" in terms


def test_first_use_of_every_term_is_linked():
    terms = link_glossary.glossary_terms()
    missing = {}
    for path in link_glossary.chapters():
        nb = nbformat.read(path, as_version=4)
        linked = link_glossary.link_notebook(nb, terms)
        if linked:
            missing[path.name] = linked
    assert not missing, f"run scripts/link_glossary.py: {missing}"


def test_linker_links_the_first_free_occurrence_only():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                "# Learning rate\nThe `learning rate` in code, $learning rate$ in math, "
                "then the learning rates we mean, and another learning rate."
            )
        ]
    )
    assert link_glossary.link_notebook(nb, ["learning rate"]) == ["learning rate"]
    text = nb.cells[0].source
    assert "{term}`learning rates <learning rate>`" in text
    assert text.count("{term}") == 1 and text.startswith("# Learning rate")
    assert link_glossary.link_notebook(nb, ["learning rate"]) == []  # idempotent
