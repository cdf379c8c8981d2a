"""What every connector shares: the context it runs in, its interface, and small converters."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, Protocol

from ascolto_core.fetch.http import FetchClient, Secret
from ascolto_core.fetch.query import Limits, ListeningQuery, resolve_secret
from ascolto_core.fetch.report import Note

# One mention as a dict of canonical columns (see ascolto_core.schema).
MentionRow = dict[str, Any]


@dataclass
class FetchContext:
    """Everything a connector may use during one run (mutable: connectors add notes)."""

    client: FetchClient
    query: ListeningQuery
    secrets: Mapping[str, str] | None = None
    notes: list[Note] = field(default_factory=list)
    limited: bool = False
    unusable: int = 0  # items received without any text (counted, reported)

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
    """An engagement count as int, or ``None`` when the service did not give one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def lang_code(value: Any) -> str | None:
    """``"it-IT"`` -> ``"it"``; ``None`` for absent or odd values."""
    if not isinstance(value, str) or not value.strip():
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code.isalpha() and 2 <= len(code) <= 3 else None
