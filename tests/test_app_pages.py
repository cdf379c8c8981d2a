"""Every page of the app under AppTest, on a small analysed table injected into session state."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app_data import DAYS, INCIDENT_POSTS, START, total_mentions
from app_harness import PAGES, app_with_data, texts
from ascolto_core.i18n import t
from ui.state import StateKeys

pytestmark = pytest.mark.timeout(600)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(page: str) -> None:
    # The injected table has something for every view; no page may show a traceback.
    at = app_with_data(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "every page has a title"


# Dati chooses the data; Riepilogo shows an aggregate summary file, which the sidebar filters do not narrow.
@pytest.mark.parametrize("page", [p for p in PAGES if p not in ("pages/data.py", "pages/summary.py")])
def test_empty_filter_result_is_a_friendly_message(page: str) -> None:
    # A search nothing matches: "Nessuna menzione corrisponde ai filtri", never an error box.
    at = app_with_data(page, **{StateKeys.F_SEARCH: "parolachenonesiste"})
    assert not at.exception, [e.value for e in at.exception]
    assert t("app.common.no_match", "it") in [i.value for i in at.info]
    assert "**0** menzioni su" in texts(at)


def test_sidebar_counts_what_the_filters_leave() -> None:
    # Only Instagram: the incident posts are the only Instagram mentions.
    at = app_with_data("pages/overview.py", **{StateKeys.F_TOUCHPOINTS: ["instagram"]})
    shown = f"**{INCIDENT_POSTS}** menzioni su {total_mentions()}"
    assert shown in [c.value for c in at.sidebar.caption]
    assert shown in [c.value for c in at.caption], "the page repeats the count"


def test_overview_headline_numbers_on_whole_period() -> None:
    at = app_with_data("pages/overview.py")
    metrics = {m.label: m for m in at.metric}
    negative = DAYS + INCIDENT_POSTS
    assert metrics["Menzioni"].value == str(total_mentions())
    assert metrics["Negative"].value == f"{round(100 * negative / total_mentions())}%"
    assert metrics["Positive"].value == f"{round(100 * DAYS / total_mentions())}%"
    assert metrics["Emozione prevalente"].value == "rabbia"
    # Whole period: nothing before it to compare with, so no delta but an explanation.
    assert metrics["Menzioni"].delta in ("", None)
    assert t("app.overview.no_previous", "it") in texts(at)


def test_overview_compares_with_the_previous_period_of_equal_length() -> None:
    # 14 days ending the day after the incident vs the 14 days before: +12 incident posts.
    end = date(2026, 9, 15)
    at = app_with_data("pages/overview.py", **{StateKeys.F_DATES: (end - timedelta(days=13), end)})
    metrics = {m.label: m for m in at.metric}
    assert metrics["Menzioni"].value == str(14 * 3 + INCIDENT_POSTS)
    assert metrics["Menzioni"].delta == f"+{INCIDENT_POSTS}"
    assert "punti" in metrics["Negative"].delta
    assert "01/09/2026" in texts(at), "the previous period is named (01/09–14/09 minus one day)"


def test_overview_lists_the_incident_as_an_alert_and_three_posts_to_answer() -> None:
    at = app_with_data("pages/overview.py")
    alert_box = "\n".join(w.value for w in at.warning)
    assert "14/09/2026" in alert_box
    reasons = {t(f"insights.reason.{r}", "it") for r in ("negative", "question", "negative_question")}
    assert sum(c.value in reasons for c in at.caption) == 3


def test_language_switch_changes_labels() -> None:
    at = app_with_data("pages/overview.py", **{StateKeys.LANG: "en"})
    assert at.title[0].value == "Overview"
    assert {m.label for m in at.metric} >= {"Mentions", "Negative", "Net sentiment"}
    assert f"**{total_mentions()}** mentions of {total_mentions()}" in [c.value for c in at.sidebar.caption]


def test_timeline_shows_chart_and_spike_note() -> None:
    at = app_with_data("pages/timeline.py")
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 2, "volume chart and net-sentiment chart"
    assert t("app.timeline.spikes", "it", n=1) in texts(at)


def test_date_filter_narrows_every_page() -> None:
    # What the timeline brush does: put a range into the shared date filter.
    first = START.date() + timedelta(days=10)
    at = app_with_data("pages/posts.py", **{StateKeys.F_DATES: (first, first + timedelta(days=1))})
    assert "**6** menzioni su" in texts(at)
    assert t("app.filters.all_dates", "it") in [b.label for b in at.sidebar.button]


def test_posts_are_paginated_and_sorted() -> None:
    at = app_with_data("pages/posts.py", **{StateKeys.POST_ORDER: "negative"})
    total = total_mentions()
    assert f"Menzioni 1–20 di {total}" in texts(at)
    assert len(at.get("pagination")) == 1
    at.get("pagination")[0].set_value(-(-total // 20)).run()
    last_first = 20 * (total // 20) + 1
    assert f"Menzioni {last_first}–{total} di {total}" in texts(at)


def test_posts_most_negative_first_with_highlighted_drivers() -> None:
    at = app_with_data("pages/posts.py", **{StateKeys.POST_ORDER: "negative"})
    cards = [m.value for m in at.markdown if "background[" in m.value]
    assert cards and ":red-background[" in cards[0]


def test_hours_page_counts_evening_complaints() -> None:
    # All email complaints arrive at 21:00 Rome time: every one is outside office hours.
    at = app_with_data("pages/hours.py")
    table = at.dataframe[0].value
    email = table[table["touchpoint_label"] == "Email"].iloc[0]
    assert email["off_hours"] == DAYS
    assert email["off_hours_complaints"] == DAYS
    assert email["off_hours_share"] == 100, "shown as a whole percentage"


def test_alerts_page_names_the_incident_day() -> None:
    at = app_with_data("pages/alerts.py")
    labels = [e.label for e in at.expander]
    assert len(labels) == 1 and labels[0].startswith("14/09/2026")
    assert t("app.alerts.days", "it", n=1) in [s.value for s in at.subheader]


def test_export_offers_csv_excel_and_png() -> None:
    at = app_with_data("pages/export.py")
    labels = {b.label for b in at.get("download_button")}
    assert {t("app.export.csv", "it"), t("app.export.xlsx", "it"), t("app.export.png_timeline", "it")} <= labels


def test_touchpoints_page_names_the_worst_touchpoint() -> None:
    # Email (all negative, most mentions) has the worst mood; a tie with Instagram is broken by volume.
    at = app_with_data("pages/touchpoints.py")
    assert any("**Email**" in w.value for w in at.warning)
    summary = at.dataframe[0].value
    assert list(summary["touchpoint_label"])[0] == "Email"
    assert len(summary) == 4


def test_words_page_draws_two_clouds_and_shows_posts_for_a_term() -> None:
    at = app_with_data("pages/words.py")
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("image")) == 2, "a negative and a positive word cloud"
    terms = list(at.dataframe[0].value["term"])
    assert terms, "distinctive terms of negative mentions"
    at.selectbox(key=StateKeys.WORDS_TERM).set_value("attesa").run()
    assert f"{INCIDENT_POSTS} menzioni contengono «attesa»" in texts(at)


def test_alerts_page_gives_the_incident_keywords() -> None:
    at = app_with_data("pages/alerts.py")
    assert "`attesa`" in texts(at), "the incident day's distinctive word"


def test_quick_period_button_sets_the_shared_dates_and_compares() -> None:
    # "ultimi 30 giorni" ends on the last day with data and brings a comparison with the 30 days before.
    at = app_with_data("pages/overview.py")
    at.button(key="quick_30").click().run()
    last = (START + timedelta(days=DAYS - 1)).date()
    assert at.session_state[StateKeys.F_DATES] == (last - timedelta(days=29), last)
    assert at.metric[0].value == str(30 * 3 + INCIDENT_POSTS)
    assert at.metric[0].delta == f"+{INCIDENT_POSTS}"


def test_keyword_pages_tokenise_the_dataset_once_for_every_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 4: Parole and Touchpoint reuse the dataset's term index; a filter change never tokenises again.
    from ascolto_core.analysis import keywords
    from ui import data

    calls: list[int] = []
    tokenise = keywords._terms

    def counting(mentions, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(mentions.height)
        return tokenise(mentions, **kwargs)

    monkeypatch.setattr(keywords, "_terms", counting)
    data.term_index.clear()
    at = app_with_data("pages/words.py")
    for choice in (["instagram", "email"], ["email"], []):
        at.multiselect(key=StateKeys.F_TOUCHPOINTS).set_value(choice).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.get("image"), "a word cloud is still drawn"
    at.switch_page("pages/touchpoints.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert calls == [total_mentions()], "one pass over the whole dataset, none per filter"
