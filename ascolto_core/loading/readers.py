"""Reading the raw table of a file: format, encoding, delimiter and header row are sniffed.

Every reader returns a :class:`RawTable`: the user's columns under their own
names, plus what was found out about the file. Only the header names the
mapping rules know are used here (to find the header row and the delimiter);
which column becomes which field is :mod:`ascolto_core.loading.mapping`'s job.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import zipfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import charset_normalizer
import polars as pl

from ascolto_core.errors import AscoltoError
from ascolto_core.loading.mapping import known_headers, propose
from ascolto_core.loading.values import fold

FORMATS: tuple[str, ...] = ("csv", "tsv", "xlsx", "json", "jsonl", "parquet")
_EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xlsx",
    ".ods": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
DELIMITERS: tuple[str, ...] = (";", ",", "\t", "|")
HEADER_SEARCH_ROWS = 20
_HEAD_BYTES = 64 * 1024
Choice = Mapping[str, str | None]
"""A person's choice of columns (field -> column), as ``mapping.ColumnMapping`` holds it."""


@dataclass(frozen=True)
class RawTable:
    """A file's table as the user wrote it, with what sniffing found out."""

    frame: pl.DataFrame
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 0
    sheet_used: str | None = None
    sheets_available: tuple[str, ...] = ()
    notes: tuple[tuple[str, dict[str, Any]], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Source:
    """The bytes (or path) of what the user brought, with a display name."""

    name: str
    path: Path | None
    data: bytes | None
    size: int

    def head(self, n: int = _HEAD_BYTES) -> bytes:
        if self.data is not None:
            return self.data[:n]
        assert self.path is not None
        with self.path.open("rb") as handle:
            return handle.read(n)

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()

    def polars_source(self) -> Path | bytes:
        return self.path if self.path is not None else self.data  # type: ignore[return-value]


def open_source(source: str | os.PathLike[str] | bytes, filename: str | None) -> Source:
    """Wrap a path or bytes.

    Raises:
        AscoltoError: ``load.not_found`` if a path does not exist; ``load.bad_source``
            for other types.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return Source(name=filename or "upload", path=None, data=data, size=len(data))
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise AscoltoError("load.not_found", path=str(path))
        return Source(name=filename or path.name, path=path, data=None, size=path.stat().st_size)
    raise AscoltoError("load.bad_source", kind=type(source).__name__)


def sniff_format(source: Source) -> str:
    """The file format from its first bytes, then its extension.

    Raises:
        AscoltoError: ``load.empty_file``, ``load.binary_file`` or ``load.corrupt_excel``.
    """
    head = source.head()
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise AscoltoError("load.empty_file", name=source.name)
    ext = Path(source.name).suffix.lower()
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx" if _is_spreadsheet_zip(source) else _refuse_binary(source)
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: legacy .xls, which calamine reads
        return "xlsx"
    encoding = _bom_encoding(head)
    text_head = _decode_head(head, encoding or "utf-8")
    if text_head is None:
        if b"\x00" in head or charset_normalizer.from_bytes(head[:8192]).best() is None:
            return _refuse_binary(source)
        text_head = head.decode("latin-1")
    if _looks_binary(text_head):
        return _refuse_binary(source)
    stripped = text_head.lstrip("\ufeff \t\r\n")
    if ext in _EXTENSIONS and _EXTENSIONS[ext] not in ("xlsx", "parquet") and ext != ".txt":
        kind = _EXTENSIONS[ext]
        if kind == "json" and stripped.startswith("{") and _first_line_is_json(stripped) and "\n{" in stripped:
            return "jsonl"
        return kind
    if ext in _EXTENSIONS and ext != ".txt":
        if _EXTENSIONS[ext] == "xlsx":  # text named .xlsx: not a workbook
            raise AscoltoError("load.corrupt_excel", name=source.name, reason="no workbook inside")
        return _EXTENSIONS[ext]
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        return "jsonl" if _first_line_is_json(stripped) else "json"
    # Any other text content (unknown or no extension, .txt): try it as a delimited table.
    return "csv"


def _refuse_binary(source: Source) -> str:
    raise AscoltoError("load.binary_file", name=source.name, formats=", ".join(FORMATS))


def _is_spreadsheet_zip(source: Source) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(source.read()) if source.data is not None else source.path) as archive:  # type: ignore[arg-type]
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        # A truncated zip still starts with PK: let the Excel reader report it as corrupt.
        return True
    return "xl/workbook.xml" in names or "content.xml" in names or "[Content_Types].xml" in names


def _first_line_is_json(text: str) -> bool:
    line = text.split("\n", 1)[0].strip()
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    return None


def _decode_head(head: bytes, encoding: str) -> str | None:
    # The head may end inside a multi-byte character: decode incrementally, not final.
    try:
        return codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    control = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\t\r\n\f\v")
    return control > max(2, len(text[:4096]) // 100)


def detect_encoding(source: Source) -> str:
    """The text encoding: a BOM decides; else UTF-8 if it decodes; else charset-normalizer's best guess.

    Latin-family guesses become cp1252 (what Italian Excel writes): it is a
    superset of latin-1 for printable characters (€, curly quotes).

    Raises:
        AscoltoError: ``load.binary_file`` if no text encoding fits.
    """
    head = source.head()
    bom = _bom_encoding(head)
    if bom:
        return bom
    if _decode_head(head, "utf-8") is not None:
        return "utf-8"
    return _legacy_encoding(head, source.name)


# Single-byte encodings that agree with cp1252 on Italian letters.
_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_1", "iso8859_15", "windows_1252"})


def _legacy_encoding(sample: bytes, name: str) -> str:
    """charset-normalizer's answer, preferring cp1252 when it is among the plausible ones.

    Short Italian samples often score the same under several Western code
    pages (cp1258, cp1250...), which differ on letters such as "ì"; our users'
    files come from Italian Windows/Excel, so cp1252 wins any tie it is part of.
    """
    results = charset_normalizer.from_bytes(sample)
    best = results.best()
    if best is None:
        raise AscoltoError("load.binary_file", name=name, formats=", ".join(FORMATS))
    plausible = {e for match in results for e in (match.encoding, *match.could_be_from_charset)}
    if plausible & _WESTERN or best.encoding == "ascii":
        return "cp1252"
    return best.encoding


_CHUNK = 16 * 1024 * 1024


def _transcode(raw: bytes, encoding: str, errors: str) -> bytes:
    # In chunks: a whole-file str of a 200 MB export would cost up to 4 bytes per character.
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    out = bytearray()
    for start in range(0, len(raw), _CHUNK):
        out += decoder.decode(raw[start : start + _CHUNK], final=start + _CHUNK >= len(raw)).encode("utf-8")
    return bytes(out[3:] if out.startswith(codecs.BOM_UTF8) else out)


def _utf8_bytes(source: Source, encoding: str) -> tuple[bytes, tuple[tuple[str, dict[str, Any]], ...]]:
    """The file re-encoded as UTF-8 for Polars; undecodable bytes become "�" and a note says so."""
    raw = source.read()
    try:
        return _transcode(raw, encoding, "strict"), ()
    except UnicodeDecodeError:
        return _transcode(raw, encoding, "replace"), (("load.note_replaced_characters", {"encoding": encoding}),)


def _sniff_dialect(text: str, forced: str | None) -> tuple[str, int, int]:
    """(delimiter, header row index, physical lines before the header) from the first part of a file.

    Each candidate delimiter is scored by, in order: whether the header row it
    implies has names the mapping rules know and is as wide as the data (a
    one-column file "testo" whose texts contain commas is not comma-separated),
    whether it has known names at all (rows with unquoted commas are wider than
    their header), whether rows have more than one cell, how many body rows
    share the usual width, how many rows overall do.
    """
    known = known_headers()
    best: tuple[tuple[int, ...], str, int, int] | None = None
    for delimiter in (forced,) if forced else DELIMITERS:
        rows: list[list[str]] = []
        line_starts: list[int] = []
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            while len(rows) < 200:
                line_starts.append(reader.line_num)
                rows.append(next(reader))
        except (StopIteration, csv.Error):
            line_starts = line_starts[: len(rows)]
        if len(rows) > 2 and not text.endswith("\n"):
            rows, line_starts = rows[:-1], line_starts[:-1]  # the last row may be cut by the sample
        widths = [len(r) for r in rows if any(cell.strip() for cell in r)]
        if not widths:
            continue
        body = widths[min(HEADER_SEARCH_ROWS, len(widths) // 2) :] or widths
        mode = max(set(body), key=body.count)
        header = _find_header(rows, mode)
        named = min(1, sum(fold(cell) in known for cell in rows[header])) if header < len(rows) else 0
        fits = int(header < len(rows) and len(rows[header]) >= mode)
        score = (named * fits, named, 1 if mode > 1 else 0, sum(1 for w in body if w == mode), sum(1 for w in widths if w == mode), mode)
        if best is None or score > best[0]:
            best = (score, delimiter, header, line_starts[header] if header < len(line_starts) else 0)
    if best is None:
        return forced or ",", 0, 0
    _, delimiter, header, skip = best
    return delimiter, header, skip


def _find_header(rows: list[list[str]], width: int) -> int:
    """The header row within the first 20.

    First choice: a row whose cells include names the mapping rules know (two,
    or all of a one-cell row), even if narrower than the data rows (unquoted
    commas in the data make those wider). Otherwise the first row as wide as
    the data with at least half its cells filled.
    """
    known = known_headers()
    fallback: int | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        filled = [cell for cell in row if cell.strip()]
        if not filled:
            continue
        if sum(fold(cell) in known for cell in filled) >= min(2, len(filled)) and len(filled) >= min(2, (width + 1) // 2):
            return index
        if fallback is None and len(row) >= width and len(filled) >= max(1, (width + 1) // 2):
            fallback = index
    return fallback or 0


# Canonical fields the CSV reader may parse itself (their raw column is never kept as text in the result).
_TYPED_FIELDS: dict[str, pl.DataType] = {
    "likes": pl.Int64(),
    "shares": pl.Int64(),
    "comments": pl.Int64(),
    "reach": pl.Int64(),
    "rating": pl.Float64(),
}
_PLAIN_INTEGER = re.compile(r"\d{1,18}")
_PLAIN_DECIMAL = {".": re.compile(r"\d{1,15}(?:\.\d{1,15})?"), ",": re.compile(r"\d{1,15}(?:,\d{1,15})?")}


@dataclass(frozen=True)
class ReadTypes:
    """Dtypes the CSV reader gives some columns itself, decided on the file's first rows."""

    dtypes: dict[str, pl.DataType] = field(default_factory=dict)
    decimal_comma: bool = False


def read_types(
    names: list[str], sample: list[list[str]], delimiter: str, mapping: Choice | None = None
) -> ReadTypes:
    """Counts and ratings whose sampled values are all plain numbers: the reader parses them.

    A whole number read by the reader is the number ``values.parse_counts``
    finds in its text, and a plain decimal the rating ``values.parse_rating``
    finds; a value further down that the reader cannot parse makes the caller
    read every column as text again (same table, one more read).

    Args:
        names: the column names as Polars reads them.
        sample: the first data rows, cells in the same order.
        delimiter: the file's delimiter (a decimal comma needs another one).
        mapping: the person's choice of columns, if any.
    """
    try:
        chosen = propose(names, mapping).chosen
    except (AscoltoError, TypeError):
        return ReadTypes()  # the mapping's problem is reported after the full read, as without types
    uses = Counter(column for column in chosen.values() if column is not None)
    counts = Counter(names)
    dtypes: dict[str, pl.DataType] = {}
    decimal_comma = False
    for field_name, dtype in _TYPED_FIELDS.items():
        column = chosen.get(field_name)
        # A column read for one field only, under a name Polars gives once.
        if column is None or uses[column] != 1 or counts[column] != 1:
            continue
        index = names.index(column)
        values = [row[index] for row in sample if index < len(row) and row[index] != ""]
        if not values:
            continue
        if dtype == pl.Int64 and all(_PLAIN_INTEGER.fullmatch(v) for v in values):
            dtypes[column] = dtype
        elif dtype == pl.Float64:
            mark = "," if any("," in v for v in values) else "."
            if mark == "," and delimiter == ",":
                continue
            if all(_PLAIN_DECIMAL[mark].fullmatch(v) for v in values):
                dtypes[column] = dtype
                decimal_comma = mark == ","
    return ReadTypes(dtypes, decimal_comma)


def _sample_rows(text: str, delimiter: str, header_row: int) -> list[list[str]]:
    """The data rows in the first part of the file (the last one may be cut, so it goes)."""
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return rows[header_row + 1 : -1]


def _typed_read(
    source: Path | bytes,
    delimiter: str,
    skip_lines: int,
    head_text: str,
    header_row: int,
    mapping: Choice | None,
) -> tuple[pl.DataFrame, tuple[tuple[str, dict[str, Any]], ...]] | None:
    """The table with counts and ratings parsed by the reader, or None when the sample's guess fails."""
    try:
        header = pl.read_csv(source, separator=delimiter, skip_lines=skip_lines, infer_schema=False, n_rows=0)
        names = header.columns
        types = read_types(names, _sample_rows(head_text, delimiter, header_row), delimiter, mapping)
    except (pl.exceptions.PolarsError, csv.Error):
        return None
    if not types.dtypes:
        return None
    try:
        return _read_csv(source, delimiter, skip_lines, types)
    except (pl.exceptions.PolarsError, _NotUtf8):
        return None  # a value the sample did not show: every column is read as text


def read_delimited(
    source: Source, kind: str, *, typed: bool = False, mapping: Choice | None = None
) -> RawTable:
    """CSV/TSV with sniffed encoding, delimiter and header row; every column read as text.

    With ``typed``, counts and ratings (as ``mapping`` and the rules map them)
    whose first rows hold plain numbers are parsed by the reader (see
    :func:`read_types`); the result after ``canonical.build_mentions`` is the same.

    Raises:
        AscoltoError: ``load.empty_file`` when there is no row, ``load.unreadable`` when
            the parser fails (e.g. unbalanced quotes).
    """
    encoding = detect_encoding(source)
    notes: tuple[tuple[str, dict[str, Any]], ...] = ()
    head_text = (_decode_head(source.head(), encoding) or "").lstrip("\ufeff")
    delimiter, header_row, skip_lines = _sniff_dialect(head_text, "\t" if kind == "tsv" else None)
    polars_source: Path | bytes
    if encoding in ("utf-8", "utf-8-sig"):
        polars_source = source.polars_source()
    else:
        polars_source, notes = _utf8_bytes(source, encoding)
    done = None
    if typed:
        done = _typed_read(polars_source, delimiter, skip_lines, head_text, header_row, mapping)
    try:
        frame, more = done if done is not None else _read_csv(polars_source, delimiter, skip_lines)
    except _NotUtf8 as error:
        if encoding not in ("utf-8", "utf-8-sig"):
            raise AscoltoError("load.unreadable", name=source.name, reason=str(error)) from error
        # Valid UTF-8 at the start, something else later: detect on the whole file.
        encoding = _legacy_encoding(source.read(), source.name)
        polars_source, notes = _utf8_bytes(source, encoding)
        frame, more = _read_csv(polars_source, delimiter, skip_lines)
    except pl.exceptions.NoDataError as error:
        raise AscoltoError("load.empty_file", name=source.name) from error
    except pl.exceptions.ComputeError as error:
        raise AscoltoError("load.unreadable", name=source.name, reason=str(error).splitlines()[0]) from error
    notes += more
    if header_row:
        notes += (("load.note_header_row", {"row": header_row + 1}),)
    return RawTable(
        frame=frame,
        format=kind,
        encoding=encoding,
        delimiter=delimiter,
        header_row=header_row,
        notes=notes,
    )


class _NotUtf8(Exception):
    """The CSV parser met bytes that are not UTF-8."""


def _read_csv(
    source: Path | bytes, delimiter: str, skip_lines: int, types: ReadTypes | None = None
) -> tuple[pl.DataFrame, tuple[tuple[str, dict[str, Any]], ...]]:
    # Everything as text unless typed: types are decided per canonical field (Italian decimals, dates).
    options: dict[str, Any] = {"separator": delimiter, "skip_lines": skip_lines, "infer_schema": False}
    if types is not None:
        options |= {"schema_overrides": types.dtypes, "decimal_comma": types.decimal_comma}
    try:
        return pl.read_csv(source, **options), ()
    except pl.exceptions.ComputeError as error:
        message = str(error).lower()
        if "utf-8" in message or "utf8" in message:
            raise _NotUtf8(str(error).splitlines()[0]) from error
        if "more fields" not in message:
            raise
    # Some rows have more cells than the header: read them, and say that the extra cells were ignored.
    return pl.read_csv(source, **options, truncate_ragged_lines=True), (("load.note_ragged_lines", {}),)


def read_excel(source: Source, sheet: str | int | None) -> RawTable:
    """An Excel sheet via fastexcel (calamine): ``sheet`` or the first sheet with rows.

    The header row is searched within the first 20 rows (Brandwatch puts a
    preamble above it).

    Raises:
        AscoltoError: ``load.corrupt_excel``, ``load.sheet_not_found``, ``load.empty_file``.
    """
    import fastexcel

    try:
        reader = fastexcel.read_excel(source.read())
        names = tuple(reader.sheet_names)
    except Exception as error:  # fastexcel raises its own error types for every kind of corruption
        raise AscoltoError("load.corrupt_excel", name=source.name, reason=str(error).splitlines()[0][:200]) from error
    if sheet is not None:
        if isinstance(sheet, int) and not 0 <= sheet < len(names):
            raise AscoltoError("load.sheet_not_found", sheet=sheet, sheets=", ".join(names))
        if isinstance(sheet, str) and sheet not in names:
            raise AscoltoError("load.sheet_not_found", sheet=sheet, sheets=", ".join(names))
        order = [names.index(sheet) if isinstance(sheet, str) else sheet]
    else:
        order = list(range(len(names)))
    notes: list[tuple[str, dict[str, Any]]] = []
    skipped: list[str] = []
    for index in order:
        try:
            preview = reader.load_sheet(index, header_row=None, n_rows=HEADER_SEARCH_ROWS + 5).to_polars()
        except Exception as error:
            raise AscoltoError("load.corrupt_excel", name=source.name, reason=str(error).splitlines()[0][:200]) from error
        rows = [["" if v is None else str(v) for v in row] for row in preview.iter_rows()]
        widths = [sum(1 for v in r if v.strip()) for r in rows]
        if not any(widths):
            skipped.append(names[index])
            continue
        header = _find_header(rows, max(widths))
        frame = reader.load_sheet(index, header_row=header).to_polars()
        frame = frame.filter(~pl.all_horizontal(pl.all().is_null())) if frame.width else frame
        if frame.height == 0:
            skipped.append(names[index])
            continue
        if len(names) > 1:
            key = "load.note_sheet_chosen" if sheet is not None else "load.note_first_sheet"
            notes.append((key, {"sheet": names[index], "sheets": ", ".join(names)}))
        if skipped:
            notes.append(("load.note_sheets_empty", {"sheets": ", ".join(skipped)}))
        if header:
            notes.append(("load.note_header_row", {"row": header + 1}))
        return RawTable(
            frame=frame,
            format="xlsx",
            header_row=header,
            sheet_used=names[index],
            sheets_available=names,
            notes=tuple(notes),
        )
    raise AscoltoError("load.empty_file", name=source.name)


def _records_from(document: Any, name: str) -> list[Any]:
    if isinstance(document, list):
        records = document
    elif isinstance(document, dict):
        lists = [key for key, value in document.items() if isinstance(value, list) and value and isinstance(value[0], dict)]
        if len(lists) != 1:
            raise AscoltoError("load.json_not_records", name=name)
        records = document[lists[0]]
    else:
        raise AscoltoError("load.json_not_records", name=name)
    if not records:
        raise AscoltoError("load.empty_file", name=name)
    if not all(isinstance(record, dict) for record in records):
        raise AscoltoError("load.json_not_records", name=name)
    return records


def _flatten(frame: pl.DataFrame) -> pl.DataFrame:
    """Nested objects become "parent.child" columns (Talkwalker's extra_author_attributes.name);
    lists become text ("a, b"; JSON when their items are objects), so nothing is lost."""
    while structs := [n for n, d in frame.schema.items() if isinstance(d, pl.Struct)]:
        frame = frame.with_columns(
            pl.col(name).struct.field(child.name).alias(f"{name}.{child.name}")
            for name in structs
            for child in frame.schema[name].fields  # type: ignore[attr-defined]
        ).drop(structs)
    lists = [n for n, d in frame.schema.items() if isinstance(d, (pl.List, pl.Array))]
    for name in lists:
        inner = frame.schema[name].inner  # type: ignore[attr-defined]
        if inner.is_nested():
            frame = frame.with_columns(pl.col(name).map_elements(lambda v: json.dumps(v.to_list(), ensure_ascii=False), return_dtype=pl.String))
        else:
            frame = frame.with_columns(pl.col(name).list.eval(pl.element().cast(pl.String)).list.join(", "))
    return frame


def _frame_from_records(records: list[dict[str, Any]]) -> pl.DataFrame:
    return _flatten(pl.from_dicts(records, infer_schema_length=None))


def read_json(source: Source) -> RawTable:
    """A JSON list of records, or an object holding exactly one list of records (``{"data": [...]}``).

    Raises:
        AscoltoError: ``load.json_invalid`` or ``load.json_not_records``.
    """
    encoding = detect_encoding(source)
    try:
        document = json.loads(source.read().decode(encoding))
    except (ValueError, UnicodeDecodeError) as error:
        raise AscoltoError("load.json_invalid", name=source.name, reason=str(error)[:200]) from error
    records = _records_from(document, source.name)
    return RawTable(frame=_frame_from_records(records), format="json", encoding=encoding)


def read_jsonl(source: Source) -> RawTable:
    """JSON Lines: one object per line (blank lines ignored).

    Raises:
        AscoltoError: ``load.jsonl_invalid`` naming the first bad line.
    """
    encoding = detect_encoding(source)
    if encoding in ("utf-8", "utf-8-sig"):
        # Fast path: Polars reads the whole file natively; any surprise falls back to the
        # line-by-line reader below, which names the first bad line.
        try:
            frame = pl.read_ndjson(source.polars_source(), infer_schema_length=None)
        except Exception:  # noqa: BLE001 - polars raises several error types; the fallback decides
            frame = None
        if frame is not None and frame.height:
            return RawTable(frame=_flatten(frame), format="jsonl", encoding=encoding)
    records: list[Any] = []
    for number, line in enumerate(source.read().decode(encoding, errors="replace").lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            raise AscoltoError("load.jsonl_invalid", name=source.name, line=number) from error
        if not isinstance(record, dict):
            raise AscoltoError("load.json_not_records", name=source.name)
        records.append(record)
    if not records:
        raise AscoltoError("load.empty_file", name=source.name)
    return RawTable(frame=_frame_from_records(records), format="jsonl", encoding=encoding)


def read_parquet(source: Source) -> RawTable:
    """A Parquet file (nested columns flattened to text).

    Raises:
        AscoltoError: ``load.unreadable`` if the file is corrupt.
    """
    try:
        frame = pl.read_parquet(source.polars_source())
    except Exception as error:  # polars raises several error types for corrupt files
        raise AscoltoError("load.unreadable", name=source.name, reason=str(error).splitlines()[0][:200]) from error
    if frame.height == 0:
        raise AscoltoError("load.empty_file", name=source.name)
    return RawTable(frame=frame, format="parquet")


def _is_nameless(column: str) -> bool:
    return not column.strip() or column.startswith("__UNNAMED__") or column.startswith("_duplicated_")


def read_table(
    source: Source, *, sheet: str | int | None = None, typed: bool = False, mapping: Choice | None = None
) -> RawTable:
    """Sniff the format and read the raw table (``typed``, ``mapping``: see :func:`read_delimited`).

    Raises:
        AscoltoError: for empty, binary, corrupt or structurally wrong files.
    """
    kind = sniff_format(source)
    if kind in ("csv", "tsv"):
        table = read_delimited(source, kind, typed=typed, mapping=mapping)
    elif kind == "xlsx":
        table = read_excel(source, sheet)
    elif kind == "json":
        table = read_json(source)
    elif kind == "jsonl":
        table = read_jsonl(source)
    else:
        table = read_parquet(source)
    # A trailing delimiter makes a nameless, empty column: it holds nothing, so it goes.
    nameless = [c for c in table.frame.columns if _is_nameless(c) and table.frame.get_column(c).null_count() == table.frame.height]
    if nameless:
        table = replace(table, frame=table.frame.drop(nameless))
    if table.frame.width == 0:
        raise AscoltoError("load.empty_file", name=source.name)
    if table.frame.height == 0:
        raise AscoltoError("load.no_rows", name=source.name)
    return table
