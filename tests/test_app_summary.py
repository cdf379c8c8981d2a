"""Riepilogo: the app opens an aggregate daily summary (upload on Dati, or ``make run SUMMARY=...``) (issue 14)."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest

from app_data import DAYS, INCIDENT_POSTS, analysed_mentions, total_mentions
from app_harness import app_with_data, texts
from ascolto_core.i18n import t
from ascolto_core.scale.summary import daily_summary
from ui.state import StateKeys

pytestmark = pytest.mark.timeout(600)
PAGE = "pages/summary.py"
UPLOADER = "summary_upload_0"
# Counts of a dataset far larger than memory: every mention of the test table stands for 1,000.
SCALE = 1_000


def big_summary() -> pl.DataFrame:
    mentions = analysed_mentions().with_columns(
        pl.when(pl.col("touchpoint") == "instagram").then(pl.lit("Brio Club")).otherwise(pl.lit("Forno Brio")).alias("brand")
    )
    return daily_summary(mentions).with_columns(pl.col("mentions") * SCALE, pl.col("questions") * SCALE)


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def open_on_dati(*files: tuple[str, bytes], lang: str = "it"):  # noqa: ANN201
    at = app_with_data("pages/data.py", **{StateKeys.LANG: lang})
    at.file_uploader(key=UPLOADER).set_value([(name, content, "application/octet-stream") for name, content in files]).run()
    return at


def test_without_a_summary_the_page_says_how_to_open_one() -> None:
    at = app_with_data(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert t("summary_view.none_open", "it") in [i.value for i in at.info]
    assert not at.get("vega_lite_chart")


def test_an_uploaded_summary_shows_totals_timeline_touchpoints_emotions_and_brands() -> None:
    at = open_on_dati(("riepilogo.parquet", parquet_bytes(big_summary())))
    assert not at.exception, [e.value for e in at.exception]
    total = f"{total_mentions() * SCALE:,}".replace(",", ".")  # Italian thousands dot
    opened = t("summary_view.opened", "it", name="riepilogo\\.parquet", n=total, start="01/08/2026", end="29/09/2026")
    assert opened in [s.value for s in at.success]

    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    # It says plainly that this is an aggregate with no posts, and that the filters do not apply.
    assert "**riepilogo aggregato**" in shown and "Non ci sono post da mostrare" in shown
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("summary_view.mentions", "it")] == total
    assert metrics["Giorni"] == str(DAYS)
    assert "Dal 01/08/2026 al 29/09/2026." in shown
    negative = (DAYS + INCIDENT_POSTS) / total_mentions()
    assert (metrics["Negative"], metrics["Positive"]) == (f"{round(negative * 100)}%", f"{round(DAYS / total_mentions() * 100)}%")
    # Timeline, net sentiment, touchpoints, emotions, brands: five charts, and the brands' table.
    assert len(at.get("vega_lite_chart")) == 5
    brands = at.dataframe[0].value
    assert brands.iloc[0].tolist() == ["Forno Brio", f"{DAYS * 3 * SCALE:,}".replace(",", "."), "94%"]


def test_the_summary_page_ignores_the_sidebar_filters_and_says_so() -> None:
    at = open_on_dati(("riepilogo.parquet", parquet_bytes(big_summary())))
    at.session_state[StateKeys.F_SEARCH] = "parolachenonesiste"
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "i filtri della barra laterale non valgono" in texts(at)
    assert len(at.get("vega_lite_chart")) == 5


def test_the_parts_of_a_spark_folder_add_up_and_english_reads_english() -> None:
    whole = big_summary()
    parts = [("part-00000.parquet", parquet_bytes(whole.head(40))), ("part-00001.parquet", parquet_bytes(whole.slice(40)))]
    at = open_on_dati(*parts, lang="en")
    assert not at.exception, [e.value for e in at.exception]
    assert any("2 files" in s.value for s in at.success)
    at.switch_page(PAGE).run()
    assert {m.label: m.value for m in at.metric}["Mentions"] == f"{total_mentions() * SCALE:,}"
    assert "There are no posts to show" in texts(at)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        # A mentions file is not a summary: the message names the missing columns and the way to write one.
        ("menzioni.csv", b"id,text,created_at\n1,ciao,2026-11-01\n", "non è un riepilogo giornaliero di Ascolto"),
        ("rotto.parquet", b"PAR1 not really", "Non riesco a leggere"),  # damaged file
    ],
)
def test_a_bad_or_unrelated_file_gets_a_clear_italian_message(name: str, content: bytes, expected: str) -> None:
    at = open_on_dati((name, content))
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert any(expected in e for e in errors), errors
    assert StateKeys.SUMMARY not in at.session_state
    at.switch_page(PAGE).run()
    assert t("summary_view.none_open", "it") in [i.value for i in at.info]


def test_closing_the_summary_empties_the_page() -> None:
    at = open_on_dati(("riepilogo.parquet", parquet_bytes(big_summary())))
    at.button(key="summary_close").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [s for s in at.success if "Riepilogo aperto" in s.value]
    at.switch_page(PAGE).run()
    assert t("summary_view.none_open", "it") in [i.value for i in at.info]


def test_make_run_summary_opens_it_at_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "daily"
    folder.mkdir()
    big_summary().write_parquet(folder / "part-00000.parquet")
    monkeypatch.setenv("ASCOLTO_SUMMARY", str(folder))
    at = app_with_data("pages/data.py")
    assert not at.exception, [e.value for e in at.exception]
    assert any("Riepilogo aperto: **daily**" in i.value for i in at.info)
    at.switch_page(PAGE).run()
    assert len(at.get("vega_lite_chart")) == 5


def test_a_wrong_summary_at_start_is_a_message_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mentions.csv").write_text("id,text\n1,ciao\n", encoding="utf-8")
    monkeypatch.setenv("ASCOLTO_SUMMARY", str(tmp_path / "mentions.csv"))
    at = app_with_data("pages/data.py")
    assert not at.exception, [e.value for e in at.exception]
    assert any("Non ho potuto aprire il riepilogo" in e.value for e in at.error)


def test_an_empty_summary_is_drawn_without_charts_or_errors() -> None:
    # Guard: a summary of an empty input (the right columns, no rows) says there is nothing over time.
    at = open_on_dati(("vuoto.parquet", parquet_bytes(big_summary().clear())))
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert t("summary_view.no_dates", "it") in [i.value for i in at.info]
    assert {m.label: m.value for m in at.metric}["Menzioni"] == "0"
    assert not at.get("vega_lite_chart")
