"""Display formatting: numbers, shares, dates and category names in the user's language.

The functions live in :mod:`ascolto_core.formatting` so the PDF report prints
every figure exactly as the pages do; this module keeps the app's import path.
"""

from __future__ import annotations

from ascolto_core.formatting import (
    category_name,
    fmt_date,
    fmt_datetime,
    fmt_decimal,
    fmt_int,
    fmt_pct,
    fmt_signed,
    with_labels,
)

__all__ = ["category_name", "fmt_date", "fmt_datetime", "fmt_decimal", "fmt_int", "fmt_pct", "fmt_signed", "with_labels"]
