"""Link the first use of every glossary term in each chapter to the glossary.

Usage: ``python scripts/link_glossary.py`` rewrites the notebooks in place;
``python scripts/link_glossary.py --check`` changes nothing and exits 1 if a link is
missing (the test suite runs the check).

For each chapter notebook in ``_toc.yml`` and each term defined in ``book/glossary.md``,
the first occurrence of the term (or its plural) in the chapter's prose becomes a
``{term}`` role. Code, math, headings, roles, links and directive lines are never touched,
and a chapter that already links a term is left alone for that term.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]

PROTECTED = re.compile(
    r"```.*?```"  # fenced code
    r"|\$\$.*?\$\$"  # display math
    r"|\$[^$\n]+\$"  # inline math
    r"|\{[\w:-]+\}`[^`]*`"  # roles, including existing {term} links
    r"|`[^`\n]*`"  # inline code
    r"|\[[^\]]*\]\([^)]*\)"  # markdown links
    r"|<[^>\n]+>"  # HTML tags
    r"|^#[^\n]*$"  # headings
    r"|^:::[^\n]*$|^```[^\n]*$|^:[\w-]+:[^\n]*$",  # directive fences and options
    re.S | re.M,
)


def glossary_terms(path: Path = ROOT / "book" / "glossary.md") -> list[str]:
    """The terms defined in the glossary directive (unindented lines inside it)."""
    text = path.read_text(encoding="utf-8")
    body = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    return [line.strip() for line in body.splitlines() if line.strip() and not line[0].isspace()]


def chapters() -> list[Path]:
    """Chapter notebooks in the order of the table of contents."""
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    files = re.findall(r"file:\s*(\S+)", toc)
    return [ROOT / f"{f}.ipynb" for f in files if (ROOT / f"{f}.ipynb").exists()]


def _first_free_match(text: str, term: str):
    spans = [m.span() for m in PROTECTED.finditer(text)]
    pattern = re.compile(rf"(?<![\w-]){re.escape(term)}(?:s|es)?(?![\w-])", re.I)
    for m in pattern.finditer(text):
        if not any(a <= m.start() < b or a < m.end() <= b for a, b in spans):
            return m
    return None


def link_notebook(nb, terms: list[str]) -> list[str]:
    """Link each term's first use in ``nb`` (in place); return the terms linked."""
    cells = [c for c in nb["cells"] if c["cell_type"] == "markdown"]
    linked = []
    # Longer terms first, so "gradient descent" is linked before "gradient" could split it.
    for term in sorted(terms, key=len, reverse=True):
        already = any(
            re.search(
                rf"\{{term\}}`({re.escape(term)}|[^`]*<{re.escape(term)}>)`",
                "".join(c["source"]),
                re.I,
            )
            for c in cells
        )
        if already:
            continue
        for cell in cells:
            text = cell["source"]
            m = _first_free_match(text, term)
            if m is None:
                continue
            word = m.group(0)
            link = (
                f"{{term}}`{word}`"
                if word.lower() == term.lower()
                else f"{{term}}`{word} <{term}>`"
            )
            text = text[: m.start()] + link + text[m.end() :]
            cell["source"] = text
            linked.append(term)
            break
    return linked


def main(argv: list[str]) -> int:
    check = "--check" in argv
    terms = glossary_terms()
    missing = 0
    for path in chapters():
        nb = nbformat.read(path, as_version=4)
        linked = link_notebook(nb, terms)
        if not linked:
            continue
        if check:
            missing += len(linked)
            print(f"{path.name}: first use not linked: {', '.join(sorted(linked))}")
        else:
            nbformat.write(nb, path)
            print(f"{path.name}: linked {len(linked)} terms")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
