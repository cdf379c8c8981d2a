"""Fetch public mentions (RSS/Atom, Mastodon, Bluesky, Reddit) into the canonical table.

    query = ListeningQuery.from_yaml("config/listening.yaml")
    result = fetch_mentions(query, existing=current_mentions)
    result.mentions   # current mentions + the new ones, de-duplicated by id and link
    result.new        # only the rows this fetch added
    result.report.lines("it")

Incremental reading (the listening rounds): pass ``cursors`` (per source label, what the
previous result returned in ``result.cursors``) and each connector asks only for what is new
(Mastodon ``since_id``/``min_id``, Bluesky ``since``, Reddit ``before``, RSS/Atom conditional GET
and the entry ids already seen). Without ``cursors`` every source reads its latest pages.

Each source runs on its own: a source that is refused or fails keeps the rows it had
already fetched and never stops the others; the report says, per source, "ok",
"nothing_new", "refused" (login needed) or "failed" (and why).
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ascolto_core.fetch.base import Connector, FetchContext, MentionRow
from ascolto_core.fetch.bluesky import BlueskyConnector
from ascolto_core.fetch.http import FetchClient, SourceError, SourceStatus
from ascolto_core.fetch.mastodon import MastodonConnector
from ascolto_core.fetch.merge import merge_mentions
from ascolto_core.fetch.query import (
    BlueskySource,
    Limits,
    ListeningQuery,
    MastodonSource,
    RedditSource,
    RssSource,
    SourceSpec,
)
from ascolto_core.fetch.reddit import RedditConnector
from ascolto_core.fetch.report import FetchReport, Note, SourceReport
from ascolto_core.fetch.rss import RssConnector
from ascolto_core.schema import MENTION_SCHEMA, conform, empty_mentions

__all__ = [
    "BlueskySource",
    "FetchProgress",
    "FetchReport",
    "FetchResult",
    "Limits",
    "ListeningQuery",
    "MastodonSource",
    "RedditSource",
    "RssSource",
    "SourceReport",
    "connector_for",
    "fetch_mentions",
    "merge_mentions",
]

logger = logging.getLogger(__name__)

# Source kind -> connector class; built-ins register here like any future source would.
CONNECTORS: dict[type, Callable[[SourceSpec], Connector]] = {
    RssSource: RssConnector,
    MastodonSource: MastodonConnector,
    BlueskySource: BlueskyConnector,
    RedditSource: RedditConnector,
}


@dataclass(frozen=True)
class FetchProgress:
    """Progress of a fetch: ``report`` is ``None`` when source ``index`` starts, set when it ends."""

    index: int
    total: int
    source: str
    report: SourceReport | None = None


ProgressCallback = Callable[[FetchProgress], None]


@dataclass(frozen=True)
class FetchResult:
    """The merged mentions, the rows this fetch added, the per-source report and cursors.

    ``cursors`` maps each source label to where its next incremental read starts: the new
    position when the source answered without error, else the one it was given (a failed
    read never skips what it did not deliver).
    """

    mentions: pl.DataFrame
    new: pl.DataFrame
    report: FetchReport
    cursors: dict[str, dict[str, Any]] = field(default_factory=dict)


def connector_for(spec: SourceSpec) -> Connector:
    """The connector that reads ``spec``."""
    return CONNECTORS[type(spec)](spec)


def fetch_mentions(
    query: ListeningQuery,
    *,
    existing: pl.DataFrame | None = None,
    progress: ProgressCallback | None = None,
    secrets: Mapping[str, str] | None = None,
    client: FetchClient | None = None,
    sleep: Callable[[float], None] = time.sleep,
    cursors: Mapping[str, Mapping[str, Any]] | None = None,
) -> FetchResult:
    """Fetch every source of ``query`` and merge the results into ``existing``.

    Args:
        query: terms and sources.
        existing: the mentions the user has now (any extra columns are kept).
        progress: called when each source starts and ends.
        secrets: credential values by name (Streamlit secrets); the environment is the fallback.
        client: an HTTP client (tests); by default one is built from ``query.limits``.
        sleep: how to wait between retries (tests pass a recorder).
        cursors: per source label, the cursor an earlier result returned (incremental reads);
            ``None`` or a missing label reads the latest pages.

    Returns:
        A :class:`FetchResult`; never raises for a source's failure (see its report).
    """
    own_client = client is None
    http = client or FetchClient(query.limits.http_policy(), sleep=sleep)
    merged = conform(existing) if existing is not None else empty_mentions()
    before = merged.height
    reports: list[SourceReport] = []
    next_cursors: dict[str, dict[str, Any]] = {}
    notes: list[Note] = []
    if not query.sources:
        notes.append(Note.of("fetch.note.no_sources"))
    try:
        for index, spec in enumerate(query.sources):
            connector = connector_for(spec)
            if progress:
                progress(FetchProgress(index, len(query.sources), connector.label))
            given = (cursors or {}).get(connector.label)
            given = dict(given) if isinstance(given, Mapping) else {}
            ctx = FetchContext(client=http, query=query, secrets=secrets, cursor=given, next_cursor=copy.deepcopy(given))
            with http.deadline(query.limits.deadline_seconds, max_bytes=query.limits.max_bytes):
                rows, skipped, pages, status, error = _run(connector, ctx, getattr(spec, "require_terms", True))
            next_cursors[connector.label] = given if error else ctx.next_cursor
            frame = _rows_frame(rows, query.brand)
            merged, added = merge_mentions(merged, frame)
            if status is None:
                status = "ok" if added else "nothing_new"
            if ctx.unusable:
                skipped["no_text"] = skipped.get("no_text", 0) + ctx.unusable
            if ctx.malformed:
                skipped["malformed"] = skipped.get("malformed", 0) + ctx.malformed
            report = SourceReport(
                source=connector.label,
                kind=connector.kind,
                status=status,
                fetched=len(rows) + sum(skipped.values()),
                new=added,
                pages=pages,
                skipped=tuple((k, v) for k, v in skipped.items() if v),
                limited=ctx.limited,
                message_key=error.key if error else None,
                params=tuple(sorted(error.params.items())) if error else (),
                notes=tuple(ctx.notes),
            )
            reports.append(report)
            logger.info("fetched %s: %s, %d new", report.source, report.status, report.new)
            if progress:
                progress(FetchProgress(index, len(query.sources), connector.label, report))
    finally:
        if own_client:
            http.close()
    added_total = merged.height - before
    new_rows = merged.slice(before) if added_total else conform(empty_mentions())
    report = FetchReport(sources=tuple(reports), added=added_total, total=merged.height, notes=tuple(notes))
    return FetchResult(mentions=merged, new=new_rows, report=report, cursors=next_cursors)


def _run(
    connector: Connector, ctx: FetchContext, require_terms: bool
) -> tuple[list[MentionRow], dict[str, int], int, SourceStatus | None, SourceError | None]:
    """Drain a connector within the item limit; keep what arrived before any error."""
    kept: list[MentionRow] = []
    skipped: dict[str, int] = {}
    pages = 0
    error: SourceError | None = None
    received = 0
    seen: set[str] = set()  # the same post found by two search terms counts once
    try:
        for page in connector.pages(ctx):
            pages += 1
            for row in page:
                if received >= ctx.limits.max_items:
                    ctx.limited = True
                    break
                if row["id"] in seen:
                    continue
                seen.add(row["id"])
                received += 1
                reason = ctx.query.skip_reason(row["text"], row.get("lang"), require_terms=require_terms)
                if reason:
                    skipped[reason] = skipped.get(reason, 0) + 1
                else:
                    kept.append(row)
            if ctx.limited and received >= ctx.limits.max_items:
                break
    except SourceError as caught:
        error = caught
    except Exception as caught:  # noqa: BLE001 - a bug or odd answer in one source must not sink the others
        logger.warning("unexpected error in %s: %s", connector.label, type(caught).__name__)
        error = SourceError("failed", "fetch.error.unexpected", kind=type(caught).__name__)
    return kept, skipped, pages, (error.status if error else None), error


def _rows_frame(rows: list[MentionRow], brand: str | None) -> pl.DataFrame:
    if not rows:
        return empty_mentions()
    columns = [c for c in MENTION_SCHEMA if any(c in row for row in rows)]
    frame = pl.DataFrame(
        [{c: row.get(c) for c in columns} for row in rows],
        schema={c: MENTION_SCHEMA[c] for c in columns},
    )
    if brand:
        frame = frame.with_columns(pl.lit(brand, dtype=pl.String).alias("brand"))
    return conform(frame)
