"""The aggregate summary in a real browser: ``make run SUMMARY=folder`` opens it, Riepilogo draws it (issue 14).

The app starts with ``ASCOLTO_SUMMARY`` naming a folder of Parquet parts (as Spark writes
them); Dati says it is open, an unrelated file uploaded on the Riepilogo tab gets an
Italian message, and the Riepilogo page draws its five charts. Screenshots in
``artifacts/screenshots/4*.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ascolto_core.i18n import t
from test_browser import SHOTS, _exception_text, _full_screenshot, _wait_idle, opened_page, running_app

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


def _summary_folder(folder: Path) -> Path:
    from ascolto_core.analysis.pipeline import analyze_mentions
    from ascolto_core.datasets.synth import synthesize
    from ascolto_core.scale.summary import daily_summary

    mentions = analyze_mentions(synthesize(3_000, seed=5), engine="embedded", use_cache=False).mentions
    folder.mkdir()
    for i, part in enumerate(mentions.iter_slices(1_000)):
        daily_summary(part).write_parquet(folder / f"part-{i:05d}.parquet")
    (folder / "_SUCCESS").write_text("")
    return folder


def test_a_summary_named_at_start_is_drawn_and_a_bad_upload_is_explained(tmp_path: Path) -> None:
    folder = _summary_folder(tmp_path / "riepilogo")
    unrelated = tmp_path / "menzioni.csv"
    unrelated.write_text("testo;data\nCiao;14/09/2026\n", encoding="utf-8")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_app(tmp_path, tmp_path, ASCOLTO_SUMMARY=str(folder)) as url, opened_page(url) as page:
        # Dati says a summary is open (after the first run has loaded the demo).
        page.get_by_text("Riepilogo aperto:").first.wait_for(timeout=300_000)
        _wait_idle(page)
        # An unrelated file on the Riepilogo tab: a sentence, no traceback.
        page.get_by_role("tab", name=t("summary_view.tab", "it")).click()
        _wait_idle(page)
        page.get_by_test_id("stTabs").locator('[data-testid="stFileUploaderDropzoneInput"]').last.set_input_files(
            str(unrelated)
        )
        _wait_idle(page)
        _full_screenshot(page, SHOTS / "40_riepilogo_file_sbagliato.png")
        assert page.get_by_text("non è un riepilogo giornaliero di Ascolto").count() == 1
        assert _exception_text(page) is None
        # The page: the aggregate notice and the five charts.
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.locator('[data-testid="stSidebarNav"]').get_by_text(t("app.nav.summary", "it"), exact=True).click()
        _wait_idle(page)
        page.wait_for_timeout(1500)  # let Vega finish drawing before the screenshot
        _full_screenshot(page, SHOTS / "41_riepilogo.png")
        assert _exception_text(page) is None
        assert page.get_by_role("heading", name=t("summary_view.title", "it")).count() == 1
        assert page.get_by_text("Non ci sono post da mostrare").count() == 1
        assert page.locator('[data-testid="stVegaLiteChart"]').count() == 5
