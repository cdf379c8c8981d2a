"""The read-only listening status block (ui/listening_status.py) under Streamlit's AppTest."""

from __future__ import annotations

from datetime import UTC, datetime
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
