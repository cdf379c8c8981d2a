"""Benchmark: Spark ``local[2]`` against the plain local ``analyze`` on the same rows, and the
peak memory of the batched local ``analyze`` on a large CSV.

Usage::

    .venv/bin/python benchmarks/bench_spark.py [--rows 1000000] [--repeat 1]
    .venv/bin/python benchmarks/bench_spark.py --memory-rows 10000000   # bounded memory check

Rows come from ``ascolto_core.datasets.synth`` (recombined demo posts), written as CSV
to a temporary folder that is removed at the end. Each measurement runs
``python -m ascolto_core analyze`` in its own process (cold result cache), alternating
the order, and reports wall seconds, CPU seconds of the process and its children
(Spark's JVM and Python workers included) and peak resident memory (ru_maxrss of
the children: the largest single process). The machine may be shared: compare the
ratio printed at the end, measured side by side in one run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], cache: Path) -> dict[str, float]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT), "ASCOLTO_CACHE_DIR": str(cache)}
    command = ["/usr/bin/time", "-f", "%M %U %S", sys.executable, "-m", "ascolto_core", "analyze", *args]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"analyze failed:\n{done.stderr[-3000:]}")
    peak_kb, user, system = done.stderr.strip().splitlines()[-1].split()
    return {"wall": wall, "cpu": float(user) + float(system), "peak_mb": int(peak_kb) / 1024}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for Spark vs local (0: skip)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--memory-rows", type=int, default=0, help="rows of the bounded-memory check (0: skip)")
    parser.add_argument("--batch-rows", type=int, default=200_000)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from ascolto_core.datasets.synth import synthesize

    folder = Path(tempfile.mkdtemp(prefix="ascolto-bench-spark-"))
    try:
        if args.rows:
            source = folder / "mentions.csv"
            synthesize(args.rows).drop("lang").write_csv(source)
            print(f"{args.rows:,} rows in {source} ({source.stat().st_size / 1e6:.0f} MB), no lang column")
            local, spark = [], []
            for repetition in range(args.repeat):
                order = ("local", "spark") if repetition % 2 == 0 else ("spark", "local")
                for who in order:
                    cache = folder / f"cache-{who}-{repetition}"
                    if who == "local":
                        local.append(_run([str(source), "-o", str(folder / "local.parquet"), "--no-progress",
                                           "--batch-rows", str(args.batch_rows)], cache))
                    else:
                        spark.append(_run([str(source), "-o", str(folder / "spark-out"), "--spark", args.master], cache))
                    shutil.rmtree(cache, ignore_errors=True)
            for name, runs in (("local analyze (batched)", local), (f"spark {args.master}", spark)):
                print(
                    f"  {name:<26} wall {statistics.median(r['wall'] for r in runs):7.1f} s"
                    f"  cpu {statistics.median(r['cpu'] for r in runs):7.1f} s"
                    f"  peak {statistics.median(r['peak_mb'] for r in runs):7.0f} MB (largest process)"
                )
            ratio = statistics.median(r["wall"] for r in spark) / statistics.median(r["wall"] for r in local)
            print(f"  Spark {args.master} is {ratio:.2f}x the local wall time on one machine")
        if args.memory_rows:
            big = folder / "big.csv"
            synthesize(args.memory_rows).drop("lang").write_csv(big)
            print(f"{args.memory_rows:,} rows in {big} ({big.stat().st_size / 1e9:.2f} GB)")
            run = _run([str(big), "-o", str(folder / "big.parquet"), "--no-progress", "--no-cache",
                        "--batch-rows", str(args.batch_rows)], folder / "cache-big")
            print(
                f"  batched analyze of {args.memory_rows:,} rows: wall {run['wall']:.1f} s, cpu {run['cpu']:.1f} s,"
                f" peak {run['peak_mb']:.0f} MB (target < 2048 MB)"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
