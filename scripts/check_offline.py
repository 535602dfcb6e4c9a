"""Fail if any built HTML page would make the browser fetch from another host.

Usage: ``python scripts/check_offline.py _build/html``. Looks at every ``src`` and ``href``
that a browser loads by itself (scripts, stylesheets, images, icons, preloads, iframes,
media) and at ``url(...)`` in inline styles and CSS files. Ordinary ``<a href>`` links are
navigation, not fetches, and are allowed.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

FETCHING_LINK_RELS = {
    "stylesheet",
    "icon",
    "preload",
    "prefetch",
    "modulepreload",
    "manifest",
    "shortcut icon",
    "apple-touch-icon",
    "preconnect",
    "dns-prefetch",
}
EXTERNAL = re.compile(r"^(https?:)?//", re.I)
CSS_URL = re.compile(r"url\(\s*['\"]?((?:https?:)?//[^'\")]+)", re.I)


class _Fetches(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        urls = []
        if tag in {
            "script",
            "img",
            "iframe",
            "audio",
            "video",
            "source",
            "embed",
            "track",
            "input",
        }:
            urls.append(a.get("src"))
        if tag == "link" and (a.get("rel") or "").lower() in FETCHING_LINK_RELS:
            urls.append(a.get("href"))
        if tag == "object":
            urls.append(a.get("data"))
        for u in urls:
            if u and EXTERNAL.match(u.strip()):
                self.found.append(f"<{tag}> {u}")
        for u in CSS_URL.findall(a.get("style") or ""):
            self.found.append(f"<{tag} style> {u}")


def external_fetches(root: Path) -> dict[str, list[str]]:
    """Map each offending file under ``root`` to the external URLs it would fetch."""
    bad: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.html")):
        p = _Fetches()
        text = path.read_text(encoding="utf-8", errors="replace")
        p.feed(text)
        found = p.found + [
            f"<style> {u}"
            for u in CSS_URL.findall(
                "".join(re.findall(r"<style[^>]*>(.*?)</style>", text, re.S | re.I))
            )
        ]
        if found:
            bad[str(path.relative_to(root))] = found
    for path in sorted(root.rglob("*.css")):
        found = CSS_URL.findall(path.read_text(encoding="utf-8", errors="replace"))
        if found:
            bad[str(path.relative_to(root))] = found
    return bad


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else "_build/html")
    if not (root / "index.html").exists():
        print(f"no built book at {root}")
        return 2
    bad = external_fetches(root)
    for page, urls in bad.items():
        for u in urls:
            print(f"{page}: {u}")
    pages = len(list(root.rglob("*.html")))
    print(f"{pages} pages checked, {sum(map(len, bad.values()))} external fetches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
