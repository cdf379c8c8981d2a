"""What every connector shares: the context it runs in, its interface, and small converters."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, Protocol

from ascolto_core.fetch.http import FetchClient, Secret
from ascolto_core.fetch.query import Limits, ListeningQuery, resolve_secret
from ascolto_core.fetch.report import Note

logger = logging.getLogger(__name__)

# One mention as a dict of canonical columns (see ascolto_core.schema).
MentionRow = dict[str, Any]

# What a converter may raise on an item of the wrong shape (a string where an object was
# expected, a number out of range...): that item is skipped and counted, never the page.
ITEM_ERRORS = (AttributeError, TypeError, ValueError, KeyError, IndexError, OverflowError, OSError)

MAX_AUTHOR_CHARS = 200
MAX_URL_CHARS = 2048
MAX_COUNT = 10**15  # engagement counts above this are nonsense (and would overflow Int64 sums)


@dataclass
class FetchContext:
    """Everything a connector may use during one run (mutable: connectors add notes)."""

    client: FetchClient
    query: ListeningQuery
    secrets: Mapping[str, str] | None = None
    notes: list[Note] = field(default_factory=list)
    limited: bool = False
    unusable: int = 0  # items received without any text (counted, reported)
    malformed: int = 0  # items of the wrong shape (counted, reported; the rest of the page is kept)
    # Where the previous read of this source stopped (JSON data written by the connector itself);
    # empty for a manual fetch, which reads the latest pages as always.
    cursor: Mapping[str, Any] = field(default_factory=dict)
    # Where the next read should start; the connector updates it as pages arrive, and the
    # caller keeps it only when the source answered without error.
    next_cursor: dict[str, Any] = field(default_factory=dict)

    @property
    def limits(self) -> Limits:
        return self.query.limits

    def secret(self, env_name: str | None) -> Secret | None:
        return resolve_secret(env_name, self.secrets)

    def note(self, key: str, **params: Any) -> None:
        self.notes.append(Note.of(key, **params))


class Connector(Protocol):
    """A source of mentions: yields pages of canonical rows until done or a limit is hit.

    Implementations raise :class:`~ascolto_core.fetch.http.SourceError` for refusals and
    failures; rows yielded before the error are kept by the caller.
    """

    kind: str
    label: str

    def pages(self, ctx: FetchContext) -> Iterator[list[MentionRow]]: ...


def convert_items(
    ctx: FetchContext, items: Iterable[Any], convert: Callable[[dict[str, Any]], MentionRow | None]
) -> list[MentionRow]:
    """Rows from a page of items: one malformed item is skipped and counted, never the page.

    ``convert`` returns ``None`` for an item without text (counted in ``ctx.unusable``); an
    item that is not an object, makes ``convert`` raise, or yields a row of the wrong types
    is counted in ``ctx.malformed``.
    """
    kept: list[MentionRow] = []
    for item in items:
        if not isinstance(item, dict):
            ctx.malformed += 1
            continue
        try:
            row = convert(item)
        except ITEM_ERRORS as error:
            logger.info("malformed item skipped (%s)", type(error).__name__)
            ctx.malformed += 1
            continue
        if row is None:
            ctx.unusable += 1
            continue
        checked = checked_row(row)
        if checked is None:
            ctx.malformed += 1
            continue
        kept.append(checked)
    return kept


def checked_row(row: MentionRow) -> MentionRow | None:
    """``row`` with every field of the type the schema expects, or ``None`` when id/text are unusable.

    Odd optional values become ``None`` (a count that is not a number, a link that is not
    http(s) such as ``javascript:``); over-long author names are cut.
    """
    row_id, text = row.get("id"), row.get("text")
    if not isinstance(row_id, str) or not row_id or not isinstance(text, str) or not text.strip():
        return None
    out = dict(row)
    author = row.get("author")
    out["author"] = _one_line(author)[:MAX_AUTHOR_CHARS] or None if isinstance(author, str) else None
    out["url"] = web_link(row.get("url"))
    for name in ("likes", "shares", "comments"):
        if name in out:
            out[name] = as_count(out[name])
    if not isinstance(out.get("created_at"), datetime):
        out["created_at"] = None
    for name in ("lang", "source", "touchpoint"):
        if name in out and not isinstance(out[name], str | None):
            out[name] = None
    return out


def web_link(value: Any) -> str | None:
    """An http(s) link, or ``None`` (a ``javascript:``/``data:`` link or junk is dropped)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) > MAX_URL_CHARS or not re.match(r"https?://[^\s/]", value, re.IGNORECASE) or re.search(r"\s", value):
        return None
    return value


def _one_line(text: str) -> str:
    # Control characters and line breaks in a name only serve to disguise it.
    return re.sub(r"[\x00-\x1f\x7f\u2028\u2029]+", " ", text).strip()


def from_timestamp(value: Any) -> datetime | None:
    """A Unix timestamp as an aware UTC datetime; ``None`` when absent, not a number or out of range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


class _TextExtractor(HTMLParser):
    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})
    _SKIP = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment (entities decoded, tags dropped, blank runs collapsed).

    Uses the standard library's tolerant :class:`html.parser.HTMLParser`; broken markup
    never raises.
    """
    if not html:
        return ""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = (re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def parse_iso(value: Any) -> datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime; ``None`` when absent or unparseable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def as_count(value: Any) -> int | None:
    """An engagement count as int, or ``None`` when the service did not give one (or gave nonsense)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return int(value) if 0 <= value <= MAX_COUNT else None


def lang_code(value: Any) -> str | None:
    """``"it-IT"`` -> ``"it"``; ``None`` for absent or odd values."""
    if not isinstance(value, str) or not value.strip():
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code.isalpha() and 2 <= len(code) <= 3 else None
