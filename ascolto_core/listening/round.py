"""One listening round: fetch each source incrementally -> analyse only new -> store -> rules -> notify.

A source that fails never stops the others; its failures are counted, back off, and become
an alert of their own after ``source_failing.hours``. Every alert key is sent once (the
workspace state remembers it across restarts) and its end is announced once.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from ascolto_core.errors import AscoltoError
from ascolto_core.fetch import fetch_mentions
from ascolto_core.fetch.http import FetchClient
from ascolto_core.i18n import t
from ascolto_core.insights._frame import engagement_expr
from ascolto_core.listening import state
from ascolto_core.listening.config import ListeningRules
from ascolto_core.listening.digest import compose_digest, due_period
from ascolto_core.listening.notify import AppriseNotifier, Message, Notifier, compose, workspace_secrets
from ascolto_core.listening.rules import Alert, evaluate
from ascolto_core.workspace import Workspace, add_mentions

logger = logging.getLogger(__name__)

FAILED = ("failed", "refused")


@dataclass(frozen=True)
class SourceResult:
    """One source in one round: status ("ok", "nothing_new", "refused", "failed", "error"), new mentions stored."""

    source: str
    kind: str
    status: str
    fetched: int
    new: int
    message: str | None
    failures: int
    next_due: datetime


@dataclass(frozen=True)
class RoundReport:
    """What a round did."""

    started_at: datetime
    finished_at: datetime
    sources: tuple[SourceResult, ...]
    sent: tuple[str, ...]  # alert keys notified in this round
    ended: tuple[str, ...]  # alert keys whose end was notified
    pending: tuple[str, ...]  # alerts no target accepted (retried next round)
    skipped_rules: tuple[tuple[str, str], ...]  # (rule, message key)
    stopped: bool  # a stop request cut the round short (between sources)
    seconds: float = 0.0  # wall time the round took
    digest: str | None = None  # key of the digest sent in this round

    def lines(self, lang: str = "it") -> list[str]:
        """A readable summary, one line per source and per alert."""
        out = [t("listening.round.title", lang, at=state.iso(self.started_at), seconds=f"{self.seconds:.1f}")]
        for result in self.sources:
            status = t(f"listening.status.{result.status}", lang)
            out.append(t("listening.round.source", lang, source=result.source, status=status, new=result.new))
            if result.message:
                out.append(f"    {result.message}")
        for rule, reason in self.skipped_rules:
            out.append(t("listening.round.skipped", lang, rule=t(f"listening.rule.{rule}", lang), reason=t(reason, lang)))
        out.append(t("listening.round.alerts", lang, sent=len(self.sent), ended=len(self.ended), pending=len(self.pending)))
        if self.digest:
            out.append(t("listening.round.digest", lang))
        if self.stopped:
            out.append(t("listening.round.stopped", lang))
        return out


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def next_due(now: datetime, rules: ListeningRules, source: str, failures: int, rng: random.Random) -> datetime:
    """When ``source`` is read next: its interval, doubled per consecutive failure up to the cap, plus jitter."""
    minutes = rules.interval_minutes(source)
    if failures:
        minutes = min(minutes * 2 ** (failures - 1), max(rules.max_backoff_minutes, minutes))
    return now + timedelta(minutes=minutes, seconds=rng.uniform(0, rules.jitter_seconds))


def _message(report: Any, lang: str) -> str | None:
    if report.message_key is None:
        return None
    return t(report.message_key, lang, **dict(report.params))


def run_round(
    workspace: Workspace,
    *,
    now: datetime | None = None,
    clock: Callable[[], datetime] | None = None,
    only: Iterable[str] | None = None,
    notifier: Notifier | None = None,
    client: FetchClient | None = None,
    engine: str | None = None,
    stop: threading.Event | None = None,
    rng: random.Random | None = None,
    lang: str | None = None,
) -> RoundReport:
    """Run one round on ``workspace`` (the caller holds the round lock, see :mod:`.runner`).

    Args:
        workspace: an open, writable workspace with sources in its settings.
        now: the round's time (tests inject it; default: the clock).
        clock: where "now" comes from (default: the system clock in UTC).
        only: source labels to fetch (default: every source); rules always run.
        notifier: where messages go (default: Apprise to ``settings.notify``).
        client: shared HTTP client (tests); default one per source from its limits.
        engine: analysis engine (default: the configured one).
        stop: when set, no further source is started; the round still evaluates and notifies.
        rng: jitter source (tests pass a seeded one).
        lang: language of messages (default: ``alerts.language``).

    Raises:
        AscoltoError: settings that cannot be read; never for a source's failure.
    """
    clock = clock or (lambda: datetime.now(UTC))
    began = time.monotonic()
    started = _utc(now) if now is not None else _utc(clock())
    rng = rng or random.Random()
    settings = workspace.settings()
    rules = ListeningRules.from_settings(settings.alerts)
    lang = lang or rules.language
    query = settings.listening_query()
    secrets = workspace_secrets(workspace.path)
    wanted = set(only) if only is not None else None
    notifier = notifier or AppriseNotifier(settings.notify, secrets)
    workspace.update_state(state.ROUND, lambda r: {**(r or {}), "started_at": state.iso(started), "rounds": int((r or {}).get("rounds", 0))})

    health = state.sources(workspace)
    fetched_by_source: list[tuple[Any, datetime, str, str | None, int, pl.DataFrame]] = []
    cursors: dict[str, tuple[str, dict[str, Any]]] = {}
    stopped = False
    for spec in query.sources:
        if wanted is not None and spec.label not in wanted:
            continue
        if stop is not None and stop.is_set():
            stopped = True
            break
        at = _utc(now) if now is not None else _utc(clock())
        single = query.with_sources((spec,))
        fingerprint = state.source_fingerprint(single, spec)
        try:
            fetched = fetch_mentions(
                single, secrets=secrets or None, client=client, cursors={spec.label: state.cursor(workspace, spec.label, fingerprint)}
            )
            report = fetched.report.sources[0]
            if spec.label in fetched.cursors:
                cursors[spec.label] = (fingerprint, fetched.cursors[spec.label])
            fetched_by_source.append((spec, at, report.status, _message(report, lang), report.fetched, fetched.new))
        except Exception as error:  # noqa: BLE001 - one source's bug must not stop the others
            logger.warning("listening: unexpected error in %s: %s", spec.label, type(error).__name__)
            message = t("listening.error.unexpected", lang, kind=type(error).__name__)
            fetched_by_source.append((spec, at, "error", message, 0, pl.DataFrame()))

    # One ingest for the whole round: the deduplication reads the stored keys twice per
    # ingest, which dominates a round on a big workspace (see benchmarks/bench_listen.py).
    batches = [frame for *_, frame in fetched_by_source if frame.height]
    new_ids: set[str] = set()
    fetched_frames: list[pl.DataFrame] = []
    if batches:
        batch = pl.concat(batches, how="diagonal_relaxed")
        batch_ids = batch["id"].unique()
        known = set(_stored_ids(workspace, batch_ids))
        labels = ", ".join(spec.label for spec, *_, frame in fetched_by_source if frame.height)
        add_mentions(workspace, batch, origin=labels, kind="fetch", engine=engine)
        new_ids = set(_stored_ids(workspace, batch_ids)) - known
        fetched_frames = [frame.select("id", engagement_expr().alias("engagement"), pl.col("reach").fill_null(0)) for frame in batches]
    # Only now that what they cover is stored: a crash before this line re-reads, never skips.
    state.record_cursors(workspace, cursors)

    results: list[SourceResult] = []
    for spec, at, status, message, got, frame in fetched_by_source:
        previous = health.get(spec.label, {})
        new = sum(1 for i in frame["id"] if i in new_ids) if frame.height else 0
        if status == "ok" and new == 0:
            status = "nothing_new"
        failing = status in (*FAILED, "error")
        failures = int(previous.get("failures") or 0) + 1 if failing else 0
        since = (previous.get("failing_since") or state.iso(at)) if failing else None
        due = next_due(at, rules, spec.label, failures, rng)
        record = {
            "kind": spec.kind,
            "last_at": state.iso(at),
            "status": status,
            "fetched": got,
            "new": new,
            "message": message,
            "failures": failures,
            "failing_since": since,
            "last_ok_at": previous.get("last_ok_at") if failing else state.iso(at),
            "next_due": state.iso(due),
        }
        state.record_source(workspace, spec.label, record)
        health[spec.label] = record
        # The history gets the changes (a source starts failing, answers again), not every retry.
        if failing and failures == 1:
            workspace.record_event("listen_failure", spec.label, status=status)
        elif not failing and previous.get("failing_since"):
            workspace.record_event("listen_recovered", spec.label, failures=int(previous.get("failures") or 0))
        results.append(SourceResult(spec.label, spec.kind, status, got, new, message, failures, due))

    evaluated_at = _utc(now) if now is not None else _utc(clock())
    fetched_all = pl.concat(fetched_frames) if fetched_frames else pl.DataFrame(schema={"id": pl.String, "engagement": pl.Int64, "reach": pl.Int64})
    fetched_all = fetched_all.group_by("id").agg(pl.col("engagement").max(), pl.col("reach").max())
    outcome = evaluate(
        workspace.scan_mentions(),
        evaluated_at,
        rules,
        tz=settings.display_timezone,
        profile=settings.profile,
        health=health,
        fetched=fetched_all,
        previous_engagement=workspace.get_state(state.ENGAGEMENT, {}) or {},
        active=frozenset(k for k, v in state.alerts(workspace).items() if not v.get("ended_at")),
    )
    workspace.set_state(state.ENGAGEMENT, outcome.engagement or None)
    sent, ended, pending = _notify(workspace, outcome.alerts, outcome.evaluated, notifier, settings, lang, evaluated_at)
    digest = _send_digest(workspace, rules, notifier, settings, lang, evaluated_at)
    state.forget_old_alerts(workspace, evaluated_at)
    finished = _utc(clock()) if now is None else evaluated_at

    def close(current: Any) -> dict[str, Any]:
        record = dict(current or {})
        record.update(finished_at=state.iso(finished), rounds=int(record.get("rounds", 0)) + 1, alerts_sent=int(record.get("alerts_sent", 0)) + len(sent))
        return record

    workspace.update_state(state.ROUND, close)
    return RoundReport(started, finished, tuple(results), sent, ended, pending, outcome.skipped, stopped, time.monotonic() - began, digest)


def _notify(
    workspace: Workspace,
    alerts: tuple[Alert, ...],
    evaluated: tuple[str, ...],
    notifier: Notifier,
    settings: Any,
    lang: str,
    now: datetime,
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Send new alerts and the end of alerts no longer alarming; remember both."""
    known = state.alerts(workspace)
    current = {alert.key for alert in alerts}
    sent: list[str] = []
    pending: list[str] = []
    for alert in alerts:
        if alert.key in known:
            continue  # sent in an earlier round or before a restart
        message = compose(alert, brand=settings.brand, lang=lang, app_url=settings.app_url)
        delivery = notifier.send(message)
        if not delivery.ok:
            pending.append(alert.key)  # nobody got it: try again next round
            continue
        state.record_alert(
            workspace,
            alert.key,
            {"rule": alert.rule, "title": message.title, "sent_at": state.iso(now), "ended_at": None, "delivered": delivery.delivered, "numbers": dict(alert.numbers)},
        )
        workspace.record_event("alert", alert.rule, key=alert.key, delivered=delivery.delivered)
        sent.append(alert.key)
    ended: list[str] = []
    for key, record in known.items():
        if record.get("ended_at") or key in current or record.get("rule") not in evaluated:
            continue
        alert = Alert(key, str(record["rule"]), record.get("numbers") or {}, (), _page(str(record["rule"])))
        message = compose(alert, brand=settings.brand, lang=lang, app_url=settings.app_url, ended=True)
        notifier.send(message)  # a lost follow-up is not retried: the alert itself got through
        state.record_alert(workspace, key, {**record, "ended_at": state.iso(now)})
        ended.append(key)
    return tuple(sent), tuple(ended), tuple(pending)


def _send_digest(workspace: Workspace, rules: ListeningRules, notifier: Notifier, settings: Any, lang: str, now: datetime) -> str | None:
    """Send the daily/weekly digest once per period, after ``digest_hour``; ``None`` when none was due or delivered."""
    period = due_period(rules, now, settings.display_timezone)
    if period is None or (workspace.get_state(state.DIGEST, {}) or {}).get("last_period") == period.key:
        return None
    message = compose_digest(
        workspace.scan_mentions(), period, state.alerts(workspace), brand=settings.brand, tz=settings.display_timezone, lang=lang, app_url=settings.app_url
    )
    if not notifier.send(message).ok:
        return None
    workspace.set_state(state.DIGEST, {"last_period": period.key, "sent_at": state.iso(now)})
    return period.key


def _stored_ids(workspace: Workspace, ids: pl.Series) -> list[str]:
    """Which of ``ids`` the workspace holds (reads only the id column, filtered)."""
    return workspace.scan_mentions().select("id").filter(pl.col("id").is_in(ids.implode())).collect()["id"].to_list()


def _page(rule: str) -> str:
    return {"amplified": "post", "unanswered": "post", "source_failing": "dati"}.get(rule, "allarmi")


__all__ = ["Message", "RoundReport", "SourceResult", "next_due", "run_round"]
