"""The Dati page: demo by default, uploads, the column-mapping form, the size limit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_harness import APP, app_with_data, texts
from ascolto_core import config as config_module
from ascolto_core import i18n
from ascolto_core.datasets import demo_profile, load_demo
from ascolto_core.insights.voice import mark_own
from ascolto_core.i18n import t
from ui.components import escape_markdown
from ui.state import StateKeys

pytestmark = pytest.mark.timeout(600)

CLEAR_CSV = (
    "testo;data;canale;autore\n"
    "Servizio lento e caffè freddo;14/09/2026 10:00;Instagram;anna\n"
    "Cornetto ottimo, personale gentile;15/09/2026 11:00;Facebook;bruno\n"
    "Ordine sbagliato, pessimo;15/09/2026 21:00;Email;carla\n"
).encode()
# Two text-like columns and no header hint: the loader must ask.
AMBIGUOUS_CSV = "a,b\nServizio lento davvero,Cornetto ottimo e caldo\nbuono il pane,cattivo il caffè\n".encode()


def test_demo_is_loaded_and_analysed_on_first_open() -> None:
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    n = load_demo().height
    captions = [c.value for c in at.sidebar.caption]
    assert t("app.sidebar.dataset", "it", name=escape_markdown(t("app.data.demo_label", "it"))) in captions
    assert any(c.startswith("Analisi: ") for c in captions), "the engine is always visible"
    # The brand's own posts (issue 12) are counted apart: the pages show the customers' mentions.
    own = int(mark_own(load_demo(), demo_profile())["is_own"].sum())
    assert own > 0
    assert f"**{n - own:,}** menzioni su {n:,}".replace(",", ".") in captions
    assert t("service.voice.own_count", "it", n=f"{own:,}".replace(",", ".")) in captions


def test_upload_shows_report_then_analyses_the_file() -> None:
    at = app_with_data("pages/data.py")
    at.file_uploader(key=StateKeys.UPLOAD).set_value(("mie.csv", CLEAR_CSV, "text/csv")).run()
    assert not at.exception and not at.error
    assert escape_markdown("mie.csv") in texts(at), "the load report names the file (shown literally)"
    at.button(key="analyse_upload").click().run()
    assert not at.exception
    captions = [c.value for c in at.sidebar.caption]
    assert "Dati: " + escape_markdown("mie.csv") in captions, "the file name (untrusted) is escaped"
    assert "**3** menzioni su 3" in captions


def test_unclear_columns_ask_with_dropdowns_and_load_after_choosing() -> None:
    at = app_with_data("pages/data.py")
    at.file_uploader(key=StateKeys.UPLOAD).set_value(("ambiguo.csv", AMBIGUOUS_CSV, "text/csv")).run()
    assert not at.exception
    assert at.warning, "the page says it needs help with the columns"
    text_box = next(s for s in at.selectbox if s.label == t("app.mapping.field.text", "it"))
    text_box.set_value("a")
    at.button[[b.label for b in at.button].index(t("app.mapping.submit", "it"))].click().run()
    assert not at.exception
    assert t("app.data.analyse", "it", n=2) in [b.label for b in at.button]


@pytest.fixture
def tiny_upload_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A copy of config/ whose upload limit is 100 bytes.
    folder = tmp_path / "config"
    shutil.copytree(config_module.PROJECT_ROOT / "config", folder)
    app_yaml = folder / "app.yaml"
    app_yaml.write_text(app_yaml.read_text(encoding="utf-8").replace("max_file_mb: 200", "max_file_mb: 0.0001"))
    monkeypatch.setenv("ASCOLTO_CONFIG_DIR", str(folder))
    config_module.load_config.cache_clear()
    i18n.catalogue.cache_clear()
    yield
    config_module.load_config.cache_clear()
    i18n.catalogue.cache_clear()


@pytest.mark.usefixtures("tiny_upload_limit")
def test_too_big_upload_gets_a_clear_italian_message() -> None:
    at = app_with_data("pages/data.py")
    at.file_uploader(key=StateKeys.UPLOAD).set_value(("grande.csv", CLEAR_CSV * 3, "text/csv")).run()
    assert not at.exception
    assert len(at.error) == 1 and "il massimo è" in at.error[0].value


def test_fetched_mentions_are_merged_into_the_data_and_analysed(monkeypatch: pytest.MonkeyPatch) -> None:
    # The "Cerca online" panel is F's; here it hands back two new mentions, as after a search.
    import polars as pl

    import ui.fetch_panel
    from app_data import analysed_mentions
    from ascolto_core.schema import MENTION_SCHEMA, conform

    new = conform(
        pl.DataFrame(
            {"id": ["web1", "web2"], "text": ["Pane ottimo oggi", "Coda infinita alla cassa"], "touchpoint": ["forum", "forum"]},
            schema_overrides={k: v for k, v in MENTION_SCHEMA.items() if k in ("id", "text", "touchpoint")},
        )
    )
    monkeypatch.setattr(ui.fetch_panel, "render_fetch_panel", lambda lang, **_: new)
    raw = analysed_mentions().select(list(MENTION_SCHEMA))
    at = app_with_data("pages/data.py", **{StateKeys.RAW: raw})
    assert not at.exception, [e.value for e in at.exception]
    total = raw.height + 2
    assert f"**{total}** menzioni su {total}" in [c.value for c in at.sidebar.caption]
    assert t("app.sidebar.dataset", "it", name=t("app.data.fetched_label", "it")) in [c.value for c in at.sidebar.caption]


def test_every_page_works_on_an_uploaded_file() -> None:
    # The user's own three rows, analysed by the offline engine, then every page opened.
    from app_harness import PAGES

    at = app_with_data("pages/data.py")
    at.file_uploader(key=StateKeys.UPLOAD).set_value(("mie.csv", CLEAR_CSV, "text/csv")).run()
    at.button(key="analyse_upload").click().run()
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert "**3** menzioni su 3" in [c.value for c in at.sidebar.caption], page


def test_a_second_session_reuses_the_analysis_without_error() -> None:
    # Workshop case: many people open the app; only the first one waits for the analysis.
    first = AppTest.from_file(APP, default_timeout=300)
    first.run()
    second = AppTest.from_file(APP, default_timeout=300)
    second.run()
    assert not first.exception and not second.exception, [e.value for e in second.exception]
    assert [c.value for c in second.sidebar.caption] == [c.value for c in first.sidebar.caption]


def test_engine_fallback_is_explained_with_the_missing_model(monkeypatch: pytest.MonkeyPatch) -> None:
    # Transformers asked for, model not on this machine: the sidebar says which model and why, in words.
    import streamlit as st

    monkeypatch.setenv("ASCOLTO_ENGINE", "transformers")
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=300)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        captions = [c.value for c in at.sidebar.caption]
        notes = [c for c in captions if c.startswith(":material/info:")]
        assert len(notes) == 1, captions
        assert escape_markdown("cardiffnlp/twitter-xlm-roberta-base-sentiment-multilingual") in notes[0]
        assert "{" not in notes[0], "placeholders are filled"
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
