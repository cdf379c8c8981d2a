"""Display formatting shared by the app and the report: numbers, shares, dates and category names.

Italian uses a decimal comma, a thousands dot and day-first dates; English the
usual point, comma and ISO dates. Pure functions (no Streamlit), so the pages
(through ``ui.format``) and the PDF report print every figure the same way.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl

from ascolto_core.i18n import t


def fmt_int(value: int | float | None, lang: str, *, signed: bool = False) -> str:
    """``12345`` -> ``"12.345"`` (it) / ``"12,345"`` (en), ``"+12.345"`` when ``signed``; None -> ``"–"``."""
    if value is None:
        return "–"
    text = f"{int(round(value)):{'+' if signed else ''},}"
    return text.replace(",", ".") if lang == "it" else text


def fmt_pct(share: float | None, lang: str, *, digits: int = 0) -> str:
    """``0.237`` -> ``"24%"``; None -> ``"–"``."""
    if share is None:
        return "–"
    text = f"{share * 100:.{digits}f}%"
    return text.replace(".", ",") if lang == "it" else text


def fmt_signed(value: float | None, lang: str, *, digits: int = 2) -> str:
    """Net sentiment as ``"+0,12"`` / ``"-0.30"``; None -> ``"–"``."""
    if value is None:
        return "–"
    text = f"{value:+.{digits}f}"
    return text.replace(".", ",") if lang == "it" else text


def fmt_decimal(value: float | None, lang: str, *, digits: int = 1) -> str:
    """``3.25`` -> ``"3,3"`` (it) / ``"3.3"`` (en), thousands grouped; None or NaN -> ``"–"``."""
    if value is None or value != value:
        return "–"
    text = f"{value:,.{digits}f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "it" else text


def fmt_date(value: date | datetime | None, lang: str) -> str:
    """A day as ``"14/09/2026"`` (it) or ``"2026-09-14"`` (en)."""
    if value is None:
        return "–"
    return value.strftime("%d/%m/%Y") if lang == "it" else value.strftime("%Y-%m-%d")


def fmt_datetime(value: datetime | None, lang: str, tz: str) -> str:
    """A UTC timestamp shown in the display time zone, e.g. ``"14/09/2026 21:05"``."""
    if value is None:
        return "–"
    if value.tzinfo is not None:
        value = value.astimezone(ZoneInfo(tz))
    return value.strftime("%d/%m/%Y %H:%M") if lang == "it" else value.strftime("%Y-%m-%d %H:%M")


def category_name(area: str, key: str | None, lang: str) -> str:
    """Display name of a touchpoint/sentiment/emotion key; unknown keys are shown as they are."""
    if key is None:
        return t("app.common.unknown", lang)
    if key in ("unanalysed", "all"):  # pseudo-groups of the insights frames
        return t(f"app.common.{'unanalysed' if key == 'unanalysed' else 'all_mentions'}", lang)
    label = t(f"{area}.{key}", lang)
    return key if label == f"{area}.{key}" else label


def with_labels(frame: pl.DataFrame, column: str, area: str, lang: str, *, alias: str | None = None) -> pl.DataFrame:
    """Add ``<column>_label`` (or ``alias``): display names of the keys in ``column``."""
    values = frame.get_column(column).unique().to_list()
    mapping = {v: category_name(area, v, lang) for v in values if v is not None}
    label = pl.col(column).replace_strict(mapping, default=t("app.common.unknown", lang), return_dtype=pl.String)
    return frame.with_columns(label.alias(alias or f"{column}_label"))
