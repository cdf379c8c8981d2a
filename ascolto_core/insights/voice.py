"""The brand's own voice: which mentions the brand wrote itself, kept apart from its customers' mood.

Own posts (announcements, apologies, replies) are part of the conversation but
not of the customers' mood: the shared filter (:class:`MentionFilter.voice`)
leaves them out by default, so every KPI, chart, alert and list follows.
"""

from __future__ import annotations

import polars as pl

from ascolto_core.profile import BrandProfile

# What the shared filter may keep: customers only (default), the brand's own posts only, or everything.
VOICES: tuple[str, ...] = ("customers", "own", "all")
DEFAULT_VOICE = "customers"


def account_key(name: str) -> str:
    """How an account name is compared: lower case, no leading "@", single spaces ("@FornoBrio " -> "fornobrio")."""
    return " ".join(name.strip().lstrip("@").casefold().split())


def _author_key() -> pl.Expr:
    return (
        pl.col("author").cast(pl.String).str.strip_chars().str.strip_chars_start("@").str.to_lowercase()
        .str.replace_all(r"\s+", " ")
    )


def own_author_expr(profile: BrandProfile) -> pl.Expr | None:
    """The condition "the author is one of ``profile.own_accounts``" (None without own accounts); works on lazy frames."""
    accounts = sorted({account_key(a) for a in profile.own_accounts if account_key(a)})
    return _author_key().is_in(accounts).fill_null(False) if accounts else None


def mark_own(frame: pl.DataFrame, profile: BrandProfile) -> pl.DataFrame:
    """``frame`` with a Boolean ``is_own``: the author is one of ``profile.own_accounts``.

    Authors compare case-insensitively and with or without "@". With no own
    accounts in the profile, an ``is_own`` the frame already has is kept
    (a workspace may have marked it); otherwise every row is False.

    Raises:
        TypeError: ``frame`` is not a Polars DataFrame.
    """
    if not isinstance(frame, pl.DataFrame):
        raise TypeError(f"expected polars.DataFrame, got {type(frame).__name__}")
    own = own_author_expr(profile)
    if own is None:
        if "is_own" in frame.columns:
            return frame.with_columns(pl.col("is_own").cast(pl.Boolean).fill_null(False))
        return frame.with_columns(pl.lit(False).alias("is_own"))
    if "author" not in frame.columns:
        return frame.with_columns(pl.lit(False).alias("is_own"))
    return frame.with_columns(own.alias("is_own"))


def voice_expr(voice: str) -> pl.Expr | None:
    """The condition a voice choice puts on ``is_own`` (None: no condition).

    Raises:
        ValueError: ``voice`` is not one of ``VOICES`` (a caller bug).
    """
    if voice not in VOICES:
        raise ValueError(f"unknown voice {voice!r}, expected one of {VOICES}")
    if voice == "all":
        return None
    own = pl.col("is_own").fill_null(False)
    return ~own if voice == "customers" else own


def own_count(frame: pl.DataFrame) -> int:
    """How many mentions the brand wrote itself (0 when ``is_own`` is absent)."""
    if "is_own" not in frame.columns:
        return 0
    return int(frame.get_column("is_own").fill_null(False).sum())
