"""Threat: one workshop participant sees another's analysed data (issue 8, item 2).

Everything Streamlit shares between the sessions of one server (``st.cache_data``,
``st.cache_resource``, the analysis store) is process-wide; under ``AppTest`` two
sessions in the same test process share them exactly as two browser tabs do.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
import yaml

from app_harness import app_with_data
from ascolto_core import config as config_module
from ascolto_core import i18n
from ascolto_core.i18n import t
from ascolto_core.insights import export_csv
from fetch_fixtures.server import FixtureServer, Reply, server  # noqa: F401
from ui.state import StateKeys

pytestmark = pytest.mark.timeout(600)


def private_csv(owner: str) -> bytes:
    # Same file name, same ids, same authors and channels for both people: only the texts differ.
    rows = [
        f"{i};Segreto di {owner} numero {i}: il caffè era freddo;1{i}/09/2026 10:00;Instagram;cliente{i}"
        for i in range(1, 4)
    ]
    return ("id;testo;data;canale;autore\n" + "\n".join(rows) + "\n").encode()


@pytest.fixture
def listening_config(tmp_path: Path, server: FixtureServer, monkeypatch: pytest.MonkeyPatch) -> FixtureServer:  # noqa: F811
    # A copy of config/ whose listening query reads one RSS feed from the local fixture server.
    folder = tmp_path / "config"
    shutil.copytree(config_module.PROJECT_ROOT / "config", folder)
    query = {"brand": "Forno Brio", "brand_terms": ["Forno Brio"], "sources": {"rss": {"url": server.url("/alerts")}},
             "limits": {"retries": 0, "timeout_seconds": 5}}
    (folder / "listening.yaml").write_text(yaml.safe_dump(query), encoding="utf-8")
    server.route("GET", "/alerts", Reply(file="google_alerts.xml", content_type="application/atom+xml"))
    monkeypatch.setenv("ASCOLTO_CONFIG_DIR", str(folder))
    config_module.load_config.cache_clear()
    i18n.catalogue.cache_clear()
    yield server
    config_module.load_config.cache_clear()
    i18n.catalogue.cache_clear()


def upload_and_fetch(owner: str):
    """A session that uploads its own private file, analyses it, then runs the same online search."""
    at = app_with_data("pages/data.py")
    at.file_uploader(key=StateKeys.UPLOAD).set_value(("menzioni.csv", private_csv(owner), "text/csv")).run()
    at.button(key="analyse_upload").click().run()
    assert not at.exception, [e.value for e in at.exception]
    submit = t("fetch.panel.submit", "it")
    at.button[[b.label for b in at.button].index(submit)].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def seen_texts(at) -> str:
    """Every text the session can reach: its data, the Post page, a search filter and the export file."""
    mentions: pl.DataFrame = at.session_state[StateKeys.MENTIONS]
    parts = mentions.get_column("text").to_list()
    at.switch_page("pages/posts.py").run()
    parts += [m.value for m in at.markdown]
    at.sidebar.text_input(key=StateKeys.F_SEARCH).set_value("segreto").run()
    parts += [m.value for m in at.markdown]
    context = at.session_state[StateKeys.CONTEXT]
    parts.append(export_csv(context.filtered, tz=context.tz).decode("utf-8-sig", errors="replace"))
    assert not at.exception, [e.value for e in at.exception]
    return "\n".join(str(p) for p in parts)


@pytest.mark.usefixtures("listening_config")
def test_two_sessions_with_colliding_ids_and_names_never_see_each_others_texts() -> None:
    anna = upload_and_fetch("Anna")
    bruno = upload_and_fetch("Bruno")
    # Both searches found the same posts: the data differ only in the uploaded texts.
    assert anna.session_state[StateKeys.MENTIONS].height == bruno.session_state[StateKeys.MENTIONS].height > 3
    bruno_sees, anna_sees = seen_texts(bruno), seen_texts(anna)
    assert "Segreto di Bruno" in bruno_sees and "Segreto di Anna" in anna_sees
    assert "Anna" not in bruno_sees, "Bruno got Anna's analysed data"
    assert "Bruno" not in anna_sees, "Anna got Bruno's analysed data"
    assert anna.session_state[StateKeys.DATASET_KEY] != bruno.session_state[StateKeys.DATASET_KEY]


def test_the_shared_cache_key_is_the_content_not_the_ids() -> None:
    from ui.data import content_key

    base = pl.DataFrame({"id": ["1", "2"], "text": ["uno", "due"]})
    # Same ids, one text changed: a different key.
    assert content_key(base) != content_key(base.with_columns(pl.Series("text", ["uno", "tre"])))
    # Same values in another column: a different key.
    assert content_key(base) != content_key(base.rename({"text": "author"}))
    # Same content built twice: the same key (the analysis is shared, not redone).
    assert content_key(base) == content_key(pl.DataFrame({"id": ["1", "2"], "text": ["uno", "due"]}))
    # Guard: an empty frame has a key too.
    assert content_key(pl.DataFrame()) != content_key(base.clear())
