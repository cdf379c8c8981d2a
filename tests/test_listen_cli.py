"""``listen DIR --once`` / ``listen DIR`` in real processes, the exact settings form, the locks,
the service files' syntax, and the guards of the rule settings and the partial-day detector."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
import yaml

from ascolto_core.config import PROJECT_ROOT
from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import catalogue
from ascolto_core.insights.alerts import AlertConfig, negative_spike_days, negative_spike_so_far
from ascolto_core.listening.config import ListeningRules
from ascolto_core.listening.demo import DemoServer, scripted_posts
from ascolto_core.listening.runner import PROCESS_LOCK, _flock, listen_forever, round_lock
from ascolto_core.listening.status import listening_status
from ascolto_core.workspace import Workspace
from fetch_fixtures.server import closed_port_url

ROME = ZoneInfo("Europe/Rome")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "ASCOLTO_ENGINE": "embedded", "HF_HUB_OFFLINE": "1"}


def _run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ascolto_core", *args], env=_env(), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def demo():
    instance = DemoServer()
    yield instance
    instance.close()


def _settings_file(tmp_path: Path, demo: DemoServer, *, extra_source: str | None = None) -> Path:
    # The example query file as shipped, with its sources pointed at 127.0.0.1, plus notify.
    settings = yaml.safe_load((PROJECT_ROOT / "config" / "listening.example.yaml").read_text(encoding="utf-8"))
    settings["sources"] = {"rss": [{"url": demo.base + "/feed.xml", "name": "Recensioni Bologna"}]}
    if extra_source:
        settings["sources"]["rss"].append({"url": extra_source, "name": "Blog spento"})
    settings["limits"].update(retries=0, timeout_seconds=3, deadline_seconds=10)
    settings["notify"] = [demo.hook]
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path


def test_create_with_settings_then_listen_once_posts_one_alert(tmp_path: Path, demo: DemoServer) -> None:
    target = tmp_path / "forno"
    created = _run("workspace", "create", str(target), "--brand", "Forno Brio", "--settings", str(_settings_file(tmp_path, demo, extra_source=closed_port_url() + "/x.xml")))
    assert created.returncode == 0, created.stderr
    assert Workspace.open(target).settings().notify == (demo.hook,)

    demo.posts = scripted_posts(datetime.now(UTC), spike=False)
    calm = _run("listen", str(target), "--once")
    assert calm.returncode == 0, calm.stderr  # 0 although one source failed
    assert "Blog spento: non risponde, 0 nuove" in calm.stdout
    assert demo.received == []

    demo.posts = scripted_posts(datetime.now(UTC), spike=True)
    spike = _run("listen", str(target), "--once")
    assert spike.returncode == 0, spike.stderr
    assert len(demo.received) == 1  # one POST for one alert ("today so far", or "last hours" just after midnight)
    assert "Forno Brio" in demo.received[0]["title"] and "7" in demo.received[0]["title"]
    assert _run("listen", str(target), "--once").returncode == 0
    assert len(demo.received) == 1

    status = _run("listen", str(target), "--status")
    assert json.loads(status.stdout.strip().splitlines()[-1]) | {"last_round_at": None} == {
        "running": False, "rounds": 3, "alerts_sent": 1, "active_alerts": 1, "last_round_at": None
    }


@pytest.mark.parametrize(
    "args, message",
    [
        # No workspace there: a clear Italian message, exit 2, no traceback.
        (["listen", "{tmp}/nowhere", "--once"], "non è uno spazio di lavoro"),
    ],
)
def test_user_errors_are_messages(tmp_path: Path, args: list[str], message: str) -> None:
    done = _run(*[a.format(tmp=tmp_path) for a in args])
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_sigterm_stops_a_running_listener_and_a_second_one_is_refused(tmp_path: Path, demo: DemoServer) -> None:
    target = tmp_path / "forno"
    assert _run("workspace", "create", str(target), "--brand", "Forno Brio", "--settings", str(_settings_file(tmp_path, demo))).returncode == 0
    demo.posts = scripted_posts(datetime.now(UTC), spike=False)
    process = subprocess.Popen([sys.executable, "-m", "ascolto_core", "listen", str(target)], env=_env(), cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and listening_status(Workspace.open(target, read_only=True)).rounds == 0:
            time.sleep(0.2)
        status = listening_status(Workspace.open(target, read_only=True))
        assert status.running and status.rounds == 1 and status.next_round_at is not None
        second = _run("listen", str(target))
        assert second.returncode == 2 and "già in ascolto" in second.stderr
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Ascolto fermato." in err and "Traceback" not in err
    assert not listening_status(Workspace.open(target, read_only=True)).running


def test_rounds_never_overlap(tmp_path: Path) -> None:
    workspace = Workspace.create(tmp_path / "ws", settings={"brand": "Forno Brio"})
    with round_lock(workspace, wait=None):
        with pytest.raises(AscoltoError) as busy:
            with round_lock(workspace, wait=0.2):
                pass
    assert busy.value.key == "listening.round_busy"
    with round_lock(workspace, wait=None):  # free again once the round ended
        pass


def test_listen_forever_reads_due_sources_and_stops_on_request(tmp_path: Path, demo: DemoServer) -> None:
    settings = {
        "brand": "Forno Brio",
        "brand_terms": ["Forno Brio"],
        "sources": {"rss": [{"url": demo.base + "/feed.xml", "name": "feed"}]},
        "notify": [demo.hook],
        "alerts": {"every_minutes": 15, "jitter_seconds": 0},
    }
    workspace = Workspace.create(tmp_path / "ws", settings=settings)
    demo.posts = scripted_posts(datetime.now(UTC))
    clock_times = [datetime(2026, 11, 21, 18, 0, tzinfo=UTC)]
    stop = threading.Event()
    reports = []

    def on_round(report: object) -> None:
        reports.append(report)
        clock_times[0] += timedelta(minutes=16)  # the injected clock jumps past the next due time
        if len(reports) == 2:
            stop.set()

    rounds = listen_forever(workspace, stop=stop, clock=lambda: clock_times[0], on_round=on_round)
    assert rounds == 2 and [r.sources[0].status for r in reports] == ["ok", "nothing_new"]
    # Another listener holds the workspace: a second one refuses to start.
    with _flock(workspace.path / PROCESS_LOCK, wait=None):
        with pytest.raises(AscoltoError) as running:
            listen_forever(workspace, stop=threading.Event())
    assert running.value.key == "listening.already_running"


def test_systemd_unit_is_valid() -> None:
    unit = (PROJECT_ROOT / "deploy" / "ascolto-listen.service").read_text(encoding="utf-8")
    assert "ExecStart=%h/ascolto/.venv/bin/python -m ascolto_core listen " in unit
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed")
    # Point the paths at this checkout so the executable check can pass.
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"ascolto-unit-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    local = folder / "ascolto-listen.service"
    local.write_text(unit.replace("%h/ascolto/.venv/bin/python", sys.executable).replace("%h/ascolto", str(PROJECT_ROOT)), encoding="utf-8")
    done = subprocess.run([analyze, "verify", str(local)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "ascolto-listen" not in done.stderr, done.stderr


CRON_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]


def _cron_field_ok(field: str, low: int, high: int) -> bool:
    for part in field.split(","):
        match = re.fullmatch(r"(\*|\d+(?:-\d+)?)(?:/(\d+))?", part)
        if not match:
            return False
        numbers = [int(n) for n in re.findall(r"\d+", match.group(1))]
        if any(not low <= n <= high for n in numbers) or (match.group(2) and int(match.group(2)) == 0):
            return False
    return True


@pytest.mark.parametrize(
    "line, ok",
    [
        ("*/15 * * * * true", True),  # every quarter of an hour
        ("0 8 * * 1 true", True),  # Mondays at 8
        ("61 * * * * true", False),  # minute out of range
        ("*/0 * * * * true", False),  # zero step
        ("* * * * true", False),  # a field missing: "true" is no field
    ],
)
def test_cron_checker(line: str, ok: bool) -> None:
    fields = line.split()
    assert (len(fields) > 5 and all(_cron_field_ok(f, *r) for f, r in zip(fields[:5], CRON_RANGES, strict=True))) == ok


def test_shipped_cron_line_is_valid() -> None:
    lines = [l for l in (PROJECT_ROOT / "deploy" / "ascolto-listen.cron").read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")]
    [line] = lines
    fields = line.split(None, 5)
    assert all(_cron_field_ok(f, *r) for f, r in zip(fields[:5], CRON_RANGES, strict=True))
    assert "-m ascolto_core listen " in fields[5] and fields[5].count(" --once") == 1 and "%" not in fields[5]  # % is a newline to cron


@pytest.mark.parametrize(
    "alerts, field",
    [
        ({"spike": {"z_threshold": -1}}, "alerts.spike.z_threshold"),  # negative threshold
        ({"spike": {"zz": 1}}, "alerts.spike.zz"),  # typo in a rule field
        ({"amplifed": {}}, "alerts.amplifed"),  # typo in a rule name
        ({"every_minutes": 0}, "alerts.every_minutes"),  # zero interval would spin
        ({"digest": "hourly"}, "alerts.digest"),  # unknown digest period
        ({"source_minutes": ["a"]}, "alerts.source_minutes"),  # not a mapping
        ({"unanswered": "yes"}, "alerts.unanswered"),  # not a mapping
    ],
)
def test_bad_rules_name_the_field(alerts: dict, field: str) -> None:
    with pytest.raises(AscoltoError) as caught:
        ListeningRules.from_settings(alerts)
    assert caught.value.key == "listening.bad_rule" and caught.value.params["field"] == field


def test_rules_defaults_and_overrides() -> None:
    rules = ListeningRules.from_settings({"spike": {"min_negatives": 6, "recent_hours": 2}, "amplified": False, "source_minutes": {"feed": 5}})
    assert (rules.spike.detector.min_negatives, rules.spike.recent_hours, rules.spike.detector.z_threshold) == (6, 2.0, 3.5)
    assert (rules.amplified.enabled, rules.unanswered.hours, rules.source_failing.hours) == (False, 4.0, 6.0)
    assert (rules.interval_minutes("feed"), rules.interval_minutes("other")) == (5.0, 15.0)


def _negatives(times: list[datetime]) -> pl.DataFrame:
    return pl.DataFrame({"created_at": times, "sentiment": ["negative"] * len(times)}, schema={"created_at": pl.Datetime("us", "UTC"), "sentiment": pl.String})


EVENING = datetime(2026, 11, 21, 20, 0, tzinfo=ROME)
CALM = [EVENING - timedelta(days=d, hours=1) for d in range(1, 15)]
SPIKE = [EVENING - timedelta(minutes=5 * i) for i in range(6)]


@pytest.mark.parametrize(
    "times, hours, expected",
    [
        ([], None, (0, None, False)),  # empty workspace: nothing to compare, no alert
        (SPIKE, None, (6, None, False)),  # first day of data: no baseline yet, never an alert
        (CALM, None, (0, 1.0, False)),  # calm evening
        (CALM + SPIKE, None, (6, 1.0, True)),  # six complaints tonight vs one a day
        (CALM + SPIKE, 3, (6, 1.0, True)),  # same, in the last three hours
        (CALM + SPIKE[:3], None, (3, 1.0, False)),  # three is under min_negatives (4)
        ([EVENING - timedelta(days=d, hours=h) for d in range(1, 15) for h in (1, 2, 3)] + SPIKE, None, (6, 3.0, False)),  # a busier shop: 6 vs 3 is not 2x... z too low
    ],
)
def test_negative_spike_so_far(times: list[datetime], hours: float | None, expected: tuple) -> None:
    window = negative_spike_so_far(_negatives(times), EVENING, AlertConfig(), "Europe/Rome", hours=hours)
    assert (window.negative, window.baseline, window.is_alert) == expected


def test_partial_day_compares_same_clock_times_across_dst() -> None:
    # 25 Oct 2026 Europe/Rome has 25 hours; "same time yesterday" stays 20:00 local.
    now = datetime(2026, 10, 26, 20, 0, tzinfo=ROME)
    late = [datetime(2026, 10, 26 - d, 21, 0, tzinfo=ROME) for d in range(1, 15)]  # after 20:00: never in the windows
    window = negative_spike_so_far(_negatives(late), now, AlertConfig(), "Europe/Rome", first_day=date(2026, 9, 1))
    assert (window.baseline, window.history_days) == (0.0, 28)


def test_whole_day_detector_agrees_at_midnight() -> None:
    # At the end of a day, "today so far" and the Allarmi page's daily series score the same day equally.
    times = CALM + SPIKE
    end = datetime(2026, 11, 21, 23, 59, 59, 999999, tzinfo=ROME)
    partial = negative_spike_so_far(_negatives(times), end, AlertConfig(), "Europe/Rome")
    daily = negative_spike_days(_negatives(times), AlertConfig(), "Europe/Rome").filter(pl.col("day") == date(2026, 11, 21)).row(0, named=True)
    assert (partial.negative, partial.baseline, partial.robust_z, partial.is_alert) == (daily["negative"], daily["baseline"], daily["robust_z"], daily["is_alert"])


def test_every_listening_key_is_translated() -> None:
    used: set[str] = set()
    for path in (PROJECT_ROOT / "ascolto_core" / "listening").glob("*.py"):
        used |= set(re.findall(r'"(listening\.[a-z_]+(?:\.[a-z_]+)*)"', path.read_text(encoding="utf-8")))
    rules = ("spike_today", "spike_hours", "amplified", "unanswered", "source_failing")
    used |= {f"listening.alert.{r}.{p}" for r in rules for p in ("title", "body", "over", "over_body")}
    used |= {f"listening.rule.{r}" for r in rules}
    used |= {f"listening.status.{s}" for s in ("ok", "nothing_new", "refused", "failed", "error", "never")}
    used |= {"listening.digest.daily", "listening.digest.weekly", "listening.kind.question", "listening.kind.complaint"}
    assert len(used) > 40
    for lang in ("it", "en"):
        assert sorted(k for k in used if k not in catalogue(lang)) == [], lang
    assert {k for k in catalogue("it") if k.startswith("listening.")} == {k for k in catalogue("en") if k.startswith("listening.")}


def test_rules_still_run_every_interval_without_sources(tmp_path: Path) -> None:
    # A workspace fed by uploads only: no source is ever due, yet the rules run each interval.
    workspace = Workspace.create(tmp_path / "ws", settings={"brand": "Forno Brio", "alerts": {"every_minutes": 10}})
    times = [datetime(2026, 11, 21, 18, 0, tzinfo=UTC)]
    stop = threading.Event()
    seen = []

    def on_round(report: object) -> None:
        seen.append(times[0])
        times[0] += timedelta(minutes=10)
        if len(seen) == 2:
            stop.set()

    assert listen_forever(workspace, stop=stop, clock=lambda: times[0], on_round=on_round) == 2
    assert listening_status(workspace).rounds == 2


def test_systemd_unit_parses_without_systemd() -> None:
    # Checked on every machine, systemd-analyze or not: sections, known keys, absolute command.
    import configparser

    parser = configparser.ConfigParser(strict=True, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((PROJECT_ROOT / "deploy" / "ascolto-listen.service").read_text(encoding="utf-8"))
    assert parser.sections() == ["Unit", "Service", "Install"]
    known = {
        "Unit": {"Description", "Documentation", "After", "Wants"},
        "Service": {"Type", "WorkingDirectory", "ExecStart", "EnvironmentFile", "Environment", "KillSignal", "TimeoutStopSec", "Restart", "RestartSec"},
        "Install": {"WantedBy"},
    }
    for section, keys in known.items():
        assert set(parser[section]) <= keys, section
    command = parser["Service"]["ExecStart"].split()
    assert command[0].startswith(("/", "%h/")) and command[1:4] == ["-m", "ascolto_core", "listen"] and "--once" not in command
    assert parser["Service"]["KillSignal"] == "SIGTERM" and parser["Install"]["WantedBy"] == "default.target"


def test_cron_command_runs_under_sh_with_the_secrets_exported(tmp_path: Path) -> None:
    # cron runs the command with /bin/sh: a stand-in python records its arguments and environment.
    line = [l for l in (PROJECT_ROOT / "deploy" / "ascolto-listen.cron").read_text(encoding="utf-8").splitlines() if l and not l.startswith("#")][0]
    command = line.split(None, 5)[5]
    (tmp_path / ".config" / "ascolto").mkdir(parents=True)
    (tmp_path / ".config" / "ascolto" / "listen.env").write_text("HOOK_TOKEN=abc\n", encoding="utf-8")
    (tmp_path / ".cache").mkdir()
    fake = tmp_path / "ascolto" / ".venv" / "bin" / "python"
    fake.parent.mkdir(parents=True)
    fake.write_text('#!/bin/sh\necho "token=$HOOK_TOKEN args=$*"\n', encoding="utf-8")
    fake.chmod(0o755)
    done = subprocess.run(["/bin/sh", "-c", command], env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    log = (tmp_path / ".cache" / "ascolto-listen.log").read_text(encoding="utf-8")
    assert log == f"token=abc args=-m ascolto_core listen {tmp_path}/ascolto-workspaces/forno-brio --once\n"


def test_a_bad_alert_rule_is_a_message_naming_it(tmp_path: Path) -> None:
    target = tmp_path / "ws"
    Workspace.create(target, settings={"brand": "Forno Brio", "alerts": {"spike": {"z_treshold": 3}}})
    done = _run("listen", str(target), "--once")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "Regola di allarme «alerts.spike.z_treshold» non valida: unknown field." in done.stderr


def test_shipped_settings_example_is_accepted_whole() -> None:
    from ascolto_core.workspace import WorkspaceSettings

    settings = WorkspaceSettings.from_yaml(PROJECT_ROOT / "deploy" / "ascolto.example.yaml")
    rules = ListeningRules.from_settings(settings.alerts)
    assert [s.label for s in settings.listening_query().sources] == ["Google Alerts", "mastodon:mastodon.uno"]
    assert len(settings.notify) == 3 and all("${" in url for url in settings.notify)  # names, never values
    assert (rules.digest, rules.interval_minutes("mastodon:mastodon.uno"), rules.spike.detector.min_negatives) == ("daily", 10.0, 4)


def test_a_once_round_waits_for_the_round_in_progress(tmp_path: Path, demo: DemoServer) -> None:
    target = tmp_path / "forno"
    assert _run("workspace", "create", str(target), "--brand", "Forno Brio", "--settings", str(_settings_file(tmp_path, demo))).returncode == 0
    demo.posts = scripted_posts(datetime.now(UTC))
    workspace = Workspace.open(target)
    with round_lock(workspace, wait=None):  # a round in progress elsewhere
        waiting = subprocess.Popen([sys.executable, "-m", "ascolto_core", "listen", str(target), "--once"], env=_env(), cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(8)
        assert waiting.poll() is None and listening_status(workspace).rounds == 0  # it waits, reads nothing
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert listening_status(workspace).rounds == 1
