"""What a fetch did, source by source, so a refusal never looks like a quiet day."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ascolto_core.fetch.http import SourceStatus
from ascolto_core.i18n import DEFAULT_LANG, t


@dataclass(frozen=True)
class Note:
    """An extra remark on a source (``fetch.note.*``), e.g. "search skipped: needs a token"."""

    key: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, key: str, **params: Any) -> Note:
        return cls(key, tuple(sorted(params.items())))

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return t(self.key, lang, **dict(self.params))


@dataclass(frozen=True)
class SourceReport:
    """The outcome of one source.

    Attributes:
        source: the label shown to the user ("mastodon:mastodon.uno", "bluesky", "rss:google.com").
        kind: "rss" | "mastodon" | "bluesky" | "reddit".
        status: "ok" (something new), "nothing_new" (answered, nothing we did not have),
            "refused" (401/403, login needed or login-only content), "failed" (timeout, 5xx,
            malformed answer, wrong address...).
        fetched: items received (before filters and de-duplication).
        new: mentions added to the data.
        pages: pages requested successfully.
        skipped: items left out and why (``{"off_topic": 3, "language": 1, ...}``).
        limited: the page/item limit stopped the fetch before the source ran out.
        message_key, params: the reason for "refused"/"failed" (``fetch.error.*``).
        notes: further remarks (``fetch.note.*``).
    """

    source: str
    kind: str
    status: SourceStatus
    fetched: int = 0
    new: int = 0
    pages: int = 0
    skipped: tuple[tuple[str, int], ...] = ()
    limited: bool = False
    message_key: str | None = None
    params: tuple[tuple[str, Any], ...] = ()
    notes: tuple[Note, ...] = ()

    @property
    def skipped_total(self) -> int:
        return sum(n for _, n in self.skipped)

    @property
    def problem(self) -> bool:
        return self.status in ("refused", "failed")

    def reason(self, lang: str = DEFAULT_LANG) -> str | None:
        """The rendered reason of a refusal or failure, if any."""
        return t(self.message_key, lang, **dict(self.params)) if self.message_key else None

    def lines(self, lang: str = DEFAULT_LANG) -> list[str]:
        """Human-readable lines: the outcome, then what was skipped and any notes."""
        counts = {"source": self.source, "fetched": self.fetched, "new": self.new, "pages": self.pages}
        head = t(f"fetch.status.{self.status}", lang, **counts)
        reason = self.reason(lang)
        if reason:
            head = f"{head} {reason}"
        out = [head]
        if self.status == "failed" and self.fetched:
            out.append("  " + t("fetch.report.kept_partial", lang, fetched=self.fetched, new=self.new))
        for why, n in self.skipped:
            out.append("  " + t(f"fetch.report.skipped_{why}", lang, count=n))
        if self.limited:
            out.append("  " + t("fetch.report.limited", lang))
        out.extend("  " + note.message(lang) for note in self.notes)
        return out


@dataclass(frozen=True)
class FetchReport:
    """All sources of one fetch, plus totals after merging into the existing mentions."""

    sources: tuple[SourceReport, ...] = ()
    added: int = 0
    total: int = 0
    notes: tuple[Note, ...] = field(default=())

    @property
    def problems(self) -> tuple[SourceReport, ...]:
        """Sources that were refused or failed."""
        return tuple(s for s in self.sources if s.problem)

    def lines(self, lang: str = DEFAULT_LANG) -> list[str]:
        """The whole report as lines of text (CLI output, app expander)."""
        out = [t("fetch.report.summary", lang, added=self.added, total=self.total, sources=len(self.sources))]
        for source in self.sources:
            out.extend(source.lines(lang))
        out.extend(note.message(lang) for note in self.notes)
        return out
