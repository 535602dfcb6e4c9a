"""Page weight of the built book: each page's HTML, and the shared assets it loads.

The HTML of a chapter inlines all its figures' animations, so it is the part that grows
with the book. The shared assets are the files a page names in ``<script src>`` and in
``<link href>`` for stylesheets, preloads and icons (navigation links such as ``next`` or
``search`` are not loads); they are summed from disk, each file once per page. Files the
stylesheets pull in themselves (fonts) are not followed.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

_LOADING_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "apple-touch-icon"}


class _AssetParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "link" and a.get("href"):
            rels = set((a.get("rel") or "").lower().split())
            if rels & _LOADING_RELS:
                self.urls.append(a["href"])


def asset_urls(html: str) -> list[str]:
    """The ``<script src>`` and loading ``<link href>`` URLs of a page, in order."""
    p = _AssetParser()
    p.feed(html)
    return p.urls


def page_weight(page: Path) -> dict:
    """HTML bytes of one page, and the bytes of the local assets it loads."""
    html = page.read_text(encoding="utf-8", errors="replace")
    files, external, missing = {}, [], []
    for url in asset_urls(html):
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            if parts.scheme != "data":
                external.append(url)
            continue
        path = (page.parent / unquote(parts.path)).resolve()
        if path.is_file():
            files[path] = path.stat().st_size
        else:
            missing.append(url)
    return {
        "html_bytes": page.stat().st_size,
        "assets_bytes": sum(files.values()),
        "assets": len(files),
        "external": external,
        "missing_assets": missing,
        "largest_asset": max(files, key=files.get).name if files else None,
        "largest_asset_bytes": max(files.values()) if files else 0,
    }


def toc_files(root: Path) -> list[str]:
    """Every ``file:`` (and the root) of ``_toc.yml``, as paths without suffix."""
    text = (root / "_toc.yml").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        key, _, value = line.strip().lstrip("- ").partition(":")
        if key in {"root", "file"} and value.strip():
            out.append(value.strip().strip("'\""))
    return out


def measure_pages(html_dir: Path, source_root: Path) -> dict:
    """Weigh every ``book/*.html`` page of a build; note toc pages the build lacks.

    A page is a *chapter* when its source is a notebook; a page older than its source is
    flagged ``stale`` (the build predates an edit).
    """
    pages = []
    for page in sorted((html_dir / "book").glob("*.html")):
        rel = f"book/{page.stem}"
        sources = [source_root / f"{rel}{ext}" for ext in (".ipynb", ".md")]
        source = next((s for s in sources if s.exists()), None)
        row = {
            "page": f"{rel}.html",
            "chapter": source is not None and source.suffix == ".ipynb",
            "stale": source is not None and source.stat().st_mtime > page.stat().st_mtime,
            **page_weight(page),
        }
        row["total_bytes"] = row["html_bytes"] + row["assets_bytes"]
        pages.append(row)
    built = {p["page"].removesuffix(".html") for p in pages}
    missing = [f for f in toc_files(source_root) if f.startswith("book/") and f not in built]
    heaviest = max(pages, key=lambda p: p["html_bytes"])["page"] if pages else None
    heaviest_total = max(pages, key=lambda p: p["total_bytes"])["page"] if pages else None
    return {
        "html_dir": str(html_dir),
        "pages": pages,
        "missing_from_build": missing,
        "heaviest_html": heaviest,
        "heaviest_total": heaviest_total,
    }
