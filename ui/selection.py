"""Turning a chart's interval selection into the shared date filter."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import streamlit as st

from ui.charts import BRUSH
from ui.filters import set_date_range


def _to_date(value: Any) -> date | None:
    # Vega-Lite reports temporal bounds as epoch milliseconds (dates at UTC midnight) or ISO strings.
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, tz=UTC).date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def brushed_range(selection: Mapping[str, Any] | None) -> tuple[date, date] | None:
    """The (first, last) day of the ``periodo`` brush in a chart selection state, if any."""
    if not selection:
        return None
    brush = (selection.get("selection") or {}).get(BRUSH) or {}
    bounds = brush.get("period") if isinstance(brush, Mapping) else None
    if not bounds or len(bounds) != 2:
        return None
    start, end = _to_date(bounds[0]), _to_date(bounds[1])
    if start is None or end is None:
        return None
    return (start, end) if start <= end else (end, start)


def apply_brush(chart_key: str) -> None:
    """``on_select`` callback: narrow the sidebar dates to the brushed range (runs before the rerun)."""
    picked = brushed_range(st.session_state.get(chart_key))
    if picked is not None:
        set_date_range(*picked)
