"""The read-only listening status block (ui/listening_status.py) under Streamlit's AppTest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ascolto_core.listening import run_round
from ascolto_core.workspace import Workspace
from fetch_fixtures.server import closed_port_url


def _script(path: str, lang: str) -> None:
    from ascolto_core.workspace import Workspace
    from ui.listening_status import render_listening_status

    render_listening_status(Workspace.open(path, read_only=True), lang)


def test_status_block_shows_sources_and_alerts(tmp_path: Path) -> None:
    settings = {
        "brand": "Forno Brio",
        "brand_terms": ["Forno Brio"],
        "sources": {"rss": [{"url": closed_port_url() + "/feed.xml", "name": "Blog spento"}]},
        "limits": {"retries": 0, "timeout_seconds": 2},
        "alerts": {"source_failing": {"hours": 0}, "jitter_seconds": 0},
    }
    workspace = Workspace.create(tmp_path / "ws", settings=settings)
    run_round(workspace, now=datetime(2026, 11, 21, 19, 0, tzinfo=UTC))
    at = AppTest.from_function(_script, args=(str(workspace.path), "it"), default_timeout=60).run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["no", "21/11/2026 20:00", "mai"]
    table = at.dataframe[0].value
    assert list(table.columns) == ["Fonte", "Esito", "Ultima lettura", "Nuove", "Prossima lettura", "Problema"]
    assert table.iloc[0]["Fonte"] == "Blog spento" and table.iloc[0]["Esito"] == "non risponde"
    markdown = " ".join(m.value for m in at.markdown)
    assert "Allarmi inviati: **1**, ancora attivi: **1**" in markdown
    assert "la fonte Blog spento non risponde da 0 ore" in markdown


def test_status_block_without_sources_says_so(tmp_path: Path) -> None:
    workspace = Workspace.create(tmp_path / "ws", settings={"brand": "Forno Brio"})
    at = AppTest.from_function(_script, args=(str(workspace.path), "en"), default_timeout=60).run()
    assert not at.exception
    assert "No source configured" in at.info[0].value
    assert [m.value for m in at.metric] == ["no", "never", "never"]


def _recent_mentions(now: datetime) -> "pl.DataFrame":
    """Twenty quiet days (one complaint three hours before this clock time) and six complaints in the last minutes."""
    import polars as pl

    from app_data import _NEGATIVE, _POSITIVE, _row
    from ascolto_core.schema import ANALYSIS_SCHEMA, MENTION_SCHEMA, conform

    rows = []
    for day in range(1, 21):
        rows.append(_row(len(rows), now - timedelta(days=day, hours=3), _NEGATIVE, "email", "negative", "anger", 1))
        rows.append(_row(len(rows), now - timedelta(days=day, hours=5), _POSITIVE, "google_reviews", "positive", "joy", 2))
    for minutes in range(2, 8):
        rows.append(_row(len(rows), now - timedelta(minutes=minutes), _NEGATIVE, "facebook", "negative", "anger", 0))
    frame = pl.DataFrame(rows, schema={**MENTION_SCHEMA, **ANALYSIS_SCHEMA}, strict=False)
    return conform(frame).with_columns(*(pl.col(c).cast(d) for c, d in ANALYSIS_SCHEMA.items()))


def test_alerts_page_today_so_far_is_the_listeners_number() -> None:
    from app_harness import app_with_data
    from ascolto_core.i18n import t
    from ascolto_core.insights.alerts import AlertConfig
    from ascolto_core.listening.rules import today_so_far
    from ui.state import StateKeys

    mentions = _recent_mentions(datetime.now(UTC))
    at = app_with_data("pages/alerts.py", **{StateKeys.MENTIONS: mentions})
    assert not at.exception
    tz = at.session_state[StateKeys.CONTEXT].tz
    # The same function, data, thresholds and zone the listening round uses for its evening alert.
    window = today_so_far(mentions, datetime.now(UTC), AlertConfig.from_config(), tz)
    [metric] = [m for m in at.metric if str(m.label).startswith("Menzioni negative oggi fino alle")]
    assert metric.value == str(window.negative)
    assert window.negative >= 6 or window.end.hour == 0  # just after midnight the six may fall on yesterday
    said = " ".join(str(e.value) for e in [*at.caption, *at.warning])
    verdict = "alert" if window.is_alert else "normal"
    assert t(f"listening.today.{verdict}", "it", until=window.end.strftime("%H:%M"), n=window.negative,
             base=str(window.baseline).replace(".", ",").removesuffix(",0"), days=window.history_days).split(":")[0] in said


def test_alerts_page_on_old_data_says_when_today_appears() -> None:
    from app_harness import app_with_data
    from ascolto_core.i18n import t

    at = app_with_data("pages/alerts.py")  # the test data ends in 2026-09
    assert not at.exception
    assert t("listening.today.no_today", "it") in [c.value for c in at.caption]
