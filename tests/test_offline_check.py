"""The offline checker used by CI catches what a browser would fetch from another host."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("check_offline", ROOT / "scripts/check_offline.py")
check_offline = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_offline)


def _site(tmp_path, body):
    (tmp_path / "index.html").write_text(f"<html><head></head><body>{body}</body></html>")
    return check_offline.external_fetches(tmp_path)


def test_local_assets_and_plain_links_pass(tmp_path):
    body = (
        '<script src="_static/a.js"></script><link rel="stylesheet" href="_static/b.css">'
        '<a href="https://example.org/paper">a paper</a><img src="data:image/png;base64,AA">'
    )
    assert _site(tmp_path, body) == {}


def test_cdn_script_stylesheet_and_css_url_fail(tmp_path):
    body = (
        '<script src="https://cdn.example/x.js"></script>'
        '<link rel="stylesheet" href="//cdn.example/fa.css">'
        '<div style="background:url(https://cdn.example/i.png)"></div>'
    )
    found = _site(tmp_path, body)["index.html"]
    assert len(found) == 3
