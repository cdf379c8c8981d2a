"""Conversations and response times: do we answer our customers, and how fast?

A reply is a mention whose ``reply_to`` names another mention's ``id``. The
brand answered a customer post when one of its own posts (``is_own``, see
:mod:`ascolto_core.insights.voice`) replies to it, at or after the post's
time. "Answerable" posts are the customers' complaints (negative) and
questions (``is_question``): the ones that need an answer.

Every function takes ``frame`` (the posts to look at, e.g. the filtered
customer mentions) and optional ``replies`` (where to look for the brand's
replies, e.g. the whole dataset, so a sentiment filter does not hide them;
default: ``frame`` itself).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ascolto_core.errors import AscoltoError
from ascolto_core.insights._frame import ensure_columns, local_time, resolve_tz

RESPONSE_BY: tuple[str, ...] = ("touchpoint", "hour", "weekday")
# Why the figures cannot be computed (None when they can).
NO_REPLY_LINKS = "no_reply_links"
NO_OWN_POSTS = "no_own_posts"


@dataclass(frozen=True)
class ResponseSummary:
    """How the brand answers its customers' complaints and questions.

    Every figure is None when ``missing`` says why it cannot be computed:
    ``"no_reply_links"`` (no ``reply_to`` in the data) or ``"no_own_posts"``
    (nobody is known to be the brand: its own accounts are needed).

    Attributes:
        answerable: customer complaints and questions.
        answered: those with at least one reply from the brand.
        answered_share: answered / answerable (None when there is nothing to answer).
        median_first_response_minutes: median time to the brand's first reply.
        p90_first_response_minutes: 90th percentile of that time.
        unanswered: answerable - answered.
        missing: why the figures are None, else None.
    """

    answerable: int | None
    answered: int | None
    answered_share: float | None
    median_first_response_minutes: float | None
    p90_first_response_minutes: float | None
    unanswered: int | None
    missing: str | None = None

    def as_dict(self) -> dict[str, int | float | None]:
        """The figures as plain JSON data (``missing`` left out)."""
        return {
            "answerable": self.answerable,
            "answered": self.answered,
            "answered_share": self.answered_share,
            "median_first_response_minutes": self.median_first_response_minutes,
            "p90_first_response_minutes": self.p90_first_response_minutes,
            "unanswered": self.unanswered,
        }


def has_reply_links(frame: pl.DataFrame) -> bool:
    """True when some mention names the mention it answers (``reply_to``)."""
    return "reply_to" in frame.columns and frame.get_column("reply_to").drop_nulls().len() > 0


def missing_reason(frame: pl.DataFrame, replies: pl.DataFrame | None = None) -> str | None:
    """Why response figures cannot be computed for ``frame`` (see :class:`ResponseSummary`), else None."""
    pool = frame if replies is None else replies
    if not has_reply_links(pool):
        return NO_REPLY_LINKS
    if "is_own" not in pool.columns or not pool.get_column("is_own").fill_null(False).any():
        return NO_OWN_POSTS
    return None


def _answerable_expr(brand: str | None) -> pl.Expr:
    customer = ~pl.col("is_own").fill_null(False)
    needs_answer = ((pl.col("sentiment") == "negative") | pl.col("is_question").fill_null(False)).fill_null(False)
    if brand:
        # A complaint about a competitor is not ours to answer.
        customer = customer & (pl.col("brand").is_null() | (pl.col("brand") == brand))
    return customer & needs_answer


def first_responses(frame: pl.DataFrame, replies: pl.DataFrame | None = None, brand: str | None = None) -> pl.DataFrame:
    """One row per answerable customer post, oldest first, with the brand's first reply.

    Replies that carry no time or come before the post (clock skew, a wrong
    link) are ignored; replies by anyone but the brand do not count. With
    ``brand`` (the profile's brand), posts about another brand are not answerable.

    Returns:
        The post's columns plus ``first_response_at`` (Datetime UTC, null when
        unanswered), ``first_response_minutes`` (Float64) and ``replies``
        (UInt32: the brand's replies to it).
    """
    posts = ensure_columns(frame).filter(_answerable_expr(brand))
    pool = ensure_columns(frame if replies is None else replies)
    own = pool.filter(pl.col("is_own").fill_null(False) & pl.col("reply_to").is_not_null()).select(
        pl.col("reply_to").alias("id"), pl.col("created_at").alias("_reply_at")
    )
    timed = (
        posts.select("id", "created_at")
        .join(own, on="id", how="inner")
        .filter(pl.col("_reply_at").is_not_null() & (pl.col("_reply_at") >= pl.col("created_at")))
        .group_by("id")
        .agg(pl.col("_reply_at").min().alias("first_response_at"), pl.len().cast(pl.UInt32).alias("replies"))
    )
    out = posts.join(timed, on="id", how="left", maintain_order="left").with_columns(
        pl.col("replies").fill_null(0),
        ((pl.col("first_response_at") - pl.col("created_at")).dt.total_seconds() / 60.0)
        .cast(pl.Float64)
        .alias("first_response_minutes"),
    )
    return out.sort("created_at", nulls_last=True, maintain_order=True)


def _figures() -> list[pl.Expr]:
    answered = pl.col("first_response_at").is_not_null().sum().cast(pl.Int64)
    minutes = pl.col("first_response_minutes")
    return [
        pl.len().cast(pl.Int64).alias("answerable"),
        answered.alias("answered"),
        pl.when(pl.len() > 0).then(answered / pl.len()).otherwise(None).cast(pl.Float64).alias("answered_share"),
        minutes.median().cast(pl.Float64).alias("median_minutes"),
        minutes.quantile(0.9, interpolation="linear").cast(pl.Float64).alias("p90_minutes"),
    ]


def response_summary(
    frame: pl.DataFrame,
    replies: pl.DataFrame | None = None,
    brand: str | None = None,
    *,
    answered: pl.DataFrame | None = None,
) -> ResponseSummary:
    """Share answered and time to first reply of the customers' complaints and questions in ``frame``.

    Args:
        frame: the posts to look at (own posts in it are never answerable).
        replies: where the brand's replies are looked up (default ``frame``).
        brand: the profile's brand (posts about other brands are not answerable).
        answered: :func:`first_responses` of the same arguments, when the caller has it already
            (a page computing several views at once); never a different computation.
    """
    missing = missing_reason(frame, replies)
    if missing is not None:
        return ResponseSummary(None, None, None, None, None, None, missing)
    posts = first_responses(frame, replies, brand) if answered is None else answered
    row = posts.select(_figures()).row(0, named=True)
    answerable, answered = int(row["answerable"]), int(row["answered"])
    return ResponseSummary(
        answerable=answerable,
        answered=answered,
        answered_share=row["answered_share"],
        median_first_response_minutes=row["median_minutes"],
        p90_first_response_minutes=row["p90_minutes"],
        unanswered=answerable - answered,
    )


def response_times(
    frame: pl.DataFrame,
    by: str = "touchpoint",
    replies: pl.DataFrame | None = None,
    tz: str | None = None,
    brand: str | None = None,
    *,
    answered: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Answered share and time to first reply per touchpoint, per hour or per weekday of arrival.

    Args:
        by: "touchpoint", "hour" (0-23, display zone) or "weekday" (1 = Monday .. 7 = Sunday).

    Returns:
        ``by, answerable, answered, answered_share, median_minutes, p90_minutes``,
        in touchpoint order of volume, or hour/weekday order (every hour/day
        present, zero where nothing arrived); empty when :func:`missing_reason`.

    Raises:
        AscoltoError: ``insights.bad_split`` for an unknown ``by``.
    """
    if by not in RESPONSE_BY:
        raise AscoltoError("insights.bad_split", split=by, allowed=", ".join(RESPONSE_BY))
    tz = resolve_tz(tz)
    key_type = pl.String() if by == "touchpoint" else pl.Int8()
    schema = {by: key_type, "answerable": pl.Int64(), "answered": pl.Int64(), "answered_share": pl.Float64(),
              "median_minutes": pl.Float64(), "p90_minutes": pl.Float64()}
    if missing_reason(frame, replies) is not None:
        return pl.DataFrame(schema=schema)
    posts = first_responses(frame, replies, brand) if answered is None else answered
    if by == "touchpoint":
        key = pl.col("touchpoint").fill_null("other")
        return posts.group_by(key.alias(by)).agg(_figures()).sort("answerable", by, descending=[True, False]).cast(schema)
    key = (local_time(tz).dt.hour() if by == "hour" else local_time(tz).dt.weekday()).cast(pl.Int8)
    grouped = posts.filter(pl.col("created_at").is_not_null()).group_by(key.alias(by)).agg(_figures())
    every = pl.DataFrame({by: pl.Series(range(24) if by == "hour" else range(1, 8), dtype=pl.Int8)})
    return (
        every.join(grouped, on=by, how="left")
        .with_columns(pl.col("answerable").fill_null(0), pl.col("answered").fill_null(0))
        .sort(by)
        .cast(schema)
    )


def unanswered(
    frame: pl.DataFrame,
    replies: pl.DataFrame | None = None,
    brand: str | None = None,
    *,
    answered: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The customers' complaints and questions with no reply from the brand, oldest first.

    Empty (with ``frame``'s columns) when :func:`missing_reason` says the data cannot tell.
    """
    if missing_reason(frame, replies) is not None:
        return ensure_columns(frame).clear()
    posts = first_responses(frame, replies, brand) if answered is None else answered
    return posts.filter(pl.col("first_response_at").is_null()).drop("first_response_at", "first_response_minutes", "replies")


def conversation(frame: pl.DataFrame, mention_id: str) -> pl.DataFrame:
    """The whole thread ``mention_id`` belongs to: its first post, every reply and follow-up, by time.

    Walks up ``reply_to`` to the opening post present in ``frame``, then down to
    every mention answering it, directly or not (cycles are cut).

    Returns:
        ``frame``'s rows of the thread plus ``depth`` (0 = opening post), sorted by
        time; empty when ``mention_id`` is not in ``frame``.
    """
    data = ensure_columns(frame)
    links = data.select("id", "reply_to").filter(pl.col("id").is_not_null())
    if links.filter(pl.col("id") == mention_id).is_empty():
        return data.clear().with_columns(pl.lit(None, dtype=pl.UInt32).alias("depth"))
    # Up to the opening post: a few vectorised look-ups, never a Python loop over every row.
    root, seen = mention_id, {mention_id}
    while True:
        parent = links.filter(pl.col("id") == root).get_column("reply_to").drop_nulls()
        if parent.is_empty() or parent[0] in seen or links.filter(pl.col("id") == parent[0]).is_empty():
            break
        root = parent[0]
        seen.add(root)
    depth: dict[str, int] = {root: 0}
    frontier, level = [root], 0
    while frontier:
        level += 1
        children = links.filter(pl.col("reply_to").is_in(frontier)).get_column("id").unique().to_list()
        frontier = [child for child in children if child not in depth]
        depth.update(dict.fromkeys(frontier, level))
    depths = pl.DataFrame({"id": list(depth), "depth": pl.Series(list(depth.values()), dtype=pl.UInt32)})
    return data.join(depths, on="id", how="inner").sort("created_at", "depth", nulls_last=True)


@dataclass(frozen=True)
class WeekendGap:
    """Time to first reply for posts arriving on weekdays (Mon-Fri) versus at the weekend (display zone).

    Attributes:
        weekday_median_minutes, weekend_median_minutes: median minutes to the first reply (None: none answered).
        weekday_answered_share, weekend_answered_share: answered / answerable (None: nothing to answer).
        weekday_answerable, weekend_answerable: how many complaints and questions arrived.
    """

    weekday_median_minutes: float | None
    weekend_median_minutes: float | None
    weekday_answered_share: float | None
    weekend_answered_share: float | None
    weekday_answerable: int
    weekend_answerable: int


def weekend_gap(
    frame: pl.DataFrame,
    replies: pl.DataFrame | None = None,
    tz: str | None = None,
    brand: str | None = None,
    *,
    answered: pl.DataFrame | None = None,
) -> WeekendGap | None:
    """How much later the brand answers what arrives at the weekend (None when :func:`missing_reason`)."""
    tz = resolve_tz(tz)
    if missing_reason(frame, replies) is not None:
        return None
    posts = (first_responses(frame, replies, brand) if answered is None else answered).filter(
        pl.col("created_at").is_not_null()
    )
    parts = posts.group_by((local_time(tz).dt.weekday() >= 6).alias("weekend")).agg(_figures())
    by = {row["weekend"]: row for row in parts.iter_rows(named=True)}
    weekday, weekend = by.get(False, {}), by.get(True, {})
    return WeekendGap(
        weekday_median_minutes=weekday.get("median_minutes"),
        weekend_median_minutes=weekend.get("median_minutes"),
        weekday_answered_share=weekday.get("answered_share"),
        weekend_answered_share=weekend.get("answered_share"),
        weekday_answerable=int(weekday.get("answerable") or 0),
        weekend_answerable=int(weekend.get("answerable") or 0),
    )
