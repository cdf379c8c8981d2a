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
from ascolto_core.loading.limits import LoadLimits
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
    rows_excluded: int = 0  # malformed rows left out (counted in the report, see malformed_rows)


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
    if _DECODED_NON_ASCII.search(head.decode("utf-8", errors="surrogateescape")):
        return "utf-8"  # some UTF-8 letters already: mostly UTF-8, repaired line by line when read
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


# Bytes that are not UTF-8, as ``surrogateescape`` shows them (one lone surrogate per byte).
_ESCAPED = re.compile("[\udc80-\udcff]+")
_ESCAPED_LINE = re.compile("[^\n]*[\udc80-\udcff][^\n]*")
# Characters UTF-8 decoded properly (anything non-ASCII that is not an escaped byte).
_DECODED_NON_ASCII = re.compile("[\u0080-\udc7f\udd00-\U0010ffff]")


@dataclass(frozen=True)
class MixedText:
    """A mostly-UTF-8 file with some lines in another encoding, repaired line by line."""

    data: bytes
    fallback: str
    lines_repaired: int


def repair_mixed_utf8(raw: bytes) -> MixedText | None:
    """Decode a file that is mostly UTF-8 but has lines in a legacy code page (two exports appended).

    Every byte sequence that is valid UTF-8 is read as UTF-8; the others are
    read in the code page of those lines (cp1252, what Italian Windows writes,
    whenever it can read them; else charset-normalizer's guess on those lines
    only). A whole file is never decoded with an exotic code page because a few
    of its lines are not UTF-8.

    Returns:
        The UTF-8 bytes, the code page used for the rest and how many lines needed
        it; None when the file is not mostly UTF-8 (more undecodable runs than
        properly decoded non-ASCII characters) or is valid UTF-8 already.
    """
    text = raw.decode("utf-8", errors="surrogateescape")
    runs = _ESCAPED.findall(text)
    if not runs or len(_DECODED_NON_ASCII.findall(text)) < len(runs):
        return None
    foreign_lines = _ESCAPED_LINE.findall(text)
    # The guess sees those lines' ASCII and their foreign bytes, not the UTF-8 letters around them.
    sample = "\n".join(_DECODED_NON_ASCII.sub("", line) for line in foreign_lines[:2000])
    fallback = _fallback_encoding(sample.encode("utf-8", "surrogateescape"))
    lines = len(foreign_lines)
    repaired = _ESCAPED.sub(lambda m: bytes(ord(c) - 0xDC00 for c in m.group()).decode(fallback, errors="replace"), text)
    del text
    out = repaired.encode("utf-8")
    return MixedText(out[3:] if out.startswith(codecs.BOM_UTF8) else out, fallback, lines)


def _fallback_encoding(foreign: bytes) -> str:
    """The code page of the lines that are not UTF-8: charset-normalizer on those lines alone (cp1252,
    what Italian Windows writes, whenever it is plausible); cp1252 when the guess cannot read them."""
    try:
        guess = _legacy_encoding(foreign, "")
        foreign.decode(guess)
    except (AscoltoError, UnicodeDecodeError, LookupError):
        guess = "cp1252"
    return guess


def _mixed_or_legacy(source: Source) -> tuple[bytes, str, tuple[tuple[str, dict[str, Any]], ...]]:
    """UTF-8 bytes of a file that is not valid UTF-8 throughout: repaired line by line when mostly UTF-8,
    else decoded with its legacy code page. Returns (bytes, encoding shown in the report, notes)."""
    mixed = repair_mixed_utf8(source.read())
    if mixed is not None:
        label = f"utf-8 + {mixed.fallback}"
        return mixed.data, label, (("load.note_mixed_encoding", {"n": mixed.lines_repaired, "encoding": mixed.fallback}),)
    encoding = _legacy_encoding(source.read(), source.name)
    data, notes = _utf8_bytes(source, encoding)
    return data, encoding, notes


def _cr_only(head_text: str) -> bool:
    """Old Mac line endings: carriage returns and no line feed at all."""
    return "\r" in head_text and "\n" not in head_text


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
    max_rows: int | None = None,
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
        return _read_csv(source, delimiter, skip_lines, types, max_rows=max_rows)
    except (pl.exceptions.PolarsError, _NotUtf8):
        return None  # a value the sample did not show: every column is read as text


def read_delimited(
    source: Source,
    kind: str,
    *,
    typed: bool = False,
    mapping: Choice | None = None,
    limits: LoadLimits | None = None,
) -> RawTable:
    """CSV/TSV with sniffed encoding, delimiter and header row; every column read as text.

    With ``typed``, counts and ratings (as ``mapping`` and the rules map them)
    whose first rows hold plain numbers are parsed by the reader (see
    :func:`read_types`); the result after ``canonical.build_mentions`` is the same.

    A file that is mostly UTF-8 with some lines in a legacy code page is repaired
    line by line (the report says how many lines); old Mac line endings (CR only)
    are read as lines. Rows whose number of cells differs from the header's are
    reported with their line numbers (see :func:`malformed_rows`).

    Raises:
        AscoltoError: ``load.empty_file`` when there is no row, ``load.unreadable`` when
            the parser fails (e.g. unbalanced quotes), ``load.limit_rows`` /
            ``load.limit_columns`` past the limits.
    """
    limits = limits or LoadLimits()
    encoding = detect_encoding(source)
    notes: tuple[tuple[str, dict[str, Any]], ...] = ()
    # A mostly-UTF-8 head with a legacy line is still good enough to find the delimiter and header.
    head_text = (_decode_head(source.head(), encoding) or source.head().decode(encoding, errors="replace")).lstrip("\ufeff")
    cr_only = _cr_only(head_text)
    if cr_only:
        head_text = head_text.replace("\r", "\n")
        notes += (("load.note_cr_line_endings", {}),)
    delimiter, header_row, skip_lines = _sniff_dialect(head_text, "\t" if kind == "tsv" else None)
    polars_source: Path | bytes
    if encoding in ("utf-8", "utf-8-sig") and not cr_only:
        polars_source = source.polars_source()
    elif encoding in ("utf-8", "utf-8-sig") and _is_utf8(source):
        polars_source = _transcode(source.read(), encoding, "strict")
    elif encoding in ("utf-8", "utf-8-sig"):
        polars_source, encoding, more_notes = _mixed_or_legacy(source)
        notes += more_notes
    else:
        polars_source, more_notes = _utf8_bytes(source, encoding)
        notes += more_notes
    if cr_only:
        assert isinstance(polars_source, bytes)
        polars_source = polars_source.replace(b"\r", b"\n")
    width = _header_width(polars_source, delimiter, skip_lines)
    if width is not None:
        limits.check_columns(width, source.name)
    done = None
    if typed:
        done = _typed_read(polars_source, delimiter, skip_lines, head_text, header_row, mapping, limits.max_rows)
    try:
        frame, more = done if done is not None else _read_csv(polars_source, delimiter, skip_lines, max_rows=limits.max_rows)
    except _NotUtf8 as error:
        if encoding not in ("utf-8", "utf-8-sig"):
            raise AscoltoError("load.unreadable", name=source.name, reason=str(error)) from error
        # Valid UTF-8 at the start, something else later: repair line by line, or detect on the whole file.
        polars_source, encoding, more_notes = _mixed_or_legacy(source)
        notes += more_notes
        frame, more = _read_csv(polars_source, delimiter, skip_lines, max_rows=limits.max_rows)
    except pl.exceptions.NoDataError as error:
        raise AscoltoError("load.empty_file", name=source.name) from error
    except pl.exceptions.ComputeError as error:
        raise AscoltoError("load.unreadable", name=source.name, reason=str(error).splitlines()[0]) from error
    limits.check_rows(frame.height, source.name)
    if frame.height == 0 and head_text.count('"') % 2:
        # A quote never closed swallows every row after it: say so, not "only a header".
        raise AscoltoError("load.unbalanced_quotes", name=source.name)
    excluded = 0
    # Polars says when a row is longer than the header; a shorter row has its last cell null. Only then
    # is the exact (slower, ~3 s per million rows) parse needed to find which rows and lines.
    suspect = bool(more) or (frame.width > 0 and frame.get_column(frame.columns[-1]).null_count() > 0)
    malformed = malformed_rows(polars_source, delimiter, skip_lines, frame.width, limit=limits.max_rows) if suspect else None
    if malformed is not None and malformed.rows == frame.height:
        kept_before = frame.height
        frame, more = _apply_malformed(frame, malformed, more)
        excluded = kept_before - frame.height
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
        rows_excluded=excluded,
    )


def _is_utf8(source: Source) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(source.read(), final=True)
    except UnicodeDecodeError:
        return False
    return True


def _header_width(source: Path | bytes, delimiter: str, skip_lines: int) -> int | None:
    try:
        return pl.read_csv(source, separator=delimiter, skip_lines=skip_lines, infer_schema=False, n_rows=0).width
    except pl.exceptions.PolarsError:
        return None  # the full read reports it


@dataclass(frozen=True)
class MalformedRows:
    """Rows whose number of cells differs from the header's, found by a second, exact parse.

    Attributes:
        rows: data rows seen (blank lines aside), to check the parse agrees with the table's.
        longer: (row index in the table, line number in the file) of rows with more cells.
        shorter: the same for rows with fewer cells.
    """

    rows: int
    longer: tuple[tuple[int, int], ...]
    shorter: tuple[tuple[int, int], ...]


def malformed_rows(source: Path | bytes, delimiter: str, skip_lines: int, width: int, *, limit: int) -> MalformedRows | None:
    """Rows with more or fewer cells than the header, with their line numbers in the file.

    Polars fills short rows and cuts long ones without saying which: Python's
    ``csv`` module tells each row's cell count and line. None when the file
    cannot be parsed that way (the table is kept as Polars read it).
    """
    longer: list[tuple[int, int]] = []
    shorter: list[tuple[int, int]] = []
    stream = source.open("rb") if isinstance(source, Path) else io.BytesIO(source)
    try:
        with io.TextIOWrapper(stream, encoding="utf-8-sig", newline="") as text:
            for _ in range(skip_lines):
                text.readline()
            reader = csv.reader(text, delimiter=delimiter, strict=False)
            next(reader, None)  # the header
            index = 0
            start = reader.line_num + 1
            for row in reader:
                if row:
                    cells = len(row)
                    if cells > width and any(cell != "" for cell in row[width:]):
                        longer.append((index, skip_lines + start))
                    elif cells < width:
                        shorter.append((index, skip_lines + start))
                    index += 1
                    if index > limit:
                        return None
                start = reader.line_num + 1
    except (csv.Error, UnicodeDecodeError, OSError):
        return None
    return MalformedRows(index, tuple(longer), tuple(shorter))


_LINES_SHOWN = 10


def _lines(rows: tuple[tuple[int, int], ...]) -> str:
    shown = ", ".join(str(line) for _, line in rows[:_LINES_SHOWN])
    return shown + (", …" if len(rows) > _LINES_SHOWN else "")


def _apply_malformed(
    frame: pl.DataFrame, malformed: MalformedRows, notes: tuple[tuple[str, dict[str, Any]], ...]
) -> tuple[pl.DataFrame, tuple[tuple[str, dict[str, Any]], ...]]:
    """Rows with more cells than the header are left out (their cells would sit under the wrong
    columns: a text cut short, a date under the author); rows with fewer are kept with the missing
    cells empty. Both are counted with their line numbers. When most rows are longer, the header
    lacks names rather than the rows being broken: they are kept, their extra cells ignored."""
    out = tuple(note for note in notes if note[0] != "load.note_ragged_lines")
    longer = malformed.longer
    if longer and 2 * len(longer) > malformed.rows:
        out += (("load.note_ragged_lines", {}),)
    elif longer:
        drop = pl.Series([index for index, _ in longer], dtype=pl.UInt32)
        frame = frame.with_row_index("__row__").filter(~pl.col("__row__").is_in(drop.implode())).drop("__row__")
        out += (("load.note_malformed_longer", {"n": len(longer), "lines": _lines(longer)}),)
    if malformed.shorter:
        out += (("load.note_malformed_shorter", {"n": len(malformed.shorter), "lines": _lines(malformed.shorter)}),)
    return frame, out


class _NotUtf8(Exception):
    """The CSV parser met bytes that are not UTF-8."""


def _read_csv(
    source: Path | bytes, delimiter: str, skip_lines: int, types: ReadTypes | None = None, *, max_rows: int | None = None
) -> tuple[pl.DataFrame, tuple[tuple[str, dict[str, Any]], ...]]:
    # Everything as text unless typed: types are decided per canonical field (Italian decimals, dates).
    options: dict[str, Any] = {"separator": delimiter, "skip_lines": skip_lines, "infer_schema": False}
    if max_rows is not None:
        options["n_rows"] = max_rows + 1  # one row past the limit is enough to refuse; no more is read
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


def read_excel(source: Source, sheet: str | int | None, limits: LoadLimits | None = None) -> RawTable:
    """An Excel sheet via fastexcel (calamine): ``sheet`` or the first sheet with rows.

    The header row is searched within the first 20 rows (Brandwatch puts a
    preamble above it).

    Raises:
        AscoltoError: ``load.corrupt_excel``, ``load.sheet_not_found``, ``load.empty_file``.
    """
    import fastexcel

    limits = limits or LoadLimits()
    if source.head(4) == b"PK\x03\x04":
        # Before the workbook is parsed: an xlsx of a few MB can inflate to gigabytes of XML.
        limits.check_zip(source.data if source.data is not None else source.path, source.name)  # type: ignore[arg-type]
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
        limits.check_columns(preview.width, source.name)
        header = _find_header(rows, max(widths))
        frame = reader.load_sheet(index, header_row=header, n_rows=limits.max_rows + 1).to_polars()
        limits.check_rows(frame.height, source.name)
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


# Deeper than any export nests its records (Talkwalker: 3); deeper documents are refused, never recursed into.
MAX_JSON_DEPTH = 32


def _depth_exceeds(document: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when ``document`` nests lists/objects deeper than ``limit`` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            stack.extend((child, depth + 1) for child in value.values() if isinstance(child, (dict, list)))
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value if isinstance(child, (dict, list)))
    return False


def _parse_json(text: str, name: str, line: int | None = None) -> Any:
    """``json.loads`` that answers a nesting too deep for Python with a clear error.

    Raises:
        AscoltoError: ``load.json_too_deep``; ``ValueError`` for invalid JSON (callers word it).
    """
    try:
        document = json.loads(text)
    except RecursionError:
        raise AscoltoError("load.json_too_deep", name=name, limit=MAX_JSON_DEPTH) from None
    if _depth_exceeds(document):
        raise AscoltoError("load.json_too_deep", name=name, limit=MAX_JSON_DEPTH)
    return document


def _frame_from_records(records: list[dict[str, Any]]) -> pl.DataFrame:
    return _flatten(pl.from_dicts(records, infer_schema_length=None))


def _dtype_too_deep(schema: Mapping[str, pl.DataType]) -> bool:
    """Columns nested deeper than :data:`MAX_JSON_DEPTH` (the line-by-line reader then names the problem)."""

    def depth(dtype: pl.DataType) -> int:
        level, stack = 0, [(dtype, 1)]
        while stack:
            current, at = stack.pop()
            level = max(level, at)
            if isinstance(current, pl.Struct):
                stack.extend((f.dtype, at + 1) for f in current.fields)
            elif isinstance(current, (pl.List, pl.Array)):
                stack.append((current.inner, at + 1))  # type: ignore[arg-type]
        return level

    return any(depth(dtype) > MAX_JSON_DEPTH for dtype in schema.values())


def read_json(source: Source) -> RawTable:
    """A JSON list of records, or an object holding exactly one list of records (``{"data": [...]}``).

    Raises:
        AscoltoError: ``load.json_invalid`` or ``load.json_not_records``.
    """
    text, encoding, notes = _decoded_text(source)
    try:
        document = _parse_json(text, source.name)
    except ValueError as error:
        raise AscoltoError("load.json_invalid", name=source.name, reason=str(error)[:200]) from error
    records = _records_from(document, source.name)
    return RawTable(frame=_frame_from_records(records), format="json", encoding=encoding, notes=notes)


def _decoded_text(source: Source) -> tuple[str, str, tuple[tuple[str, dict[str, Any]], ...]]:
    """The whole file as text: its encoding, or UTF-8 repaired line by line when mostly UTF-8 (see
    :func:`repair_mixed_utf8`). Returns (text, encoding shown in the report, notes)."""
    encoding = detect_encoding(source)
    raw = source.read()
    try:
        return raw.decode(encoding), encoding, ()
    except UnicodeDecodeError:
        pass
    mixed = repair_mixed_utf8(raw) if encoding in ("utf-8", "utf-8-sig") else None
    if mixed is not None:
        note = ("load.note_mixed_encoding", {"n": mixed.lines_repaired, "encoding": mixed.fallback})
        return mixed.data.decode("utf-8"), f"utf-8 + {mixed.fallback}", (note,)
    return raw.decode(encoding, errors="replace"), encoding, (("load.note_replaced_characters", {"encoding": encoding}),)


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
        if frame is not None and frame.height and not _dtype_too_deep(frame.schema):
            return RawTable(frame=_flatten(frame), format="jsonl", encoding=encoding)
    records: list[Any] = []
    text, encoding, notes = _decoded_text(source)
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = _parse_json(line, source.name)
        except ValueError as error:
            raise AscoltoError("load.jsonl_invalid", name=source.name, line=number) from error
        if not isinstance(record, dict):
            raise AscoltoError("load.json_not_records", name=source.name)
        records.append(record)
    if not records:
        raise AscoltoError("load.empty_file", name=source.name)
    return RawTable(frame=_frame_from_records(records), format="jsonl", encoding=encoding, notes=notes)


def read_parquet(source: Source, limits: LoadLimits | None = None) -> RawTable:
    """A Parquet file (nested columns flattened to text).

    Rows, columns and the uncompressed size the file's metadata declares are
    checked before any column is read.

    Raises:
        AscoltoError: ``load.unreadable`` if the file is corrupt; ``load.limit_*`` past the limits.
    """
    limits = limits or LoadLimits()
    _check_parquet_metadata(source, limits)
    try:
        frame = pl.read_parquet(source.polars_source())
    except Exception as error:  # polars raises several error types for corrupt files
        raise AscoltoError("load.unreadable", name=source.name, reason=str(error).splitlines()[0][:200]) from error
    if frame.height == 0:
        raise AscoltoError("load.empty_file", name=source.name)
    return RawTable(frame=frame, format="parquet")


def _check_parquet_metadata(source: Source, limits: LoadLimits) -> None:
    """Refuse a Parquet file whose metadata declares more rows, columns or uncompressed bytes than allowed."""
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow ships with the project's requirements
        return
    try:
        handle = io.BytesIO(source.data) if source.data is not None else source.path
        metadata = pq.ParquetFile(handle).metadata  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - a corrupt file is reported by the reader below
        return
    limits.check_columns(metadata.num_columns, source.name)
    limits.check_rows(metadata.num_rows, source.name)
    inflated = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if inflated > limits.max_decompressed_bytes:
        limits._refuse_inflated(source.name)


def _is_nameless(column: str) -> bool:
    return not column.strip() or column.startswith("__UNNAMED__") or column.startswith("_duplicated_")


def read_table(
    source: Source,
    *,
    sheet: str | int | None = None,
    typed: bool = False,
    mapping: Choice | None = None,
    limits: LoadLimits | None = None,
) -> RawTable:
    """Sniff the format and read the raw table (``typed``, ``mapping``: see :func:`read_delimited`).

    Raises:
        AscoltoError: for empty, binary, corrupt or structurally wrong files.
    """
    limits = limits or LoadLimits()
    kind = sniff_format(source)
    if kind in ("csv", "tsv"):
        table = read_delimited(source, kind, typed=typed, mapping=mapping, limits=limits)
    elif kind == "xlsx":
        table = read_excel(source, sheet, limits)
    elif kind == "json":
        table = read_json(source)
    elif kind == "jsonl":
        table = read_jsonl(source)
    else:
        table = read_parquet(source, limits)
    if kind in ("json", "jsonl"):
        limits.check_rows(table.frame.height, source.name)
    limits.check_columns(table.frame.width, source.name)
    # A trailing delimiter makes a nameless, empty column: it holds nothing, so it goes.
    nameless = [c for c in table.frame.columns if _is_nameless(c) and table.frame.get_column(c).null_count() == table.frame.height]
    if nameless:
        table = replace(table, frame=table.frame.drop(nameless))
    if table.frame.width == 0:
        raise AscoltoError("load.empty_file", name=source.name)
    if table.frame.height == 0:
        raise AscoltoError("load.no_rows", name=source.name)
    return table
