"""Every page on data loaded from a hostile file (issue 8 items 6, 15, 22): extreme dates, day-only
dates; the Orari page says what it leaves out; Esporta offers the Italian spreadsheet dialect."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from app_harness import PAGES, app_with_data, texts
from ascolto_core.analysis import analyze_mentions
from ascolto_core.i18n import t
from ascolto_core.loading import load_mentions
from ui.state import StateKeys

pytestmark = pytest.mark.timeout(900)

_ROWS = [
    ("Servizio pessimo, attesa infinita", "9999-12-31T23:59:59Z", "facebook"),  # end-of-time placeholder
    ("Cornetto buonissimo", "0001-01-01", "instagram"),  # start-of-time placeholder
    ("Perché siete chiusi?", "20/11/2026", "email"),  # a day, no time
    ("Personale gentile", "21/11/2026", "facebook"),  # a day, no time
    ("Caffè freddo e servizio lento", "22/11/2026 21:30", "email"),  # a real time of day
]


def _loaded(tmp_path: Path, rows: list[tuple[str, str, str]]) -> dict[str, object]:
    """Session state holding the analysed file, under a dataset key of its own (caches are keyed by it)."""
    path = tmp_path / "ostile.csv"
    path.write_text("testo;data;canale\n" + "".join(f"{a};{b};{c}\n" for a, b, c in rows), encoding="utf-8")
    mentions = analyze_mentions(load_mentions(path).mentions, engine="embedded", use_cache=False).mentions
    return {StateKeys.MENTIONS: mentions, StateKeys.DATASET_KEY: f"hostile-{len(rows)}"}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_survives_extreme_and_day_only_dates(tmp_path: Path, page: str) -> None:
    at = app_with_data(page, **_loaded(tmp_path, _ROWS))
    assert not at.exception, [e.value for e in at.exception]
    assert at.title


def test_hours_page_says_day_only_posts_are_left_out(tmp_path: Path) -> None:
    at = app_with_data("pages/hours.py", **_loaded(tmp_path, _ROWS))
    assert t("hours_time.day_only_left_out", "it", n=2) in texts(at)
    table = at.dataframe[0].value
    assert int(table["mentions"].sum()) == 1  # only the 21:30 post; not "100 % outside office hours" from midnights


def test_hours_page_with_only_day_only_dates_explains_why_it_is_empty(tmp_path: Path) -> None:
    at = app_with_data("pages/hours.py", **_loaded(tmp_path, _ROWS[2:4]))
    assert not at.exception
    assert t("hours_time.all_day_only", "it") in [i.value for i in at.info]


def test_post_cards_show_the_day_alone_for_day_only_dates(tmp_path: Path) -> None:
    at = app_with_data("pages/posts.py", **_loaded(tmp_path, _ROWS[2:4]))
    shown = texts(at).replace("\\", "")  # captions escape Markdown: 20\/11\/2026
    assert "20/11/2026" in shown and "20/11/2026 00:00" not in shown


def test_export_offers_the_italian_dialect_beside_the_plain_csv() -> None:
    at = app_with_data("pages/export.py")
    labels = {b.label for b in at.get("download_button")}
    assert {t("spreadsheet.italian_csv", "it"), t("app.export.csv", "it"), t("app.export.xlsx", "it")} <= labels
