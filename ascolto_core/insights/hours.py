"""Orari page: when mentions arrive, and how many land outside office hours per touchpoint."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import holidays as holiday_calendars
import polars as pl

from ascolto_core.config import load_config
from ascolto_core.errors import AscoltoError
from ascolto_core.insights._frame import ensure_columns, local_time, resolve_tz
from ascolto_core.schema import TIME_KNOWN

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Italian day names are accepted in the config too ("lun", "lunedì"...).
WEEKDAYS_IT: tuple[str, ...] = ("lun", "mar", "mer", "gio", "ven", "sab", "dom")


def _weekday(name: object) -> int:
    key = str(name).strip().lower()[:3]
    if key in WEEKDAYS:
        return WEEKDAYS.index(key)
    return WEEKDAYS_IT.index(key)


HOURS_SCHEMA: dict[str, pl.DataType] = {
    "weekday": pl.Int8(),
    "hour": pl.Int8(),
    "mentions": pl.UInt32(),
    "negative": pl.UInt32(),
}
OFF_HOURS_SCHEMA: dict[str, pl.DataType] = {
    "touchpoint": pl.String(),
    "mentions": pl.UInt32(),
    "off_hours": pl.UInt32(),
    "off_hours_share": pl.Float64(),
    "off_hours_complaints": pl.UInt32(),
    "off_hours_questions": pl.UInt32(),
}


def _minutes(value: Any) -> int:
    """'09:30' -> 570; '24:00' -> 1440 (end of day). Raises AscoltoError on nonsense."""
    try:
        hours, minutes = str(value).strip().split(":")
        total = int(hours) * 60 + int(minutes)
    except ValueError:
        raise AscoltoError("insights.bad_office_hours", value=value) from None
    if not 0 <= total <= 1440 or not 0 <= int(minutes) < 60:
        raise AscoltoError("insights.bad_office_hours", value=value)
    return total


@dataclass(frozen=True)
class OpeningWindow:
    """Open on ``days`` (0=Mon..6=Sun) from ``open_minute`` (inclusive) to ``close_minute`` (exclusive)."""

    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    open_minute: int = 9 * 60
    close_minute: int = 18 * 60

    @classmethod
    def parse(cls, section: dict[str, Any], default: OpeningWindow | None = None) -> OpeningWindow:
        """From ``{days: [mon, ...], open: "09:00", close: "18:00"}``; absent keys come from ``default``."""
        base = default or cls()
        days = base.days
        if "days" in section:
            try:
                days = tuple(sorted({_weekday(d) for d in section["days"] or ()}))
            except ValueError:
                raise AscoltoError("insights.bad_office_hours", value=section["days"]) from None
        open_minute = _minutes(section["open"]) if "open" in section else base.open_minute
        close_minute = _minutes(section["close"]) if "close" in section else base.close_minute
        return cls(days=days, open_minute=open_minute, close_minute=close_minute)


@dataclass(frozen=True)
class OfficeHours:
    """When someone answers: a default window, per-touchpoint overrides, and closed days.

    Attributes:
        default: the usual opening window (Mon-Fri 9:00-18:00 unless configured).
        by_touchpoint: (touchpoint, window) overrides, e.g. a chat staffed at weekends.
        holidays_country: ISO country whose public holidays are closed days (None: none).
        holidays_subdiv: optional region/province code for local holidays.
        closed_dates: extra closed days (e.g. the shop's summer break).
    """

    default: OpeningWindow = field(default_factory=OpeningWindow)
    by_touchpoint: tuple[tuple[str, OpeningWindow], ...] = ()
    holidays_country: str | None = "IT"
    holidays_subdiv: str | None = None
    closed_dates: tuple[date, ...] = ()

    @classmethod
    def from_config(cls, config: dict[str, Any] | None = None) -> OfficeHours:
        """Read ``office_hours`` from ``config/insights.yaml``.

        Raises:
            AscoltoError: ``insights.bad_office_hours`` for unreadable times or days.
        """
        section = (config if config is not None else load_config("insights")).get("office_hours") or {}
        default = OpeningWindow.parse(section)
        overrides = tuple(
            (str(name), OpeningWindow.parse(window or {}, default))
            for name, window in (section.get("touchpoints") or {}).items()
        )
        try:
            closed = tuple(date.fromisoformat(str(d)) for d in section.get("closed_dates") or ())
        except ValueError:
            raise AscoltoError("insights.bad_office_hours", value=section.get("closed_dates")) from None
        country = section.get("holidays_country", "IT")
        if country and str(country) not in holiday_calendars.list_supported_countries():
            raise AscoltoError("insights.bad_office_hours", value=country)
        return cls(
            default=default,
            by_touchpoint=overrides,
            holidays_country=str(country) if country else None,
            holidays_subdiv=section.get("holidays_subdiv"),
            closed_dates=closed,
        )

    def closed_days(self, years: list[int]) -> list[date]:
        """Public holidays of those years plus the extra closed dates."""
        days = set(self.closed_dates)
        if self.holidays_country and years:
            days |= set(
                holiday_calendars.country_holidays(
                    self.holidays_country, subdiv=self.holidays_subdiv, years=years
                )
            )
        return sorted(days)

    def schedule(self, touchpoints: list[str]) -> pl.DataFrame:
        """``(touchpoint, weekday, open_minute, close_minute)`` for the open days of each touchpoint."""
        overrides = dict(self.by_touchpoint)
        rows = [
            (tp, day, window.open_minute, window.close_minute)
            for tp in touchpoints
            for window in [overrides.get(tp, self.default)]
            for day in window.days
        ]
        return pl.DataFrame(
            rows,
            schema={
                "touchpoint": pl.String(),
                "weekday": pl.Int8(),
                "open_minute": pl.Int32(),
                "close_minute": pl.Int32(),
            },
            orient="row",
        )


def _with_time_of_day(frame: pl.DataFrame) -> pl.Expr:
    """Rows whose time of day is known: dated, and not a day-only date (``time_known`` False)."""
    dated = pl.col("created_at").is_not_null()
    if TIME_KNOWN in frame.columns:
        return dated & pl.col(TIME_KNOWN).fill_null(True)
    return dated


def count_time_unknown(mentions: pl.DataFrame) -> int:
    """Dated mentions whose source gave a day but no time of day: the hour views leave them out.

    The same count the Orari page states, so the sentence and the charts agree.
    """
    if TIME_KNOWN not in mentions.columns or "created_at" not in mentions.columns:
        return 0
    return int(mentions.select((pl.col("created_at").is_not_null() & ~pl.col(TIME_KNOWN).fill_null(True)).sum()).item())


def _local_parts(frame: pl.DataFrame, tz: str) -> pl.DataFrame:
    """Mentions with a known time of day, with their local weekday, hour, minute and day.

    Day-only dates are left out: their midnight is not when they were posted.
    """
    local = local_time(tz)
    return frame.filter(_with_time_of_day(frame)).with_columns(
        (local.dt.weekday() - 1).cast(pl.Int8).alias("weekday"),
        local.dt.hour().cast(pl.Int8).alias("hour"),
        (local.dt.hour().cast(pl.Int32) * 60 + local.dt.minute().cast(pl.Int32)).alias("_minute"),
        local.dt.date().alias("_day"),
    )


def hour_weekday_counts(mentions: pl.DataFrame, tz: str | None = None) -> pl.DataFrame:
    """The full 7 x 24 grid ``(weekday 0=Mon..6, hour 0..23, mentions, negative)`` in the display zone.

    Hours are wall-clock hours: on the night clocks go back, 02:00-02:59
    happens twice and both count in hour 2. Mentions dated without a time of
    day are left out (see :func:`count_time_unknown`). Empty input gives an empty frame.
    """
    tz = resolve_tz(tz)
    frame = _local_parts(ensure_columns(mentions), tz)
    if frame.is_empty():
        return pl.DataFrame(schema=HOURS_SCHEMA)
    counts = frame.group_by("weekday", "hour").agg(
        pl.len().cast(pl.UInt32).alias("mentions"),
        (pl.col("sentiment") == "negative").sum().cast(pl.UInt32).alias("negative"),
    )
    grid = pl.DataFrame({"weekday": list(range(7))}, schema={"weekday": pl.Int8()}).join(
        pl.DataFrame({"hour": list(range(24))}, schema={"hour": pl.Int8()}), how="cross"
    )
    return (
        grid.join(counts, on=["weekday", "hour"], how="left")
        .with_columns(pl.col("mentions", "negative").fill_null(0))
        .select(list(HOURS_SCHEMA))
    )


def off_hours_expr(office_hours: OfficeHours, closed_days: list[date]) -> pl.Expr:
    """True where a mention (with columns from the schedule join) arrived while nobody was working."""
    return (
        pl.col("open_minute").is_null()
        | pl.col("_day").is_in(closed_days)
        | (pl.col("_minute") < pl.col("open_minute"))
        | (pl.col("_minute") >= pl.col("close_minute"))
    )


def off_hours_by_touchpoint(
    mentions: pl.DataFrame, office_hours: OfficeHours | None = None, tz: str | None = None
) -> pl.DataFrame:
    """Per touchpoint: mentions with a time of day, how many arrived off hours, and of those complaints/questions.

    Day-only dates are left out (see :func:`count_time_unknown`): a day alone
    cannot say whether someone was at work.

    Outside office hours = a closed weekday, a public holiday or closed date, or
    outside the touchpoint's daily window (display zone). Complaints are
    negative sentiment, questions ``is_question``. Sorted by off-hours volume.
    """
    tz = resolve_tz(tz)
    office_hours = office_hours or OfficeHours.from_config()
    frame = _local_parts(ensure_columns(mentions), tz).with_columns(pl.col("touchpoint").fill_null("other"))
    if frame.is_empty():
        return pl.DataFrame(schema=OFF_HOURS_SCHEMA)
    years = frame.get_column("_day").dt.year().unique().to_list()
    schedule = office_hours.schedule(frame.get_column("touchpoint").unique().to_list())
    off = off_hours_expr(office_hours, office_hours.closed_days(years))
    joined = frame.join(schedule, on=["touchpoint", "weekday"], how="left").with_columns(off.alias("_off"))
    return (
        joined.group_by("touchpoint")
        .agg(
            pl.len().cast(pl.UInt32).alias("mentions"),
            pl.col("_off").sum().cast(pl.UInt32).alias("off_hours"),
            (pl.col("_off") & (pl.col("sentiment") == "negative"))
            .fill_null(False)
            .sum()
            .cast(pl.UInt32)
            .alias("off_hours_complaints"),
            (pl.col("_off") & pl.col("is_question"))
            .fill_null(False)
            .sum()
            .cast(pl.UInt32)
            .alias("off_hours_questions"),
        )
        .with_columns((pl.col("off_hours") / pl.col("mentions")).alias("off_hours_share"))
        .select(list(OFF_HOURS_SCHEMA))
        .sort(["off_hours", "touchpoint"], descending=[True, False])
    )
