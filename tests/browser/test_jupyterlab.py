"""The book's notebooks in JupyterLab, driven in headless Chromium like a reader would.

One JupyterLab server for the module, on 127.0.0.1 with a random token, serving a temporary
copy of ``book/`` (autosave is off too: nothing is ever written back to the repository), with
its own settings, workspaces, runtime and IPython folders so a developer's own JupyterLab
set-up plays no part. It is stopped by its process group id when the module ends.

For every notebook of ``book/`` that uses ``InteractiveFigure`` (the chapters, the playground):

* Run -> Run All Cells; every code cell gets an execution count, none shows an error or
  stderr output, no widget fails to display, and jupyterlab-myst has evaluated every
  ``{eval}`` expression of the prose;
* for every slider of every figure (the slider of a Play control too) key presses move it
  and the kernel redraws the figure's image within 2 s of a press; a slider that changes
  nothing in the figure's current settings must change it once one of the figure's
  dropdowns is set otherwise (a learning rate that a "tuned" mode ignores); sliders that
  needed several presses or another setting are listed as notes in
  ``test-artifacts/jupyterlab.json``; every dropdown redraws its figure too;
* the number of live figures matches the number of players on the chapter's built page.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, BUILD, ROOT
from .pagecheck import new_context


def _built_players(nb: Path) -> int | None:
    html = BUILD / "book" / (nb.stem + ".html")
    if not html.is_file():
        return None
    return html.read_text(encoding="utf-8", errors="replace").count('class="dl-figure"')


# Every notebook of the book with a live figure: it names InteractiveFigure, or its built page
# has players (the playground builds its figures inside descentlab.viz.playground).
CHAPTERS = sorted(p for p in (ROOT / "book").glob("*.ipynb")
                  if "InteractiveFigure" in p.read_text(encoding="utf-8")
                  or _built_players(p))
RUN_TIMEOUT_MS = 60_000
_summary: dict[str, dict] = {}  # per notebook: timings and notes, into test-artifacts/
REDRAW_MS = 2_000

SETTINGS = {
    # No "get notified about Jupyter news?" toast, no update check.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    # Never save: the copy is temporary anyway, but nothing should be written at all.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # Every cell in the DOM (no virtual scrolling), so every figure can be found.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    def __init__(self, base: str, token: str, root: Path, log: Path):
        self.base, self.token, self.root, self.log = base, token, root, log

    def api(self, method: str, path: str):
        req = urllib.request.Request(f"{self.base}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        for s in self.api("GET", "/api/sessions") or []:
            self.api("DELETE", f"/api/sessions/{s['id']}")

    def log_tail(self, n: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""


@pytest.fixture(scope="module")
def lab(browser, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("jupyterlab")
    root = tmp / "book"
    shutil.copytree(ROOT / "book", root,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "_build", "__pycache__"))
    settings = tmp / "settings"
    for rel, value in SETTINGS.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(value))
    env = dict(os.environ,
               JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_DATA_DIR=str(tmp / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), IPYTHONDIR=str(tmp / "ipython"))
    env.pop("DESCENTLAB_FIGURE_FACE", None)  # the live face, as a reader gets it
    port, token = _free_port(), secrets.token_hex(16)
    log = tmp / "jupyterlab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip", "127.0.0.1",
             "--port", str(port), f"--ServerApp.token={token}", "--allow-root",
             f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={settings}",
             f"--LabApp.workspaces_dir={tmp / 'workspaces'}"],
            env=env, cwd=tmp, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}", token, root, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                lab.api("GET", "/api/status")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{lab.log_tail()}", pytrace=False)
                time.sleep(0.2)
        yield lab
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def lab_context(browser, lab):
    # One context for every notebook: JupyterLab's own scripts stay in its cache.
    context = new_context(browser, lab.base, viewport={"width": 1400, "height": 1000})
    yield context
    context.close()


# The figure of a control: the nearest widget VBox around it that holds an image.
_FIGURE_BOX_JS = """(el) => {
  let box = el.closest('.widget-vbox');
  while (box && !box.querySelector('img')) box = box.parentElement.closest('.widget-vbox');
  return box;
}"""
_FIGURE_IMG_JS = f"""(el) => {{
  const box = ({_FIGURE_BOX_JS})(el);
  return box ? box.querySelector('img') : null;
}}"""
_LABEL_JS = """(el) => el.closest('.widget-slider')?.querySelector('.widget-label')
                        ?.textContent.trim()"""
_SRC_JS = f"(el) => {{ const img = ({_FIGURE_IMG_JS})(el); return img ? img.src : null; }}"
_REDRAWN_JS = f"""([el, before]) => {{
  const img = ({_FIGURE_IMG_JS})(el);
  return !!img && img.src !== before && img.complete && img.naturalWidth > 0;
}}"""
_PROMPTS_JS = """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                       .map(e => e.textContent.trim())"""
_RUNNING_JS = """() => document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status
      === 'busy' || [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
      .some(e => e.textContent.includes('*'))"""
_SETTLED_JS = """() => document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status
      === 'idle' && ![...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
      .some(e => e.textContent.includes('*'))"""
_KERNEL_IDLE_JS = """() => /\\|\\s*Idle/.test(document.querySelector('#jp-main-statusbar')
      ?.innerText || '')"""


def _redrawn(page, control, before: str, timeout_ms: int) -> bool:
    try:
        page.wait_for_function(_REDRAWN_JS, arg=[control, before], timeout=timeout_ms)
        return True
    except Exception:  # noqa: BLE001 - a timeout: not redrawn
        return False


def _reveal(handle) -> bool:
    """Make a slider visible: click through the tabs of the tab widget holding it, if any."""
    if handle.is_visible():
        return True
    titles = handle.locator(
        "xpath=ancestor::div[contains(concat(' ', @class, ' '), ' widget-tab ')][1]"
    ).locator(".lm-TabBar-tab")
    for i in range(titles.count()):
        titles.nth(i).click()
        if handle.is_visible():
            return True
    return False


def _settle(page, control) -> None:
    """Wait until the kernel is idle and the figure's image has stopped changing, so that
    a late redraw (of a key press queued earlier) is not taken for the next control's."""
    page.wait_for_function(_SETTLED_JS, timeout=RUN_TIMEOUT_MS)
    src = control.evaluate(_SRC_JS)
    for _ in range(20):
        page.wait_for_timeout(250)
        now = control.evaluate(_SRC_JS)
        if now == src:
            return
        src = now


_SLIDER_JS = """(h) => {
  const api = h.closest('.noUi-target')?.noUiSlider;
  return api ? {value: +api.get(), step: +(api.options.step || 0)}
             : {value: +h.getAttribute('aria-valuenow'), step: 0};
}"""


def _move_until_redrawn(page, handle) -> str | None:
    """Move a slider by keyboard until its figure is redrawn; how far it had to go.

    The first press (one step) must redraw within REDRAW_MS. One step is 1/200 of the range
    by default and may not change what is drawn (an integer batch size on a log slider, an
    epsilon that matters only near the top of its range), so then page keys move it 5 steps
    at a time for up to 40 steps, then End (Home) takes it to the end of its range. After
    that the slider is brought back to where it was, so that every control is tried from the
    figure's own settings. None if the figure never changed.
    """
    before = handle.evaluate(_SRC_JS)
    start = handle.evaluate(_SLIDER_JS)
    up = float(handle.get_attribute("aria-valuenow")) < float(
        handle.get_attribute("aria-valuemax"))
    arrow, page_key, end = ("ArrowRight", "PageUp", "End") if up else (
        "ArrowLeft", "PageDown", "Home")
    handle.scroll_into_view_if_needed()
    handle.focus()
    attempts = [("by one step", arrow, REDRAW_MS)]
    attempts += [(f"by {1 + 5 * k} steps", page_key, 300) for k in range(1, 9)]
    attempts += [("to the end of its range", end, REDRAW_MS)]
    found = None
    for what, key, wait in attempts:
        page.keyboard.press(key)
        if _redrawn(page, handle.element_handle(), before, wait):
            found = what
            break
    # Back to the start, to within one step.
    back_arrow, back_page = ("ArrowLeft", "PageDown") if up else ("ArrowRight", "PageUp")
    for _ in range(100):
        now = handle.evaluate(_SLIDER_JS)
        step = now["step"] or abs(now["value"] - start["value"]) or 1
        away = (now["value"] - start["value"]) / step * (1 if up else -1)
        if away < 0.5:
            break
        page.keyboard.press(back_page if away >= 5 else back_arrow)
    _settle(page, handle)
    return found


def _select_and_wait(page, select, index: int) -> bool:
    before = select.evaluate(_SRC_JS)
    select.select_option(index=index)
    redrawn = _redrawn(page, select, before, REDRAW_MS)
    _settle(page, select)
    return redrawn


def _dismiss_toasts(page) -> None:
    toasts = page.locator(".jp-Notification-Toast-Close, .Toastify__close-button")
    for i in range(toasts.count()):
        try:
            toasts.nth(i).click(timeout=1000)
        except Exception:  # noqa: BLE001 - gone already
            pass


@pytest.fixture
def lab_page(lab, lab_context, shots, request):
    """A fresh page in the lab's context; closed, and its kernels shut down, afterwards."""
    traffic = lab_context.traffic
    for records in (traffic.requests, traffic.blocked, traffic.failed, traffic.console):
        records.clear()
    page = lab_context.new_page()
    nb = request.node.callspec.params.get("nb")
    shots.append((page, f"jupyterlab-{nb.stem if nb else 'none'}"))
    yield page
    try:
        lab.shutdown_kernels()
    except OSError:
        pass
    # Never save: close without the "unsaved changes" prompt.
    page.close(run_before_unload=False)


@pytest.mark.parametrize("nb", CHAPTERS or [pytest.param(None, id="no-chapter")],
                         ids=lambda p: p.stem if p else "none")
def test_chapter_runs_and_its_figures_redraw(nb, lab, lab_page):
    if nb is None:
        pytest.skip("no chapter notebook uses InteractiveFigure yet")
    t0 = time.monotonic()
    page, traffic = lab_page, lab_page.context.traffic
    page.goto(f"{lab.base}/lab/tree/{nb.name}?reset&token={lab.token}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60_000)
    page.wait_for_function(_KERNEL_IDLE_JS, timeout=60_000)
    _dismiss_toasts(page)

    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-item[data-command='runmenu:run-all']")
    page.wait_for_function(_RUNNING_JS, timeout=15_000)
    page.wait_for_function(_SETTLED_JS, timeout=RUN_TIMEOUT_MS)
    ran = time.monotonic() - t0

    errors = page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    texts = [errors.nth(i).inner_text()[:800] for i in range(errors.count())]
    assert not texts, f"{nb.name}: error or stderr output after Run All:\n" + "\n---\n".join(
        texts)
    prompts = page.evaluate(_PROMPTS_JS)
    unrun = [i for i, p in enumerate(prompts) if not any(c.isdigit() for c in p)]
    assert not unrun, f"{nb.name}: code cells {unrun} did not run (prompts {prompts})"
    outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
    dead = [t[:200] for t in outputs
            if "Error displaying widget" in t or "Loading widget..." in t]
    assert not dead, f"{nb.name}: widgets that did not display: {dead}"
    prose = page.locator(".jp-MarkdownCell").all_inner_texts()
    raw = [t[:200] for t in prose if "{eval}" in t]
    assert not raw, f"{nb.name}: {{eval}} not evaluated by jupyterlab-myst: {raw}"
    _dismiss_toasts(page)

    handles = page.locator(".widget-slider .noUi-handle")
    dropdowns = page.locator(".widget-dropdown select")
    images = page.evaluate(
        "() => new Set([...document.querySelectorAll('.widget-slider .noUi-handle, "
        ".widget-dropdown select')].map(" + _FIGURE_IMG_JS + ").filter(Boolean)).size")
    assert handles.count() + dropdowns.count() > 0, f"{nb.name}: no figure controls"
    notes = []
    for i in range(handles.count()):
        h = handles.nth(i)
        label = h.evaluate(_LABEL_JS) or f"slider {i}"
        assert h.evaluate(_SRC_JS), f"{nb.name}: slider {label!r} is not in a figure with an image"
        assert _reveal(h), f"{nb.name}: slider {label!r} is hidden, and no tab shows it"
        presses = _move_until_redrawn(page, h)
        setting = None
        if presses is None:
            # A control may act only in some setting of the figure's dropdowns (e.g. a
            # learning rate that a "tuned" mode ignores): try the other settings, then put
            # the dropdown back.
            for select in h.evaluate_handle(_FIGURE_BOX_JS).query_selector_all(
                    ".widget-dropdown select"):
                options = select.evaluate(
                    "s => [...s.options].map(o => o.text.replace(/\\s+/g, ' '))")
                current = select.evaluate("s => s.selectedIndex")
                for k in [k for k in range(len(options)) if k != current]:
                    _select_and_wait(page, select, k)
                    presses = _move_until_redrawn(page, h) if _reveal(h) else None
                    if presses is not None:
                        setting = options[k]
                        break
                _select_and_wait(page, select, current)
                if presses is not None:
                    break
        assert presses is not None, (
            f"{nb.name}: slider {label!r} moved but its figure was never redrawn within "
            f"{REDRAW_MS} ms (whatever its dropdowns were set to)")
        if presses != "by one step" or setting:
            notes.append(f"{label!r} changed the figure only when moved {presses}"
                         + (f", once a dropdown was set to {setting!r}" if setting else ""))
    for i in range(dropdowns.count()):
        d = dropdowns.nth(i).element_handle()
        n = d.evaluate("s => s.options.length")
        if n < 2 or not d.evaluate(_SRC_JS):
            continue
        assert _select_and_wait(page, d, (d.evaluate("s => s.selectedIndex") + 1) % n), (
            f"{nb.name}: dropdown {i} changed but its figure was not redrawn within "
            f"{REDRAW_MS} ms")

    players = _built_players(nb)
    if players is not None:
        assert images == players, (
            f"{nb.name}: {images} live figures in JupyterLab, {players} players in "
            f"{BUILD / 'book' / (nb.stem + '.html')}")
    assert not traffic.blocked, f"JupyterLab asked other hosts: {traffic.blocked}"
    total = time.monotonic() - t0
    _summary[nb.name] = {"open_and_run_all_s": round(ran, 1), "total_s": round(total, 1),
                         "figures": images, "sliders": handles.count(),
                         "dropdowns": dropdowns.count(), "notes": notes}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "jupyterlab.json").write_text(json.dumps(_summary, indent=2) + "\n")
    print(f"{nb.name}: opened and ran in {ran:.1f} s, {handles.count()} sliders and "
          f"{dropdowns.count()} dropdowns redraw, {total:.1f} s in all"
          + "".join(f"\n  note: {n}" for n in notes))
