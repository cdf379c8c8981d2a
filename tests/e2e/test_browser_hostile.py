"""Threat: a file makes the browser fetch a tracking pixel (issue 8, item 3), end to end.

A pixel server on 127.0.0.1 records every request. The app is opened (``ASCOLTO_DATA``)
on a file whose column header, dates, channel, author and texts carry
``![x](http://127.0.0.1:PORT/pixel.png)`` and other markup; every page is visited, the
load report and the column dialog are opened, the same file is uploaded through Dati.
The pixel must never be requested. A control at the end proves the server would have
seen a request. The upload also checks that Dati stays on the user's tab (item 16).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ascolto_core.i18n import t
from test_browser import (
    SHOTS,
    _exception_text,
    _full_screenshot,
    _wait_idle,
    opened_page,
    running_app,
    visit_every_page,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


class PixelServer:
    """Serves a pixel on 127.0.0.1 and records every path requested."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                outer.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(PNG)))
                self.end_headers()
                self.wfile.write(PNG)

            def log_message(self, *args: object) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/pixel.png"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def pixel() -> Iterator[PixelServer]:
    server = PixelServer()
    yield server
    server.close()


def hostile_csv(pixel_url: str) -> bytes:
    image = f"![x]({pixel_url})"
    html = f'<img src="{pixel_url}?html">'
    header = f"testo;data;canale;autore;{image}\n"
    rows = [
        f"Caffè freddo e attesa {i} {image} {html} [link]({pixel_url}?link);{image};{image} {i % 2};{html};x"
        for i in range(6)
    ] + [f"Servizio lento, cornetto ottimo {i};14/09/2026 1{i}:00;Instagram;anna;y" for i in range(6)]
    return (header + "\n".join(rows) + "\n").encode()


def test_no_string_from_a_file_makes_the_browser_fetch_anything(
    pixel: PixelServer, tmp_path: Path
) -> None:
    data = tmp_path / "ostile.csv"
    data.write_bytes(hostile_csv(pixel.url))
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_app(tmp_path, tmp_path, ASCOLTO_DATA=str(data)) as url, opened_page(url) as page:
        problems: list[str] = []
        if (error := _exception_text(page)) is not None:
            problems.append(f"Dati: exception: {error}")
        # The load report of the start-up file.
        page.get_by_text(t("app.data.report", "it"), exact=True).click()
        _wait_idle(page)
        _full_screenshot(page, SHOTS / "20_ostile_dati.png")
        sidebar = page.locator('[data-testid="stSidebar"]')
        for _label in visit_every_page(page, "2{shot}_ostile.png", problems):
            pass  # each page opened, photographed, its exception noted

        # The same file through the uploader: report, column dialog, Analizza; the tab stays.
        sidebar.locator('[data-testid="stSidebarNav"]').get_by_text(t("app.nav.data", "it"), exact=True).click()
        _wait_idle(page)
        upload_tab = page.get_by_role("tab", name=t("app.data.tab_upload", "it"))
        upload_tab.click()
        _wait_idle(page)
        # The data uploader of the tab (Dati also has the workspace import uploader in its picker).
        # .first: the Riepilogo tab (after this one) has an uploader of its own.
        page.get_by_test_id("stTabs").locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(data))
        _wait_idle(page)
        page.get_by_text(t("app.mapping.fix", "it"), exact=True).click()
        _wait_idle(page)
        _full_screenshot(page, SHOTS / "21_ostile_caricamento.png")
        page.get_by_role("button", name=t("app.data.analyse", "it", n=12)).click()
        _wait_idle(page)
        if upload_tab.get_attribute("aria-selected") != "true":
            problems.append("Dati: after Analizza the page jumped away from the upload tab")
        if (error := _exception_text(page)) is not None:
            problems.append(f"Dati after upload: exception: {error}")
        page.wait_for_timeout(1500)
        assert pixel.requests == [], f"the browser fetched the pixel: {pixel.requests}"
        assert not problems, "\n".join(problems)

        # Control: the same browser does reach the pixel server when told to.
        page.set_content(f'<img src="{pixel.url}?control">')
        page.wait_for_timeout(1000)
        assert pixel.requests == ["/pixel.png?control"]
