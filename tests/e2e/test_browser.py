"""End to end: the real app under ``streamlit run``, driven in headless Chromium.

Loads the demo (the app does it on first open), changes a filter, opens every
page through the sidebar navigation, saves a full-page screenshot of each into
``artifacts/screenshots/`` and fails on any Streamlit exception box. Uses
Debian's Chromium (``/usr/bin/chromium``), never a downloaded browser.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ascolto_core.i18n import t
from ui.navigation import PAGE_SPECS, START_PAGE

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Sidebar navigation labels (Italian) and the file name of each screenshot, for every page after the start page.
PAGES: tuple[tuple[str, str], ...] = tuple(
    (t(f"app.nav.{spec.name}", "it"), f"{number:02d}_{spec.slug}")
    for number, spec in enumerate(PAGE_SPECS, start=1)
    if spec.name != START_PAGE
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail("CI is set but /usr/bin/chromium is missing: `make test` installs it (apt-get install chromium)")
    pytest.skip("/usr/bin/chromium not installed (sudo apt-get install chromium); the browser test needs it")


@contextlib.contextmanager
def running_app(log_dir: Path, cache_dir: Path, **extra_env: str) -> Iterator[str]:
    """``streamlit run app.py`` on a free 127.0.0.1 port with ``extra_env``; yields its base URL, stops it after."""
    _require_chromium()
    port = _free_port()
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ASCOLTO_ENGINE": os.environ.get("ASCOLTO_ENGINE", "embedded"),
        "ASCOLTO_CACHE_DIR": str(cache_dir),
        **extra_env,
    }
    log = (log_dir / "streamlit.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not become healthy (exit code {process.poll()}); log: {log.name}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on the demo data (no ``ASCOLTO_DATA``)."""
    with running_app(
        tmp_path_factory.mktemp("e2e-log"), tmp_path_factory.mktemp("e2e-cache"), ASCOLTO_DATA=""
    ) as url:
        yield url


@contextlib.contextmanager
def opened_page(url: str) -> Iterator[Any]:
    """A headless Chromium page (Italian locale) on ``url``, once the app's first run has finished.

    The first open loads and analyses the demo (or the start-up file), hence the long wait.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="it-IT")
            page.goto(url, wait_until="domcontentloaded")
            _wait_idle(page, timeout_s=300)
            yield page
        finally:
            browser.close()


def _wait_idle(page, timeout_s: float = 120) -> None:  # noqa: ANN001 - playwright Page
    """Wait until the script has finished running (no status widget for a moment)."""
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=timeout_s * 1000)
    deadline = time.monotonic() + timeout_s
    quiet_since = None
    while time.monotonic() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 1.5:
            return
        page.wait_for_timeout(250)
    raise AssertionError("the app kept running for too long")


def _full_screenshot(page, path: Path) -> None:  # noqa: ANN001
    """Screenshot of the whole page: Streamlit scrolls inside its main block, so grow the viewport to fit."""
    height = page.evaluate(
        """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stMainBlockContainer"]',
                              '[data-testid="stSidebarContent"]']
            .map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight), 1000)"""
    )
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 80, 12000)})
    page.wait_for_timeout(600)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


def _choose_option(page, multiselect, name: str, attempts: int = 4) -> None:  # noqa: ANN001
    """Open a multiselect and pick ``name``; retry when a rerun or re-layout closed the menu first."""
    for _ in range(attempts):
        _wait_idle(page)
        multiselect.get_by_role("button", name="Open").click(force=True)
        option = page.get_by_role("option", name=name)
        try:
            option.wait_for(state="visible", timeout=5000)
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: the menu closed, try again
            page.keyboard.press("Escape")
            continue
        option.click()
        return
    raise AssertionError(f"the option {name!r} never appeared in the menu")


def _exception_text(page) -> str | None:  # noqa: ANN001
    boxes = page.locator('[data-testid="stException"]')
    return boxes.first.inner_text()[:800] if boxes.count() else None


def visit_every_page(page, file_name: str, problems: list[str], pause_ms: int = 800) -> Iterator[str]:  # noqa: ANN001
    """Each sidebar page in turn: opened, drawn, photographed, its exception (if any) noted.

    ``file_name`` is formatted with the page's ``shot`` (``"2{shot}_ostile.png"``); the page's
    label is yielded while it is on screen, for the caller's own checks.
    """
    sidebar = page.locator('[data-testid="stSidebar"]')
    for label, shot in PAGES:
        sidebar.locator('[data-testid="stSidebarNav"]').get_by_text(label, exact=True).click()
        _wait_idle(page)
        page.wait_for_timeout(pause_ms)  # let Vega finish drawing before the screenshot
        _full_screenshot(page, SHOTS / file_name.format(shot=shot))
        if (error := _exception_text(page)) is not None:
            problems.append(f"{label}: exception: {error}")
        yield label


def test_every_page_in_the_browser(server: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with opened_page(server) as page:
        assert _exception_text(page) is None, _exception_text(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        count = sidebar.get_by_text("menzioni su").first
        before = count.inner_text()
        _full_screenshot(page, SHOTS / "01_dati.png")

        # Change a filter: only posts in Italian.
        language = sidebar.get_by_text("Lingua dei post", exact=True).locator("xpath=ancestor::*[@data-testid='stMultiSelect']")
        _choose_option(page, language, "italiano")
        page.keyboard.press("Escape")
        _wait_idle(page)
        after = sidebar.get_by_text("menzioni su").first.inner_text()
        assert after != before, f"the language filter did not change the count ({before!r})"

        problems: list[str] = []  # every page is visited and photographed, then all problems reported
        for label in visit_every_page(page, "{shot}.png", problems):
            if page.get_by_role("heading", name=label).count() == 0:
                problems.append(f"{label}: page title missing")
            if sidebar.get_by_text("menzioni su").first.inner_text() != after:
                problems.append(f"{label}: the filter was lost ({after!r} -> {sidebar.get_by_text('menzioni su').first.inner_text()!r})")
        assert not problems, "\n".join(problems)

        # Brushing the timeline narrows the shared date filter (and so every page).
        sidebar.locator('[data-testid="stSidebarNav"]').get_by_text("Andamento", exact=True).click()
        _wait_idle(page)
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        box = chart.bounding_box()
        assert box is not None
        y = box["y"] + box["height"] * 0.6
        page.mouse.move(box["x"] + box["width"] * 0.35, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.55, y, steps=12)
        page.mouse.up()
        page.wait_for_timeout(500)
        _wait_idle(page)
        narrowed = sidebar.get_by_text("menzioni su").first.inner_text()
        _full_screenshot(page, SHOTS / "10_andamento_selezione.png")
        assert narrowed != after, "the interval selection did not narrow the mentions"
        assert sidebar.get_by_role("button", name="Tutto il periodo").count() == 1

        # The CSV download really delivers the filtered mentions.
        sidebar.locator('[data-testid="stSidebarNav"]').get_by_text("Esporta", exact=True).click()
        _wait_idle(page)
        with page.expect_download(timeout=60_000) as download_info:
            page.get_by_role("button", name="Scarica CSV").click()
        csv_path = download_info.value.path()
        header = Path(csv_path).read_text(encoding="utf-8-sig").splitlines()[0]
        assert "text" in header and "sentiment" in header, header

        # The English switch changes the labels.
        sidebar.get_by_text("English", exact=True).click()
        _wait_idle(page)
        assert page.get_by_role("heading", name="Export").count() >= 1
        sidebar.locator('[data-testid="stSidebarNav"]').get_by_text("Overview", exact=True).click()
        _wait_idle(page)
        _full_screenshot(page, SHOTS / "11_overview_english.png")
        assert _exception_text(page) is None, _exception_text(page)
