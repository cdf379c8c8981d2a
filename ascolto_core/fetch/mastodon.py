"""Mastodon: public hashtag timelines and status search on any instance.

* ``GET /api/v1/timelines/tag/:hashtag`` with ``any[]`` (the other hashtags) and ``none[]``
  (excluded hashtags), paginated through the ``Link: <...max_id=...>; rel="next"`` header.
* ``GET /api/v2/search?type=statuses&q=...`` for each brand term; most instances answer
  it only with an access token (``token_env`` in the query file).

Since Mastodon 4.5 an instance can reserve hashtag timelines to logged-in users; it then
answers 401/422 or an empty list to anonymous requests. An empty anonymous answer is
checked against ``/api/v2/instance`` (``configuration.timelines_access.hashtag_feeds``) so
the report says "login needed" instead of "nothing new".

Touchpoint: the schema has no Mastodon channel; posts are public social posts that are
neither a forum thread nor X, so they default to ``"other"`` (``touchpoint:`` overrides it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urljoin

import httpx

from ascolto_core.fetch.base import FetchContext, MentionRow, as_count, convert_items, html_to_text, lang_code, parse_iso
from ascolto_core.fetch.http import Credential, SourceError
from ascolto_core.fetch.query import MastodonSource, host_of

PAGE_SIZE = 40  # the documented maximum for both endpoints


def status_row(status: dict[str, Any], *, host: str, touchpoint: str) -> MentionRow | None:
    """One Mastodon ``Status`` entity as a canonical row (``None`` when it has no text).

    Boosts (``reblog``) are read as the boosted post itself.

    Raises:
        AttributeError, TypeError: a field of the wrong shape (the caller counts it as malformed).
    """
    status = status.get("reblog") or status
    text = "\n".join(p for p in (html_to_text(status.get("spoiler_text")), html_to_text(status.get("content"))) if p)
    if not text or not status.get("id"):
        return None
    if not isinstance(status["id"], str | int) or isinstance(status["id"], bool):
        raise TypeError(f"expected a text or number id, got {type(status['id']).__name__}")
    account = status.get("account") or {}
    acct = account.get("acct") or account.get("username")
    return {
        "id": f"mastodon:{host}:{status['id']}",
        "text": text,
        "created_at": parse_iso(status.get("created_at")),
        "touchpoint": touchpoint,
        "source": f"mastodon:{host}",
        "author": f"@{acct}" if acct else None,
        "url": status.get("url") or status.get("uri"),
        "lang": lang_code(status.get("language")),
        "likes": as_count(status.get("favourites_count")),
        "shares": as_count(status.get("reblogs_count")),
        "comments": as_count(status.get("replies_count")),
        # The answered status, in the same id space (conversations and response times).
        "reply_to": f"mastodon:{host}:{status['in_reply_to_id']}" if status.get("in_reply_to_id") else None,
    }


def next_page_url(response: httpx.Response) -> str | None:
    """The ``rel="next"`` link of a page, absolute; ``None`` on the last page.

    A relative link is legal (RFC 8288). Whatever origin the link names, the shared client
    decides whether the credential may go there.

    Raises:
        SourceError: ``fetch.error.malformed`` when the link is not an http(s) address.
    """
    link = response.links.get("next", {}).get("url")
    if not link:
        return None
    try:
        url = urljoin(str(response.url), link)
        scheme = httpx.URL(url).scheme
    except (ValueError, httpx.InvalidURL):
        scheme = ""
    if scheme not in ("http", "https"):
        raise SourceError("failed", "fetch.error.malformed", what="Link")
    return url


class MastodonConnector:
    """Hashtag timelines and status search on one instance."""

    kind = "mastodon"

    def __init__(self, spec: MastodonSource) -> None:
        self.spec = spec
        self.label = spec.label
        self.host = host_of(spec.base_url)

    def pages(self, ctx: FetchContext) -> Iterator[list[MentionRow]]:
        token = ctx.secret(self.spec.token_env)
        # The token belongs to this instance: the client refuses it anywhere else (next links too).
        credential = Credential.bearer(self.spec.base_url, token) if token else None
        hashtags = self.spec.hashtags or ctx.query.hashtags
        searching = self.spec.search and bool(ctx.query.brand_terms)
        if searching and not token:
            ctx.note("fetch.note.mastodon_search_needs_token", env=self.spec.token_env or "MASTODON_TOKEN")
            searching = False
        if not hashtags and not searching:
            raise SourceError("refused", "fetch.error.mastodon_nothing_to_ask", env=self.spec.token_env or "MASTODON_TOKEN")
        if hashtags:
            yield from self._tag_timeline(ctx, hashtags, credential)
        if searching:
            for term in ctx.query.brand_terms:
                yield from self._search(ctx, term, credential)

    def _tag_timeline(
        self, ctx: FetchContext, hashtags: tuple[str, ...], credential: Credential | None
    ) -> Iterator[list[MentionRow]]:
        anonymous = credential is None
        excluded_tags = [t.lstrip("#") for t in ctx.query.excluded_terms if t.startswith("#")]
        # The newest status read last time, per set of hashtags (another set starts afresh).
        cursor_key = "tag:" + ",".join(hashtags)
        since = _status_id(ctx.cursor.get(cursor_key))
        params: list[tuple[str, Any]] | None = [("limit", PAGE_SIZE)]
        params += [("any[]", tag) for tag in hashtags[1:]]
        params += [("none[]", tag) for tag in excluded_tags]
        if since:
            params.append(("since_id", since))
        url: str | None = f"{self.spec.base_url}/api/v1/timelines/tag/{quote(hashtags[0], safe='')}"
        for page in range(ctx.limits.max_pages):
            try:
                statuses, response = ctx.client.get_json(url, params=params, credential=credential)
            except SourceError as error:
                if error.http_status in (401, 403, 422):
                    key = "fetch.error.mastodon_login_needed" if anonymous else "fetch.error.mastodon_token_refused"
                    raise SourceError("refused", key, http_status=error.http_status, instance=self.host) from None
                if error.http_status == 404:
                    raise SourceError("failed", "fetch.error.mastodon_not_found", http_status=404, instance=self.host) from None
                raise
            if not isinstance(statuses, list):
                raise SourceError("failed", "fetch.error.malformed", what="Mastodon JSON")
            if page == 0 and not statuses and anonymous and not since:
                self._explain_empty_anonymous(ctx)
            fresh = _newer_than(statuses, since)
            _advance(ctx, cursor_key, fresh)
            # Known statuses an answer still carries are kept: the merge drops them, and their
            # fresh counts feed the "growing between rounds" rule.
            yield self._rows(ctx, statuses)
            url = next_page_url(response)
            params = None  # the next link carries every parameter but since_id: stop once known ones show up
            if not url or not statuses or len(fresh) < len(statuses):
                return
        ctx.limited = True

    def _explain_empty_anonymous(self, ctx: FetchContext) -> None:
        """An empty anonymous answer: a quiet hashtag, or an instance reserving hashtags to users?"""
        try:
            instance, _ = ctx.client.get_json(f"{self.spec.base_url}/api/v2/instance")
            access = instance["configuration"]["timelines_access"]["hashtag_feeds"]
        except (SourceError, KeyError, TypeError):
            ctx.note("fetch.note.mastodon_empty_anonymous", instance=self.host)
            return
        restricted = sorted(k for k, v in access.items() if v != "public") if isinstance(access, dict) else []
        if restricted:
            raise SourceError("refused", "fetch.error.mastodon_login_needed", instance=self.host)

    def _search(self, ctx: FetchContext, term: str, credential: Credential | None) -> Iterator[list[MentionRow]]:
        url = f"{self.spec.base_url}/api/v2/search"
        cursor_key = "search:" + term
        since = _status_id(ctx.cursor.get(cursor_key))
        for page in range(ctx.limits.max_pages):
            params: dict[str, Any] = {"q": term, "type": "statuses", "limit": PAGE_SIZE, "offset": page * PAGE_SIZE}
            if since:
                params["min_id"] = since  # only statuses newer than the last read
            try:
                found, _ = ctx.client.get_json(url, params=params, credential=credential)
            except SourceError as error:
                if error.http_status in (401, 403):
                    raise SourceError("refused", "fetch.error.mastodon_token_refused", http_status=error.http_status, instance=self.host) from None
                raise
            statuses = found.get("statuses") if isinstance(found, dict) else None
            if not isinstance(statuses, list):
                raise SourceError("failed", "fetch.error.malformed", what="Mastodon JSON")
            fresh = _newer_than(statuses, since)
            _advance(ctx, cursor_key, fresh)
            yield self._rows(ctx, statuses)
            if len(statuses) < PAGE_SIZE or len(fresh) < len(statuses):
                return
        ctx.limited = True

    def _rows(self, ctx: FetchContext, statuses: list[Any]) -> list[MentionRow]:
        return convert_items(ctx, statuses, lambda s: status_row(s, host=self.host, touchpoint=self.spec.touchpoint))


def _status_id(value: Any) -> str | None:
    """A status id as Mastodon writes it (a string of digits), else ``None``."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and value.isdigit() and len(value) <= 30 else None


def _id_order(value: str) -> tuple[int, str]:
    # Mastodon ids are growing integers written as text: compare by length, then digits.
    return (len(value), value)


def _newer_than(statuses: list[Any], since: str | None) -> list[Any]:
    """The statuses newer than ``since`` (all of them without a cursor); items without a usable id stay."""
    if since is None:
        return statuses
    kept = []
    for status in statuses:
        sid = _status_id(status.get("id")) if isinstance(status, dict) else None
        if sid is None or _id_order(sid) > _id_order(since):
            kept.append(status)
    return kept


def _advance(ctx: FetchContext, key: str, statuses: list[Any]) -> None:
    """Move ``ctx.next_cursor[key]`` to the newest status id in ``statuses``."""
    ids = [sid for s in statuses if isinstance(s, dict) and (sid := _status_id(s.get("id")))]
    current = _status_id(ctx.next_cursor.get(key))
    if current:
        ids.append(current)
    if ids:
        ctx.next_cursor[key] = max(ids, key=_id_order)
