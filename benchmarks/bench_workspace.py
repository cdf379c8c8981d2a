"""Workspace scale: open a 1,000,000-mention workspace, filter it, add 10,000 new mentions.

Usage::

    .venv/bin/python benchmarks/bench_workspace.py [--rows 1000000] [--repeat 3] [--keep DIR]

Builds a synthetic analysed workspace (mentions written straight through the
store, as four large uploads would leave it), then measures each step in a
fresh child process so peak memory (VmHWM) is the step's own:

- ``read``: open the workspace and read every mention into Polars;
- ``filter``: open and filter (negative Instagram mentions of the last 30 days) lazily;
- ``add``: ingest of 10,000 new mentions already loaded (dedup against 1M, analysis with a cold
  result cache, new segment);
- ``analyse``: the same 10,000 mentions through ``analyze_mentions`` alone, side by side, so the
  workspace's own share of ``add`` is visible.

Prints medians over ``--repeat`` runs (the machine is shared: timings are noisy).
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import polars as pl
from ascolto_core.workspace import Workspace, add_mentions
def peak_mb():
    # VmHWM is this program's own peak; ru_maxrss keeps the parent's peak across fork + exec on Linux.
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
base = peak_mb()
step, path = sys.argv[2], sys.argv[3]
if step in ("add", "analyse"):
    extra = pl.read_parquet(sys.argv[4])
start = time.perf_counter()
ws = Workspace.open(path)
if step == "read":
    rows = ws.mentions().height
elif step == "filter":
    last = ws.scan_mentions().select(pl.col("created_at").max()).collect().item()
    rows = (
        ws.scan_mentions()
        .filter(
            (pl.col("touchpoint") == "instagram")
            & (pl.col("sentiment") == "negative")
            & (pl.col("created_at") >= last - pl.duration(days=30))
        )
        .collect()
        .height
    )
elif step == "analyse":
    from ascolto_core.analysis import analyze_mentions

    rows = analyze_mentions(extra, engine="embedded").mentions.height
else:
    rows = add_mentions(ws, extra, origin="bench", kind="upload", engine="embedded").new
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rows": rows, "peak_mb": peak_mb(), "base_mb": base}))
"""


def synthetic(n: int, prefix: str, seed: int) -> object:
    """``n`` canonical mentions with varied Italian-looking texts (not analysed)."""
    import numpy as np
    import polars as pl

    from ascolto_core.schema import TOUCHPOINTS, conform

    rng = np.random.default_rng(seed)
    openers = np.array(
        ["Oggi", "Ieri sera", "Stamattina", "Come sempre", "Purtroppo", "Finalmente", "Di nuovo", "Sabato"]
    )
    subjects = np.array(
        [
            "il cornetto",
            "il caffè",
            "il servizio",
            "la cassiera",
            "il pane",
            "la consegna",
            "l'app",
            "la torta",
        ]
    )
    verdicts = np.array(
        ["ottimo", "pessimo", "buono", "lento", "gentile", "caro", "freddo", "perfetto", "deludente", "super"]
    )
    i = np.arange(n)
    texts = (
        pl.Series(openers[rng.integers(0, len(openers), n)])
        + " "
        + pl.Series(subjects[rng.integers(0, len(subjects), n)])
        + " era "
        + pl.Series(verdicts[rng.integers(0, len(verdicts), n)])
        + " al negozio "
        + pl.Series(rng.integers(1, 400, n)).cast(pl.String)
        + ", "
        + pl.Series(rng.integers(0, 10**9, n)).cast(pl.String)
    )
    start = np.datetime64("2025-01-01T00:00:00")
    frame = pl.DataFrame(
        {
            "id": pl.Series([f"{prefix}{k}" for k in i.tolist()]),
            "text": texts,
            "created_at": pl.Series(
                (start + rng.integers(0, 700 * 86400, n).astype("timedelta64[s]")).astype("datetime64[us]")
            ).dt.replace_time_zone("UTC"),
            "touchpoint": pl.Series(np.array(TOUCHPOINTS)[rng.integers(0, len(TOUCHPOINTS), n)]),
            "author": "user" + pl.Series(rng.integers(0, 200_000, n)).cast(pl.String),
            "url": "https://social.example/" + prefix + pl.Series(i).cast(pl.String),
            "likes": pl.Series(rng.integers(0, 500, n)),
        }
    )
    return conform(frame)


def build(folder: Path, rows: int) -> None:
    """A workspace of ``rows`` analysed mentions, written as four uploads."""
    import polars as pl

    from ascolto_core.workspace import Workspace
    from ascolto_core.workspace.store import AnalysisStamp

    ws = Workspace.create(folder, brand="Forno Brio")
    stamp = AnalysisStamp("embedded", "embedded", "bench")
    part = rows // 4
    for k in range(4):
        n = part if k < 3 else rows - 3 * part
        frame = synthetic(n, f"m{k}-", seed=k)
        scores = pl.Series([((j * 37) % 200 - 100) / 100 for j in range(n)])
        analysed = frame.with_columns(
            pl.when(scores < -0.3)
            .then(pl.lit("negative"))
            .when(scores > 0.3)
            .then(pl.lit("positive"))
            .otherwise(pl.lit("neutral"))
            .alias("sentiment"),
            scores.alias("sentiment_score"),
            pl.lit(0.7).alias("sentiment_confidence"),
            pl.lit("none").alias("emotion"),
            pl.lit(0.5).alias("emotion_confidence"),
            pl.lit(["ottimo"], dtype=pl.List(pl.String)).alias("drivers_pos"),
            pl.lit([], dtype=pl.List(pl.String)).alias("drivers_neg"),
            pl.lit(False).alias("is_question"),
            pl.lit("embedded").alias("engine"),
        )
        ws.append(analysed, stamp=stamp, kind="upload", origin=f"bench-{k}.csv")


def child(step: str, folder: Path, extra: Path | None = None) -> dict[str, float]:
    args = [sys.executable, "-c", _CHILD, str(ROOT), step, str(folder)] + ([str(extra)] if extra else [])
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
        # A fresh analysis cache each time: the add pays for analysing every new text (the worst case).
        env = {
            "ASCOLTO_ENGINE": "embedded",
            "ASCOLTO_CACHE_DIR": cache,
            "PATH": "/usr/bin:/bin",
            "HOME": str(Path.home()),
        }
        done = subprocess.run(args, capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="build here and keep it")
    args = parser.parse_args()
    import shutil

    with tempfile.TemporaryDirectory(prefix="bench-ws-") as scratch:
        folder = args.keep or Path(scratch) / "ws"
        started = time.perf_counter()
        build(folder, args.rows)
        print(
            f"built {args.rows:,} mentions in {time.perf_counter() - started:.1f} s; "
            f"{sum(p.stat().st_size for p in (folder / 'mentions').iterdir()) / 1e6:.0f} MB of Parquet"
        )
        extra = Path(scratch) / "extra.parquet"
        synthetic(10_000, "new-", seed=99).write_parquet(extra)  # type: ignore[attr-defined]
        results: dict[str, list[dict[str, float]]] = {"read": [], "filter": [], "add": [], "analyse": []}
        for _ in range(args.repeat):
            results["read"].append(child("read", folder))
            results["filter"].append(child("filter", folder))
            copy = Path(scratch) / "copy"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(folder, copy)  # each add starts from the same 1M workspace
            results["add"].append(child("add", copy, extra))
            results["analyse"].append(child("analyse", copy, extra))  # the analysis alone, side by side
        for step, runs in results.items():
            times = ", ".join(f"{r['seconds']:.2f}" for r in runs)
            print(
                f"{step:>6}: median {statistics.median(r['seconds'] for r in runs):.2f} s "
                f"(runs {times}), rows {int(runs[0]['rows']):,}, "
                f"peak RSS {statistics.median(r['peak_mb'] for r in runs):.0f} MB "
                f"(after imports {statistics.median(r['base_mb'] for r in runs):.0f} MB)"
            )


if __name__ == "__main__":
    main()
