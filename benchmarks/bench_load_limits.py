"""Benchmark: peak memory of loading a 1,000,000-row CSV and of refusing an xlsx decompression bomb.

Usage::

    .venv/bin/python benchmarks/bench_load_limits.py [--rows 1000000] [--bomb-mb 1024] [--keep]

Builds both files in a temporary folder: a 1,000,000-row Italian CSV (``;``,
day-first dates, a few columns), and a valid .xlsx of a few MB whose one sheet
inflates to ``--bomb-mb`` MB of XML (the issue's 3.5 MB -> 1 GB case). Each
measurement runs in its own fresh Python process and reports wall time and
that process's peak resident memory (``VmHWM``), side by side with the bare
interpreter + imports (the floor). Targets (issue 8 item 12): the 1M-row CSV
loads under the default limits; the bomb is refused with ``load.limit_decompressed``
using little more memory than the floor, while the unbounded read it replaces
needed gigabytes (2.4 GB in the CLI before the fix).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import json, sys, time
def peak():
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024
    return 0
from ascolto_core.errors import AscoltoError
from ascolto_core.loading import load_mentions
start = time.perf_counter()
outcome = 'imports only'
if {path!r}:
    try:
        outcome = f"loaded {{load_mentions({path!r}).mentions.height}} rows"
    except AscoltoError as error:
        outcome = f"refused: {{error.key}}"
print(json.dumps({{'seconds': time.perf_counter() - start, 'peak_bytes': peak(), 'outcome': outcome}}))
"""


def write_csv(path: Path, rows: int) -> None:
    """A 1M-row Italian export: ``;``, day-first dates with times, an author, likes, a shop."""
    rng = np.random.default_rng(8)
    texts = np.array(["Cornetto buonissimo, personale gentile", "Caffè freddo e servizio lento", "Siete aperti domenica?", "Attesa infinita alla cassa"])
    minutes = rng.integers(0, 60 * 24 * 365, rows)
    frame = pl.DataFrame(
        {
            "Testo": texts[rng.integers(0, len(texts), rows)] + " #" + pl.Series(np.arange(rows)).cast(pl.String).to_numpy(),
            "Data": pl.select((pl.datetime(2025, 1, 1) + pl.duration(minutes=pl.lit(pl.Series(minutes)))).dt.strftime("%d/%m/%Y %H:%M")).to_series(),
            "Autore": pl.Series(rng.integers(0, 5000, rows)).cast(pl.String).to_numpy(),
            "Mi piace": rng.integers(0, 50, rows),
            "Negozio": np.array(["Centro", "Stazione", "Mare"])[rng.integers(0, 3, rows)],
        }
    )
    frame.write_csv(path, separator=";")


def write_bomb(path: Path, inflated_mb: int) -> None:
    """A valid one-sheet workbook whose sheet XML inflates to ``inflated_mb`` MB."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Foglio1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    }
    block = ('<row><c t="inlineStr"><is><t>menzione</t></is></c></row>' * 4096).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            sheet.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>testo</t></is></c></row>')
            for _ in range(inflated_mb * 1024 * 1024 // len(block) + 1):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")


def forge_sizes(source: Path, target: Path) -> None:
    """A copy of the bomb whose headers declare the sheet 1 KB: only counting the stream catches it."""
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    small = (1024).to_bytes(4, "little")
    data[info.header_offset + 22 : info.header_offset + 26] = small  # local header: uncompressed size
    central = data.rfind(b"PK\x01\x02", 0, len(data))
    name = b"xl/worksheets/sheet1.xml"
    while central != -1 and data[central + 46 : central + 46 + len(name)] != name:
        central = data.rfind(b"PK\x01\x02", 0, central)
    data[central + 24 : central + 28] = small  # central directory: uncompressed size
    target.write_bytes(bytes(data))


def measure(path: Path | None, root: Path = ROOT) -> dict[str, object]:
    code = _CHILD.format(path=str(path) if path else "")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}
    )
    if done.returncode != 0:
        return {"seconds": float("nan"), "peak_bytes": 0, "outcome": f"crashed: {done.stderr.strip().splitlines()[-1][:80]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--bomb-mb", type=int, default=1024)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--baseline", type=Path, default=None, help="another checkout (e.g. before the limits) to measure side by side")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ascolto-limits-"))
    csv_path, bomb_path, forged_path = folder / "menzioni_1M.csv", folder / "bomba.xlsx", folder / "bomba_forged.xlsx"
    write_csv(csv_path, args.rows)
    write_bomb(bomb_path, args.bomb_mb)
    forge_sizes(bomb_path, forged_path)
    print(f"CSV: {args.rows:,} rows, {csv_path.stat().st_size / 1e6:.0f} MB; bomb: {bomb_path.stat().st_size / 1e6:.1f} MB inflating to {args.bomb_mb} MB")
    rows = [
        ("imports only (floor)", None),
        (f"load {args.rows:,}-row CSV", csv_path),
        ("xlsx bomb", bomb_path),
        ("xlsx bomb, forged sizes", forged_path),
    ]
    roots = [("this checkout", ROOT)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    print(f"{'code':<14} {'measurement':<28} {'seconds':>8} {'peak MB':>8}  outcome")
    for label, path in rows:
        for code_label, root in roots:
            result = measure(path, root)
            print(f"{code_label:<14} {label:<28} {result['seconds']:>8.2f} {int(result['peak_bytes']) / 1e6:>8.0f}  {result['outcome']}")
    if not args.keep:
        for path in (csv_path, bomb_path, forged_path):
            path.unlink()
        folder.rmdir()
    else:
        print(f"files kept in {folder}")


if __name__ == "__main__":
    main()
