"""Benchmark: Spark ``local[2]`` against the plain local ``analyze`` on the same rows, and the
peak memory of the batched local ``analyze`` on a large CSV.

Usage::

    .venv/bin/python benchmarks/bench_spark.py [--rows 1000000] [--repeat 1]
    .venv/bin/python benchmarks/bench_spark.py --memory-rows 10000000   # bounded memory check

Rows come from ``ascolto_core.datasets.synth`` (recombined demo posts), written as CSV
to a temporary folder that is removed at the end. Each measurement runs
``python -m ascolto_core analyze`` in its own process (cold result cache), alternating
the order, and reports wall seconds, CPU seconds of the process and its children
(Spark's JVM and Python workers included, sampled from /proc every 0.2 s) and peak
resident memory of the whole process tree (the sampled sum, or the kernel's peak of the
process when that is larger: sampling misses short peaks). The machine may be shared: compare the
ratio printed at the end, measured side by side in one run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_analyze(args: list[str], cache: Path, code: Path = ROOT) -> dict[str, float]:
    """One ``analyze`` of the copy of the code in ``code``, in its own process tree.

    Returns wall seconds, CPU seconds of every process in the tree and the peaks of :func:`watch`.
    """
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(code), "ASCOLTO_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "ascolto_core", "analyze", *args]
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=code
    )
    cpu, peak_total, peak_single = watch(process)
    _, stderr = process.communicate()
    wall = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"analyze failed in {code}:\n{stderr[-3000:]}")
    return {"wall": wall, "cpu": cpu, "peak_mb": peak_total, "peak_single_mb": peak_single}


def watch(process: subprocess.Popen) -> tuple[float, float, float]:
    """Wait for ``process``: CPU seconds of its tree, peak MiB of the tree and of one process.

    The tree (Spark's JVM and workers too) is sampled from /proc every 0.2 s, which misses
    short peaks; the kernel's own peak resident set of the process (``ru_maxrss`` from
    ``wait4``) does not, so the peaks are the larger of the two.
    """
    cpu: dict[int, float] = {}
    peak_total = peak_single = 0.0
    while True:
        pid, status, rusage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            break
        usage = _tree(process.pid)
        for child, (seconds, _) in usage.items():
            cpu[child] = max(cpu.get(child, 0.0), seconds)
        rss = [mb for _, mb in usage.values()]
        peak_total = max(peak_total, sum(rss))
        peak_single = max(peak_single, max(rss, default=0.0))
        time.sleep(0.2)
    own_cpu = rusage.ru_utime + rusage.ru_stime  # the process and the children it waited for
    cpu[process.pid] = max(cpu.get(process.pid, 0.0), own_cpu)
    kernel_peak = rusage.ru_maxrss / 1024  # KiB on Linux
    return sum(cpu.values()), max(peak_total, kernel_peak), max(peak_single, kernel_peak)


def generate(rows: int, path: Path, generator: str = "synth") -> None:
    """Write ``rows`` mentions to the CSV ``path`` (no ``lang`` column) in a child process.

    The benchmark's own process must stay small: Linux keeps a process's peak resident set
    across fork (or vfork) and exec, so a command started from a process that once held ten
    million rows would report that peak as its own ``ru_maxrss``.
    """
    code = (
        "import sys\n"
        "rows, path, kind, root, here = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]\n"
        "sys.path[:0] = [root, here]\n"
        "if kind == 'synth':\n"
        "    from ascolto_core.datasets.synth import synthesize\n"
        "    synthesize(rows).drop('lang').write_csv(path)\n"
        "else:\n"
        "    from bench_analyze import build_texts\n"
        "    build_texts(rows).write_csv(path)\n"
    )
    here = Path(__file__).resolve().parent
    subprocess.run(
        [sys.executable, "-c", code, str(rows), str(path), generator, str(ROOT), str(here)], check=True
    )


def prepared_cache(folder: Path, template: Path | None) -> Path:
    """``folder`` as a new, empty result cache; with ``template``, holding the language model's unpacked copy.

    The result cache folder also keeps py3langid's model unpacked (made once per machine, ~0.5 CPU-s,
    see ``analysis.language._unpacked_model``). A new file analysed on a machine that ran Ascolto
    before finds it there; only the very first run unpacks it. ``template`` is a folder made by
    :func:`language_model_template`; ``None`` measures that first run.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if template is not None:
        for model in template.glob("py3langid-model-*.npz"):
            shutil.copy2(model, folder / model.name)
    return folder


def language_model_template(folder: Path, code: Path = ROOT) -> Path:
    """A folder holding py3langid's unpacked model, as a first run of ``code`` leaves it."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(code), "ASCOLTO_CACHE_DIR": str(folder)}
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import polars as pl; from ascolto_core.analysis.language import identify_languages;"
            " identify_languages(pl.Series(['buongiorno a tutti']))",
        ],
        env=env,
        check=True,
    )
    return folder


def _tree(root: int) -> dict[int, tuple[float, float]]:
    """CPU seconds and resident MB of ``root`` and all its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    stats: dict[int, tuple[float, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        parents[pid] = int(fields[1])
        stats[pid] = ((int(fields[11]) + int(fields[12])) / tick, int(fields[21]) * page_mb)
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return {pid: stats[pid] for pid in tree if pid in stats}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for Spark vs local (0: skip)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--memory-rows", type=int, default=0, help="rows of the bounded-memory check (0: skip)"
    )
    parser.add_argument("--batch-rows", type=int, help="rows per batch (default: the command's own)")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    batch_option = ("--batch-rows", str(args.batch_rows)) if args.batch_rows else ()

    folder = Path(tempfile.mkdtemp(prefix="ascolto-bench-spark-"))
    try:
        if args.rows:
            source = folder / "mentions.csv"
            generate(args.rows, source)
            print(f"{args.rows:,} rows in {source} ({source.stat().st_size / 1e6:.0f} MB), no lang column")
            local, spark = [], []
            for repetition in range(args.repeat):
                order = ("local", "spark") if repetition % 2 == 0 else ("spark", "local")
                for who in order:
                    cache = folder / f"cache-{who}-{repetition}"
                    if who == "local":
                        local.append(
                            run_analyze(
                                [
                                    str(source),
                                    "-o",
                                    str(folder / "local.parquet"),
                                    "--no-progress",
                                    *batch_option,
                                ],
                                cache,
                            )
                        )
                    else:
                        spark.append(
                            run_analyze(
                                [str(source), "-o", str(folder / "spark-out"), "--spark", args.master], cache
                            )
                        )
                    shutil.rmtree(cache, ignore_errors=True)
            for name, runs in (("local analyze (batched)", local), (f"spark {args.master}", spark)):
                print(
                    f"  {name:<26} wall {statistics.median(r['wall'] for r in runs):7.1f} s"
                    f"  cpu {statistics.median(r['cpu'] for r in runs):7.1f} s"
                    f"  peak {statistics.median(r['peak_mb'] for r in runs):7.0f} MiB (all processes;"
                    f" largest {statistics.median(r['peak_single_mb'] for r in runs):.0f} MiB)"
                )
            ratio = statistics.median(r["wall"] for r in spark) / statistics.median(r["wall"] for r in local)
            cpu_ratio = statistics.median(r["cpu"] for r in spark) / statistics.median(
                r["cpu"] for r in local
            )
            print(
                f"  Spark {args.master} takes {ratio:.2f}x the local wall time and {cpu_ratio:.2f}x its CPU seconds"
            )
        if args.memory_rows:
            big = folder / "big.csv"
            generate(args.memory_rows, big)
            print(f"{args.memory_rows:,} rows in {big} ({big.stat().st_size / 1e9:.2f} GB)")
            run = run_analyze(
                [
                    str(big),
                    "-o",
                    str(folder / "big.parquet"),
                    "--no-progress",
                    "--no-cache",
                    *batch_option,
                ],
                folder / "cache-big",
            )
            print(
                f"  batched analyze of {args.memory_rows:,} rows: wall {run['wall']:.1f} s, cpu {run['cpu']:.1f} s,"
                f" peak {run['peak_mb']:.0f} MiB (target < 2,048 MiB = 2 GiB)"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
