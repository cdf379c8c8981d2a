"""What the listening process remembers between rounds and restarts, on top of the workspace's key-value state.

Keys (JSON values, each written atomically by ``Workspace.update_state``):

* ``listen.sources``: per source label ``{last_at, status, new, message, failures,
  failing_since, last_ok_at, next_due}``;
* ``listen.alerts``: per alert key ``{rule, title, sent_at, ended_at, numbers}``: an alert
  key present here is never sent again (dedup across rounds and restarts);
* ``listen.engagement``: per watched negative post ``[engagement, seen_at]`` (growth between rounds);
* ``listen.round``: ``{started_at, finished_at, next_at, rounds, pid}``;
* ``listen.digest``: ``{last_period}``;
* ``listen.cursors``: per source label ``{fingerprint, cursor}``: where the next incremental
  read starts (see :func:`ascolto_core.fetch.fetch_mentions`); ``fingerprint`` names the source
  and query it belongs to, so a changed source or query starts afresh.

Times are ISO 8601 UTC strings. No credential is ever written here.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from ascolto_core.fetch.query import ListeningQuery, SourceSpec
from ascolto_core.workspace import Workspace

SOURCES = "listen.sources"
ALERTS = "listen.alerts"
ENGAGEMENT = "listen.engagement"
ROUND = "listen.round"
DIGEST = "listen.digest"
CURSORS = "listen.cursors"

# Ended alerts are kept this long for the status page, then forgotten (their keys carry a date).
KEEP_ENDED = timedelta(days=30)


def iso(moment: datetime) -> str:
    """``moment`` as an ISO 8601 UTC string (naive is taken as UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


def parse(value: Any) -> datetime | None:
    """An ISO string written by :func:`iso` back to an aware datetime (``None`` for anything else)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def sources(workspace: Workspace) -> dict[str, dict[str, Any]]:
    """Every source's last known health (empty before the first round)."""
    value = workspace.get_state(SOURCES, {})
    return value if isinstance(value, dict) else {}


def record_source(workspace: Workspace, label: str, record: dict[str, Any]) -> None:
    """Replace one source's health record."""

    def change(current: Any) -> dict[str, Any]:
        table = current if isinstance(current, dict) else {}
        table[label] = record
        return table

    workspace.update_state(SOURCES, change)


def alerts(workspace: Workspace) -> dict[str, dict[str, Any]]:
    """Every alert sent (active ones have ``ended_at`` null)."""
    value = workspace.get_state(ALERTS, {})
    return value if isinstance(value, dict) else {}


def record_alert(workspace: Workspace, key: str, record: dict[str, Any]) -> None:
    """Write one alert's record (sent or ended)."""

    def change(current: Any) -> dict[str, Any]:
        table = current if isinstance(current, dict) else {}
        table[key] = record
        return table

    workspace.update_state(ALERTS, change)


def forget_old_alerts(workspace: Workspace, now: datetime) -> None:
    """Drop alerts that ended more than :data:`KEEP_ENDED` ago."""

    def change(current: Any) -> dict[str, Any]:
        table = current if isinstance(current, dict) else {}
        cutoff = now - KEEP_ENDED
        return {k: v for k, v in table.items() if not ((ended := parse(v.get("ended_at"))) and ended < cutoff)}

    workspace.update_state(ALERTS, change)


def source_fingerprint(query: ListeningQuery, spec: SourceSpec) -> str:
    """What a source's cursor depends on: the source itself and the terms it is asked for."""
    what = repr((spec, query.brand_terms, query.hashtags, query.excluded_terms, query.languages))
    return hashlib.sha256(what.encode("utf-8")).hexdigest()[:16]


def cursor(workspace: Workspace, label: str, fingerprint: str) -> dict[str, Any]:
    """The stored cursor of ``label`` when it belongs to ``fingerprint``, else ``{}`` (read the latest pages)."""
    table = workspace.get_state(CURSORS, {})
    entry = table.get(label) if isinstance(table, dict) else None
    if not isinstance(entry, dict) or entry.get("fingerprint") != fingerprint or not isinstance(entry.get("cursor"), dict):
        return {}
    return dict(entry["cursor"])


def record_cursors(workspace: Workspace, cursors: dict[str, tuple[str, dict[str, Any]]]) -> None:
    """Store ``{label: (fingerprint, cursor)}`` in one write (after the mentions they cover are stored)."""
    if not cursors:
        return

    def change(current: Any) -> dict[str, Any]:
        table = current if isinstance(current, dict) else {}
        table.update({label: {"fingerprint": fp, "cursor": value} for label, (fp, value) in cursors.items()})
        return table

    workspace.update_state(CURSORS, change)
