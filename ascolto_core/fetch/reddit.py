"""Reddit: app-only OAuth search, or subreddit RSS feeds when there are no keys.

Anonymous JSON (``www.reddit.com/....json``) is refused from most networks, so:

* with a client id and secret (a free "script" app at https://www.reddit.com/prefs/apps)
  we get an app-only token (``POST /api/v1/access_token``, ``grant_type=client_credentials``)
  and search ``oauth.reddit.com/r/<sub>/search`` (Listing JSON, ``after`` pagination);
* without keys we read ``/r/<sub>/search.rss?q=...`` (Atom), one page per subreddit.
  Reddit often answers 429 to feeds: the shared client waits ``Retry-After`` and retries.

Posts are forum threads: touchpoint ``"forum"``, source ``"reddit"``, id ``reddit:t3_<id>``
in both paths, so switching path never duplicates a post.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from ascolto_core.fetch.base import FetchContext, MentionRow, as_count, convert_items, from_timestamp, parse_iso
from ascolto_core.fetch.http import Credential, Secret, SourceError
from ascolto_core.fetch.query import RedditSource
from ascolto_core.fetch.rss import parse_feed

PAGE_SIZE = 100  # Reddit's maximum listing size
# How long an incremental anchor (``before=<fullname>``) is trusted before a plain read re-anchors it.
ANCHOR_MAX_AGE = timedelta(hours=24)


def reddit_query(terms: tuple[str, ...]) -> str:
    """Reddit search syntax: phrases quoted, joined with OR (``"forno brio" OR fornobrio``)."""
    parts = [f'"{t}"' if " " in t else t for t in (term.lstrip("#") for term in terms) if t]
    return " OR ".join(dict.fromkeys(parts))


def listing_row(data: dict[str, Any], *, touchpoint: str) -> MentionRow | None:
    """One ``t3`` (link/post) of a Reddit Listing as a canonical row.

    Raises:
        AttributeError, TypeError: a field of the wrong shape (the caller counts it as malformed).
    """
    name = data.get("name") or (f"t3_{data['id']}" if data.get("id") else None)
    text = "\n".join(p for p in ((data.get("title") or "").strip(), (data.get("selftext") or "").strip()) if p)
    if not name or not text:
        return None
    created = data.get("created_utc")
    author = data.get("author")
    permalink = data.get("permalink")
    return {
        "id": f"reddit:{name}",
        "text": text,
        "created_at": from_timestamp(created),
        "touchpoint": touchpoint,
        "source": "reddit",
        "author": f"u/{author}" if author and author != "[deleted]" else None,
        "url": f"https://www.reddit.com{permalink}" if permalink else data.get("url"),
        # Reddit's score is upvotes minus downvotes; a buried post has no likes, not negative ones.
        "likes": max(0, as_count(data.get("score")) or 0) if data.get("score") is not None else None,
        "comments": as_count(data.get("num_comments")),
        # Comments (t1) name what they answer ("t3_..." post or "t1_..." comment).
        "reply_to": f"reddit:{data['parent_id']}" if isinstance(data.get("parent_id"), str) and data["parent_id"] else None,
    }


class RedditConnector:
    """Search the configured subreddits (or all of Reddit) for the query terms."""

    kind = "reddit"
    label = "reddit"

    def __init__(self, spec: RedditSource) -> None:
        self.spec = spec

    def pages(self, ctx: FetchContext) -> Iterator[list[MentionRow]]:
        query = reddit_query(ctx.query.search_terms())
        if not query:
            raise SourceError("failed", "fetch.error.no_terms")
        client_id = ctx.secret(self.spec.client_id_env)
        client_secret = ctx.secret(self.spec.client_secret_env)
        headers = {"User-Agent": self.spec.user_agent}
        if client_id and client_secret:
            token = self._token(ctx, client_id, client_secret, headers)
            # The app token is for the API origin only; the keys for the token endpoint only.
            yield from self._oauth_search(ctx, query, headers, Credential.bearer(self.spec.api_url, token, scheme="bearer"))
        else:
            ctx.note("fetch.note.reddit_rss", env=self.spec.client_id_env or "REDDIT_CLIENT_ID")
            yield from self._rss_search(ctx, query, headers)

    def _scopes(self) -> tuple[str | None, ...]:
        return self.spec.subreddits or (None,)

    def _token(self, ctx: FetchContext, client_id: Secret, client_secret: Secret, headers: dict[str, str]) -> Secret:
        url = f"{self.spec.auth_url}/api/v1/access_token"
        try:
            answer = ctx.client.post_json(
                url,
                data={"grant_type": "client_credentials"},
                credential=Credential.basic(url, client_id, client_secret),
                headers=headers,
            )
        except SourceError as error:
            if error.http_status in (400, 401, 403):
                raise SourceError("refused", "fetch.error.reddit_bad_keys", http_status=error.http_status) from None
            raise
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            # Reddit answers 200 {"error": "invalid_grant"} for some credential problems.
            if isinstance(answer, dict) and answer.get("error"):
                raise SourceError("refused", "fetch.error.reddit_bad_keys")
            raise SourceError("failed", "fetch.error.malformed", what="Reddit token")
        return Secret(token)

    def _oauth_search(
        self, ctx: FetchContext, query: str, headers: dict[str, str], credential: Credential
    ) -> Iterator[list[MentionRow]]:
        for sub in self._scopes():
            url = f"{self.spec.api_url}/r/{quote(sub)}/search" if sub else f"{self.spec.api_url}/search"
            # Incremental reads: ``before=<fullname>`` of the newest post read last time asks only
            # for newer ones, page after page upwards (each answer's ``before`` is its newest post).
            cursor_key = "before:" + (sub or "")
            before = _fullname(ctx.cursor.get(cursor_key))
            anchored = parse_iso(ctx.cursor.get("anchored:" + (sub or "")))
            if before and (anchored is None or datetime.now(UTC) - anchored > ANCHOR_MAX_AGE):
                # A deleted anchor makes Reddit answer "nothing newer" for ever: re-anchor on a plain read now and then.
                before = None
            plain = before is None
            after: str | None = None
            for page in range(ctx.limits.max_pages):
                params: dict[str, Any] = {"q": query, "sort": "new", "limit": PAGE_SIZE, "raw_json": 1, "type": "link"}
                if sub:
                    params["restrict_sr"] = 1
                if before:
                    params["before"] = before
                elif after:
                    params["after"] = after
                try:
                    listing, _ = ctx.client.get_json(url, params=params, headers=headers, credential=credential)
                except SourceError as error:
                    raise self._explain(error, sub) from None
                data = listing.get("data") if isinstance(listing, dict) else None
                children = data.get("children") if isinstance(data, dict) else None
                if not isinstance(children, list):
                    raise SourceError("failed", "fetch.error.malformed", what="Reddit JSON")
                newest = _first_fullname(children)
                if newest and (before or page == 0):
                    if plain or ctx.next_cursor.get(cursor_key) != newest:
                        ctx.next_cursor["anchored:" + (sub or "")] = datetime.now(UTC).isoformat(timespec="seconds")
                    ctx.next_cursor[cursor_key] = newest  # listings are newest first
                yield convert_items(ctx, children, lambda c: listing_row(c["data"], touchpoint=self.spec.touchpoint))
                if before:
                    # Going up: the next page starts after this page's newest post; a short page is the top.
                    before = newest if len(children) >= PAGE_SIZE else None
                    if not before:
                        break
                    continue
                after = data.get("after")
                after = after if isinstance(after, str) else None  # an opaque cursor, sent back as a parameter
                if not after or not children:
                    break
            else:
                ctx.limited = True

    def _rss_search(self, ctx: FetchContext, query: str, headers: dict[str, str]) -> Iterator[list[MentionRow]]:
        for sub in self._scopes():
            url = f"{self.spec.rss_url}/r/{quote(sub)}/search.rss" if sub else f"{self.spec.rss_url}/search.rss"
            params: dict[str, Any] = {"q": query, "sort": "new", "limit": PAGE_SIZE}
            if sub:
                params["restrict_sr"] = "on"
            try:
                body = ctx.client.get_bytes(url, params=params, headers=headers)
            except SourceError as error:
                raise self._explain(error, sub) from None
            feed = parse_feed(body, source="reddit", id_prefix="reddit:", touchpoint=self.spec.touchpoint)
            ctx.unusable += feed.empty
            ctx.malformed += feed.malformed
            # Feeds name authors "/u/name"; the JSON path writes "u/name".
            yield [{**row, "author": (row["author"] or "").lstrip("/") or None} for row in feed.rows]
            if feed.broken:
                raise SourceError("failed", "fetch.error.malformed", what="RSS/Atom")

    def _explain(self, error: SourceError, sub: str | None) -> SourceError:
        if error.http_status in (401, 403):
            return SourceError("refused", "fetch.error.reddit_blocked", http_status=error.http_status, subreddit=sub or "")
        if error.http_status == 404:
            return SourceError("failed", "fetch.error.reddit_no_subreddit", http_status=404, subreddit=sub or "")
        return error


def _fullname(value: Any) -> str | None:
    """A Reddit fullname of a post (``t3_<base36>``), else ``None``."""
    return value if isinstance(value, str) and re.fullmatch(r"t3_[0-9a-z]{1,16}", value) else None


def _first_fullname(children: list[Any]) -> str | None:
    """The fullname of the first (newest) post of a listing page."""
    for child in children:
        data = child.get("data") if isinstance(child, dict) else None
        name = _fullname(data.get("name")) if isinstance(data, dict) else None
        if name:
            return name
    return None
