"""Benchmark: the ``analyze`` command on a large file, this code against another copy, side by side.

Usage::

    .venv/bin/python benchmarks/bench_analyze_file.py [--rows 1000000] [--repeat 3]
        [--generator synth|tweets] [--baseline DIR] [--batch-rows N] [--first-run]

Issue 14's target: 1,000,000 mentions in under 10 s and under 1.5 GB. Each run is
``python -m ascolto_core analyze FILE -o out.parquet`` in its own process with a cold
result cache (a new folder per run; it holds py3langid's model as an earlier run on the
machine unpacked it, unless ``--first-run``), timed from the outside: wall seconds, CPU seconds
of the process and its peak resident memory (the kernel's ``ru_maxrss``, see
``bench_spark.watch``). ``--baseline DIR`` is another copy of the code (e.g. from
``git archive REV ascolto_core config | tar -x -C DIR``), run alternately with this one
so both see the same machine; compare the medians and the ratio printed at the end.

Data: ``synth`` (default) is ``ascolto_core.datasets.synth`` (recombined demo posts, about
15% distinct texts, the dataset of the README's scaling figures); ``tweets`` is
``bench_analyze.py``'s tweet-like posts (about 80% distinct: the engine's worst case).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_spark import generate, language_model_template, prepared_cache, run_analyze  # noqa: E402 - the benchmarks folder is not a package


def _run(code: Path, source: Path, output: Path, cache: Path, batch_rows: int | None) -> dict[str, float]:
    batch_option = ("--batch-rows", str(batch_rows)) if batch_rows else ()
    return run_analyze([str(source), "-o", str(output), "--no-progress", *batch_option], cache, code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generator", choices=("synth", "tweets"), default="synth")
    parser.add_argument("--batch-rows", type=int, help="rows per batch (default: the command's own)")
    parser.add_argument("--baseline", type=Path, help="another copy of the code, timed alternately with this one")
    parser.add_argument(
        "--first-run",
        action="store_true",
        help="also without py3langid's unpacked model (the first run on a machine; default: a machine that ran Ascolto before)",
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="ascolto-bench-file-"))
    try:
        source = folder / "mentions.csv"
        generate(args.rows, source, args.generator)  # in a child: this process stays small (see generate)
        template = None if args.first_run else language_model_template(folder / "template")
        print(f"{args.rows:,} rows ({args.generator}) in {source} ({source.stat().st_size / 1e6:.0f} MB), no lang column")
        codes = {"ours": ROOT}
        if args.baseline is not None:
            codes["baseline"] = args.baseline.resolve()
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in codes}
        for repetition in range(args.repeat):
            names = list(codes) if repetition % 2 == 0 else list(reversed(codes))
            for name in names:
                cache = prepared_cache(folder / f"cache-{name}-{repetition}", template)
                runs[name].append(_run(codes[name], source, folder / f"{name}.parquet", cache, args.batch_rows))
                shutil.rmtree(cache, ignore_errors=True)
                last = runs[name][-1]
                print(f"  {name:<9} wall {last['wall']:6.1f} s  cpu {last['cpu']:6.1f} s  peak {last['peak_mb']:6.0f} MiB")

        def median(name: str, key: str) -> float:
            return statistics.median(run[key] for run in runs[name])

        batches = f"batches of {args.batch_rows:,} rows" if args.batch_rows else "the command's default batches"
        machine = "first run on the machine" if args.first_run else "language model unpacked by an earlier run"
        print(f"\nmedian of {args.repeat} (cold result cache, {machine}, {batches}):")
        for name in codes:
            print(
                f"  {name:<9} wall {median(name, 'wall'):6.1f} s  cpu {median(name, 'cpu'):6.1f} s"
                f"  peak {median(name, 'peak_mb'):6.0f} MiB"
            )
        print("  target (issue 14, 1,000,000 rows): wall < 10 s, peak < 1,536 MiB (1.5 GiB)")
        if "baseline" in codes:
            print(
                f"  ours / baseline: wall {median('ours', 'wall') / median('baseline', 'wall'):.2f}x,"
                f" cpu {median('ours', 'cpu') / median('baseline', 'cpu'):.2f}x,"
                f" peak {median('ours', 'peak_mb') / median('baseline', 'peak_mb'):.2f}x"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
