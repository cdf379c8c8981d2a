"""The brand profile: plain data in and out, clear errors on bad fields."""

from __future__ import annotations

import pytest

from ascolto_core.errors import AscoltoError
from ascolto_core.profile import BrandProfile, Competitor


def test_round_trip_keeps_every_field() -> None:
    profile = BrandProfile(
        brand="Forno Brio",
        aliases=("fornobrio", "@fornobrio"),
        competitors=(Competitor("Dolce Sosta", ("dolcesosta",)),),
        own_accounts=("@fornobrio", "assistenza@fornobrio.it"),
    )
    assert BrandProfile.from_dict(profile.to_dict()) == profile


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # Nothing configured: an empty profile, not an error.
        (None, BrandProfile()),
        # A competitor may be a bare name; blanks and repeats are dropped.
        (
            {"brand": " Forno Brio ", "aliases": ["fornobrio", "fornobrio", " "], "competitors": ["Dolce Sosta"]},
            BrandProfile("Forno Brio", ("fornobrio",), (Competitor("Dolce Sosta"),)),
        ),
        # A single alias written as a string.
        ({"brand": "X", "aliases": "xbrand"}, BrandProfile("X", ("xbrand",))),
    ],
)
def test_from_dict(data: object, expected: BrandProfile) -> None:
    assert BrandProfile.from_dict(data) == expected  # type: ignore[arg-type]


def test_names_of_brand_and_competitors() -> None:
    profile = BrandProfile.from_dict(
        {"brand": "Forno Brio", "aliases": ["fornobrio"], "competitors": [{"name": "Dolce Sosta", "aliases": ["dolcesosta"]}]}
    )
    assert profile.names == ("Forno Brio", "fornobrio")
    assert profile.all_brand_names == ("Forno Brio", "fornobrio", "Dolce Sosta", "dolcesosta")


@pytest.mark.parametrize("data", [["not", "a", "mapping"], {"aliases": [1, 2]}, {"brand": 3}, {"competitors": [3]}])
def test_bad_fields_are_named_in_italian(data: object) -> None:
    with pytest.raises(AscoltoError) as error:
        BrandProfile.from_dict(data)  # type: ignore[arg-type]
    assert "profilo del marchio" in str(error.value)
