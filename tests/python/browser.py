"""Headless Debian Chromium for the browser tests (docs site, pipeline report), driven by Playwright.

Playwright's own browsers are never downloaded: it launches the system `chromium` (make installs
Debian's package) with the flags that keep it off the network, in a fresh profile folder.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

OFFLINE_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def chromium_path() -> str:
    """The system Chromium; the test fails (not skips) without it, with what to run."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Debian's chromium is not installed: run `make chromium` (make test does)")
    return path


@contextmanager
def chromium_page(viewport: tuple[int, int] = (1400, 900)) -> Iterator[Page]:
    """A page of a headless Chromium with a fresh profile. Any request leaving 127.0.0.1 (or a
    file:// URL) is aborted and recorded, so a page that needs the network shows it: the test can
    assert `page.offline_violations == []`."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="stedi-chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=chromium_path(),
            headless=True,
            args=list(OFFLINE_FLAGS),
            viewport={"width": viewport[0], "height": viewport[1]},
        )
        violations: list[str] = []

        def keep_local(route, request) -> None:  # type: ignore[no-untyped-def]
            url = request.url
            local = url.startswith(("file://", "data:", "blob:", "about:")) or url.startswith(
                ("http://127.0.0.1", "http://localhost")
            )
            if local:
                route.continue_()
            else:
                violations.append(url)
                route.abort()

        context.route("**/*", keep_local)
        page = context.pages[0] if context.pages else context.new_page()
        page.offline_violations = violations  # type: ignore[attr-defined]
        try:
            yield page
        finally:
            context.close()


def screenshot(page: Page, name: str) -> Path:
    """Saves a full-page screenshot under the checkout's target/screenshots/ for reviewers."""
    folder = Path(__file__).resolve().parents[2] / "target" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
