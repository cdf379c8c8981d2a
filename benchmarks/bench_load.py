"""Benchmark: 1,000,000 mentions from CSV into the canonical table, next to bare Polars and pandas.

Usage::

    .venv/bin/python benchmarks/bench_load.py [--rows 1000000] [--repeat 3] [--generator synth|italian] [--input FILE] [--keep]

Without ``--input`` it writes the file into a temporary folder with
``--generator``:

* ``synth`` (default when present): ``python -m ascolto_core.datasets.synth``,
  canonical columns recombined from the demo data, with ids;
* ``italian``: a realistic Italian spreadsheet export written here (``;``
  separated, day-first dates ``24/11/2026 18:05``, decimal-comma ratings, no id
  column so ids are derived from content, about 1% duplicated rows and a few
  empty texts): the harder path.
 Each measurement runs in its own fresh Python process
(so import caches and memory do not leak between them) and reports wall time
and that process's peak resident memory (``VmHWM``). Medians of
``--repeat`` runs are printed, with the CPU seconds of all the process's threads
(less sensitive than wall time to other work on a shared machine; the target
is on wall time). Targets (issue 2): canonical load under 1.5x the
bare ``polars.read_csv`` time and under 1.5 GB peak.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent

_OPENINGS = [
    "Ieri sono passato da Forno Brio in centro",
    "Stamattina colazione da Forno Brio",
    "Ordinato una torta per il compleanno di mia figlia",
    "Terza volta questa settimana",
    "Prima volta nel nuovo punto vendita di via Emilia",
    "Pausa pranzo veloce",
    "Sabato sera con gli amici",
    "Visited Forno Brio this morning",
    "Quick lunch at Dolce Sosta",
    "Domenica mattina, fila fuori dal negozio",
]
_MIDDLES = [
    "il cornetto al pistacchio era ancora caldo",
    "il cappuccino era tiepido e il personale distratto",
    "abbiamo aspettato venti minuti per due caffè",
    "la piadina era ottima ma il prezzo è salito ancora",
    "la commessa è stata gentilissima con i bambini",
    "hanno sbagliato l'ordine e nessuno si è scusato",
    "the pastries were amazing and the staff friendly",
    "the coffee was cold and nobody cared",
    "l'app per ordinare non funzionava di nuovo",
    "il pane integrale è il migliore della zona",
    "non c'era più niente senza glutine alle 10",
    "prezzi onesti e porzioni generose",
]
_ENDINGS = [
    "Ci tornerò sicuramente!",
    "Peccato, mi aspettavo di più.",
    "Qualcuno sa se aprono anche il lunedì?",
    "Bravi davvero 👏",
    "Mai più.",
    "Consigliato.",
    "Would recommend.",
    "Vi prego sistemate l'app…",
    "",
    "Voto: 4/5",
]
_SOURCES = [
    ("Facebook", "https://www.facebook.com/fornobrio/posts/"),
    ("Instagram", "https://www.instagram.com/p/"),
    ("Twitter", "https://twitter.com/i/status/"),
    ("Google Maps", "https://www.google.com/maps/reviews/"),
    ("TripAdvisor", "https://www.tripadvisor.it/ShowUserReviews-"),
    ("Email assistenza", ""),
    ("WhatsApp", ""),
    ("Punto vendita", ""),
    ("Blog", "https://www.ilgustodimodena.it/"),
    ("Reddit", "https://www.reddit.com/r/modena/comments/"),
]


def _synth_available() -> bool:
    return (ROOT / "ascolto_core" / "datasets" / "synth.py").exists()


def generate_synth(path: Path, rows: int) -> None:
    """Write ``rows`` canonical mentions with the project's scale generator (in its own process)."""
    subprocess.run([sys.executable, "-m", "ascolto_core.datasets.synth", "--rows", str(rows), "-o", str(path)], cwd=ROOT, check=True, capture_output=True)


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write ``rows`` realistic mentions as an Italian-style CSV (vectorised with NumPy + Polars)."""
    rng = np.random.default_rng(seed)
    unique_rows = int(rows * 0.99)
    source_idx = rng.integers(0, len(_SOURCES), unique_rows)
    start = np.datetime64("2026-05-01T00:00")
    minutes = rng.integers(0, 200 * 24 * 60, unique_rows).astype("timedelta64[m]")
    likes = np.floor(rng.pareto(1.3, unique_rows) * 3).astype(np.int64)
    frame = pl.DataFrame(
        {
            "o": np.array(_OPENINGS)[rng.integers(0, len(_OPENINGS), unique_rows)],
            "m": np.array(_MIDDLES)[rng.integers(0, len(_MIDDLES), unique_rows)],
            "e": np.array(_ENDINGS)[rng.integers(0, len(_ENDINGS), unique_rows)],
            "n": rng.integers(0, 1_000_000_000, unique_rows),
            "when": (start + minutes).astype("datetime64[ms]"),
            "Canale": np.array([s for s, _ in _SOURCES])[source_idx],
            "base": np.array([u for _, u in _SOURCES])[source_idx],
            "Autore": np.char.add("utente_", rng.integers(0, 80_000, unique_rows).astype(str)),
            "Mi piace": likes,
            "Condivisioni": (likes // 7),
            "Commenti": (likes // 3),
            "Voto": np.round(rng.uniform(1, 5, unique_rows), 1),
        }
    )
    frame = frame.select(
        pl.when(pl.int_range(pl.len()) % 997 == 0)
        .then(pl.lit(""))
        .otherwise(pl.format("{}, {} (#{}). {}", "o", "m", "n", "e"))
        .alias("Testo"),
        pl.col("when").dt.strftime("%d/%m/%Y %H:%M").alias("Data"),
        "Canale",
        "Autore",
        pl.when(pl.col("base") == "").then(None).otherwise(pl.format("{}{}", "base", "n")).alias("Link"),
        "Mi piace",
        "Condivisioni",
        "Commenti",
        pl.col("Voto").cast(pl.String).str.replace(".", ",", literal=True).alias("Voto"),
    )
    # About 1% exact duplicates, as exports that overlap in time produce.
    frame = pl.concat([frame, frame.sample(rows - unique_rows, seed=seed)]).sample(fraction=1.0, shuffle=True, seed=seed)
    frame.write_csv(path, separator=";")


# Each child gets PATH and SEP (the file's delimiter, told to the bare readers so they do no sniffing).
_CHILD = {
    "polars.read_csv": "import polars as pl; frame = pl.read_csv(PATH, separator=SEP); rows = frame.height",
    "load_mentions": "from ascolto_core.loading import load_mentions; frame = load_mentions(PATH, max_bytes=10**12).mentions; rows = frame.height",
    "pandas.read_csv": "import pandas as pd; frame = pd.read_csv(PATH, sep=SEP); rows = len(frame)",
}


# VmHWM (peak resident set of this process image); ru_maxrss would carry the parent's peak across fork.
_PEAK_SOURCE = """
def _peak_bytes():
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
"""


def _separator(path: Path) -> str:
    with path.open(encoding="utf-8", errors="replace") as handle:
        header = handle.readline()
    return ";" if header.count(";") > header.count(",") else ","


def _measure(kind: str, path: Path) -> dict[str, float]:
    # Imports happen before the clock starts: we time reading, not interpreter start-up.
    setup, _, body = _CHILD[kind].partition("; ")
    code = (
        "import json, sys, time\n"
        f"{_PEAK_SOURCE}\n"
        f"PATH = {str(path)!r}\n"
        f"SEP = {_separator(path)!r}\n"
        f"{setup}\n"
        "import polars\n"
        "start, cpu_start = time.perf_counter(), time.process_time()\n"
        f"{body.replace('; ', chr(10))}\n"
        "elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start\n"
        "peak = _peak_bytes()\n"
        "print(json.dumps({'seconds': elapsed, 'cpu_seconds': cpu, 'peak_bytes': peak, 'rows': rows}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--input", type=Path, default=None, help="use this CSV instead of generating one")
    parser.add_argument("--keep", action="store_true", help="keep the generated file and print its path")
    parser.add_argument(
        "--generator",
        choices=("synth", "italian"),
        default="synth" if _synth_available() else "italian",
        help="which file to generate (default: the project's synth generator when present)",
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="ascolto-bench-")) if args.input is None else None
    path = args.input or folder / f"mentions_{args.generator}_{args.rows}.csv"  # type: ignore[operator]
    if args.input is None:
        started = time.perf_counter()
        (generate_synth if args.generator == "synth" else generate)(path, args.rows)
        print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f}s")

    results: dict[str, list[dict[str, float]]] = {kind: [] for kind in _CHILD}
    for _ in range(args.repeat):
        for kind in _CHILD:  # interleaved so that machine load affects all alike
            results[kind].append(_measure(kind, path))

    base = statistics.median(r["seconds"] for r in results["polars.read_csv"])
    base_cpu = statistics.median(r["cpu_seconds"] for r in results["polars.read_csv"])
    print(f"\n{'reader':<18}{'rows':>10}{'median s':>10}{'x polars':>10}{'cpu s':>8}{'x cpu':>8}{'peak MB':>10}")
    for kind, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        cpu = statistics.median(r["cpu_seconds"] for r in runs)
        peak = statistics.median(r["peak_bytes"] for r in runs) / 1e6
        print(f"{kind:<18}{int(runs[0]['rows']):>10}{seconds:>10.2f}{seconds / base:>10.2f}{cpu:>8.2f}{cpu / base_cpu:>8.2f}{peak:>10.0f}")
    canonical = statistics.median(r["seconds"] for r in results["load_mentions"])
    peak = max(r["peak_bytes"] for r in results["load_mentions"]) / 1e9
    ok = canonical < 1.5 * base and peak < 1.5
    print(f"\ntarget canonical < 1.5x polars and < 1.5 GB: {'met' if ok else 'NOT met'} ({canonical / base:.2f}x, {peak:.2f} GB max)")
    if folder is not None and not args.keep:
        path.unlink()
        folder.rmdir()
    elif args.keep:
        print(f"kept {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
