"""RSS and Atom feeds (Google Alerts, news sites, blogs, review sites, Reddit feeds).

The bytes are fetched with :class:`~ascolto_core.fetch.http.FetchClient` (so timeouts and
retries apply) and parsed with ``feedparser``, which sanitises entry HTML; we then keep
its plain text.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import feedparser

from ascolto_core.fetch.base import ITEM_ERRORS, FetchContext, MentionRow, checked_row, html_to_text, lang_code
from ascolto_core.fetch.http import SourceError
from ascolto_core.fetch.query import RssSource, host_of

# Where an entry's link points decides its touchpoint; anything else is "news".
_DOMAIN_TOUCHPOINTS: tuple[tuple[str, str], ...] = (
    ("reddit.com", "forum"),
    ("tripadvisor.", "tripadvisor"),
    ("facebook.com", "facebook"),
    ("instagram.com", "instagram"),
    ("twitter.com", "x"),
    ("x.com", "x"),
)

# Reddit's feed content ends with "submitted by /u/name [link] [comments]".
_REDDIT_TRAILER = re.compile(r"\s*submitted by\s+/u/\S+\s*(\[link\])?\s*(\[comments\])?\s*$", re.IGNORECASE)


def touchpoint_for(url: str | None, default: str = "news") -> str:
    """The touchpoint of a link by its domain (reddit -> forum, tripadvisor -> tripadvisor...)."""
    host = host_of(url or "").lower()
    for fragment, touchpoint in _DOMAIN_TOUCHPOINTS:
        if host == fragment or host.endswith("." + fragment) or (fragment.endswith(".") and fragment in host):
            return touchpoint
    return default


def unwrap_link(url: str | None) -> str | None:
    """The article behind a Google redirect (``google.com/url?...&url=<article>``), else ``url``."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.hostname and parts.hostname.endswith("google.com") and parts.path == "/url":
        target = parse_qs(parts.query).get("url") or parse_qs(parts.query).get("q")
        if target and target[0].startswith("http"):
            return target[0]
    return url


@dataclass(frozen=True)
class ParsedFeed:
    """Rows of a feed; ``empty`` entries had no text, ``malformed`` ones could not be read;
    ``broken`` means the XML was cut or invalid."""

    rows: list[MentionRow]
    empty: int = 0
    broken: bool = False
    malformed: int = 0


def parse_feed(
    body: bytes,
    *,
    source: str,
    id_prefix: str,
    touchpoint: str | None = None,
    default_touchpoint: str = "news",
) -> ParsedFeed:
    """Rows from the bytes of an RSS 2.0 / Atom 1.0 feed.

    Args:
        body: the raw feed.
        source: written in the ``source`` column.
        id_prefix: prepended to each entry id ("rss:google.com:", "reddit:").
        touchpoint: forced touchpoint; ``None`` guesses it from each entry's link.
        default_touchpoint: used when the link says nothing.

    Returns:
        The rows, how many entries had no text at all (skipped, to be reported), and
        whether the XML was broken after the entries that could be read.

    Raises:
        SourceError: ``fetch.error.malformed`` when the body is not a feed at all (broken
            XML with no entries, an HTML page, an empty body).
    """
    parsed = feedparser.parse(body)
    entries = parsed.get("entries") or []
    broken = bool(parsed.get("bozo")) and not isinstance(
        parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride
    )
    if not entries and (broken or not parsed.get("version")):
        raise SourceError("failed", "fetch.error.malformed", what="RSS/Atom")
    feed_lang = lang_code(parsed.get("feed", {}).get("language"))
    rows: list[MentionRow] = []
    empty = malformed = 0
    for entry in entries:
        try:
            row = _entry_row(entry, source=source, id_prefix=id_prefix, feed_lang=feed_lang)
        except ITEM_ERRORS:
            malformed += 1  # one odd entry is skipped and counted, never the feed
            continue
        if row is None:
            empty += 1
            continue
        checked = checked_row(row)
        if checked is None:
            malformed += 1
            continue
        checked["touchpoint"] = touchpoint or touchpoint_for(checked["url"], default_touchpoint)
        rows.append(checked)
    return ParsedFeed(rows, empty, broken, malformed)


def _entry_row(entry: Any, *, source: str, id_prefix: str, feed_lang: str | None) -> MentionRow | None:
    title = html_to_text(entry.get("title"))
    contents = [c.get("value", "") for c in entry.get("content") or []]
    body = html_to_text(max([*contents, entry.get("summary") or ""], key=len))
    body = _REDDIT_TRAILER.sub("", body).strip()
    if body.startswith(title):
        title = ""  # Some feeds repeat the title as the first line of the content.
    text = "\n".join(part for part in (title, body) if part)
    if not text:
        return None
    link = unwrap_link(entry.get("link"))
    native_id = entry.get("id") or link or hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    parsed_time = entry.get("published_parsed") or entry.get("updated_parsed")
    created_at = datetime.fromtimestamp(calendar.timegm(parsed_time), UTC) if parsed_time else None
    author = (entry.get("author") or "").strip() or None
    return {
        "id": f"{id_prefix}{native_id}",
        "text": text,
        "created_at": created_at,
        "source": source,
        "author": author,
        "url": link,
        "lang": lang_code(entry.get("language")) or feed_lang,
    }


# Entry ids remembered per feed between listening rounds (a feed rarely holds more than a few hundred).
MAX_SEEN_IDS = 2000


def conditional_headers(cursor: Mapping[str, Any]) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` from the validators an earlier answer gave (RFC 9110)."""
    headers: dict[str, str] = {}
    etag, modified = cursor.get("etag"), cursor.get("last_modified")
    if isinstance(etag, str) and etag and "\n" not in etag and "\r" not in etag:
        headers["If-None-Match"] = etag
    if isinstance(modified, str) and modified and "\n" not in modified and "\r" not in modified:
        headers["If-Modified-Since"] = modified
    return headers


class RssConnector:
    """One RSS/Atom feed.

    Incremental reads (``ctx.cursor``): the request is conditional (``If-None-Match`` with the
    feed's last ``ETag``, ``If-Modified-Since`` with its ``Last-Modified``), a ``304 Not
    Modified`` answer reads nothing, and entries already seen in the previous answer are left
    out, for servers that ignore the validators.
    """

    kind = "rss"

    def __init__(self, spec: RssSource) -> None:
        self.spec = spec
        self.label = spec.label

    def pages(self, ctx: FetchContext) -> Iterator[list[MentionRow]]:
        response, body = ctx.client.request("GET", self.spec.url, headers=conditional_headers(ctx.cursor) or None)
        if response.status_code == 304:
            yield []  # nothing changed since the last read: the cursor stays as it was
            return
        host = host_of(self.spec.url)
        feed = parse_feed(body, source=f"rss:{host}", id_prefix=f"rss:{host}:", touchpoint=self.spec.touchpoint)
        ctx.unusable += feed.empty
        ctx.malformed += feed.malformed
        seen = ctx.cursor.get("seen")
        seen_ids = {i for i in seen if isinstance(i, str)} if isinstance(seen, list) else set()
        ctx.next_cursor.clear()
        ctx.next_cursor.update(
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            seen=[row["id"] for row in feed.rows][:MAX_SEEN_IDS],
        )
        yield [row for row in feed.rows if row["id"] not in seen_ids]
        if feed.broken:
            # Entries before the break are kept; the source still reports the failure.
            raise SourceError("failed", "fetch.error.malformed", what="RSS/Atom")
