"""The listening query: what to look for and where, read from YAML.

The same file drives the app's "Cerca online" panel and
``python -m ascolto_core fetch --config FILE -o OUTPUT``. Credentials are never
in the file: it names the environment variables (or Streamlit secrets) that hold
them (``password_env: BLUESKY_APP_PASSWORD``). See ``config/listening.example.yaml``.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ascolto_core.errors import AscoltoError
from ascolto_core.fetch.http import DEFAULT_USER_AGENT, HttpPolicy, Secret
from ascolto_core.schema import TOUCHPOINTS


@dataclass(frozen=True)
class Limits:
    """Per-run limits and HTTP patience (``limits:`` in the YAML)."""

    max_pages: int = 5  # per request chain (one hashtag, one search term, one subreddit)
    max_items: int = 500  # per source
    timeout_seconds: float = 15.0
    retries: int = 2
    backoff_seconds: float = 1.0
    max_retry_after_seconds: float = 60.0
    deadline_seconds: float = 60.0  # total time of one source (pages, retries, waits), then "failed"
    max_megabytes: float = 20.0  # largest answer accepted from a source

    @property
    def max_bytes(self) -> int:
        return int(self.max_megabytes * 1_000_000)

    def http_policy(self, user_agent: str = DEFAULT_USER_AGENT) -> HttpPolicy:
        return HttpPolicy(
            timeout=self.timeout_seconds,
            retries=self.retries,
            backoff=self.backoff_seconds,
            max_retry_after=self.max_retry_after_seconds,
            max_bytes=self.max_bytes,
            deadline=self.deadline_seconds,
            user_agent=user_agent,
        )


@dataclass(frozen=True)
class RssSource:
    """An RSS or Atom feed (Google Alerts, a news site, a blog, a review site)."""

    url: str
    name: str = ""
    touchpoint: str | None = None  # None: guessed from each entry's link ("news" by default)
    require_terms: bool = True  # keep only entries mentioning a brand term or hashtag

    kind = "rss"

    @property
    def label(self) -> str:
        return self.name or f"rss:{host_of(self.url)}"


@dataclass(frozen=True)
class MastodonSource:
    """A Mastodon instance: hashtag timelines (anonymous or with a token) and status search (token)."""

    instance: str
    hashtags: tuple[str, ...] = ()  # empty: the query's hashtags
    search: bool = True  # full-text search of the brand terms (needs a token on most instances)
    token_env: str | None = None
    touchpoint: str = "other"

    kind = "mastodon"

    @property
    def base_url(self) -> str:
        return base_url_of(self.instance)

    @property
    def label(self) -> str:
        return f"mastodon:{host_of(self.base_url)}"


@dataclass(frozen=True)
class BlueskySource:
    """Bluesky post search; since 2025 it needs a login (handle + app password)."""

    handle: str | None = None
    handle_env: str | None = None
    password_env: str | None = "BLUESKY_APP_PASSWORD"
    base_url: str = "https://bsky.social/xrpc"  # the PDS: login and (proxied) search
    public_url: str = "https://public.api.bsky.app/xrpc"  # tried when there is no login
    web_url: str = "https://bsky.app"
    touchpoint: str = "other"

    kind = "bluesky"
    label = "bluesky"


@dataclass(frozen=True)
class RedditSource:
    """Reddit: app-only OAuth when a client id/secret is given, subreddit RSS otherwise."""

    subreddits: tuple[str, ...] = ()  # empty: all of Reddit
    client_id_env: str | None = "REDDIT_CLIENT_ID"
    client_secret_env: str | None = "REDDIT_CLIENT_SECRET"
    auth_url: str = "https://www.reddit.com"
    api_url: str = "https://oauth.reddit.com"
    rss_url: str = "https://www.reddit.com"
    user_agent: str = DEFAULT_USER_AGENT
    touchpoint: str = "forum"

    kind = "reddit"
    label = "reddit"


SourceSpec = RssSource | MastodonSource | BlueskySource | RedditSource


@dataclass(frozen=True)
class ListeningQuery:
    """What to listen for and where.

    Attributes:
        brand: written in the ``brand`` column of fetched mentions (e.g. "Forno Brio").
        brand_terms: words or phrases that identify the brand ("forno brio", "fornobrio").
        hashtags: without ``#`` ("fornobrio").
        excluded_terms: a mention containing any of these is skipped (and counted).
        languages: ISO codes to keep; empty keeps all; mentions of unknown language are kept.
        sources: the sources, in the order they are fetched.
        limits: pages, items, timeouts and retries.
    """

    brand: str | None = None
    brand_terms: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    excluded_terms: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    sources: tuple[SourceSpec, ...] = ()
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ListeningQuery:
        """Build a query from parsed YAML.

        Raises:
            AscoltoError: ``fetch.query.invalid`` naming the field that is wrong.
        """
        if not isinstance(data, Mapping):
            raise AscoltoError("fetch.query.invalid", field="(top level)", problem=_expected("mapping", data))
        known = {"brand", "brand_terms", "hashtags", "excluded_terms", "languages", "sources", "limits"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise AscoltoError("fetch.query.invalid", field=", ".join(map(str, unknown)), problem="unknown field")
        hashtags = tuple(h.lstrip("#") for h in _strings(data, "hashtags"))
        brand = data.get("brand")
        if brand is not None and not isinstance(brand, str):
            raise AscoltoError("fetch.query.invalid", field="brand", problem=_expected("text", brand))
        return cls(
            brand=brand,
            brand_terms=_strings(data, "brand_terms"),
            hashtags=tuple(h for h in hashtags if h),
            excluded_terms=_strings(data, "excluded_terms"),
            languages=tuple(lang.lower() for lang in _strings(data, "languages")),
            sources=_sources(data.get("sources") or {}),
            limits=_limits(data.get("limits") or {}),
        )

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> ListeningQuery:
        """Read a query file.

        Raises:
            AscoltoError: ``fetch.query.not_found``, ``fetch.query.bad_yaml`` or ``fetch.query.invalid``.
        """
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise AscoltoError("fetch.query.not_found", path=str(file)) from None
        except (OSError, UnicodeDecodeError) as error:
            raise AscoltoError("fetch.query.bad_yaml", path=str(file), problem=type(error).__name__) from None
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as error:
            raise AscoltoError("fetch.query.bad_yaml", path=str(file), problem=str(error).splitlines()[0]) from None
        return cls.from_dict(data)

    def with_sources(self, sources: tuple[SourceSpec, ...]) -> ListeningQuery:
        return replace(self, sources=sources)

    def search_terms(self) -> tuple[str, ...]:
        """Brand terms then ``#hashtags``: what text searches look for."""
        return (*self.brand_terms, *(f"#{h}" for h in self.hashtags))

    def skip_reason(self, text: str, lang: str | None, *, require_terms: bool = True) -> str | None:
        """Why a mention is skipped: ``"excluded"``, ``"language"``, ``"off_topic"``, or ``None`` to keep it.

        Matching ignores case and accents and respects word boundaries ("brio" does not
        match "brioche"); a hashtag matches with or without its ``#``.
        """
        folded = fold(text)
        if any(_contains(folded, term) for term in self.excluded_terms):
            return "excluded"
        if self.languages and lang and lang not in self.languages:
            return "language"
        if require_terms and (self.brand_terms or self.hashtags):
            wanted = (*self.brand_terms, *self.hashtags)
            if not any(_contains(folded, term) for term in wanted):
                return "off_topic"
        return None


def fold(text: str) -> str:
    """Lower case without accents, for matching ("Perché" -> "perche")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _contains(folded_text: str, term: str) -> bool:
    needle = fold(term.strip().lstrip("#"))
    if not needle:
        return False
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", folded_text) is not None


def resolve_secret(env_name: str | None, secrets: Mapping[str, str] | None = None) -> Secret | None:
    """The credential named ``env_name``: from ``secrets`` (Streamlit secrets) first, then the environment."""
    if not env_name:
        return None
    value = (secrets or {}).get(env_name) or os.environ.get(env_name)
    return Secret(value) if value else None


def host_of(url: str) -> str:
    host = urlsplit(url if "//" in url else f"//{url}").hostname or url
    return host.removeprefix("www.")


def base_url_of(instance: str) -> str:
    """``"mastodon.uno"`` -> ``"https://mastodon.uno"``; a full URL keeps its scheme and port."""
    instance = instance.strip().rstrip("/")
    return instance if "://" in instance else f"https://{instance}"


def _expected(what: str, value: Any) -> str:
    return f"expected {what}, got {type(value).__name__}"


def _strings(data: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = data.get(name)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise AscoltoError("fetch.query.invalid", field=name, problem=_expected("a list of texts", value))
    return tuple(str(v).strip() for v in value if str(v).strip())


def _touchpoint(value: Any, where: str, default: str | None) -> str | None:
    if value is None:
        return default
    if value not in TOUCHPOINTS:
        raise AscoltoError("fetch.query.invalid", field=f"{where}.touchpoint", problem=f"one of {', '.join(TOUCHPOINTS)}")
    return str(value)


def _entries(value: Any, name: str) -> list[Mapping[str, Any]]:
    # Each source kind accepts one mapping or a list of them.
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, Mapping):
            raise AscoltoError("fetch.query.invalid", field=f"sources.{name}", problem=_expected("mapping", item))
    return items


def _pick(entry: Mapping[str, Any], where: str, allowed: set[str]) -> dict[str, Any]:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise AscoltoError("fetch.query.invalid", field=f"{where}.{unknown[0]}", problem="unknown field")
    return dict(entry)


def _text(entry: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = entry.get(key)
    if value is None or value == "":
        if required:
            raise AscoltoError("fetch.query.invalid", field=f"{where}.{key}", problem="required")
        return None
    if not isinstance(value, str):
        raise AscoltoError("fetch.query.invalid", field=f"{where}.{key}", problem=_expected("text", value))
    return value.strip()


def _sources(data: Any) -> tuple[SourceSpec, ...]:
    if not isinstance(data, Mapping):
        raise AscoltoError("fetch.query.invalid", field="sources", problem=_expected("mapping", data))
    unknown = sorted(set(data) - {"rss", "mastodon", "bluesky", "reddit"})
    if unknown:
        raise AscoltoError("fetch.query.invalid", field=f"sources.{unknown[0]}", problem="unknown source kind")
    specs: list[SourceSpec] = []
    for i, entry in enumerate(_entries(data.get("rss"), "rss")):
        where = f"sources.rss[{i}]"
        e = _pick(entry, where, {"url", "name", "touchpoint", "require_terms"})
        specs.append(
            RssSource(
                url=str(_text(e, "url", where, required=True)),
                name=_text(e, "name", where) or "",
                touchpoint=_touchpoint(e.get("touchpoint"), where, None),
                require_terms=bool(e.get("require_terms", True)),
            )
        )
    for i, entry in enumerate(_entries(data.get("mastodon"), "mastodon")):
        where = f"sources.mastodon[{i}]"
        e = _pick(entry, where, {"instance", "hashtags", "search", "token_env", "touchpoint"})
        specs.append(
            MastodonSource(
                instance=str(_text(e, "instance", where, required=True)),
                hashtags=tuple(h.lstrip("#") for h in _strings(e, "hashtags")),
                search=bool(e.get("search", True)),
                token_env=_text(e, "token_env", where),
                touchpoint=_touchpoint(e.get("touchpoint"), where, "other") or "other",
            )
        )
    for i, entry in enumerate(_entries(data.get("bluesky"), "bluesky")):
        where = f"sources.bluesky[{i}]"
        e = _pick(entry, where, {"handle", "handle_env", "password_env", "base_url", "public_url", "web_url", "touchpoint"})
        defaults = BlueskySource()
        specs.append(
            BlueskySource(
                handle=_text(e, "handle", where),
                handle_env=_text(e, "handle_env", where),
                password_env=_text(e, "password_env", where) or defaults.password_env,
                base_url=(_text(e, "base_url", where) or defaults.base_url).rstrip("/"),
                public_url=(_text(e, "public_url", where) or defaults.public_url).rstrip("/"),
                web_url=(_text(e, "web_url", where) or defaults.web_url).rstrip("/"),
                touchpoint=_touchpoint(e.get("touchpoint"), where, "other") or "other",
            )
        )
    for i, entry in enumerate(_entries(data.get("reddit"), "reddit")):
        where = f"sources.reddit[{i}]"
        allowed = {"subreddits", "client_id_env", "client_secret_env", "auth_url", "api_url", "rss_url", "user_agent", "touchpoint"}
        e = _pick(entry, where, allowed)
        defaults = RedditSource()
        specs.append(
            RedditSource(
                subreddits=tuple(s.removeprefix("r/").strip("/") for s in _strings(e, "subreddits")),
                client_id_env=_text(e, "client_id_env", where) or defaults.client_id_env,
                client_secret_env=_text(e, "client_secret_env", where) or defaults.client_secret_env,
                auth_url=(_text(e, "auth_url", where) or defaults.auth_url).rstrip("/"),
                api_url=(_text(e, "api_url", where) or defaults.api_url).rstrip("/"),
                rss_url=(_text(e, "rss_url", where) or defaults.rss_url).rstrip("/"),
                user_agent=_text(e, "user_agent", where) or defaults.user_agent,
                touchpoint=_touchpoint(e.get("touchpoint"), where, "forum") or "forum",
            )
        )
    return tuple(specs)


def _limits(data: Any) -> Limits:
    if not isinstance(data, Mapping):
        raise AscoltoError("fetch.query.invalid", field="limits", problem=_expected("mapping", data))
    defaults = Limits()
    values: dict[str, Any] = {}
    for name in Limits.__dataclass_fields__:
        if name not in data:
            continue
        value = data[name]
        kind = type(getattr(defaults, name))
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise AscoltoError("fetch.query.invalid", field=f"limits.{name}", problem=_expected("a number >= 0", value))
        values[name] = kind(value)
    unknown = sorted(set(data) - set(Limits.__dataclass_fields__))
    if unknown:
        raise AscoltoError("fetch.query.invalid", field=f"limits.{unknown[0]}", problem="unknown field")
    limits = Limits(**values)
    if limits.timeout_seconds <= 0 or limits.max_pages < 1 or limits.max_items < 1:
        raise AscoltoError("fetch.query.invalid", field="limits", problem="timeout, max_pages and max_items must be > 0")
    if limits.deadline_seconds <= 0 or limits.max_bytes < 1:
        raise AscoltoError("fetch.query.invalid", field="limits", problem="deadline_seconds and max_megabytes must be > 0")
    return limits
