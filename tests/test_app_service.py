"""The Servizio clienti, Concorrenti and Temi pages under AppTest, on the demo and on data without replies/competitors."""

from __future__ import annotations

import functools
from typing import Any

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from app_data import ENGINE
from app_harness import APP, app_with_data, texts
from ascolto_core.analysis import analyze_mentions
from ascolto_core.datasets import demo_profile, load_demo
from ascolto_core.i18n import t
from ascolto_core.insights.summary import prepare, summary
from ui.format import fmt_pct, fmt_int
from ui.service_charts import minutes_text
from ui.state import StateKeys

pytestmark = pytest.mark.timeout(600)
NEW_PAGES = ("pages/service.py", "pages/competitors.py", "pages/topics.py")


@functools.cache
def demo_table() -> pl.DataFrame:
    """The demo analysed by the embedded engine and prepared as the app does (own posts, brands)."""
    return prepare(analyze_mentions(load_demo(), engine="embedded", use_cache=False).mentions, demo_profile())


def demo_app(page: str, **state: Any) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state[StateKeys.MENTIONS] = demo_table()
    at.session_state[StateKeys.DATASET_KEY] = "demo-test"
    at.session_state[StateKeys.DATASET_LABEL] = "demo"
    at.session_state[StateKeys.ENGINE_INFO] = ENGINE
    at.session_state[StateKeys.PROFILE] = demo_profile()
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def own_texts() -> set[str]:
    return set(demo_table().filter(pl.col("is_own"))["text"].to_list())


def shown_posts(at: AppTest) -> list[str]:
    return [str(m.value) for m in at.markdown]


# --------------------------------------------------------------------------- data without replies or competitors


@pytest.mark.parametrize(
    ("page", "sentence"),
    [
        ("pages/service.py", "service.missing.no_reply_links"),  # no reply_to: say which columns provide it
        ("pages/competitors.py", "service.competitors.missing"),  # one brand only
        ("pages/topics.py", "service.topics.missing"),  # no aspect columns (not analysed by this version)
    ],
)
def test_missing_data_gets_a_plain_sentence_and_no_chart(page: str, sentence: str) -> None:
    at = app_with_data(page)
    assert not at.exception, [e.value for e in at.exception]
    assert t(sentence, "it") in [i.value for i in at.info]
    assert not at.get("vega_lite_chart"), "never an empty chart"


def test_the_reply_sentence_names_the_columns_that_provide_links() -> None:
    sentence = t("service.missing.no_reply_links", "it")
    for column in ("in_reply_to_status_id", "parent_id", "Risposta a"):
        assert column in sentence


# --------------------------------------------------------------------------- the demo


def test_overview_and_alerts_show_no_own_post_among_negatives() -> None:
    own = own_texts()
    assert any("Ci scusiamo" in text for text in own), "the apology is the brand's own"
    for page in ("pages/overview.py", "pages/alerts.py"):
        at = demo_app(page)
        assert not own & set(shown_posts(at)), page


def test_service_page_shows_the_weekend_gap_and_the_summary_numbers() -> None:
    at = demo_app("pages/service.py")
    numbers = summary(demo_table(), demo_profile(), prepared=True)["responses"]
    metrics = {m.label: m.value for m in at.metric}
    # One computation per number: the page and the summary command agree.
    assert metrics[t("service.kpi.answerable", "it")] == fmt_int(numbers["answerable"], "it")
    assert metrics[t("service.kpi.answered_share", "it")] == fmt_pct(numbers["answered_share"], "it")
    assert metrics[t("service.kpi.median", "it")] == minutes_text(numbers["median_first_response_minutes"], "it")
    assert metrics[t("service.kpi.unanswered", "it")] == fmt_int(numbers["unanswered"], "it")
    gap = [w.value for w in at.warning if "fine settimana" in str(w.value)]
    assert gap, "the weekend gap is stated"
    assert at.get("vega_lite_chart"), "time to first reply is drawn"
    # The conversation view shows a customer post and the brand's reply.
    assert t("service.thread.own", "it") in [b.label for b in at.get("badge")] or "marchio" in texts(at)


def test_service_response_times_by_weekday_show_slow_weekends() -> None:
    from ascolto_core.insights.responses import response_times

    customers = demo_table().filter(~pl.col("is_own"))
    times = response_times(customers, by="weekday", replies=demo_table(), tz="Europe/Rome", brand="Forno Brio")
    weekday = times.filter(pl.col("weekday") <= 5)["median_minutes"].max()
    weekend = times.filter(pl.col("weekday") >= 6)["median_minutes"].min()
    assert weekend > 4 * weekday


def test_competitors_page_compares_forno_brio_and_dolce_sosta() -> None:
    at = demo_app("pages/competitors.py")
    metrics = {m.label: m.value for m in at.metric}
    shares = summary(demo_table(), demo_profile(), prepared=True)["share_of_voice"]
    assert set(metrics) == {"Forno Brio", "Dolce Sosta"}
    assert metrics == {brand: fmt_pct(share, "it") for brand, share in shares.items()}
    assert len(at.get("vega_lite_chart")) >= 4  # share over time, mood, channels, emotions


def test_topics_page_draws_the_heatmap_and_lists_posts_behind_a_cell() -> None:
    at = demo_app("pages/topics.py")
    assert len(at.get("vega_lite_chart")) >= 2
    at.selectbox(key=StateKeys.TOPIC_PICK).set_value("waiting").run()
    assert not at.exception
    waiting = summary(demo_table(), demo_profile(), prepared=True)["aspects"]["waiting"]["mentions"]
    # The same count as the summary, and the posts shown are about waiting.
    assert t("service.topics.posts_help", "it", n=fmt_int(waiting, "it")) in [c.value for c in at.caption]
    posts = [p.lower() for p in shown_posts(at) if "-badge[" not in p]
    assert len(posts) == 5 and all(any(w in p for w in ("aspett", "attes", "ritard", "coda", "fila", "lent", "wait", "queue")) for p in posts)


def test_the_voice_choice_shows_the_brand_posts_alone() -> None:
    at = demo_app("pages/overview.py", **{StateKeys.F_VOICE: "own"})
    own = int(demo_table()["is_own"].sum())
    assert f"**{fmt_int(own, 'it')}** menzioni su" in texts(at) or any(
        f"**{fmt_int(own, 'it')}**" in str(c.value) for c in at.caption
    )
