"""The listening rules compute their numbers with the same insights functions as the pages.

"Unanswered" is :func:`ascolto_core.insights.responses.unanswered` (the Servizio clienti list),
restricted to the rule's window; the tests compare both on the same data.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from ascolto_core.insights import responses
from ascolto_core.insights.voice import mark_own
from ascolto_core.listening.config import ListeningRules
from ascolto_core.listening.rules import evaluate, unanswered_alerts, waiting_for_reply
from ascolto_core.profile import BrandProfile
from ascolto_core.schema import conform

NOW = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
PROFILE = BrandProfile(brand="Forno Brio", own_accounts=("@FornoBrio",))
RULES = ListeningRules.from_settings({"unanswered": {"hours": 4, "window_hours": 72}})


def mention(id_: str, hours_ago: float, author: str, *, reply_to: str | None = None, sentiment: str = "neutral", question: bool = False, brand: str | None = "Forno Brio") -> dict:
    return {"id": id_, "text": f"post {id_}", "created_at": NOW - timedelta(hours=hours_ago), "author": author, "reply_to": reply_to,
            "sentiment": sentiment, "is_question": question, "brand": brand}


CASES = [
    # A complaint answered by the brand: not waiting.
    [mention("c1", 10, "@anna", sentiment="negative"), mention("r1", 9, "@fornobrio", reply_to="c1")],
    # The reply carries a time before the post (clock skew, a wrong link): the complaint still waits.
    [mention("c2", 10, "@anna", sentiment="negative"), mention("r2", 11, "@FornoBrio", reply_to="c2")],
    # Another customer answered, not the brand: still waiting.
    [mention("q3", 8, "@bruno", question=True), mention("r3", 7, "@carla", reply_to="q3"), mention("a3", 30, "FornoBrio")],
    # A complaint about a competitor is not ours to answer; a positive post needs no answer.
    [mention("c4", 6, "@dario", sentiment="negative", brand="Dolce Sosta"), mention("p4", 6, "@eva", sentiment="positive"),
     mention("q4", 6, "@eva", question=True), mention("r4", 50, "@fornobrio", reply_to="x")],
    # Too recent (under 4 h) or too old (over 72 h): outside the rule's window, whatever the page says.
    [mention("c5", 2, "@anna", sentiment="negative"), mention("c6", 80, "@anna", sentiment="negative"),
     mention("c7", 5, "@anna", sentiment="negative"), mention("r5", 1, "@fornobrio", reply_to="zz")],
    # Several replies to one question, and the brand's own complaint-sounding post (never answerable).
    [mention("q8", 12, "@gio", question=True), mention("r8", 11, "@fornobrio", reply_to="q8"), mention("s8", 10, "@fornobrio", reply_to="q8"),
     mention("o8", 9, "@fornobrio", sentiment="negative")],
]


def frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema_overrides={"created_at": pl.Datetime("us", "UTC"), "reply_to": pl.String})


@pytest.mark.parametrize("rows", CASES)
def test_unanswered_rule_lists_what_the_service_page_lists(rows: list[dict]) -> None:
    data = frame(rows)
    waiting, missing = waiting_for_reply(data.lazy(), NOW, RULES, PROFILE)
    alerted = [a.key.removeprefix("unanswered:") for a in unanswered_alerts(waiting, NOW, RULES, "Europe/Rome")]
    page = responses.unanswered(mark_own(data, PROFILE), brand=PROFILE.brand)
    lo, hi = NOW - timedelta(hours=72), NOW - timedelta(hours=4)
    expected = page.filter(pl.col("created_at").is_between(lo, hi)).get_column("id").to_list()
    assert missing is None
    assert alerted == expected


def test_the_cases_do_alert_for_the_right_posts() -> None:
    # The comparison above must not pass by both sides being empty.
    data = frame([row for rows in CASES for row in rows])
    waiting, _ = waiting_for_reply(data.lazy(), NOW, RULES, PROFILE)
    assert waiting.get_column("id").to_list() == ["c2", "q3", "q4", "c7"]


def test_own_accounts_without_any_of_their_posts_skip_the_rule_with_a_reason() -> None:
    data = frame([mention("c1", 10, "@anna", sentiment="negative"), mention("r1", 9, "@carla", reply_to="c1")])
    outcome = evaluate(data.lazy(), NOW, ListeningRules.from_settings({"spike": False, "amplified": False, "source_failing": False}),
                       tz="Europe/Rome", profile=PROFILE, health={}, fetched=pl.DataFrame(), previous_engagement={})
    assert outcome.skipped == (("unanswered", "listening.skip.no_own_posts"),)
    assert outcome.alerts == ()


def _spike_data(author_today: str) -> pl.DataFrame:
    # Twenty days with one complaint each at 09:00 UTC, then six negative posts this evening by ``author_today``.
    rows = [mention(f"d{d}", 24 * d + 11, "@anna", sentiment="negative") for d in range(1, 21)]
    rows += [mention(f"t{k}", 0.2 + k / 10, author_today, sentiment="negative") for k in range(6)]
    return conform(frame(rows))


@pytest.mark.parametrize(
    ("author", "alerts"),
    [
        ("@cliente", ["spike_today:2026-11-21"]),  # six customers' complaints tonight: the evening alert
        ("@FornoBrio", []),  # the brand's own apology posts are not its customers' mood
    ],
)
def test_spike_counts_customers_only(author: str, alerts: list[str]) -> None:
    rules = ListeningRules.from_settings({"amplified": False, "unanswered": False, "source_failing": False})
    outcome = evaluate(_spike_data(author).lazy(), NOW, rules, tz="Europe/Rome", profile=PROFILE, health={}, fetched=pl.DataFrame(), previous_engagement={})
    assert [a.key for a in outcome.alerts] == alerts


@pytest.mark.parametrize(
    ("numbers", "lang", "expected"),
    [
        # No negatives at this hour on previous days: "usually none", never "usually 0 (ratio –×)".
        ({"negative": 5, "mentions": 6, "baseline": 0.0, "ratio": None, "since": "00:00", "until": "21:10", "history_days": 14}, "it",
         "Oggi, dalle 00:00 alle 21:10, le menzioni negative sono 5 su 6: di solito a quest'ora non ce n'è nessuna"),
        # A fractional baseline in English uses a decimal point, in Italian a comma.
        ({"negative": 9, "mentions": 12, "baseline": 1.5, "ratio": 6.0, "since": "00:00", "until": "19:00", "history_days": 21}, "en",
         "there are usually 1.5 (ratio 6×"),
        ({"negative": 9, "mentions": 12, "baseline": 1.5, "ratio": 6.0, "since": "00:00", "until": "19:00", "history_days": 21}, "it",
         "di solito a quest'ora sono 1,5 (rapporto 6×"),
    ],
)
def test_spike_message_reads_plainly(numbers: dict, lang: str, expected: str) -> None:
    from ascolto_core.listening.notify import compose
    from ascolto_core.listening.rules import Alert

    message = compose(Alert("spike_today:2026-11-21", "spike_today", {**numbers, "day": "2026-11-21"}), brand="Forno Brio", lang=lang)
    assert expected in message.body
    assert "None" not in message.body and "z " not in message.body


def test_amplified_message_leaves_out_unknown_reach_and_no_growth() -> None:
    from ascolto_core.listening.notify import compose
    from ascolto_core.listening.rules import Alert

    alert = Alert("amplified:x", "amplified", {"engagement": 1200, "reach": 0, "growth": 0, "min_engagement": 50}, page="post")
    body = compose(alert, brand="Forno Brio", lang="it").body
    assert body == "Un post negativo ha 1.200 interazioni tra mi piace, condivisioni e commenti (la soglia di avviso è 50)."
