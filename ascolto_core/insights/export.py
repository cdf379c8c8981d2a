"""Every CSV and Excel file Ascolto writes: safe to open in a spreadsheet, numbers kept as numbers.

This is the one writer of spreadsheet files: the Esporta page, ``load
--output``, ``analyze -o`` and ``fetch -o`` all go through :func:`write_table`
(or :func:`export_csv` / :func:`export_xlsx` for bytes).

Spreadsheets execute a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and
tab/CR tricks) as a formula: "CSV injection". Every text cell starting with
one of those gets a leading ``'`` so it shows as text, unless the whole cell
is a plain number (``-5``, ``+3,5``): a number is not executed, and a
column of the user's whose every value is a number is written as numbers.
List columns (the analysis drivers) become "a, b"; timestamps are written in
the display time zone without offset, as a person reading the sheet expects;
a timestamp no spreadsheet can show (year 10000 in local time) is left empty.

CSV is UTF-8 with a BOM so Excel shows Italian accents. Two dialects:

* ``plain``: ``,``-separated, column names as in the schema, values as stored
  (what other tools and Ascolto itself read back);
* ``it``: what an Italian Excel opens in columns: ``;``-separated, decimal
  comma, Italian headers for Ascolto's columns (the user's own column names
  kept), Italian labels for sentiment, emotion and touchpoint, scores rounded
  to two decimals, whole ratings without ".0", "sì"/"no" for yes/no columns.

The xlsx gets the same Italian headers and labels when ``lang="it"``.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import xlsxwriter

from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ascolto_core.insights._frame import resolve_tz
from ascolto_core.schema import ANALYSIS_SCHEMA, MENTION_SCHEMA, OPTIONAL_SCHEMA

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
EXCEL_IT_SEPARATOR = ";"
# Excel's hard limit on a cell; longer texts are cut with a visible marker.
EXCEL_CELL_LIMIT = 32_767
EXCEL_ROW_LIMIT = 1_048_575


DIALECTS: tuple[str, ...] = ("plain", "it")
# A cell that is only a number (sign, digits, one decimal mark, exponent): a spreadsheet reads it, never runs it.
PLAIN_NUMBER = r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$"
# A user's column of these is written as numbers (no leading zeros: "00123" is a code; at most 15 digits: Excel's precision).
_INTEGER_CELL = r"^-?(?:0|[1-9]\d{0,14})$"
_DECIMAL_CELL = r"^-?(?:0|[1-9]\d{0,14})\.\d{1,15}$"
# Scores rounded in the Italian dialect.
_ROUNDED = ("sentiment_score", "sentiment_confidence", "emotion_confidence")
# Columns whose values are keys with display names in an i18n area.
_LABELLED = {"sentiment": "sentiment", "label": "sentiment", "emotion": "emotion", "label_emotion": "emotion", "touchpoint": "touchpoint"}
# Years every spreadsheet and Python can show.
_SHOWABLE_YEARS = (1, 9998)


def neutralise_expr(column: str) -> pl.Expr:
    """The string column with a ``'`` in front of any value a spreadsheet would run as a formula.

    A value that is only a number (``-5``, ``+3,5``) is left as it is.
    """
    pattern = (
        "^["
        + "".join({"\t": r"\t", "\r": r"\r", "-": r"\-", "+": r"\+"}.get(c, c) for c in FORMULA_TRIGGERS)
        + "]"
    )
    value = pl.col(column)
    runs = value.str.contains(pattern) & ~value.str.contains(PLAIN_NUMBER)
    return pl.when(runs).then(pl.lit("'") + value).otherwise(value).alias(column)


def _numbers_of_the_user(flat: pl.DataFrame) -> list[pl.Expr]:
    """The user's own text columns whose every value is a plain number, cast to numbers."""
    ours = {*MENTION_SCHEMA, *ANALYSIS_SCHEMA, *OPTIONAL_SCHEMA}
    casts: list[pl.Expr] = []
    for name, dtype in flat.schema.items():
        if dtype != pl.String or name in ours:
            continue
        values = flat.get_column(name).drop_nulls().str.strip_chars()
        if values.is_empty():
            continue
        if bool(values.str.contains(_INTEGER_CELL).all()):
            casts.append(pl.col(name).str.strip_chars().cast(pl.Int64, strict=False))
        elif bool(values.str.contains(f"{_INTEGER_CELL}|{_DECIMAL_CELL}").all()):
            casts.append(pl.col(name).str.strip_chars().cast(pl.Float64, strict=False))
    return casts


def _flat(name: str, dtype: pl.DataType, tz: str) -> pl.Expr:
    """One column as a spreadsheet can hold it."""
    col = pl.col(name)
    if isinstance(dtype, pl.List | pl.Array):
        return col.cast(pl.List(pl.String)).list.join(", ")
    if isinstance(dtype, pl.Datetime):
        utc = col.dt.convert_time_zone("UTC") if dtype.time_zone else col.dt.replace_time_zone("UTC")
        # A year a day away from the edge can still cross it in local time: such a cell stays empty.
        showable = col.dt.year().is_between(_SHOWABLE_YEARS[0] + 1, _SHOWABLE_YEARS[1])
        return pl.when(showable).then(utc).dt.convert_time_zone(tz).dt.replace_time_zone(None)
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
    """``frame`` made flat and safe: lists joined, datetimes local and naive, the user's number
    columns as numbers, text neutralised."""
    tz = resolve_tz(tz)
    flat = frame.select(_flat(name, dtype, tz).alias(name) for name, dtype in frame.schema.items())
    numbers = _numbers_of_the_user(flat)
    if numbers:
        flat = flat.with_columns(numbers)
    texts = [n for n, d in flat.schema.items() if d == pl.String]
    return flat.with_columns(neutralise_expr(n) for n in texts)


def for_people(flat: pl.DataFrame, lang: str) -> pl.DataFrame:
    """A flat, safe frame as people reading ``lang`` expect it: translated headers of Ascolto's
    columns (the user's own names kept), display names for sentiment/emotion/touchpoint keys,
    scores rounded to two decimals, whole ratings as whole numbers, "sì"/"no" for yes/no."""
    changes: list[pl.Expr] = []
    for name, dtype in flat.schema.items():
        column = pl.col(name)
        if name in _LABELLED and dtype == pl.String:
            area = _LABELLED[name]
            keys = flat.get_column(name).drop_nulls().unique().to_list()
            names = {key: _category(area, key, lang) for key in keys}
            changes.append(column.replace(names))
        elif name in _ROUNDED and dtype.is_float():
            changes.append(column.round(2))
        elif name == "rating" and dtype.is_float():
            whole = flat.get_column(name).drop_nulls()
            if whole.is_empty() or bool((whole == whole.round(0)).all()):
                changes.append(column.cast(pl.Int64))
        elif dtype == pl.Boolean:
            changes.append(pl.when(column).then(pl.lit(t("spreadsheet.answer_yes", lang))).otherwise(
                pl.when(column.is_not_null()).then(pl.lit(t("spreadsheet.answer_no", lang)))
            ).alias(name))
    people = flat.with_columns(changes) if changes else flat
    return people.rename(_headers(people.columns, lang))


def _category(area: str, key: str, lang: str) -> str:
    label = t(f"{area}.{key}", lang)
    return key if label == f"{area}.{key}" else label


def _headers(columns: list[str], lang: str) -> dict[str, str]:
    """Ascolto's columns under names in ``lang``; the user's own columns keep theirs (a clash gets a suffix)."""
    ours = {*MENTION_SCHEMA, *ANALYSIS_SCHEMA, *OPTIONAL_SCHEMA}
    taken = {c for c in columns if c not in ours}
    renamed: dict[str, str] = {}
    for name in columns:
        if name not in ours:
            continue
        header = t(f"spreadsheet.column.{name}", lang)
        header = name if header == f"spreadsheet.column.{name}" else header
        while header in taken:
            header = f"{header} (Ascolto)"
        taken.add(header)
        renamed[name] = header
    return renamed


def export_csv(
    frame: pl.DataFrame, *, tz: str | None = None, sep: str | None = None, dialect: str = "plain", lang: str = "it"
) -> bytes:
    """CSV bytes (UTF-8 with BOM) of ``frame`` made safe for spreadsheets.

    Args:
        frame: the (filtered, analysed) mentions.
        tz: display time zone for timestamps (default from config).
        sep: separator; default "," for ``plain``, ";" for ``it``.
        dialect: ``plain`` (for tools) or ``it`` (Italian Excel: see the module docstring).
        lang: language of headers and labels in the ``it`` dialect (the UI language).

    Raises:
        AscoltoError: ``insights.bad_separator`` for a separator that is not one character;
            ``spreadsheet.bad_dialect`` for an unknown dialect.
    """
    if dialect not in DIALECTS:
        raise AscoltoError("spreadsheet.bad_dialect", dialect=dialect, dialects=", ".join(DIALECTS))
    sep = sep if sep is not None else (EXCEL_IT_SEPARATOR if dialect == "it" else ",")
    if len(sep) != 1 or sep in '"\n\r' or (dialect == "it" and sep == ","):
        raise AscoltoError("insights.bad_separator", sep=sep)
    flat = spreadsheet_frame(frame, tz)
    datetime_format = "%Y-%m-%d %H:%M:%S"
    if dialect == "it":
        flat = for_people(flat, lang)
        datetime_format = "%d/%m/%Y %H:%M:%S"
    buffer = io.BytesIO()
    flat.write_csv(
        buffer,
        include_bom=True,
        separator=sep,
        datetime_format=datetime_format,
        date_format="%d/%m/%Y" if dialect == "it" else None,
        quote_style="necessary",
        decimal_comma=dialect == "it",
    )
    return buffer.getvalue()


def export_xlsx(frame: pl.DataFrame, *, tz: str | None = None, sheet: str = "mentions", lang: str | None = None) -> bytes:
    """Excel (.xlsx) bytes of ``frame`` made safe: no cell is ever stored as a formula or link.

    Texts longer than Excel's cell limit are cut (ending in "…"). With ``lang``
    ("it" for the Italian UI) headers and labels are written for people, as in
    the ``it`` CSV dialect (numbers stay numbers; Excel shows them in the
    reader's own locale).

    Raises:
        AscoltoError: ``insights.too_many_rows`` beyond Excel's row limit.
    """
    if frame.height > EXCEL_ROW_LIMIT:
        raise AscoltoError("insights.too_many_rows", rows=frame.height, limit=EXCEL_ROW_LIMIT)
    flat = spreadsheet_frame(frame, tz)
    if lang is not None:
        flat = for_people(flat, lang)
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
        workbook,
        sheet,
        dtype_formats={pl.Datetime: "dd/mm/yyyy hh:mm" if lang == "it" else "yyyy-mm-dd hh:mm:ss"},
        autofit=False,
        float_precision=4,
    )
    workbook.close()
    return buffer.getvalue()


WRITABLE_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".parquet")


def write_table(
    frame: pl.DataFrame,
    path: str | Path,
    *,
    tz: str | None = None,
    dialect: str = "plain",
    lang: str | None = None,
) -> None:
    """Write ``frame`` to ``path`` by its suffix: the one writer of files for every command.

    ``.csv`` and ``.xlsx`` go through :func:`export_csv` / :func:`export_xlsx`
    (formula neutralisation, numbers kept); ``.parquet`` keeps the table as it
    is (typed, never opened by a spreadsheet).

    Args:
        frame: the mentions (canonical table, analysed or not).
        path: where to write; the folder is created.
        tz: zone of timestamps in CSV/xlsx; "UTC" for files read back by Ascolto.
        dialect: CSV dialect (``plain`` or ``it``).
        lang: headers and labels for people in ``lang`` (``it`` dialect, xlsx); None keeps schema names.

    Raises:
        AscoltoError: ``spreadsheet.bad_suffix`` for other suffixes; ``spreadsheet.write_failed``
            when the file cannot be written.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in WRITABLE_SUFFIXES:
        raise AscoltoError("spreadsheet.bad_suffix", suffix=suffix or target.name, suffixes=", ".join(WRITABLE_SUFFIXES))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".parquet":
            frame.write_parquet(target)
        elif suffix == ".csv":
            target.write_bytes(export_csv(frame, tz=tz, dialect=dialect, lang=lang or "it"))
        else:
            target.write_bytes(export_xlsx(frame, tz=tz, lang=lang))
    except OSError as error:
        raise AscoltoError("spreadsheet.write_failed", path=str(target), reason=error.strerror or str(error)) from error
