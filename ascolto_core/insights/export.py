"""Downloads of the filtered mentions: CSV and Excel that open safely in a spreadsheet.

Spreadsheets execute a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and
tab/CR tricks) as a formula: "CSV injection". Every text cell starting with
one of those gets a leading ``'`` so it shows as text. List columns (the
analysis drivers) become "a, b"; timestamps are written in the display time
zone without offset, as a person reading the sheet expects.

CSV is UTF-8 with a BOM so Excel shows Italian accents. The separator defaults
to ","; Italian-locale Excel splits columns only on ";", so the page may offer
``sep=";"`` (see :data:`EXCEL_IT_SEPARATOR`).
"""

from __future__ import annotations

import io

import polars as pl
import xlsxwriter

from ascolto_core.errors import AscoltoError
from ascolto_core.insights._frame import resolve_tz

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
EXCEL_IT_SEPARATOR = ";"
# Excel's hard limit on a cell; longer texts are cut with a visible marker.
EXCEL_CELL_LIMIT = 32_767
EXCEL_ROW_LIMIT = 1_048_575


def neutralise_expr(column: str) -> pl.Expr:
    """The string column with a ``'`` in front of any value a spreadsheet would run as a formula."""
    pattern = (
        "^["
        + "".join({"\t": r"\t", "\r": r"\r", "-": r"\-", "+": r"\+"}.get(c, c) for c in FORMULA_TRIGGERS)
        + "]"
    )
    value = pl.col(column)
    return pl.when(value.str.contains(pattern)).then(pl.lit("'") + value).otherwise(value).alias(column)


def _flat(name: str, dtype: pl.DataType, tz: str) -> pl.Expr:
    """One column as a spreadsheet can hold it."""
    col = pl.col(name)
    if isinstance(dtype, pl.List | pl.Array):
        return col.cast(pl.List(pl.String)).list.join(", ")
    if isinstance(dtype, pl.Datetime):
        utc = col.dt.convert_time_zone("UTC") if dtype.time_zone else col.dt.replace_time_zone("UTC")
        return utc.dt.convert_time_zone(tz).dt.replace_time_zone(None)
    if isinstance(dtype, pl.Struct):
        return col.struct.json_encode()
    if isinstance(dtype, pl.Binary):
        return col.bin.encode("base64")
    if isinstance(dtype, pl.Object):
        return col.map_elements(str, return_dtype=pl.String)
    if isinstance(dtype, pl.Categorical | pl.Enum):
        return col.cast(pl.String)
    return col


def spreadsheet_frame(frame: pl.DataFrame, tz: str | None = None) -> pl.DataFrame:
    """``frame`` made flat and safe: lists joined, datetimes local and naive, text neutralised."""
    tz = resolve_tz(tz)
    flat = frame.select(_flat(name, dtype, tz).alias(name) for name, dtype in frame.schema.items())
    texts = [n for n, d in flat.schema.items() if d == pl.String]
    return flat.with_columns(neutralise_expr(n) for n in texts)


def export_csv(frame: pl.DataFrame, *, tz: str | None = None, sep: str = ",") -> bytes:
    """CSV bytes (UTF-8 with BOM) of ``frame`` made safe for spreadsheets.

    Args:
        frame: the (filtered, analysed) mentions.
        tz: display time zone for timestamps (default from config).
        sep: "," (default, what most tools read) or ";" for Italian-locale Excel.

    Raises:
        AscoltoError: ``insights.bad_separator`` for a separator that is not one character.
    """
    if len(sep) != 1 or sep in '"\n\r':
        raise AscoltoError("insights.bad_separator", sep=sep)
    buffer = io.BytesIO()
    spreadsheet_frame(frame, tz).write_csv(
        buffer, include_bom=True, separator=sep, datetime_format="%Y-%m-%d %H:%M:%S", quote_style="necessary"
    )
    return buffer.getvalue()


def export_xlsx(frame: pl.DataFrame, *, tz: str | None = None, sheet: str = "mentions") -> bytes:
    """Excel (.xlsx) bytes of ``frame`` made safe: no cell is ever stored as a formula or link.

    Texts longer than Excel's cell limit are cut (ending in "…").

    Raises:
        AscoltoError: ``insights.too_many_rows`` beyond Excel's row limit.
    """
    if frame.height > EXCEL_ROW_LIMIT:
        raise AscoltoError("insights.too_many_rows", rows=frame.height, limit=EXCEL_ROW_LIMIT)
    flat = spreadsheet_frame(frame, tz)
    long_cut = [
        pl.when(pl.col(n).str.len_chars() > EXCEL_CELL_LIMIT)
        .then(pl.col(n).str.slice(0, EXCEL_CELL_LIMIT - 1) + "…")
        .otherwise(pl.col(n))
        .alias(n)
        for n, d in flat.schema.items()
        if d == pl.String
    ]
    flat = flat.with_columns(long_cut)
    buffer = io.BytesIO()
    # Belt and braces: even an un-neutralised "=..." must stay a string in the workbook.
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": True,
        },
    )
    flat.write_excel(
        workbook, sheet, dtype_formats={pl.Datetime: "yyyy-mm-dd hh:mm:ss"}, autofit=False, float_precision=4
    )
    workbook.close()
    return buffer.getvalue()
