"""The listening rules of a workspace (``settings.alerts``), validated, with small-business defaults.

Example (every key optional)::

    alerts:
      every_minutes: 15            # how often each source is read
      jitter_seconds: 60           # random delay added to each source's next read
      source_minutes: {"mastodon:mastodon.uno": 5}   # per-source interval, by source label
      spike: {recent_hours: 3, min_negatives: 4, z_threshold: 3.5, ratio_threshold: 2.0, baseline_days: 28}
      amplified: {min_engagement: 50, min_reach: 2000, growth: 20, window_hours: 48}
      unanswered: {hours: 4, window_hours: 72}
      source_failing: {hours: 6}
      digest: off                  # off | daily | weekly
      digest_hour: 8               # local hour after which the digest goes out
      examples: 3                  # example posts per message
      language: it                 # language of the notifications

A rule is switched off with ``enabled: false`` inside its section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from ascolto_core.errors import AscoltoError
from ascolto_core.insights.alerts import AlertConfig


@dataclass(frozen=True)
class SpikeRule:
    """Negative spike of today so far and of the last ``recent_hours`` hours (see ``negative_spike_so_far``)."""

    enabled: bool = True
    recent_hours: float = 3.0
    detector: AlertConfig = field(default_factory=AlertConfig.from_config)


@dataclass(frozen=True)
class AmplifiedRule:
    """A negative post whose engagement or reach passes a threshold, or grows fast between rounds."""

    enabled: bool = True
    min_engagement: int = 50  # likes + shares + comments
    min_reach: int = 2000
    growth: int = 20  # engagement gained since the previous round
    window_hours: float = 48.0  # only posts this recent are watched


@dataclass(frozen=True)
class UnansweredRule:
    """A complaint or question from a customer with no reply from the brand's accounts after ``hours``."""

    enabled: bool = True
    hours: float = 4.0
    window_hours: float = 72.0  # older posts are not chased any more


@dataclass(frozen=True)
class SourceFailingRule:
    """A source that has not answered for ``hours``: a silent source must not look like a quiet brand."""

    enabled: bool = True
    hours: float = 6.0


@dataclass(frozen=True)
class ListeningRules:
    """Schedule, alert rules and notification options of one workspace."""

    every_minutes: float = 15.0
    jitter_seconds: float = 60.0
    source_minutes: Mapping[str, float] = field(default_factory=dict)
    max_backoff_minutes: float = 120.0
    spike: SpikeRule = field(default_factory=SpikeRule)
    amplified: AmplifiedRule = field(default_factory=AmplifiedRule)
    unanswered: UnansweredRule = field(default_factory=UnansweredRule)
    source_failing: SourceFailingRule = field(default_factory=SourceFailingRule)
    digest: str = "off"
    digest_hour: int = 8
    examples: int = 3
    language: str = "it"

    def interval_minutes(self, source: str) -> float:
        """How often ``source`` (its label) is read."""
        return float(self.source_minutes.get(source, self.every_minutes))

    @classmethod
    def from_settings(cls, alerts: Mapping[str, Any] | None) -> ListeningRules:
        """Validate ``settings.alerts``.

        Raises:
            AscoltoError: ``listening.bad_rule`` naming the field and what is wrong.
        """
        data = dict(alerts or {})
        sections = {"spike": SpikeRule, "amplified": AmplifiedRule, "unanswered": UnansweredRule, "source_failing": SourceFailingRule}
        top = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - top)
        if unknown:
            raise AscoltoError("listening.bad_rule", field=f"alerts.{unknown[0]}", problem="unknown field")
        values: dict[str, Any] = {}
        for name, value in data.items():
            where = f"alerts.{name}"
            if name in sections:
                values[name] = _section(sections[name], value, where)
            elif name == "source_minutes":
                if not isinstance(value, Mapping):
                    raise AscoltoError("listening.bad_rule", field=where, problem="expected a mapping source -> minutes")
                values[name] = {str(k): _number(v, f"{where}.{k}", positive=True) for k, v in value.items()}
            elif name == "digest":
                if value in (None, False):
                    value = "off"
                if value not in ("off", "daily", "weekly"):
                    raise AscoltoError("listening.bad_rule", field=where, problem="expected off, daily or weekly")
                values[name] = value
            elif name == "language":
                if value not in ("it", "en"):
                    raise AscoltoError("listening.bad_rule", field=where, problem="expected it or en")
                values[name] = value
            elif name in ("digest_hour", "examples"):
                number = int(_number(value, where))
                if name == "digest_hour" and number > 23:
                    raise AscoltoError("listening.bad_rule", field=where, problem="expected an hour 0-23")
                values[name] = min(number, 10) if name == "examples" else number
            else:
                values[name] = _number(value, where, positive=name in ("every_minutes", "max_backoff_minutes"))
        return cls(**values)


def _number(value: Any, where: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or (positive and value == 0):
        raise AscoltoError("listening.bad_rule", field=where, problem=f"expected a number {'> 0' if positive else '>= 0'}, got {value!r}")
    return float(value)


def _section(kind: type, value: Any, where: str) -> Any:
    if value is None or value is True:
        return kind()
    if value is False:
        return kind(enabled=False)
    if not isinstance(value, Mapping):
        raise AscoltoError("listening.bad_rule", field=where, problem="expected a mapping")
    defaults = kind()
    detector_fields = set(AlertConfig.__dataclass_fields__)
    own: dict[str, Any] = {}
    detector: dict[str, Any] = {}
    for key, item in value.items():
        if key == "enabled":
            own[key] = bool(item)
        elif key in {f.name for f in fields(kind)} and key != "detector":
            current = getattr(defaults, key)
            number = _number(item, f"{where}.{key}")
            own[key] = int(number) if isinstance(current, int) else number
        elif kind is SpikeRule and key in detector_fields:
            current = getattr(defaults.detector, key)
            detector[key] = bool(item) if isinstance(current, bool) else type(current)(_number(item, f"{where}.{key}"))
        else:
            raise AscoltoError("listening.bad_rule", field=f"{where}.{key}", problem="unknown field")
    rule = kind(**own)
    if detector:
        rule = replace(rule, detector=replace(rule.detector, **detector))
    return rule
