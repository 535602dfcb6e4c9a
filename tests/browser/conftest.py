"""Fixtures of the browser tests: Chromium through Playwright, the built book on a local
server, and screenshots of failures in ``test-artifacts/``.

Policy: without Chromium (``/usr/bin/chromium``, or ``$DESCENTLAB_CHROMIUM``), without
Playwright or without a built book, the tests are skipped with a message saying what to
install or run; with ``DESCENTLAB_REQUIRE_BROWSER=1`` (set by ``.ci/run``) each such skip is
a failure instead. ``DESCENTLAB_BOOK_HTML`` points the tests at another build folder.

The browser is shared by every test of this folder and closed when the last of them ends
(package scope), not at the end of the session: a live Playwright marks its event loop as
running between calls, which would disturb the notebook tests (nbval, jupyter_client) that
run after this folder in the same pytest session.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from .pagecheck import CHROMIUM, CHROMIUM_ARGS, StaticServer, take_screenshot

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
BUILD = Path(os.environ.get("DESCENTLAB_BOOK_HTML") or ROOT / "_build" / "html")


def require(ok: bool, message: str) -> None:
    """Skip the test unless ``ok``; fail instead when DESCENTLAB_REQUIRE_BROWSER=1."""
    if ok:
        return
    if os.environ.get("DESCENTLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message} (DESCENTLAB_REQUIRE_BROWSER=1 makes this a failure)",
                    pytrace=False)
    pytest.skip(message)


def chromium_path() -> str | None:
    for candidate in (os.environ.get("DESCENTLAB_CHROMIUM"), CHROMIUM,
                      shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="package")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    require(sync_playwright is not None,
            "Playwright for Python is not installed: pip install -r requirements.txt")
    path = chromium_path()
    require(path is not None,
            f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` "
            "(or set DESCENTLAB_CHROMIUM to a Chromium binary)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="package")
def built_book() -> Path:
    require((BUILD / "index.html").is_file(),
            f"no built book in {BUILD}: run `bash scripts/build-book.sh` first")
    return BUILD


@pytest.fixture(scope="package")
def book_server(built_book):
    with StaticServer(built_book) as server:
        yield server


@pytest.fixture
def shots(request):
    """Pages to screenshot if the test fails: append ``(page, name)``."""
    return []


def artifact_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:120]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        for page, name in item.funcargs.get("shots", []) if hasattr(item, "funcargs") else []:
            path = ARTIFACTS / f"{artifact_name(name)}.png"
            take_screenshot(page, path)
            report.sections.append(("screenshot", str(path)))
    return report
