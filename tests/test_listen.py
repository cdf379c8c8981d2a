"""Continuous listening end to end with real local parts: a feed server scripting calm weeks and
a spike, a webhook receiver (Apprise ``json://``) and an SMTP server (aiosmtpd) recording what
arrives. The clock of the rules is injected; nothing sleeps for real hours."""

from __future__ import annotations

import json
import logging
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from ascolto_core.listening import run_round, state
from ascolto_core.listening.demo import rss_feed, scripted_posts
from ascolto_core.listening.status import listening_status
from ascolto_core.schema import conform
from ascolto_core.workspace import Workspace, add_mentions
from fetch_fixtures.server import FixtureServer, Reply, closed_port_url, server  # noqa: F401

ROME = ZoneInfo("Europe/Rome")
# An evening in the shop's own zone: the spike must alert tonight, not tomorrow morning.
EVENING = datetime(2026, 11, 21, 20, 30, tzinfo=ROME)


@pytest.fixture
def receiver():
    """A local webhook receiver: every POST to /hook is recorded (json:// target)."""
    instance = FixtureServer()
    instance.route("POST", "/hook", Reply(status=200, body=b"{}"))
    yield instance
    instance.close()


def hook_url(receiver: FixtureServer) -> str:
    return receiver.base.replace("http://", "json://") + "/hook"


def posts_of(receiver: FixtureServer) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in receiver.hits("/hook")]


def feed_reply(now: datetime, base: str, *, spike: bool) -> Reply:
    return Reply(body=rss_feed(scripted_posts(now, spike=spike), base), content_type="application/rss+xml")


def make_workspace(tmp_path: Path, feeds: list[str], notify: list[str], **extra: Any) -> Workspace:
    settings = {
        "brand": "Forno Brio",
        "brand_terms": ["Forno Brio"],
        "sources": {"rss": [{"url": url, "name": f"feed{i}"} for i, url in enumerate(feeds)]},
        "limits": {"retries": 0, "timeout_seconds": 3, "deadline_seconds": 10},
        "notify": notify,
        "app_url": "https://ascolto.example.it",
        **extra,
    }
    settings.setdefault("alerts", {})
    settings["alerts"].setdefault("jitter_seconds", 0)
    return Workspace.create(tmp_path / "forno", settings=settings)


def test_spike_alert_arrives_once_with_its_numbers_and_never_for_the_calm_weeks(tmp_path, server, receiver) -> None:
    # Calm weeks, then the same feed with seven complaints in the last quarter of an hour.
    server.route("GET", "/feed.xml", feed_reply(EVENING, server.base, spike=False), feed_reply(EVENING, server.base, spike=True))
    workspace = make_workspace(tmp_path, [server.url("/feed.xml")], [hook_url(receiver)])

    calm = run_round(workspace, now=EVENING)
    assert [s.new for s in calm.sources] == [63]
    assert posts_of(receiver) == []  # calm history: no alert

    spike = run_round(workspace, now=EVENING + timedelta(minutes=1))
    assert [s.new for s in spike.sources] == [7]
    assert spike.sent == ("spike_today:2026-11-21",)
    [message] = posts_of(receiver)
    assert message["title"] == "Ascolto · Forno Brio: picco di menzioni negative oggi (7)"
    body = message["message"]
    assert "dalle 00:00 alle 20:31, le menzioni negative sono 7 su 7: di solito a quest'ora sono 1 (rapporto 7×" in body
    assert "guardando gli stessi orari nei 21 giorni precedenti" in body and "z robusto" not in body  # no statistics jargon for a shop owner
    assert body.count("\n- ") == 3  # three example posts
    assert "«Pessimo servizio al Forno Brio, pane bruciato e personale scortese.»" in body
    assert body.rstrip().endswith("Apri in Ascolto: https://ascolto.example.it/allarmi")

    again = run_round(workspace, now=EVENING + timedelta(minutes=16))
    assert again.sent == () and len(posts_of(receiver)) == 1  # not again on the next round

    reopened = Workspace.open(workspace.path)  # a restart: state comes from disk
    run_round(reopened, now=EVENING + timedelta(minutes=31))
    assert len(posts_of(receiver)) == 1


def test_spike_end_is_announced_once(tmp_path, server, receiver) -> None:
    server.route("GET", "/feed.xml", feed_reply(EVENING, server.base, spike=True))
    workspace = make_workspace(tmp_path, [server.url("/feed.xml")], [hook_url(receiver)])
    run_round(workspace, now=EVENING)
    assert len(posts_of(receiver)) == 1
    # The next evening is calm: yesterday's spike is over, said once.
    tomorrow = run_round(workspace, now=EVENING + timedelta(days=1))
    run_round(workspace, now=EVENING + timedelta(days=1, minutes=15))
    assert tomorrow.ended == ("spike_today:2026-11-21",)
    titles = [p["title"] for p in posts_of(receiver)]
    assert titles[1:] == ["Ascolto · Forno Brio: il picco di menzioni negative del 21/11/2026 è rientrato"]  # dates as the pages write them


def test_failing_source_becomes_its_own_alert_after_the_configured_hours(tmp_path, server, receiver) -> None:
    dead = closed_port_url() + "/feed.xml"
    server.route("GET", "/feed.xml", feed_reply(EVENING, server.base, spike=False))
    workspace = make_workspace(
        tmp_path, [server.url("/feed.xml"), dead], [hook_url(receiver)], alerts={"source_failing": {"hours": 6}, "jitter_seconds": 0}
    )
    start = EVENING
    first = run_round(workspace, now=start)
    assert [(s.source, s.status) for s in first.sources] == [("feed0", "ok"), ("feed1", "failed")]  # the other source still read
    run_round(workspace, now=start + timedelta(hours=3))
    run_round(workspace, now=start + timedelta(hours=5, minutes=59))
    assert posts_of(receiver) == []
    late = run_round(workspace, now=start + timedelta(hours=6))
    assert len(late.sent) == 1 and late.sent[0].startswith("source_failing:feed1:")
    [message] = posts_of(receiver)
    assert message["title"] == "Ascolto · Forno Brio: la fonte feed1 non risponde da 6 ore"
    assert "4 tentativi falliti" in message["message"]
    run_round(workspace, now=start + timedelta(hours=6, minutes=15))
    assert len(posts_of(receiver)) == 1
    health = state.sources(workspace)["feed1"]
    assert health["failures"] == 5 and health["failing_since"] == state.iso(start)

    # The source comes back: the follow-up says so, once.
    settings = workspace.settings().to_dict()
    settings["sources"]["rss"][1]["url"] = server.url("/feed.xml")
    workspace.set_settings(settings)
    run_round(workspace, now=start + timedelta(hours=7))
    run_round(workspace, now=start + timedelta(hours=7, minutes=15))
    assert [p["title"] for p in posts_of(receiver)][1:] == ["Ascolto · Forno Brio: la fonte feed1 risponde di nuovo"]


def test_backoff_doubles_the_wait_of_a_failing_source(tmp_path, receiver) -> None:
    workspace = make_workspace(tmp_path, [closed_port_url() + "/x.xml"], [hook_url(receiver)], alerts={"every_minutes": 10, "jitter_seconds": 0, "max_backoff_minutes": 30})
    waits = []
    now = EVENING
    for _ in range(4):
        report = run_round(workspace, now=now)
        waits.append((report.sources[0].next_due - now.astimezone(UTC)).total_seconds() / 60)
    assert waits == [10, 20, 30, 30]  # doubled per failure, capped


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp():
    """A local SMTP server (aiosmtpd) on 127.0.0.1 recording every message."""
    from aiosmtpd.controller import Controller

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, mailbox
    controller.stop()


def test_alert_arrives_by_email_through_a_local_smtp_server(tmp_path, server, smtp) -> None:
    port, mailbox = smtp
    server.route("GET", "/feed.xml", feed_reply(EVENING, server.base, spike=True))
    target = f"mailto://127.0.0.1:{port}?from=ascolto@example.com&to=titolare@example.com&mode=insecure"
    workspace = make_workspace(tmp_path, [server.url("/feed.xml")], [target])
    run_round(workspace, now=EVENING)
    run_round(workspace, now=EVENING + timedelta(minutes=15))
    [mail] = mailbox.messages
    assert mail.rcpt_tos == ["titolare@example.com"]
    import email

    parsed = email.message_from_bytes(mail.content)
    assert str(email.header.make_header(email.header.decode_header(parsed["Subject"]))) == "Ascolto · Forno Brio: picco di menzioni negative oggi (7)"
    assert "le menzioni negative sono 7 su 7" in parsed.get_payload(decode=True).decode("utf-8")


def test_a_token_in_the_target_never_reaches_logs_output_or_state(tmp_path, server, receiver, caplog, capsys, monkeypatch) -> None:
    token = "tok-9f8e7d6c5b4a"
    monkeypatch.setenv("HOOK_TOKEN", token)
    server.route("GET", "/feed.xml", feed_reply(EVENING, server.base, spike=True))
    # The token rides in the user info and in a header; the settings only name the variable.
    target = receiver.base.replace("http://", "json://bot:${HOOK_TOKEN}@") + "/hook?+X-Token=${HOOK_TOKEN}"
    workspace = make_workspace(tmp_path, [server.url("/feed.xml")], [target])
    caplog.set_level(logging.DEBUG)
    report = run_round(workspace, now=EVENING)
    print("\n".join(report.lines("it")))
    [request] = receiver.hits("/hook")
    assert request.headers["x-token"] == token  # it was used...
    captured = capsys.readouterr()
    stored = json.dumps({k: workspace.get_state(k) for k in workspace.state_keys()}) + workspace.history().write_csv()
    stored += (workspace.path / "workspace.sqlite3").read_bytes().decode("latin-1")
    for place in (caplog.text, captured.out, captured.err, stored):
        assert token not in place  # ...and shown nowhere


def test_a_missing_secret_keeps_the_alert_pending_and_names_only_the_variable(tmp_path, server, receiver, caplog) -> None:
    server.route("GET", "/feed.xml", feed_reply(EVENING, server.base, spike=True))
    target = receiver.base.replace("http://", "json://bot:${NOT_SET_ANYWHERE}@") + "/hook"
    workspace = make_workspace(tmp_path, [server.url("/feed.xml")], [target])
    report = run_round(workspace, now=EVENING)
    assert report.pending == ("spike_today:2026-11-21",) and report.sent == ()
    assert "NOT_SET_ANYWHERE" in caplog.text
    # Secrets of the workspace (secrets.yaml) fill it at the next round.
    (workspace.path / "secrets.yaml").write_text("NOT_SET_ANYWHERE: abc123\n", encoding="utf-8")
    later = run_round(workspace, now=EVENING + timedelta(minutes=15))
    assert later.sent == ("spike_today:2026-11-21",) and len(receiver.hits("/hook")) == 1


def _status(id_: str, text: str, created: datetime, favourites: int) -> dict[str, Any]:
    return {
        "id": id_,
        "created_at": created.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "content": f"<p>{text}</p>",
        "url": f"https://social.example/@x/{id_}",
        "language": "it",
        "favourites_count": favourites,
        "reblogs_count": 0,
        "replies_count": 0,
        "account": {"acct": "cliente"},
    }


def test_amplified_negative_over_threshold_or_growing_fast(tmp_path, server, receiver) -> None:
    loud = _status("1", "Pessimo servizio al Forno Brio, pane bruciato e personale scortese.", EVENING - timedelta(hours=1), 80)
    quiet = _status("2", "Delusione totale al Forno Brio, pane vecchio e servizio pessimo.", EVENING - timedelta(hours=1), 5)
    happy = _status("3", "Forno Brio: ottimo pane, buonissimo, grazie!", EVENING - timedelta(hours=1), 500)
    grown = {**quiet, "favourites_count": 40}
    path = "/api/v1/timelines/tag/fornobrio"
    server.route("GET", path, Reply(body=json.dumps([loud, quiet, happy])), Reply(body=json.dumps([loud, grown, happy])))
    settings = {
        "brand": "Forno Brio",
        "brand_terms": ["Forno Brio"],
        "hashtags": ["fornobrio"],
        "sources": {"mastodon": [{"instance": server.base, "search": False}]},
        "limits": {"retries": 0, "timeout_seconds": 3, "max_pages": 1},
        "notify": [hook_url(receiver)],
        "alerts": {"amplified": {"min_engagement": 50, "growth": 20}, "spike": False, "jitter_seconds": 0},
    }
    workspace = Workspace.create(tmp_path / "ws", settings=settings)
    first = run_round(workspace, now=EVENING)
    assert first.sent == (f"amplified:mastodon:127.0.0.1:1",)  # over the threshold; the positive one never
    second = run_round(workspace, now=EVENING + timedelta(minutes=15))
    assert second.sent == ("amplified:mastodon:127.0.0.1:2",)  # +35 between rounds
    titles = [p["title"] for p in posts_of(receiver)]
    assert titles == [
        "Ascolto · Forno Brio: un post negativo si sta diffondendo (80 interazioni)",
        "Ascolto · Forno Brio: un post negativo si sta diffondendo (40 interazioni)",
    ]
    assert "Sono 35 interazioni in più dall'ultimo controllo" in posts_of(receiver)[1]["message"]
    calm = run_round(workspace, now=EVENING + timedelta(minutes=30))
    assert (calm.sent, calm.ended) == ((), ())  # no more growth, still watched: no "over" yet
    later = run_round(workspace, now=EVENING + timedelta(hours=48))
    assert sorted(later.ended) == ["amplified:mastodon:127.0.0.1:1", "amplified:mastodon:127.0.0.1:2"]  # out of the 48 h window
    assert len(posts_of(receiver)) == 4


def test_unanswered_rule_is_skipped_with_a_reason_without_reply_links(tmp_path, server, receiver) -> None:
    server.route("GET", "/feed.xml", feed_reply(EVENING, server.base, spike=False))
    workspace = make_workspace(tmp_path, [server.url("/feed.xml")], [hook_url(receiver)], own_accounts=["@fornobrio"])
    report = run_round(workspace, now=EVENING)
    assert report.skipped_rules == (("unanswered", "listening.skip.no_reply_links"),)
    assert any("manca la colonna reply_to" in line for line in report.lines("it"))


def test_unanswered_complaint_alerts_then_its_answer_ends_it(tmp_path, receiver) -> None:
    workspace = Workspace.create(
        tmp_path / "ws",
        settings={"brand": "Forno Brio", "own_accounts": ["@FornoBrio"], "notify": [hook_url(receiver)], "alerts": {"unanswered": {"hours": 4}, "spike": False, "amplified": False}},
    )
    asked = EVENING - timedelta(hours=5)
    # Last week's question and its answer: the data carries reply links (without any, the rule is skipped).
    last_week = EVENING - timedelta(days=7)
    question = pl.DataFrame(
        {
            "id": ["q0", "a0", "q1", "q2"],
            "text": ["Forno Brio fate il pane di segale?", "Sì, il giovedì!", "Forno Brio aperto domenica?", "Forno Brio fa torte senza glutine?"],
            "created_at": [last_week, last_week + timedelta(minutes=30), asked, EVENING - timedelta(hours=1)],
            "author": ["@vicino", "@fornobrio", "@cliente", "@altro"],
            "reply_to": [None, "q0", None, None],
        },
        schema_overrides={"created_at": pl.Datetime("us", "UTC"), "reply_to": pl.String},
    )
    add_mentions(workspace, conform(question), origin="test", kind="upload")
    first = run_round(workspace, now=EVENING)
    assert first.sent == ("unanswered:q1",)  # q2 is only an hour old
    assert posts_of(receiver)[0]["title"] == "Ascolto · Forno Brio: una domanda attende risposta da 5 ore"
    reply = pl.DataFrame(
        {"id": ["r1"], "text": ["Sì, la domenica siamo aperti fino alle 13!"], "created_at": [EVENING], "author": ["@fornobrio"], "reply_to": ["q1"]},
        schema_overrides={"created_at": pl.Datetime("us", "UTC")},
    )
    add_mentions(workspace, conform(reply), origin="test", kind="upload")
    second = run_round(workspace, now=EVENING + timedelta(minutes=15))
    assert second.ended == ("unanswered:q1",)
    assert posts_of(receiver)[-1]["title"] == "Ascolto · Forno Brio: la domanda ha ricevuto risposta"


def test_status_lists_each_source_and_the_alerts_sent(tmp_path, server, receiver) -> None:
    server.route("GET", "/feed.xml", feed_reply(EVENING, server.base, spike=True))
    workspace = make_workspace(tmp_path, [server.url("/feed.xml"), closed_port_url() + "/x.xml"], [hook_url(receiver)])
    before = listening_status(workspace)
    assert (before.running, before.rounds, before.sources["status"].to_list()) == (False, 0, [None, None])
    run_round(workspace, now=EVENING)
    status = listening_status(workspace)
    assert status.sources.select("source", "status", "new", "failures").rows() == [("feed0", "ok", 70, 0), ("feed1", "failed", 0, 1)]
    assert status.alerts.select("rule", "delivered").rows() == [("spike_today", 1)]
    assert (status.running, status.rounds, status.alerts_sent, status.active_alerts) == (False, 1, 1, 1)


def test_daily_digest_once_per_day_with_the_overview_numbers(tmp_path, server, receiver) -> None:
    from ascolto_core.insights.filters import MentionFilter
    from ascolto_core.insights.kpis import headline

    server.route("GET", "/feed.xml", feed_reply(EVENING, server.base, spike=False))
    workspace = make_workspace(tmp_path, [server.url("/feed.xml")], [hook_url(receiver)], alerts={"digest": "daily", "digest_hour": 8, "jitter_seconds": 0})
    first = run_round(workspace, now=EVENING)
    run_round(workspace, now=EVENING + timedelta(minutes=15))  # same day: not again
    assert first.digest == "daily:2026-11-20"
    [digest] = posts_of(receiver)
    assert digest["title"] == "Ascolto · Forno Brio: riepilogo del 20/11"
    # The same function as the overview page gives the digest's numbers.
    day = EVENING.date() - timedelta(days=1)
    expected = headline(workspace.mentions(), MentionFilter(date_from=day, date_to=day), "Europe/Rome")
    assert (expected.mentions, round(expected.negative_share * 100)) == (3, 33)
    assert digest["message"].startswith("Menzioni: 3 (+0 rispetto al periodo precedente). Negative 33% (+0 punti), positive 67% (+0 punti).")
    assert "Allarmi del periodo: 0" in digest["message"]
    early = EVENING.replace(hour=7) + timedelta(days=1)
    assert run_round(workspace, now=early).digest is None  # before digest_hour
    assert run_round(workspace, now=early + timedelta(hours=2)).digest == "daily:2026-11-21"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("<b>Pessimo</b> &amp; caro", "Pessimo & caro"),  # markup from a post never reaches a message
        ("riga uno\n\nriga   due", "riga uno riga due"),  # one paragraph
        ("x" * 500, "x" * 199 + "…"),  # long posts are cut
        ("", ""),  # empty
        (None, ""),  # missing text
    ],
)
def test_excerpt_is_plain_and_short(text, expected) -> None:
    from ascolto_core.listening.rules import excerpt

    assert excerpt(text) == expected


def test_examples_drop_markup_in_names_and_unsafe_links() -> None:
    from ascolto_core.listening.rules import Example, examples_of

    frame = pl.DataFrame(
        {"text": ["Pessimo"], "author": ["<script>x</script>Mario"], "url": ["javascript:alert(1)"], "created_at": [datetime(2026, 11, 21, 19, 0, tzinfo=UTC)]}
    )
    assert examples_of(frame, "Europe/Rome", 3) == (Example("Pessimo", "Mario", "21/11 20:00", None),)


def test_history_records_when_a_source_starts_failing_and_recovers_not_every_retry(tmp_path, server, receiver) -> None:
    server.route("GET", "/feed.xml", Reply(status=503), Reply(status=503), Reply(status=503), feed_reply(EVENING, server.base, spike=False))
    workspace = make_workspace(tmp_path, [server.url("/feed.xml")], [hook_url(receiver)])
    for minutes in (0, 15, 30, 45):
        run_round(workspace, now=EVENING + timedelta(minutes=minutes))
    events = workspace.history().filter(pl.col("kind").str.starts_with("listen_")).select("kind", "origin").rows()
    assert events == [("listen_failure", "feed0"), ("listen_recovered", "feed0")]
