"""The listening status of a workspace, for the app and ``listen DIR --status``: one read, no side effects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from ascolto_core.listening import state
from ascolto_core.listening.runner import PROCESS_LOCK, is_locked
from ascolto_core.workspace import Workspace

SOURCE_SCHEMA = {
    "source": pl.String(),
    "kind": pl.String(),
    "status": pl.String(),
    "last_at": pl.Datetime("us", "UTC"),
    "new": pl.Int64(),
    "failures": pl.Int64(),
    "failing_since": pl.Datetime("us", "UTC"),
    "next_due": pl.Datetime("us", "UTC"),
    "message": pl.String(),
}
ALERT_SCHEMA = {
    "key": pl.String(),
    "rule": pl.String(),
    "title": pl.String(),
    "sent_at": pl.Datetime("us", "UTC"),
    "ended_at": pl.Datetime("us", "UTC"),
    "delivered": pl.Int64(),
}


@dataclass(frozen=True)
class ListeningStatus:
    """Whether a workspace is being listened to, and how it went.

    Attributes:
        running: a ``listen DIR`` process holds the workspace's process lock now.
        last_round_at, next_round_at: UTC (``None`` before the first round / when not scheduled).
        rounds, alerts_sent: totals since the workspace was created.
        sources: one row per configured source (its last result; never-read sources have nulls).
        alerts: every remembered alert, newest first (``ended_at`` null = still active).
    """

    running: bool
    last_round_at: datetime | None
    next_round_at: datetime | None
    rounds: int
    alerts_sent: int
    sources: pl.DataFrame
    alerts: pl.DataFrame

    @property
    def active_alerts(self) -> int:
        return int(self.alerts["ended_at"].is_null().sum())


def listening_status(workspace: Workspace) -> ListeningStatus:
    """Read the listening state of ``workspace`` (works on read-only workspaces too)."""
    running = is_locked(workspace.path / PROCESS_LOCK)
    record = workspace.get_state(state.ROUND, {}) or {}
    health = state.sources(workspace)
    try:
        labels = [(spec.label, spec.kind) for spec in workspace.settings().listening_query().sources]
    except Exception:  # noqa: BLE001 - a status view must show what it can even when settings broke
        labels = [(label, str(r.get("kind") or "")) for label, r in health.items()]
    rows = []
    for label, kind in labels:
        r = health.get(label, {})
        rows.append(
            {
                "source": label,
                "kind": kind,
                "status": r.get("status"),
                "last_at": state.parse(r.get("last_at")),
                "new": r.get("new"),
                "failures": r.get("failures"),
                "failing_since": state.parse(r.get("failing_since")),
                "next_due": state.parse(r.get("next_due")),
                "message": r.get("message"),
            }
        )
    alerts = [
        {
            "key": key,
            "rule": a.get("rule"),
            "title": a.get("title"),
            "sent_at": state.parse(a.get("sent_at")),
            "ended_at": state.parse(a.get("ended_at")),
            "delivered": a.get("delivered"),
        }
        for key, a in state.alerts(workspace).items()
    ]
    alert_frame = pl.DataFrame(alerts, schema=ALERT_SCHEMA).sort("sent_at", descending=True, nulls_last=True)
    return ListeningStatus(
        running=running,
        last_round_at=state.parse(record.get("finished_at")),
        next_round_at=state.parse(record.get("next_at")) if running else None,
        rounds=int(record.get("rounds") or 0),
        alerts_sent=int(record.get("alerts_sent") or 0),
        sources=pl.DataFrame(rows, schema=SOURCE_SCHEMA),
        alerts=alert_frame,
    )
