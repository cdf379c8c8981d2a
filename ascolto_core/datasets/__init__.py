"""The demo dataset: a fictional Italian café-bakery chain, Forno Brio, and its competitor.

``DEMO_PATH`` is the built CSV (canonical columns plus ``kind`` and ``shop``);
:func:`load_demo` reads it into the canonical table. How the posts were written
and the table built is told in ``README.md`` beside this file; rebuild with
``python -m ascolto_core.datasets.build_demo``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import yaml

from ascolto_core.errors import AscoltoError
from ascolto_core.profile import BrandProfile
from ascolto_core.schema import conform

DEMO_PATH: Path = Path(__file__).resolve().parent / "demo" / "mentions.csv"
DEMO_PROFILE_PATH: Path = Path(__file__).resolve().parent / "demo" / "profile.yaml"

# Read every column as text first: the CSV is ours, so types are fixed here, not guessed.
_INT_COLUMNS: tuple[str, ...] = ("likes", "shares", "comments", "reach")


def load_demo(path: str | Path = DEMO_PATH) -> pl.DataFrame:
    """The demo mentions as a canonical frame (UTC ``created_at``), extra columns ``kind`` and ``shop`` last.

    Raises:
        AscoltoError: ``datasets.demo_missing`` when the CSV is not there
            (rebuild it with ``python -m ascolto_core.datasets.build_demo``).
    """
    path = Path(path)
    if not path.is_file():
        raise AscoltoError("datasets.demo_missing", path=str(path))
    raw = pl.read_csv(path, infer_schema=False)
    if "reply_to" not in raw.columns:
        raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias("reply_to"))
    frame = raw.with_columns(
        pl.col("created_at").str.to_datetime("%Y-%m-%dT%H:%M:%S%z", time_unit="us").dt.convert_time_zone("UTC"),
        *(pl.col(c).cast(pl.Int64()) for c in _INT_COLUMNS),
        pl.col("rating").cast(pl.Float64()),
    )
    return conform(frame)


def demo_profile() -> BrandProfile:
    """The demo's brand profile: Forno Brio, its aliases and own accounts, competitor Dolce Sosta.

    Raises:
        AscoltoError: ``datasets.demo_missing`` when ``demo/profile.yaml`` is not there.
    """
    if not DEMO_PROFILE_PATH.is_file():
        raise AscoltoError("datasets.demo_missing", path=str(DEMO_PROFILE_PATH))
    return BrandProfile.from_dict(yaml.safe_load(DEMO_PROFILE_PATH.read_text(encoding="utf-8")))


__all__ = ["DEMO_PATH", "DEMO_PROFILE_PATH", "demo_profile", "load_demo"]
