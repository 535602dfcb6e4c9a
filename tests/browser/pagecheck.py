"""What the browser tests check on a built page, kept apart so the self-test can reuse it.

* :class:`StaticServer` serves a folder on 127.0.0.1 and gzips text assets, like any real
  static host, so that page weight can be measured both decoded and on the wire.
* :func:`new_context` opens a browser context that aborts every request to another host
  (nothing ever leaves the machine) and records the attempt.
* :func:`check_page` loads one page, drives it like a reader (waits for MathJax, plays every
  animation, moves every slider) and returns a :class:`PageReport`: the problems found, by
  category, and the bytes the page loaded.
* :func:`link_problems` checks internal links and anchors by parsing the HTML files.
"""

from __future__ import annotations

import gzip
import http.server
import mimetypes
import posixpath
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Belt and braces with the request routing of new_context(): no host name resolves.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

# Problem categories (the keys of PageReport.problems).
EXTERNAL = "requests to other hosts"
FAILED = "failed requests"
CONSOLE = "console errors"
MATH = "math not rendered"
ANIMATION = "animations that do not play"
WIDGETS = "widget areas"
OUTPUTS = "error or warning outputs"
CATEGORIES = (EXTERNAL, FAILED, CONSOLE, MATH, ANIMATION, WIDGETS, OUTPUTS)

PAGE_WEIGHT_LIMIT = 2_000_000  # bytes on the wire (gzip), HTML plus everything it loads

# Pages of a Sphinx build that are not pages of the book.
SPECIAL_PAGES = {"genindex.html", "search.html", "py-modindex.html", "index.html"}
SKIPPED_DIRS = {"_static", "_sources", "_images", "_downloads"}


def book_pages(root: Path) -> list[str]:
    """Every page of a built book, as paths relative to ``root`` (``book/ch04.html``)."""
    pages = []
    for path in sorted(root.rglob("*.html")):
        rel = path.relative_to(root)
        if any(p in SKIPPED_DIRS or p.startswith(".") for p in rel.parts[:-1]):
            continue
        if rel.as_posix() in SPECIAL_PAGES:
            continue
        pages.append(rel.as_posix())
    return pages


# -- the server ----------------------------------------------------------------------------

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml",
                "application/xml")
TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".woff2": "font/woff2",
         ".woff": "font/woff"}


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # The browser drops connections when a page or context closes: not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class StaticServer:
    """Serve ``root`` on 127.0.0.1 (a free port), gzipping text like GitHub Pages or Netlify.

    Use as a context manager; ``url(path)`` gives a page's address.
    """

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self._gz: dict[tuple[str, float], bytes] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_HEAD(self):
                self._serve(head=True)

            def do_GET(self):
                self._serve(head=False)

            def _serve(self, head):
                status, headers, body = server.respond(
                    self.path, self.headers.get("Accept-Encoding", ""))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                if not head:
                    self.wfile.write(body)

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def respond(self, raw_path: str, accept_encoding: str):
        path = posixpath.normpath(unquote(urlsplit(raw_path).path)).lstrip("/")
        file = (self.root / path).resolve()
        if file.is_dir():
            file = file / "index.html"
        if not file.is_relative_to(self.root) or not file.is_file():
            body = b"not found"
            return 404, {"Content-Type": "text/plain", "Content-Length": str(len(body))}, body
        ctype = (TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0]
                 or "application/octet-stream")
        body = file.read_bytes()
        headers = {"Content-Type": ctype, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
        if ctype.startswith(COMPRESSIBLE) and "gzip" in accept_encoding:
            key = (str(file), file.stat().st_mtime)
            with self._lock:
                if key not in self._gz:
                    self._gz[key] = gzip.compress(body, compresslevel=6, mtime=0)
                body = self._gz[key]
            headers["Content-Encoding"] = "gzip"
        headers["Content-Length"] = str(len(body))
        return 200, headers, body

    def url(self, path: str = "") -> str:
        return f"{self.origin}/{path.lstrip('/')}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)


# -- the browser side ----------------------------------------------------------------------

def is_local(url: str, origin: str | None = None) -> bool:
    """True for URLs that never touch the network, and for the local server: ``origin``
    (``http://127.0.0.1:PORT``) if given, else any port of 127.0.0.1."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "chrome-error"}:
        return True
    if parts.scheme not in {"http", "https", "ws", "wss"} or parts.hostname != "127.0.0.1":
        return False
    return origin is None or parts.port == urlsplit(origin).port


@dataclass
class Traffic:
    """Everything the pages of one browser context asked for."""

    requests: list = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # external URLs aborted by the route
    failed: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


def new_context(browser, origin: str | None = None, **options):
    """A browser context that aborts (and records) every request to another host than
    ``origin`` (the local server; any port of 127.0.0.1 if None).

    Its ``traffic`` attribute (a :class:`Traffic`) collects requests, failures and console
    errors of every page opened in it.
    """
    context = browser.new_context(service_workers="block", **options)
    traffic = Traffic()
    context.traffic = traffic

    def block(route):
        traffic.blocked.append(route.request.url)
        route.abort("blockedbyclient")

    context.route(lambda url: not is_local(url, origin), block)
    context.on("request", lambda request: traffic.requests.append(request))

    def on_failed(request):
        if is_local(request.url, origin):
            traffic.failed.append(f"{request.url}: {request.failure}")

    def on_response(response):
        if response.status >= 400:
            traffic.failed.append(f"{response.url}: HTTP {response.status}")

    context.on("requestfailed", on_failed)
    context.on("response", on_response)

    def on_page(page):
        page.on("console", lambda m: traffic.console.append(
            f"{m.text} ({m.location.get('url', '')}:{m.location.get('lineNumber', '')})")
            if m.type == "error" else None)
        page.on("pageerror", lambda e: traffic.console.append(f"uncaught: {e}"))

    context.on("page", on_page)
    return context


@dataclass
class PageReport:
    url: str
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    raw_bytes: int = 0  # decoded bodies of every response
    wire_bytes: int = 0  # bodies as transferred (gzip where the server compressed)
    resources: list[tuple[str, int, int]] = field(default_factory=list)  # (url, raw, wire)
    math_elements: int = 0
    figures: int = 0
    interactions: int = 0  # play presses and slider moves that were checked
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())

    def failures(self, *categories: str) -> str:
        cats = categories or CATEGORIES
        lines = []
        for c in cats:
            for p in self.problems.get(c, []):
                lines.append(f"[{c}] {p}")
        return "\n".join(lines)

    def weight(self) -> dict:
        top = sorted(self.resources, key=lambda r: -r[1])[:8]
        return {"raw_bytes": self.raw_bytes, "wire_bytes": self.wire_bytes,
                "requests": len(self.resources),
                "largest": [{"url": u, "raw_bytes": r, "wire_bytes": w} for u, r, w in top]}


# Text of the page outside code, scripts and typeset math: raw TeX delimiters must not be there.
_PROSE_TEXT_JS = """() => {
  const skip = new Set(['SCRIPT', 'STYLE', 'PRE', 'CODE', 'TEXTAREA', 'NOSCRIPT',
                        'MJX-CONTAINER', 'MJX-ASSISTIVE-MML']);
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode(n) {
      for (let e = n.parentElement; e; e = e.parentElement) {
        if (skip.has(e.tagName)) return NodeFilter.FILTER_REJECT;
      }
      return NodeFilter.FILTER_ACCEPT;
    }});
  while (walker.nextNode()) out.push(walker.currentNode.nodeValue);
  return out.join(' ');
}"""

_RAW_TEX = ("$$", "\\(", "\\[", "\\begin{")

_STATE_JS = """(root) => {
  const img = root.querySelector('img.dl-frame');
  const bg = root.querySelector('img.dl-bg');
  return {
    ready: root.dataset.ready || null,
    frame: img ? img.dataset.frame ?? null : null,
    frameLoaded: !!(img && img.complete && img.naturalWidth > 0),
    bgLoaded: !!(bg && bg.complete && bg.naturalWidth > 0),
  };
}"""

_STOP_JS = """(root) => {
  const b = root.querySelector('button.dl-play');
  if (b && /pause/i.test(b.textContent)) b.click();
}"""

_CHANGED_JS = """([root, before]) => {
  const img = root.querySelector('img.dl-frame');
  return !!img && (img.dataset.frame ?? null) !== before;
}"""


def _check_math(page, report: PageReport, timeout_ms: int) -> None:
    has_mathjax = page.evaluate("!!document.querySelector('script[src*=\"mathjax\" i]')")
    if has_mathjax:
        try:
            page.wait_for_function(
                "window.MathJax && MathJax.startup && MathJax.startup.promise",
                timeout=timeout_ms)
            page.evaluate("() => MathJax.startup.promise.then(() => true)")
        except Exception as e:  # noqa: BLE001 - reported as a problem, not raised
            report.problems[MATH].append(f"MathJax did not finish: {str(e).splitlines()[0]}")
    report.math_elements = page.locator("mjx-container").count()
    text = page.evaluate(_PROSE_TEXT_JS)
    for delim in _RAW_TEX:
        i = text.find(delim)
        if i >= 0:
            report.problems[MATH].append(
                f"raw {delim!r} in the page text: ...{text[max(0, i - 40):i + 60]!r}...")
    n_math = page.locator(".math, span.math, div.math").count()
    if n_math and not report.math_elements:
        report.problems[MATH].append(f"{n_math} math elements but no mjx-container")
    errors = page.locator("mjx-merror")
    for i in range(errors.count()):
        report.problems[MATH].append(f"TeX error: {errors.nth(i).text_content()!r}")


def _check_figures(page, report: PageReport, change_ms: int, screenshot: Path | None) -> None:
    figures = page.locator("div.dl-figure")
    report.figures = figures.count()
    shot_taken = False
    for i in range(report.figures):
        fig = figures.nth(i)
        name = fig.get_attribute("id") or f"figure {i + 1}"
        before = len(report.problems[ANIMATION])
        _check_figure(page, fig, name, report, change_ms)
        if screenshot is not None and len(report.problems[ANIMATION]) > before and not shot_taken:
            shot_taken = True  # the first failing figure, as the reader sees it
            take_screenshot(fig, screenshot.with_name(f"{screenshot.stem}-{name}.png"))


def _check_figure(page, fig, name: str, report: PageReport, change_ms: int) -> None:
    state = fig.evaluate(_STATE_JS)
    if not state["ready"] or state["frame"] is None:
        report.problems[ANIMATION].append(
            f"{name}: the player never initialised (no data-ready / data-frame)")
        return
    if not state["bgLoaded"] or not state["frameLoaded"]:
        report.problems[ANIMATION].append(f"{name}: an image of the player did not load")
    handle = fig.element_handle()
    button = fig.locator("button.dl-play")
    controls = [("play button", button.first)] if button.count() else []
    inputs = fig.locator("input[type=range][data-axis]")
    controls += [(f"slider {inputs.nth(j).get_attribute('data-axis')}", inputs.nth(j))
                 for j in range(inputs.count())]
    if not controls:
        report.problems[ANIMATION].append(f"{name}: no play button and no slider")
    for label, control in controls:
        fig.evaluate(_STOP_JS)
        before = fig.evaluate(_STATE_JS)["frame"]
        if label == "play button":
            if control.is_visible():
                control.click()
            else:
                control.evaluate("b => b.click()")
        else:
            at_max = control.evaluate("el => +el.value >= +el.max")
            if control.is_visible():
                control.focus()
                page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
            else:  # e.g. inside a collapsed dropdown: move it the way the keyboard would
                control.evaluate("""(el, down) => {
                    el.value = String(+el.value + (down ? -1 : 1));
                    el.dispatchEvent(new Event('input', {bubbles: true})); }""", at_max)
        report.interactions += 1
        try:
            page.wait_for_function(_CHANGED_JS, arg=[handle, before], timeout=change_ms)
        except Exception:  # noqa: BLE001
            report.problems[ANIMATION].append(
                f"{name}: the {label} did not change the frame within {change_ms} ms "
                f"(data-frame stayed {before!r})")
            continue
        if not fig.evaluate(_STATE_JS)["frameLoaded"]:
            page.wait_for_timeout(200)
            if not fig.evaluate(_STATE_JS)["frameLoaded"]:
                report.problems[ANIMATION].append(
                    f"{name}: after the {label}, the new frame image did not load")
    fig.evaluate(_STOP_JS)


_WIDGET_SELECTOR = (".jupyter-widgets, .widget-subarea, .output_widget_view, "
                    "script[type^='application/vnd.jupyter.widget']")

_OUTPUTS_JS = """() => {
  const found = [];
  const text = (e) => (e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 200);
  document.querySelectorAll('.output.traceback, .output.error').forEach(
    e => found.push('traceback output: ' + text(e)));
  document.querySelectorAll('.output.stderr').forEach(e => found.push('stderr output: ' + text(e)));
  document.querySelectorAll('.cell_output').forEach(e => {
    const t = e.textContent || '';
    for (const word of ['Traceback (most recent call last)', 'Warning:', '<InteractiveFigure']) {
      const i = t.indexOf(word);
      if (i >= 0) found.push(`"${word}" in a cell output: ` + t.slice(Math.max(0, i - 60), i + 140)
                                                            .replace(/\\s+/g, ' '));
    }
    if (!t.trim() && !e.querySelector('img, svg, canvas, iframe, video, table, .dl-figure'))
      found.push('an empty cell output');
  });
  return found;
}"""


def _check_widgets_and_outputs(page, report: PageReport) -> None:
    widgets = page.locator(_WIDGET_SELECTOR)
    for i in range(widgets.count()):
        w = widgets.nth(i)
        desc = w.evaluate("e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.')")
        empty = w.evaluate("e => !(e.textContent || '').trim() && !e.querySelector('img, svg')")
        report.problems[WIDGETS].append(
            f"{'empty ' if empty else ''}widget element {desc} (the static book should "
            "show the HTML face of every figure, never a widget)")
    report.problems[OUTPUTS].extend(page.evaluate(_OUTPUTS_JS))


def _measure(page, context, report: PageReport) -> None:
    seen = set()
    for request in context.traffic.requests:
        if id(request) in seen or not request.url.startswith(("http:", "https:")):
            continue
        seen.add(id(request))
        response = request.response()
        if response is None:
            continue
        try:
            raw = len(response.body())
        except Exception:  # noqa: BLE001 - redirects and aborted bodies have none
            raw = 0
        wire = request.sizes()["responseBodySize"]
        report.raw_bytes += raw
        report.wire_bytes += wire
        report.resources.append((urlsplit(request.url).path, raw, wire))


def check_page(context, url: str, *, change_ms: int = 1500, math_timeout_ms: int = 20_000,
               screenshot: Path | None = None) -> PageReport:
    """Load ``url`` in a fresh page of ``context`` (from :func:`new_context`) and check it.

    The page is left open (``report.page``) for a screenshot by the caller; the context's
    traffic is reset first, so open one page at a time per context.
    """
    t0 = time.monotonic()
    traffic = context.traffic
    for records in (traffic.requests, traffic.blocked, traffic.failed, traffic.console):
        records.clear()
    report = PageReport(url)
    page = context.new_page()
    report.page = page
    try:
        page.goto(url, wait_until="load")
    except Exception as e:  # noqa: BLE001
        report.problems[FAILED].append(f"{url}: {str(e).splitlines()[0]}")
        return report
    _check_math(page, report, math_timeout_ms)
    _check_figures(page, report, change_ms, screenshot)
    _check_widgets_and_outputs(page, report)
    try:
        page.wait_for_load_state("networkidle", timeout=10_000)
    except Exception:  # noqa: BLE001
        report.problems[FAILED].append("the page kept loading for 10 s after its checks")
    report.problems[EXTERNAL].extend(f"blocked {u}" for u in dict.fromkeys(traffic.blocked))
    report.problems[FAILED].extend(dict.fromkeys(traffic.failed))
    report.problems[CONSOLE].extend(dict.fromkeys(traffic.console))
    _measure(page, context, report)
    report.seconds = time.monotonic() - t0
    if screenshot is not None and not report.ok:
        take_screenshot(page, screenshot)
    return report


def take_screenshot(target, path: Path) -> None:
    """Screenshot of a page's viewport (full pages of a chapter take many seconds) or of an
    element (a locator)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        target.screenshot(path=str(path), timeout=15_000)
    except Exception:  # noqa: BLE001 - a screenshot must never hide the real failure
        pass


# -- links ---------------------------------------------------------------------------------

class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag == "a" and a.get("href") is not None:
            self.links.append(a["href"])


def _parse(path: Path) -> _Anchors:
    p = _Anchors()
    p.feed(path.read_text(encoding="utf-8", errors="replace"))
    return p


def link_problems(root: Path, pages: list[str]) -> list[str]:
    """Internal ``<a href>`` of ``pages`` whose target file or ``#anchor`` does not exist."""
    root = Path(root)
    parsed: dict[Path, _Anchors] = {}

    def get(path: Path) -> _Anchors:
        if path not in parsed:
            parsed[path] = _parse(path)
        return parsed[path]

    problems = []
    for page in pages:
        source = root / page
        base = "http://book.invalid/" + page
        for href in get(source).links:
            href = href.strip()
            if not href or href.startswith(("javascript:", "mailto:", "tel:", "data:")):
                continue
            target = urlsplit(urljoin(base, href))
            if target.scheme not in {"http", "https"} or target.netloc != "book.invalid":
                continue  # a link to another site: navigation, not this check's business
            rel = unquote(target.path).lstrip("/")
            file = root / rel if rel else root / "index.html"
            if file.is_dir():
                file = file / "index.html"
            if not file.is_file():
                problems.append(f"{page}: link {href!r}: no file {rel!r}")
                continue
            frag = unquote(target.fragment)
            if frag and file.suffix == ".html" and frag not in get(file).ids:
                problems.append(f"{page}: link {href!r}: no id {frag!r} in {rel}")
    return problems
