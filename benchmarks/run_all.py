"""Run every benchmark one after the other with its default sizes (``make bench``).

Each script prints its own table; run on a quiet machine, the ratios are what matter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS: tuple[tuple[str, ...], ...] = (
    ("bench_load.py",),
    ("bench_load.py", "--generator", "italian"),
    ("bench_analyze.py",),
    ("bench_analyze_file.py", "--repeat", "1"),
    ("bench_keywords.py",),
    ("bench_learning.py",),
    ("bench_filters.py",),
    ("bench_pages.py",),
    ("bench_report.py",),
    ("bench_workspace.py",),
)


def main() -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    failed = 0
    for script, *args in RUNS:
        print(f"\n### {script} {' '.join(args)}".rstrip(), flush=True)
        done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args], cwd=ROOT, env=env)
        failed += done.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
