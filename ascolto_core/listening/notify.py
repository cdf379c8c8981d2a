"""Notifications through Apprise: one message per alert, in Italian (or English), to every target.

Targets are Apprise URLs from ``settings.notify`` (``json://host/path``, ``mailto://...``,
``tgram://...``, ``ntfy://...``). A URL may name secrets as ``${NAME}``: they are filled
from the workspace's ``secrets.yaml`` or the environment when sending, and no URL,
secret or credential is ever printed, logged or stored (targets are shown by service name).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import yaml

from ascolto_core.formatting import fmt_date, fmt_decimal, fmt_int
from ascolto_core.i18n import t
from ascolto_core.listening.rules import Alert

logger = logging.getLogger(__name__)

SECRETS_FILE = "secrets.yaml"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Message:
    """A notification: title and plain-text body."""

    title: str
    body: str


@dataclass(frozen=True)
class Delivery:
    """What sending one message did: targets that accepted it, failed, or could not be built (by service name)."""

    delivered: int
    failed: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.delivered > 0 or not self.failed


class Notifier(Protocol):
    """Sends a :class:`Message` to the workspace's targets."""

    def send(self, message: Message) -> Delivery: ...


def workspace_secrets(folder: Path) -> dict[str, str]:
    """``secrets.yaml`` of a workspace (flat NAME: value), or an empty dict when absent or unreadable."""
    file = folder / SECRETS_FILE
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return {str(k): str(v) for k, v in data.items() if v is not None} if isinstance(data, dict) else {}


def fill_secrets(url: str, secrets: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    """``url`` with each ``${NAME}`` replaced (secrets first, then the environment) and the names not found."""
    missing: list[str] = []

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        found = secrets.get(name, os.environ.get(name))
        if found is None:
            missing.append(name)
            return ""
        return found

    return _PLACEHOLDER.sub(value, url), tuple(missing)


def service_name(url: str) -> str:
    """A target's name safe to show: the URL's scheme only (``json``, ``mailto``, ``tgram``)."""
    scheme = url.split("://", 1)[0] if "://" in url else "?"
    return re.sub(r"[^a-z0-9+.-]", "", scheme.lower())[:20] or "?"


class AppriseNotifier:
    """Sends through Apprise, one target at a time so a failing target never hides the others."""

    def __init__(self, urls: Sequence[str], secrets: Mapping[str, str] | None = None) -> None:
        self._urls = tuple(urls)
        self._secrets = dict(secrets or {})

    @property
    def targets(self) -> tuple[str, ...]:
        """The targets by service name (no addresses, no credentials)."""
        return tuple(service_name(u) for u in self._urls)

    def send(self, message: Message) -> Delivery:
        import apprise

        delivered = 0
        failed: list[str] = []
        for url in self._urls:
            name = service_name(url)
            filled, missing = fill_secrets(url, self._secrets)
            if missing:
                logger.warning("notification target %s skipped: secret %s not set", name, ", ".join(missing))
                failed.append(name)
                continue
            with _redacted_logs(_secret_parts(filled)):
                sender = apprise.Apprise()
                if not sender.add(filled):
                    logger.warning("notification target %s is not a valid Apprise URL", name)
                    failed.append(name)
                    continue
                ok = bool(sender.notify(title=message.title, body=message.body, body_format=apprise.NotifyFormat.TEXT))
            if ok:
                delivered += 1
            else:
                logger.warning("notification target %s did not accept the message", name)
                failed.append(name)
        return Delivery(delivered, tuple(failed))


# Apprise and urllib3 log full request URLs (bot tokens, header values) at DEBUG level.
_CHATTY_LOGGERS = ("apprise", "urllib3", "urllib3.connectionpool", "requests")


def _secret_parts(filled: str) -> tuple[str, ...]:
    """Every piece of a target URL that could be a credential: all but the scheme and host, split at delimiters."""
    rest = filled.split("://", 1)[-1]
    host = re.split(r"[/?#]", rest.rsplit("@", 1)[-1], maxsplit=1)[0].split(":")[0]
    pieces = {p for p in re.split(r"[:/@?&=#,]", rest) if len(p) >= 4 and p != host}
    return tuple(sorted(pieces, key=len, reverse=True))


class _Redact(logging.Filter):
    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        for secret in self.secrets:
            text = text.replace(secret, "****")
        record.msg, record.args = text, None
        return True


@contextlib.contextmanager
def _redacted_logs(secrets: tuple[str, ...]) -> Iterator[None]:
    """While sending: the chatty libraries log WARNING and above only, with every URL piece masked."""
    saved = []
    redact = _Redact(secrets)
    for name in _CHATTY_LOGGERS:
        chatty = logging.getLogger(name)
        saved.append((chatty, chatty.level))
        chatty.setLevel(max(chatty.getEffectiveLevel(), logging.WARNING))
        chatty.addFilter(redact)
    try:
        yield
    finally:
        for chatty, level in saved:
            chatty.removeFilter(redact)
            chatty.setLevel(level)


def _number(value: Any, lang: str) -> str:
    # The pages' own formatting (1,5 in Italian, 1.5 in English; "–" for a missing figure).
    if value is None:
        return "–"
    if isinstance(value, float):
        return fmt_int(value, lang) if value.is_integer() else fmt_decimal(value, lang)
    if isinstance(value, int) and not isinstance(value, bool):
        return fmt_int(value, lang)
    return str(value)


def _day(value: Any, lang: str) -> str:
    """An ISO day from an alert's numbers as the pages write it (21/11/2026 in Italian)."""
    try:
        return fmt_date(date.fromisoformat(str(value)), lang)
    except ValueError:
        return str(value)


def page_link(app_url: str | None, page: str) -> str | None:
    """The address of an app page, or ``None`` when the app's address is not configured."""
    return f"{app_url.rstrip('/')}/{page}" if app_url else None


def compose(alert: Alert, *, brand: str, lang: str = "it", app_url: str | None = None, ended: bool = False) -> Message:
    """The message of an alert (or of its end, ``ended=True``): rule, numbers, examples, link."""
    params = {k: _number(v, lang) for k, v in alert.numbers.items()}
    if "day" in alert.numbers:
        params["day"] = _day(alert.numbers["day"], lang)
    params["brand"] = brand or "—"
    if alert.rule == "unanswered":
        params["kind"] = t(f"listening.kind.{alert.numbers.get('kind', 'complaint')}", lang)
    phase = "over" if ended else "title"
    title = t(f"listening.alert.{alert.rule}.{phase}", lang, **params)
    body = "over_body" if ended else "body"
    if not ended and alert.rule in ("spike_today", "spike_hours") and not alert.numbers.get("baseline"):
        body = "body_zero"  # "usually 0 (ratio –×)" says nothing: "usually none" does
    paragraph = [t(f"listening.alert.{alert.rule}.{body}", lang, **params)]
    if not ended and alert.rule == "amplified":
        # Reach and growth only when there is something to say (0 means "not known" or "no change").
        paragraph += [t(f"listening.alert.amplified.{k}", lang, **params) for k in ("reach", "growth") if alert.numbers.get(k)]
    lines = [" ".join(paragraph)]
    if alert.examples and not ended:
        lines.append("")
        lines.append(t("listening.message.examples", lang))
        for example in alert.examples:
            head = " · ".join(p for p in (example.when, example.author) if p)
            lines.append(f"- {head + ': ' if head else ''}«{example.text}»")
            if example.url:
                lines.append(f"  {example.url}")
    link = page_link(app_url, alert.page)
    if link:
        lines.append("")
        lines.append(t("listening.message.open", lang, url=link))
    return Message(title=title, body="\n".join(lines))
