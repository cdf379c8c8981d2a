"""Bluesky post search (``app.bsky.feed.searchPosts``).

Since 2025 the search answers 403 to anonymous requests, so the user gives a handle and
an *app password* (Settings > Privacy and security > App passwords; a free account is
enough). We log in with ``com.atproto.server.createSession`` and search through the
account's server (``base_url``), which forwards the call to the Bluesky app view. Without
a login we still try the public endpoint once and explain the refusal.

Touchpoint: a public micro-blog post, not X and not a forum: ``"other"`` by default
(``touchpoint:`` overrides it). Source: ``"bluesky"``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from ascolto_core.fetch.base import FetchContext, MentionRow, as_count, convert_items, lang_code, parse_iso
from ascolto_core.fetch.http import Credential, SourceError
from ascolto_core.fetch.query import BlueskySource

PAGE_SIZE = 100  # the documented maximum of searchPosts


def post_row(post: dict[str, Any], *, web_url: str, touchpoint: str) -> MentionRow | None:
    """One ``app.bsky.feed.defs#postView`` as a canonical row (``None`` without text).

    Raises:
        AttributeError, TypeError: a field of the wrong shape (the caller counts it as malformed).
    """
    record = post.get("record") or {}
    text = (record.get("text") or "").strip()
    uri = post.get("uri")
    if not text or not isinstance(uri, str):
        return None
    author = post.get("author") or {}
    handle = author.get("handle")
    rkey = uri.rstrip("/").rsplit("/", 1)[-1]
    langs = record.get("langs") or []
    return {
        "id": f"bluesky:{uri}",
        "text": text,
        "created_at": parse_iso(record.get("createdAt")) or parse_iso(post.get("indexedAt")),
        "touchpoint": touchpoint,
        "source": "bluesky",
        "author": f"@{handle}" if handle else None,
        "url": f"{web_url}/profile/{handle or author.get('did')}/post/{rkey}",
        "lang": lang_code(langs[0]) if isinstance(langs, list) and langs else None,
        "likes": as_count(post.get("likeCount")),
        "shares": _sum_counts(post.get("repostCount"), post.get("quoteCount")),  # reposts and quote posts
        "comments": as_count(post.get("replyCount")),
        "reply_to": _parent_id(record),
    }


def _parent_id(record: dict[str, Any]) -> str | None:
    """The id of the post this one answers (``record.reply.parent.uri``), in our id space."""
    reply = record.get("reply")
    parent = reply.get("parent") if isinstance(reply, dict) else None
    uri = parent.get("uri") if isinstance(parent, dict) else None
    return f"bluesky:{uri}" if isinstance(uri, str) and uri else None


def _sum_counts(*values: object) -> int | None:
    counts = [c for c in (as_count(v) for v in values) if c is not None]
    return sum(counts) if counts else None


class BlueskyConnector:
    """Post search for each brand term and hashtag."""

    kind = "bluesky"
    label = "bluesky"

    def __init__(self, spec: BlueskySource) -> None:
        self.spec = spec

    def pages(self, ctx: FetchContext) -> Iterator[list[MentionRow]]:
        terms = ctx.query.search_terms()
        if not terms:
            raise SourceError("failed", "fetch.error.no_terms")
        credential, base = self._login(ctx)
        languages = ctx.query.languages
        for term in terms:
            cursor: str | None = None
            # Incremental reads: only posts from the newest one read last time on (``since`` is
            # inclusive: that post comes back and the merge drops it as already known).
            since_key = "since:" + term
            since = _iso_or_none(ctx.cursor.get(since_key))
            for _ in range(ctx.limits.max_pages):
                params: dict[str, Any] = {"q": term, "limit": PAGE_SIZE, "sort": "latest"}
                if len(languages) == 1:
                    params["lang"] = languages[0]
                if since:
                    params["since"] = since
                if cursor:
                    params["cursor"] = cursor
                try:
                    found, _ = ctx.client.get_json(f"{base}/app.bsky.feed.searchPosts", params=params, credential=credential)
                except SourceError as error:
                    if error.http_status in (401, 403):
                        key = "fetch.error.bluesky_login_needed" if credential is None else "fetch.error.bluesky_login_refused"
                        raise SourceError("refused", key, http_status=error.http_status, env=self.spec.password_env) from None
                    raise
                posts = found.get("posts") if isinstance(found, dict) else None
                if not isinstance(posts, list):
                    raise SourceError("failed", "fetch.error.malformed", what="Bluesky JSON")
                _advance(ctx, since_key, posts)
                yield convert_items(ctx, posts, lambda p: post_row(p, web_url=self.spec.web_url, touchpoint=self.spec.touchpoint))
                cursor = found.get("cursor")
                # The cursor is an opaque text sent back as a parameter, never a URL to follow.
                cursor = cursor if isinstance(cursor, str) else None
                if not cursor or not posts:
                    break
            else:
                ctx.limited = True

    def _login(self, ctx: FetchContext) -> tuple[Credential | None, str]:
        """The session's credential and the base URL to search on (the public one when there is no login).

        The app password and the session token are both bound to ``base_url``'s origin: a
        redirect of the login elsewhere is refused, not followed with the password.
        """
        handle = self.spec.handle or (os.environ.get(self.spec.handle_env) if self.spec.handle_env else None)
        if handle is None and self.spec.handle_env and ctx.secrets:
            handle = ctx.secrets.get(self.spec.handle_env)
        password = ctx.secret(self.spec.password_env)
        if not handle or not password:
            ctx.note("fetch.note.bluesky_no_login", env=self.spec.password_env or "BLUESKY_APP_PASSWORD")
            return None, self.spec.public_url
        try:
            session = ctx.client.post_json(
                f"{self.spec.base_url}/com.atproto.server.createSession",
                json={"identifier": handle, "password": password.reveal()},
                credential=Credential.in_body(self.spec.base_url),
            )
        except SourceError as error:
            if error.http_status in (400, 401, 403):
                raise SourceError("refused", "fetch.error.bluesky_login_refused", http_status=error.http_status, env=self.spec.password_env) from None
            raise
        token = session.get("accessJwt") if isinstance(session, dict) else None
        if not isinstance(token, str) or not token:
            raise SourceError("failed", "fetch.error.malformed", what="Bluesky session")
        return Credential.bearer(self.spec.base_url, token), self.spec.base_url


def _iso_or_none(value: Any) -> str | None:
    """A stored ``since`` value back as an ISO text, ``None`` when it is not one."""
    moment = parse_iso(value) if isinstance(value, str) else None
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _advance(ctx: FetchContext, key: str, posts: list[Any]) -> None:
    """Move ``ctx.next_cursor[key]`` to the newest time a post of ``posts`` was indexed (or written).

    A time in the future (a client's wrong clock in ``createdAt``) is ignored: it would hide
    every post until then.
    """
    latest_sane = datetime.now(UTC) + timedelta(minutes=10)
    moments: list[datetime] = []
    for post in posts:
        if not isinstance(post, dict):
            continue
        record = post.get("record")
        moment = parse_iso(post.get("indexedAt")) or (parse_iso(record.get("createdAt")) if isinstance(record, dict) else None)
        if moment is not None and moment <= latest_sane:
            moments.append(moment)
    previous = ctx.next_cursor.get(key)
    if isinstance(previous, str) and (known := parse_iso(previous)):
        moments.append(known)
    if moments:
        ctx.next_cursor[key] = max(moments).isoformat().replace("+00:00", "Z")
