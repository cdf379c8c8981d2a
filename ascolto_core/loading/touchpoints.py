"""Touchpoint of each mention from source names, page types and URLs (rules in ``config/touchpoints.yaml``).

Rules run on the distinct values of each input only (a million mentions come
from a handful of sources and hosts), then are mapped back: fast and vectorised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from ascolto_core.config import load_config
from ascolto_core.loading.values import map_distinct, unchanged
from ascolto_core.schema import TOUCHPOINTS

# Host plus first path segment: "https://www.google.com/maps/..." -> "google.com/maps".
_HOST_AND_PATH = r"^\s*(?:[a-zA-Z][a-zA-Z0-9+.\-]*://)?(?:[wW]{3}\.|m\.|mobile\.)?([^/?#\s]+(?:/[^/?#\s]*)?)"


@dataclass(frozen=True)
class TouchpointRules:
    """Ordered (touchpoint, regex) rules and the brand's own domains."""

    rules: tuple[tuple[str, str], ...]
    own_domains: tuple[str, ...] = ()

    @classmethod
    def from_config(cls) -> TouchpointRules:
        """Read ``config/touchpoints.yaml``.

        Raises:
            ValueError: if a rule names a touchpoint that is not in ``schema.TOUCHPOINTS``
                or a pattern is not a valid regular expression.
        """
        config = load_config("touchpoints")
        rules: list[tuple[str, str]] = []
        for rule in config.get("rules", []):
            key = rule["touchpoint"]
            if key not in TOUCHPOINTS:
                raise ValueError(f"config/touchpoints.yaml: unknown touchpoint {key!r}")
            for pattern in rule.get("patterns", []):
                re.compile(pattern)
                rules.append((key, pattern))
        own = tuple(str(d).lower() for d in config.get("own_domains", []) or [])
        return cls(rules=tuple(rules), own_domains=own)


def _classify(values: pl.Series, rules: TouchpointRules, *, own_site: bool) -> pl.Series:
    """Touchpoint for each distinct folded value (null when no rule matches)."""
    expr = pl.col("v")
    chain: pl.Expr | None = None
    conditions: list[tuple[pl.Expr, str]] = []
    if own_site and rules.own_domains:
        pattern = r"^(?:[^/]*\.)?(?:" + "|".join(re.escape(d) for d in rules.own_domains) + r")(?:/|$)"
        conditions.append((expr.str.contains(pattern), "website"))
    conditions += [(expr.str.contains(pattern), key) for key, pattern in rules.rules]
    for condition, key in conditions:
        chain = (pl.when(condition) if chain is None else chain.when(condition)).then(pl.lit(key))  # type: ignore[attr-defined]
    if chain is None:
        return pl.repeat(None, len(values), dtype=pl.String, eager=True).alias("t")
    return values.to_frame("v").select(chain.otherwise(pl.lit(None, dtype=pl.String)).alias("t")).to_series()


def _fold(expr: pl.Expr) -> pl.Expr:
    # Lower case, no accents, "_" as a space (SOCIALMEDIA_TWITTER).
    folded = expr.cast(pl.String).str.strip_chars().str.to_lowercase().str.normalize("NFKD")
    return folded.str.replace_all(r"\p{M}", "").str.replace_all("_", " ", literal=True)


def _per_value(column: pl.Series, rules: TouchpointRules, *, url: bool = False, keys_pass: bool = False) -> pl.Series:
    """Classify the distinct values only, then map back (a million rows have few sources).

    ``keys_pass``: values that already are canonical keys ("google_reviews") are kept as they are.
    """
    values = column.cast(pl.String)
    if url:
        # Host and first path segment; URLs are mostly distinct, so this runs only on rows nothing else decided.
        values = values.str.extract(_HOST_AND_PATH)
    distinct = values.drop_nulls().unique()
    if distinct.is_empty():
        return pl.repeat(None, len(column), dtype=pl.String, eager=True).alias(column.name)
    folded = distinct.to_frame("v").select(_fold(pl.col("v"))).to_series()
    found = _classify(folded, rules, own_site=url)
    if keys_pass:
        found = pl.select(pl.when(folded.is_in(TOUCHPOINTS)).then(folded).otherwise(found)).to_series()
    if unchanged(distinct, found):
        return values.alias(column.name)
    return map_distinct(values, distinct, found).alias(column.name)


def derive_touchpoints(
    *,
    length: int,
    touchpoint: pl.Series | None = None,
    channel: pl.Series | None = None,
    url: pl.Series | None = None,
    source: pl.Series | None = None,
    rules: TouchpointRules | None = None,
) -> pl.Series:
    """The canonical touchpoint of each mention.

    Inputs are tried in order of trust (an explicit touchpoint column, the page
    or source type, the source name, the URL's host and first path segment);
    the first that matches a rule decides; no match anywhere gives "other".
    Only rows still undecided reach the next input.

    Args:
        length: number of mentions (used when no input column exists).
        touchpoint, channel, url, source: optional raw columns of the file.
        rules: the rules; default from ``config/touchpoints.yaml``.

    Returns:
        A String series whose values are all in ``schema.TOUCHPOINTS``.
    """
    rules = rules or TouchpointRules.from_config()
    result = pl.repeat(None, length, dtype=pl.String, eager=True).alias("touchpoint")
    # (column, is a URL, canonical keys pass as they are)
    ordered = ((touchpoint, False, True), (channel, False, False), (source, False, False), (url, True, False))
    for column, is_url, keys_pass in ordered:
        if column is None:
            continue
        undecided = result.is_null()
        if not undecided.any():
            break
        if undecided.all():
            result = _per_value(column, rules, url=is_url, keys_pass=keys_pass)
        else:
            rows = undecided.arg_true()
            result = result.scatter(rows, _per_value(column.gather(rows), rules, url=is_url, keys_pass=keys_pass))
    return result.fill_null("other").alias("touchpoint")
