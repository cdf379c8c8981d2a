"""The "Cerca online" panel in Streamlit's AppTest, fetching from 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import yaml
from streamlit.testing.v1 import AppTest

from ui.components import escape_markdown
from fetch_fixtures.server import FixtureServer, Reply, server  # noqa: F401


def panel_app(query_path: str) -> None:
    import streamlit as st

    from ui.fetch_panel import render_fetch_panel

    new = render_fetch_panel("it", query_path=query_path)
    if new is not None:
        st.session_state["fetched_ids"] = new.get_column("id").to_list()


def write_query(tmp_path: Path, server: FixtureServer) -> str:
    path = tmp_path / "listening.yaml"
    data = {
        "brand": "Forno Brio",
        "brand_terms": ["Forno Brio"],
        "hashtags": ["fornobrio"],
        "sources": {
            "rss": {"url": server.url("/alerts")},
            "bluesky": {"handle": "x.bsky.social", "password_env": "NO_SUCH_ENV_7", "public_url": server.url("/xrpc")},
        },
        "limits": {"retries": 0, "timeout_seconds": 2},
    }
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


def test_panel_prefills_fetches_and_reports(server: FixtureServer, tmp_path: Path) -> None:
    server.route("GET", "/alerts", Reply(file="google_alerts.xml", content_type="application/atom+xml"))
    server.route("GET", "/xrpc/app.bsky.feed.searchPosts", Reply(status=403, file="bluesky_error_403.json"))
    at = AppTest.from_function(panel_app, kwargs={"query_path": write_query(tmp_path, server)}, default_timeout=30)
    at.run()
    assert not at.exception
    assert at.subheader[0].value == "Cerca online"
    assert at.text_input(key="fetch_brand").value == "Forno Brio"
    assert at.multiselect(key="fetch_sources").value == ["rss", "bluesky"]
    assert "fetched_ids" not in at.session_state  # nothing fetched before "Cerca"
    at.button[0].click().run()
    assert not at.exception
    assert len(at.session_state["fetched_ids"]) == 2
    # The refused source is shown as an error, with the reason, never as a quiet day.
    errors = [e.value for e in at.error]
    # Server messages are shown literally (Markdown-escaped, issue 8 item 3).
    assert any(escape_markdown("bluesky: ACCESSO NEGATO") in e and "password per app" in e for e in errors)
    assert at.status[0].label.startswith("Ricerca finita con 1 fonti")
    # On the next rerun the panel returns nothing new but keeps the last report visible.
    at.session_state["fetched_ids"] = None
    at.run()
    assert at.session_state["fetched_ids"] is None
    assert any("2 nuove menzioni" in t.value for t in at.text)


def test_panel_with_no_source_chosen_warns(server: FixtureServer, tmp_path: Path) -> None:
    at = AppTest.from_function(panel_app, kwargs={"query_path": write_query(tmp_path, server)}, default_timeout=30)
    at.run()
    at.multiselect(key="fetch_sources").set_value([])
    at.button[0].click().run()
    assert [w.value for w in at.warning] == ["Scegli almeno una fonte."]
    assert server.requests == []


def test_panel_with_a_broken_query_file_still_renders(tmp_path: Path) -> None:
    broken = tmp_path / "listening.yaml"
    broken.write_text("sources: [nope\n", encoding="utf-8")
    at = AppTest.from_function(panel_app, kwargs={"query_path": str(broken)}, default_timeout=30)
    at.run()
    assert not at.exception
    assert "non è YAML valido" in at.warning[0].value
