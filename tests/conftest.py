"""Shared pytest configuration.

Notebook cells run by nbval fail when they write to stderr: a chapter must print no
warnings, and nbval alone only fails on exceptions.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    outputs = getattr(item, "test_outputs", None) or []
    stderr = [
        o.get("text", "")
        for o in outputs
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    ]
    if stderr:
        pytest.fail("cell wrote to stderr (a warning?):\n" + "".join(stderr)[:2000], pytrace=False)
    return result
