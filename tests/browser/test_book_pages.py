"""Every page of the built HTML book, in headless Chromium, served from 127.0.0.1 with gzip.

Each page is loaded once, in a fresh browser context (cold cache), and driven like a reader
(see :func:`pagecheck.check_page`); the tests below each assert one part of that report:

* no request leaves the local server (external requests are aborted, never sent);
* no failed request (network error or HTTP >= 400) and no console error;
* MathJax has typeset every equation (no raw ``$$``, ``\\(``, ``\\[`` left in the prose);
* every animation plays: the play button and every slider change the frame shown;
* no widget markup and no cell output with a traceback, stderr or warning;
* page weight, HTML plus every asset it loads, under 2 MB on the wire.

Page weight is the standard web definition, bytes transferred: every static host serves HTML,
CSS and JS gzipped, and the test server does the same. The decoded (raw) total is reported
next to it, and both land in ``test-artifacts/page_weights.json``.

Internal links and anchors are checked by parsing the HTML files, without a browser.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from .conftest import ARTIFACTS, BUILD, ROOT, artifact_name
from .pagecheck import (
    ANIMATION,
    CONSOLE,
    EXTERNAL,
    FAILED,
    MATH,
    OUTPUTS,
    PAGE_WEIGHT_LIMIT,
    SPECIAL_PAGES,
    WIDGETS,
    book_pages,
    check_page,
    link_problems,
    new_context,
)

PAGES = book_pages(BUILD) if (BUILD / "index.html").is_file() else []
# Without a build, one placeholder test per check skips (or fails in CI) with the reason.
PARAMS = PAGES or [pytest.param("", id="no-built-book")]

_reports: dict[str, object] = {}


@pytest.fixture
def report(page, browser, book_server):
    """The report of ``page``, checked once and shared by the tests of this module."""
    if page not in _reports:
        context = new_context(browser, book_server.origin, viewport={"width": 1280, "height": 900})
        try:
            shot = ARTIFACTS / f"book-{artifact_name(page)}.png"
            rep = check_page(context, book_server.url(page), screenshot=shot)
            rep.screenshot = shot if not rep.ok else None
        finally:
            context.close()
        del rep.page
        _reports[page] = rep
    return _reports[page]


def _fail_message(rep, *categories) -> str:
    shot = f"\nscreenshot: {rep.screenshot}" if getattr(rep, "screenshot", None) else ""
    return f"{rep.url}\n{rep.failures(*categories)}{shot}"


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB"


def _toc_files(node) -> list[str]:
    files = []
    if isinstance(node, dict):
        for key in ("root", "file"):
            if isinstance(node.get(key), str):
                files.append(node[key])
        for value in node.values():
            if isinstance(value, list | dict):
                files.extend(_toc_files(value))
    elif isinstance(node, list):
        for value in node:
            files.extend(_toc_files(value))
    return files


def test_every_toc_entry_is_a_built_page(built_book):
    # The TOC of the project the build came from (this repository unless
    # DESCENTLAB_BOOK_HTML points at another project's _build/html).
    toc_file = built_book.parents[1] / "_toc.yml"
    toc = yaml.safe_load((toc_file if toc_file.is_file() else ROOT / "_toc.yml").read_text(
        encoding="utf-8"))
    expected = {str(Path(f).with_suffix("")) + ".html" for f in _toc_files(toc)}
    missing = sorted(expected - set(PAGES))
    assert not missing, f"pages of _toc.yml missing from {built_book}: {missing}"


@pytest.mark.parametrize("page", PARAMS)
def test_no_request_leaves_the_local_server(report):
    assert not report.problems[EXTERNAL], _fail_message(report, EXTERNAL)


@pytest.mark.parametrize("page", PARAMS)
def test_no_failed_request_and_no_console_error(report):
    assert not (report.problems[FAILED] or report.problems[CONSOLE]), _fail_message(
        report, FAILED, CONSOLE)


@pytest.mark.parametrize("page", PARAMS)
def test_math_is_rendered(report):
    assert not report.problems[MATH], _fail_message(report, MATH)


@pytest.mark.parametrize("page", PARAMS)
def test_every_animation_plays(report):
    assert not report.problems[ANIMATION], _fail_message(report, ANIMATION)


@pytest.mark.parametrize("page", PARAMS)
def test_no_widget_and_no_error_output(report):
    assert not (report.problems[WIDGETS] or report.problems[OUTPUTS]), _fail_message(
        report, WIDGETS, OUTPUTS)


@pytest.mark.parametrize("page", PARAMS)
def test_page_weight(report):
    largest = ", ".join(f"{u} {_mb(r)} raw / {_mb(w)} wire" for u, r, w in
                        sorted(report.resources, key=lambda x: -x[2])[:4])
    assert report.wire_bytes < PAGE_WEIGHT_LIMIT, (
        f"{report.url} loads {_mb(report.wire_bytes)} on the wire ({_mb(report.raw_bytes)} "
        f"decoded), over {_mb(PAGE_WEIGHT_LIMIT)}; largest: {largest}")


def test_page_weight_report(browser, book_server):
    """All pages' weights into test-artifacts/page_weights.json; the heaviest under 2 MB."""
    weights = {}
    for page in PAGES:
        if page not in _reports:
            ctx = new_context(browser, book_server.origin, viewport={"width": 1280, "height": 900})
            try:
                rep = check_page(ctx, book_server.url(page))
            finally:
                ctx.close()
            del rep.page
            _reports[page] = rep
        weights[page] = _reports[page].weight()
    heaviest = max(weights, key=lambda p: weights[p]["wire_bytes"])
    by_raw = max(weights, key=lambda p: weights[p]["raw_bytes"])
    summary = {
        "definition": "bytes of every response body the page loads (HTML, CSS, JS, fonts, "
                      "images), cold cache; wire = as transferred with gzip, raw = decoded",
        "limit_wire_bytes": PAGE_WEIGHT_LIMIT,
        "heaviest_on_the_wire": heaviest,
        "heaviest_raw": by_raw,
        "pages": weights,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page_weights.json").write_text(json.dumps(summary, indent=2) + "\n")
    w = weights[heaviest]
    assert w["wire_bytes"] < PAGE_WEIGHT_LIMIT, (
        f"heaviest page {heaviest}: {_mb(w['wire_bytes'])} on the wire, "
        f"{_mb(w['raw_bytes'])} decoded (limit {_mb(PAGE_WEIGHT_LIMIT)} on the wire)")
    print(f"heaviest page {heaviest}: {_mb(w['wire_bytes'])} on the wire, "
          f"{_mb(w['raw_bytes'])} decoded")


def test_internal_links_resolve(built_book):
    sources = PAGES + sorted(p for p in SPECIAL_PAGES if (built_book / p).is_file())
    problems = link_problems(built_book, sources)
    assert not problems, f"{len(problems)} broken internal links:\n" + "\n".join(problems[:50])
