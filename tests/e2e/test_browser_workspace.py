"""Workspaces in a real browser: the picker creates one, a file goes into it, it is still there after a reload.

The app runs with its own workspaces folder (``ASCOLTO_WORKSPACES``); the test creates
a workspace from the picker, uploads a CSV into it, reloads the tab (a new session),
finds the same data, opens the settings tab and every page, with screenshots in
``artifacts/screenshots/3*.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ascolto_core.i18n import t
from test_browser import SHOTS, _full_screenshot, _wait_idle, opened_page, running_app, visit_every_page

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

CSV = (
    "testo;data;canale;autore\n"
    "Servizio lento e caffè freddo;14/09/2026 10:00;Instagram;anna\n"
    "Cornetto ottimo, personale gentile;15/09/2026 11:00;Facebook;bruno\n"
    "Ordine sbagliato, pessimo;15/09/2026 21:00;Email;carla\n"
)


def test_a_workspace_made_in_the_browser_keeps_its_data_after_a_reload(tmp_path: Path) -> None:
    data = tmp_path / "mie.csv"
    data.write_text(CSV, encoding="utf-8")
    folder = tmp_path / "spazi"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_app(tmp_path, tmp_path, ASCOLTO_WORKSPACES=str(folder)) as url, opened_page(url) as page:
        problems: list[str] = []
        # The read-only demo proposes a workspace of one's own instead of an uploader.
        page.get_by_role("tab", name=t("app.data.tab_upload", "it")).click()
        _wait_idle(page)
        _full_screenshot(page, SHOTS / "30_demo_sola_lettura.png")
        assert page.get_by_text(t("wsui.read_only_add", "it")).count() >= 1
        # Create a workspace from the picker.
        page.get_by_text(t("wsui.panel_title", "it"), exact=True).click()
        _wait_idle(page)
        _full_screenshot(page, SHOTS / "30b_scelta_spazio.png")
        page.get_by_label(t("wsui.new_name", "it"), exact=True).first.fill("forno-brio")
        page.get_by_label(t("wsui.new_brand", "it"), exact=True).fill("Forno Brio")
        page.get_by_role("button", name=t("wsui.create", "it")).click()
        _wait_idle(page)
        _full_screenshot(page, SHOTS / "31_spazio_creato.png")
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.get_by_text(t("wsui.sidebar.workspace", "it", name="forno-brio")).count() == 1
        # Upload into it.
        page.get_by_role("tab", name=t("app.data.tab_upload", "it")).click()
        _wait_idle(page)
        # .first: the Riepilogo tab (after this one) has an uploader of its own.
        page.get_by_test_id("stTabs").locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(data))
        _wait_idle(page)
        page.get_by_role("button", name=t("wsui.add_file", "it", name="forno-brio", n=3)).click()
        _wait_idle(page)
        _full_screenshot(page, SHOTS / "32_file_aggiunto.png")
        assert "3 menzioni su 3" in sidebar.get_by_text("menzioni su").first.inner_text()
        # A reload is a new session: the data is still there, in the last used workspace.
        page.reload(wait_until="domcontentloaded")
        _wait_idle(page, timeout_s=120)
        assert sidebar.get_by_text(t("wsui.sidebar.workspace", "it", name="forno-brio")).count() == 1
        assert "3 menzioni su 3" in sidebar.get_by_text("menzioni su").first.inner_text()
        page.get_by_role("tab", name=t("wsui.tab_settings", "it")).click()
        _wait_idle(page)
        _full_screenshot(page, SHOTS / "33_impostazioni.png")
        for _label in visit_every_page(page, "3{shot}_spazio.png", problems, pause_ms=500):
            pass  # each page opened, photographed, its exception noted
        assert not problems, "\n".join(problems)
