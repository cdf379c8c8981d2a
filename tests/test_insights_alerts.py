"""Negative-spike alerts (robust baseline) and amplified negative posts."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from ascolto_core.insights import AlertConfig, amplified_negative, negative_spike_days
from ascolto_core.insights.sample import mentions_frame

TZ = "Europe/Rome"
START = date(2026, 8, 1)


def _series(negatives: list[int]) -> pl.DataFrame:
    """One day per value, with that many negative mentions (and one neutral so every day exists)."""
    rows = []
    for i, count in enumerate(negatives):
        day = (START + timedelta(days=i)).isoformat()
        rows.append(dict(created_at=f"{day}T10:00", sentiment="neutral"))
        rows += [dict(created_at=f"{day}T11:00", sentiment="negative") for _ in range(count)]
    return mentions_frame(rows)


def test_robust_baseline_excludes_the_day_itself() -> None:
    # 28 days alternating 1 and 3 complaints, then 12: median 2, MAD 1 -> spread 1.4826.
    days = negative_spike_days(_series([1, 3] * 14 + [12]), AlertConfig(), TZ)
    last = days.row(-1, named=True)
    assert last["day"] == START + timedelta(days=28)
    assert (last["negative"], last["baseline"], last["spread"]) == (12, 2.0, pytest.approx(1.4826))
    assert last["robust_z"] == pytest.approx(10 / 1.4826)
    assert (last["ratio"], last["is_alert"]) == (6.0, True)
    assert days.filter("is_alert").height == 1


@pytest.mark.parametrize(
    ("negatives", "alerts"),
    [
        ([0] * 20 + [3], 0),  # 3 complaints after silence: below min_negatives (4), no alarm
        ([0] * 20 + [4], 1),  # 4 after silence: z = 4 over the spread floor 1, ratio 4 -> alarm
        ([10, 12] * 10 + [16], 0),  # busy brand: 16 is within noise (spread floored at sqrt(11))
        ([10, 12] * 10 + [40], 1),  # busy brand, real burst
        ([9] * 5 + [30], 0),  # only 5 days of history (< min_baseline_days 7): no baseline, no alarm
        ([5] * 30, 0),  # flat series never alarms
    ],
)
def test_alert_thresholds(negatives: list[int], alerts: int) -> None:
    cfg = AlertConfig(
        baseline_days=28, min_baseline_days=7, min_negatives=4, z_threshold=3.5, ratio_threshold=2.0
    )
    assert negative_spike_days(_series(negatives), cfg, TZ)["is_alert"].sum() == alerts


def test_config_thresholds_are_read() -> None:
    cfg = AlertConfig.from_config({"alerts": {"baseline_days": 14, "z_threshold": 5, "poisson_floor": False}})
    assert cfg == AlertConfig(baseline_days=14, z_threshold=5.0, poisson_floor=False)


def test_demo_incident_is_flagged() -> None:
    # Demo data: the Forno Brio incident week 14..20 Sep 2026; reference labels stand in for the analysis.
    from ascolto_core.datasets import load_demo

    demo = load_demo().with_columns(pl.col("label").alias("sentiment"))
    flagged = set(negative_spike_days(demo, AlertConfig.from_config(), TZ).filter("is_alert")["day"])
    incident = {date(2026, 9, 14) + timedelta(days=i) for i in range(7)}
    assert incident <= flagged
    assert len(flagged - incident) <= 2  # ordinary days mostly not


def test_amplified_negative() -> None:
    frame = mentions_frame(
        [
            dict(sentiment="negative", likes=3, shares=2),  # m0: engagement 5
            dict(sentiment="positive", likes=100),  # m1: positive, never listed
            dict(sentiment="negative", comments=40),  # m2: 40
            dict(sentiment="negative"),  # m3: nobody engaged: not "amplified"
            dict(sentiment=None, likes=90),  # m4: unanalysed
        ]
    )
    assert amplified_negative(frame, 10).select("id", "engagement").to_dicts() == [
        {"id": "m2", "engagement": 40},
        {"id": "m0", "engagement": 5},
    ]
