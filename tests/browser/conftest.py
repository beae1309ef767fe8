"""Fixtures for browser tests: a real ``jupyter lab`` and Debian's Chromium driven by Playwright.

- ``jupyter_lab`` (session): the server of :func:`lab.running_lab` (see ``lab.py``).
- ``chromium`` (session): headless ``/usr/bin/chromium`` (Playwright never downloads one).
- ``page`` (per test): a fresh browser context and page; a screenshot lands in
  ``artifacts/browser/`` when the test fails.
- ``lab`` (per test): a :class:`lab.Lab` driver bound to the server and that page.
- ``labextension_installed`` (session): the server's record of the matmul-magic labextension.

Without ``/usr/bin/chromium`` or Playwright the tests skip, except under ``CI=true``, where a
missing browser is a failure. Every test here should be marked ``@pytest.mark.browser``.
"""

from __future__ import annotations

import json
import os
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .lab import CHROMIUM, CHROMIUM_ARGS, REPO, Lab, LabServer, running_lab

ARTIFACTS = REPO / "artifacts" / "browser"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str) -> None:
    """Skip locally, fail in CI: CI must never pass by skipping the browser tests."""
    if _in_ci():
        pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def jupyter_lab() -> Iterator[LabServer]:
    """The session's JupyterLab server (see :func:`running_lab`)."""
    with running_lab() as server:
        yield server


@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright (sync API), for the browser tests only:
    Playwright's sync API keeps an asyncio loop running in the main thread while it is open,
    and a later test's ``await`` in an IPython shell (autoawait) would find that loop busy."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright (python) is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh context and page; console errors are collected on ``page.console_errors``."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    new_page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    new_page.console_errors = errors
    yield new_page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            new_page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        except Exception:  # the page may be gone; the failure itself matters more
            pass
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    # Lets ``page`` see whether the test failed, to keep a screenshot of the failure.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def lab(page: Any, jupyter_lab: LabServer) -> Lab:
    """The :class:`Lab` helper for this test's page."""
    # ``page`` first: without a browser the test skips (or fails in CI) before a server starts.
    return Lab(jupyter_lab, page)


@pytest.fixture(scope="session")
def labextension_installed(jupyter_lab: LabServer) -> dict[str, Any]:
    """The server's record of the matmul-magic labextension; fails with the fix if absent."""
    # The page config JupyterLab embeds in /lab lists the prebuilt extensions it will load.
    with urllib.request.urlopen(f"{jupyter_lab.url}/lab", timeout=10) as response:
        html = response.read().decode()
    match = re.search(
        r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S
    )
    config = json.loads(match.group(1)) if match else {}
    disabled = config.get("disabledExtensions", [])
    for extension in config.get("federated_extensions", []):
        if extension.get("name") == "matmul-magic":
            if "matmul-magic" in disabled:
                pytest.fail("the matmul-magic labextension is installed but disabled")
            return extension
    pytest.fail(
        "the matmul-magic labextension is not installed in this environment: run scripts/setup "
        "(npm ci in labextension/, pip install -e . --no-build-isolation, "
        "jupyter labextension develop --overwrite .)",
        pytrace=False,
    )
