"""Workspaces under real processes: two writers at once, and a writer killed with SIGKILL mid-add."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from workspace_data import write_mentions

from ascolto_core.config import PROJECT_ROOT
from ascolto_core.workspace import Workspace
from ascolto_core.workspace.store import SEGMENTS_DIR

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork semantics")

# A writer that waits for the "go" file so both start their add at the same moment.
_ADD_AFTER_GO = """
import sys, time, pathlib
from ascolto_core.workspace import Workspace, add_file
go = pathlib.Path(sys.argv[1])
while not go.exists():
    time.sleep(0.005)
report = add_file(Workspace.open(sys.argv[2]), sys.argv[3])
print(report.new, report.duplicates.total)
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "ASCOLTO_ENGINE": "embedded"}


@pytest.mark.parametrize(
    ("second_start", "expected_total"),
    [
        # Different files: the workspace ends with the sum.
        (0, 6000),
        # Files sharing 1,000 mentions: the shared ones are stored once, whoever wins the race.
        (2000, 5000),
    ],
)
def test_two_processes_adding_at_the_same_moment(
    tmp_path: Path, second_start: int, expected_total: int
) -> None:
    workspace = Workspace.create(tmp_path / "ws", brand="Forno Brio")
    first = write_mentions(tmp_path / "a.csv", 3000, "a")
    # The second file starts at a-row ``second_start`` when sharing, else it is a file of its own.
    second = write_mentions(tmp_path / "b.csv", 3000, "a" if second_start else "b", start=second_start)
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _ADD_AFTER_GO, str(go), str(workspace.path), str(file)],
            env=_env(),
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for file in (first, second)
    ]
    time.sleep(1.5)  # both are importing and waiting
    go.touch()
    outputs = [writer.communicate(timeout=300) for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], [err for _, err in outputs]
    assert all(err == "" for _, err in outputs), [err for _, err in outputs]
    new_counts = [int(out.split()[0]) for out, _ in outputs]
    duplicate_counts = [int(out.split()[1]) for out, _ in outputs]
    assert sum(new_counts) == expected_total
    assert sum(duplicate_counts) == 6000 - expected_total
    mentions = Workspace.open(workspace.path).mentions()
    assert mentions.height == expected_total
    assert mentions["id"].n_unique() == expected_total


def _wait_for(condition: object, process: subprocess.Popen[str], timeout: float = 240) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end and process.poll() is None:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.002)
    return False


@pytest.mark.parametrize(
    "moment",
    [
        # While the segment is being written (the temporary file exists): nothing of the batch may show.
        "writing",
        # At a moment that depends on the machine (during loading or analysis, or later).
        "after_2s",
        # Right after the segment got its final name (maybe before the catalogue listed it).
        "renamed",
    ],
)
def test_sigkill_during_a_large_add_leaves_none_or_all(tmp_path: Path, moment: str) -> None:
    workspace = Workspace.create(tmp_path / "ws", brand="Forno Brio")
    before = write_mentions(tmp_path / "before.csv", 500, "x")
    subprocess.run(
        [sys.executable, "-m", "ascolto_core", "workspace", "add", str(workspace.path), str(before)],
        env=_env(),
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    big = write_mentions(tmp_path / "big.csv", 100_000, "big")
    folder = workspace.path / SEGMENTS_DIR
    process = subprocess.Popen(
        [sys.executable, "-m", "ascolto_core", "workspace", "add", str(workspace.path), str(big)],
        env=_env(),
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    mid_write = False
    if moment == "writing":
        _wait_for(lambda: any(folder.glob(".tmp-*")), process)
        # Freeze it first: if the temporary file is still there, the writer is surely mid-write.
        process.send_signal(signal.SIGSTOP)
        mid_write = any(folder.glob(".tmp-*"))
    elif moment == "renamed":
        _wait_for(lambda: len(list(folder.glob("seg-*.parquet"))) > 1, process)
    else:
        time.sleep(2.0)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    reopened = Workspace.open(workspace.path)
    count = reopened.count()
    assert count in (500, 100_500)
    assert reopened.mentions().height == count
    # No half-written or unlisted file is left after opening.
    assert sorted(p.name for p in folder.iterdir()) == sorted(reopened.segment_files())
    if mid_write:
        assert count == 500
    # The workspace still takes new data.
    again = subprocess.run(
        [sys.executable, "-m", "ascolto_core", "workspace", "add", str(workspace.path), str(big)],
        check=False,
        env=_env(),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    assert Workspace.open(workspace.path).count() == 100_500


# A writer process that adds ``n`` batches of 300 mentions, then refreshes every analysis once.
_WRITER = """
import sys
import polars as pl
sys.path.insert(0, sys.argv[3])
from ascolto_core.workspace import Workspace, add_mentions, refresh_analysis
from workspace_data import mentions_frame
ws = Workspace.open(sys.argv[1])
for batch in range(int(sys.argv[2])):
    frame = mentions_frame(300, f"w{batch}-").with_columns(pl.col("created_at").str.to_datetime(time_zone="UTC"))
    add_mentions(ws, frame, origin=f"round {batch}", kind="fetch")
ws.set_term("cornetto", "name")
refresh_analysis(ws)
"""


def test_readers_never_fail_while_another_process_writes_and_refreshes(tmp_path: Path) -> None:
    workspace = Workspace.create(tmp_path / "ws", brand="Forno Brio")
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(workspace.path), "8", str(PROJECT_ROOT / "tests")],
        env=_env(),
        cwd=PROJECT_ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: list[int] = []
    while writer.poll() is None:
        reader = Workspace.open(workspace.path, read_only=True)
        mentions = reader.mentions()
        assert mentions["id"].n_unique() == mentions.height  # never a half batch or a double one
        assert mentions.height % 300 == 0
        seen.append(mentions.height)
        reader.info()
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    assert seen == sorted(seen)  # the count only grows
    final = Workspace.open(workspace.path)
    assert final.count() == final.mentions().height == 8 * 300
    assert len(seen) > 3  # the reader really overlapped the writer
