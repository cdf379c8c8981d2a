"""Build the demo mentions table from the hand-written posts.

``python -m ascolto_core.datasets.build_demo`` reads every
``demo_source/*.jsonl`` record (one hand-written post per line), validates it,
places it in time according to its ``period`` and a realistic daily and weekly
rhythm for its touchpoint, gives it heavy-tailed engagement, an author and a
plausible url, and writes ``demo/mentions.csv`` sorted by time with stable ids.

Everything random comes from one seeded generator, so building twice gives
identical bytes. The texts and their labels (sentiment, emotion) are exactly
as the writers intended them; only time, engagement, author and url are made
up here.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from ascolto_core.datasets.replies import OWN_AUTHOR, plan_replies
from ascolto_core.errors import AscoltoError
from ascolto_core.schema import EMOTIONS, MENTION_SCHEMA, SENTIMENTS, TOUCHPOINTS

HERE = Path(__file__).resolve().parent
SOURCE_DIR = HERE / "demo_source"
OUTPUT_PATH = HERE / "demo" / "mentions.csv"
SEED = 20260914
ROME = ZoneInfo("Europe/Rome")

FIRST_DAY = date(2026, 5, 1)
LAST_DAY = date(2026, 11, 15)

# When a post may be placed: (first day, last day, optional day weights for a burst shape).
PERIODS: dict[str, tuple[date, date, tuple[float, ...] | None]] = {
    "any": (FIRST_DAY, LAST_DAY, None),
    "summer": (date(2026, 6, 1), date(2026, 8, 31), None),
    "august": (date(2026, 8, 1), date(2026, 8, 31), None),
    "september": (date(2026, 9, 1), date(2026, 9, 30), None),
    "autumn": (date(2026, 10, 1), date(2026, 11, 10), None),
    "november": (date(2026, 11, 1), date(2026, 11, 15), None),
    # The app update breaks on Monday 14 September; anger peaks on the 15th-16th.
    "incident": (date(2026, 9, 14), date(2026, 9, 20), (1.5, 2.0, 1.9, 1.3, 1.0, 0.9, 0.8)),
    # Apology on the 16th, login fixed on the 18th, refunds by the 22nd.
    "incident_fix": (date(2026, 9, 16), date(2026, 9, 25), (1.4, 1.0, 1.6, 1.2, 0.8, 0.6, 1.0, 0.5, 0.3, 0.2)),
    # The influencer's reel goes out on 10 July.
    "influencer": (date(2026, 7, 10), date(2026, 7, 16), (3.0, 2.2, 1.2, 0.7, 0.5, 0.3, 0.2)),
}

KINDS: tuple[str, ...] = ("complaint", "question", "praise", "info", "suggestion", "irony")
LANGS: tuple[str, ...] = ("it", "en")
BRANDS: tuple[str, ...] = ("Forno Brio", "Dolce Sosta")
REVIEW_TOUCHPOINTS: frozenset[str] = frozenset({"google_reviews", "tripadvisor"})
SOCIAL_TOUCHPOINTS: frozenset[str] = frozenset({"facebook", "instagram", "x"})
REQUIRED_FIELDS: tuple[str, ...] = (
    "text", "lang", "touchpoint", "brand", "sentiment", "emotion", "kind", "period", "rating", "shop",
)
# Optional: a writer may pin the author (e.g. the brand's own "@fornobrio" posts) and the
# local day ("2026-09-16") or moment ("2026-09-16T09:30") of a post that marks an event, or
# the weekday (0 = Monday .. 6 = Sunday) of a post that says "domenica di sole..." about its own day.
OPTIONAL_FIELDS: tuple[str, ...] = ("author", "day", "weekday")
# Praise for the fix comes after the login was fixed (18 September).
FIX_PRAISE_FROM = date(2026, 9, 18)
# In these periods nobody reacts before the event itself: the earliest pinned moment opens the period.
EVENT_PERIODS: tuple[str, ...] = ("influencer", "incident_fix")

SHOPS: tuple[str, ...] = (
    "Bologna Indipendenza", "Bologna Saragozza", "Bologna Rizzoli", "Bologna Bolognina",
    "Bologna Stazione Centrale", "Bologna San Donato", "Modena Via Emilia Centro", "Modena Buon Pastore",
    "Modena Policlinico", "Parma Strada Cavour", "Parma Oltretorrente", "Reggio Emilia Centro",
    "Reggio Emilia Rosta Nuova", "Ferrara Centro",
)

OUTPUT_COLUMNS: tuple[str, ...] = (*MENTION_SCHEMA, "kind", "shop")
# Kinds the builder adds to the writers' ones: the brand's replies and customers' follow-ups.
GENERATED_KINDS: tuple[str, ...] = ("reply", "follow_up")


@dataclass(frozen=True)
class SourcePost:
    """One validated hand-written post, with where it came from."""

    text: str
    lang: str
    touchpoint: str
    brand: str
    sentiment: str
    emotion: str
    kind: str
    period: str
    rating: int | None
    shop: str | None
    author: str | None
    origin: str  # "file.jsonl:line", for messages
    day: date | None = None
    at: time | None = None  # pinned local time of day, with ``day``
    weekday: int | None = None  # 0 = Monday .. 6 = Sunday


@dataclass(frozen=True)
class SourceProblem:
    """A record that cannot be used, and why."""

    origin: str
    problem: str


# --------------------------------------------------------------------------- reading


def _validate(record: object, origin: str) -> SourcePost | SourceProblem:
    if not isinstance(record, dict):
        return SourceProblem(origin, f"expected a JSON object, got {type(record).__name__}")
    missing = [name for name in REQUIRED_FIELDS if name not in record]
    if missing:
        return SourceProblem(origin, f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(record) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        return SourceProblem(origin, f"unknown field(s): {', '.join(unknown)}")
    allowed = {
        "lang": LANGS, "touchpoint": TOUCHPOINTS, "brand": BRANDS, "sentiment": SENTIMENTS,
        "emotion": EMOTIONS, "kind": KINDS, "period": tuple(PERIODS),
    }
    for name, values in allowed.items():
        if record[name] not in values:
            return SourceProblem(origin, f"{name}={record[name]!r} is not one of {', '.join(values)}")
    text = record["text"]
    if not isinstance(text, str) or not text.strip():
        return SourceProblem(origin, "text is empty or not a string")
    rating = record["rating"]
    if record["touchpoint"] in REVIEW_TOUCHPOINTS:
        if rating is not None and (isinstance(rating, bool) or rating not in (1, 2, 3, 4, 5)):
            return SourceProblem(origin, f"rating={rating!r} must be an integer 1-5 or null")
    elif rating is not None:
        return SourceProblem(origin, f"rating only on review touchpoints, not on {record['touchpoint']}")
    shop = record["shop"]
    if shop is not None and (not isinstance(shop, str) or not shop.strip()):
        return SourceProblem(origin, f"shop={shop!r} must be a shop name or null")
    author = record.get("author")
    if author is not None and (not isinstance(author, str) or not author.strip()):
        return SourceProblem(origin, f"author={author!r} must be a non-empty string")
    day = record.get("day")
    at = None
    if day is not None:
        try:
            moment = datetime.fromisoformat(day)
        except (TypeError, ValueError):
            return SourceProblem(origin, f"day={day!r} must be an ISO date like 2026-09-16 or 2026-09-16T09:30")
        day, at = moment.date(), (moment.time() if "T" in record["day"] else None)
        first, last, _ = PERIODS[record["period"]]
        if not first <= day <= last:
            return SourceProblem(origin, f"day {day} is outside period {record['period']} ({first}..{last})")
    weekday = record.get("weekday")
    if weekday is not None and (isinstance(weekday, bool) or weekday not in range(7)):
        return SourceProblem(origin, f"weekday={weekday!r} must be 0 (Monday) .. 6 (Sunday)")
    return SourcePost(
        text=text.strip(), lang=record["lang"], touchpoint=record["touchpoint"], brand=record["brand"],
        sentiment=record["sentiment"], emotion=record["emotion"], kind=record["kind"], period=record["period"],
        rating=None if rating is None else int(rating), shop=shop, author=author, origin=origin,
        day=day, at=at, weekday=weekday,
    )


@dataclass(frozen=True)
class SourceRead:
    """All usable posts, plus what was left out and why (nothing is skipped silently)."""

    posts: tuple[SourcePost, ...]
    duplicates: tuple[SourceProblem, ...]
    files: tuple[str, ...]


def read_sources(source_dir: Path = SOURCE_DIR) -> SourceRead:
    """Read and validate every ``*.jsonl`` file in ``source_dir`` (sorted by name).

    Exact duplicate texts (case-insensitive, same whitespace-normalised words)
    keep their first occurrence; the others are listed in ``duplicates``.

    Raises:
        AscoltoError: ``datasets.no_sources`` when there are no files, or
            ``datasets.invalid_source`` listing every bad line.
    """
    files = sorted(Path(source_dir).glob("*.jsonl"))
    if not files:
        raise AscoltoError("datasets.no_sources", folder=str(source_dir))
    posts: list[SourcePost] = []
    problems: list[SourceProblem] = []
    duplicates: list[SourceProblem] = []
    seen: dict[str, str] = {}
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            origin = f"{path.name}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                problems.append(SourceProblem(origin, f"not valid JSON ({error.msg})"))
                continue
            checked = _validate(record, origin)
            if isinstance(checked, SourceProblem):
                problems.append(checked)
                continue
            key = " ".join(checked.text.lower().split())
            if key in seen:
                duplicates.append(SourceProblem(origin, f"same text as {seen[key]}"))
                continue
            seen[key] = origin
            posts.append(checked)
    if problems:
        details = "\n".join(f"  {p.origin}: {p.problem}" for p in problems)
        raise AscoltoError("datasets.invalid_source", count=len(problems), details=details)
    return SourceRead(tuple(posts), tuple(duplicates), tuple(p.name for p in files))


# --------------------------------------------------------------------------- time

# Relative posting intensity per local hour (0..23), by family of touchpoint.
_SOCIAL_HOURS = (.5, .3, .15, .1, .05, .1, .3, 1, 2.5, 6, 7, 7, 9, 9, 7, 6, 6, 6, 4, 3, 3, 2.5, 1.8, 1)
_REVIEW_HOURS = (.2, .1, .05, .05, .05, .05, .2, .6, 2, 5, 6, 6, 7, 7, 6, 6, 6, 6, 4, 3, 2.5, 2, 1.2, .5)
_SERVICE_HOURS = (.1, .05, .05, .05, .05, .05, .2, .6, 2, 9, 10, 10, 8, 7, 9, 9, 9, 8, 2.5, 1.5, 1.2, 1, .6, .3)
_STORE_HOURS = (0, 0, 0, 0, 0, 0, 0, 5, 8, 7, 5, 4, 6, 6, 4, 4, 5, 6, 6, 3, 1, 0, 0, 0)
_NEWS_HOURS = (.2, .1, 0, 0, 0, .5, 3, 6, 7, 6, 5, 4, 3, 3, 3, 3, 3, 3, 2, 2, 1.5, 1, .5, .3)
_FORUM_HOURS = (1, .6, .3, .2, .1, .1, .3, .8, 2, 4, 5, 5, 6, 6, 5, 5, 5, 5, 3.5, 3.5, 3.5, 3, 2.5, 1.5)

HOURS_BY_TOUCHPOINT: dict[str, tuple[float, ...]] = {
    "facebook": _SOCIAL_HOURS, "instagram": _SOCIAL_HOURS, "x": _SOCIAL_HOURS,
    "google_reviews": _REVIEW_HOURS, "tripadvisor": _REVIEW_HOURS,
    "email": _SERVICE_HOURS, "chat": _SERVICE_HOURS, "website": _SERVICE_HOURS,
    "store": _STORE_HOURS, "news": _NEWS_HOURS, "forum": _FORUM_HOURS, "other": _SOCIAL_HOURS,
}
# Relative intensity per weekday (Mon..Sun): customer service is a weekday affair, social much less so.
WEEKDAYS_BY_TOUCHPOINT: dict[str, tuple[float, ...]] = {
    "social": (1.1, 1.05, 1.05, 1.05, 1.05, 0.8, 0.7),
    "reviews": (1.05, 1.0, 1.0, 1.0, 1.05, 0.9, 0.85),
    "service": (1.25, 1.2, 1.15, 1.1, 1.05, 0.25, 0.2),
    "news": (1.2, 1.2, 1.2, 1.2, 1.1, 0.5, 0.4),
    "other": (1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.0),
}


def _weekday_family(touchpoint: str) -> str:
    if touchpoint in SOCIAL_TOUCHPOINTS or touchpoint == "forum":
        return "social"
    if touchpoint in REVIEW_TOUCHPOINTS or touchpoint == "store":
        return "reviews"
    if touchpoint in ("email", "chat", "website"):
        return "service"
    if touchpoint == "news":
        return "news"
    return "other"


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def place_in_time(post: SourcePost, rng: random.Random, not_before: datetime | None = None) -> datetime:
    """A local (Europe/Rome) publication time honouring the post's period and touchpoint rhythm.

    A pinned post keeps its day (and time); any other post lands after ``not_before``.

    Raises:
        AscoltoError: ``datasets.unplaceable`` when the pins leave no possible day
            (e.g. a Sunday asked inside a Monday-to-Friday window).
    """
    if post.day is not None and post.at is not None:
        return datetime.combine(post.day, post.at, tzinfo=ROME)
    first, last, shape = PERIODS[post.period]
    if post.day is not None:
        first = last = post.day
        shape = None
    days = _days(first, last)
    weekday_weights = WEEKDAYS_BY_TOUCHPOINT[_weekday_family(post.touchpoint)]
    weights = [weekday_weights[d.weekday()] * (shape[i] if shape else 1.0) for i, d in enumerate(days)]
    if post.period in ("summer", "any", "august") and post.touchpoint == "store":
        # Shops close for two weeks of ferie in August: no in-store feedback then.
        weights = [0.0 if date(2026, 8, 10) <= d <= date(2026, 8, 23) else w for d, w in zip(days, weights)]
    if post.weekday is not None:
        weights = [w if d.weekday() == post.weekday else 0.0 for d, w in zip(days, weights)]
    if post.period == "incident_fix" and post.sentiment == "positive":
        weights = [w if d >= FIX_PRAISE_FROM else 0.0 for d, w in zip(days, weights)]
    if not any(weights):
        raise AscoltoError("datasets.unplaceable", origin=post.origin, period=post.period)
    day = rng.choices(days, weights=weights)[0]
    hours = HOURS_BY_TOUCHPOINT[post.touchpoint]
    if post.period == "incident" and post.touchpoint in ("chat", "email"):
        # The chat queue overflowed: people kept writing into the evening.
        hours = tuple(h + (3 if 18 <= i <= 23 else 0) for i, h in enumerate(hours))
    if not_before is not None and day <= not_before.date():
        day = not_before.date()
        # Reactions come after the event: only the hours following it that day.
        hours = tuple(h if i > not_before.hour else 0.0 for i, h in enumerate(hours))
        if not any(hours):
            hours = tuple(1.0 if i == min(not_before.hour + 1, 23) else 0.0 for i in range(24))
    hour = rng.choices(range(24), weights=hours)[0]
    return datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=ROME)


# --------------------------------------------------------------------------- engagement

# (mu, sigma) of log(1 + likes) per touchpoint; None = the channel has no likes.
LIKES_LOGNORMAL: dict[str, tuple[float, float] | None] = {
    "facebook": (1.3, 1.45), "instagram": (1.6, 1.5), "x": (0.8, 1.55), "news": (2.0, 1.3),
    "forum": (0.6, 0.9), "other": (0.5, 1.0),
    "google_reviews": None, "tripadvisor": None, "email": None, "chat": None, "store": None, "website": None,
}


@dataclass(frozen=True)
class Engagement:
    likes: int | None
    shares: int | None
    comments: int | None
    reach: int | None


def engagement_for(post: SourcePost, rng: random.Random) -> Engagement:
    """Heavy-tailed likes with correlated shares, comments and reach (lognormal with a Pareto tail)."""
    params = LIKES_LOGNORMAL[post.touchpoint]
    if params is None:
        return Engagement(None, None, None, None)
    mu, sigma = params
    if post.period in ("incident", "influencer"):
        mu += 0.8  # a story everyone is talking about gets more attention
    if post.brand == "Dolce Sosta":
        mu -= 0.3
    if post.day is not None and post.author is not None:
        # The post that marks an event (the reel, the apology) is the one everybody shares.
        mu, sigma = max(mu + 3.0, 6.5), 0.5
        if post.period == "influencer" and post.brand == "Forno Brio" and "brio" not in (post.author or "").lower():
            mu += 1.5  # the influencer's own reel: her audience, not ours
    likes = int(math.exp(rng.gauss(mu, sigma))) - 1
    if rng.random() < 0.015:
        likes = int(likes * rng.paretovariate(1.2) * 8) + 50  # the rare post that goes viral
    likes = max(likes, 0)
    share_rate = {"x": 0.35, "facebook": 0.15, "news": 0.3}.get(post.touchpoint, 0.05)
    if post.sentiment == "negative":
        share_rate *= 1.6  # anger travels further
    shares = int(likes * share_rate * rng.uniform(0.3, 1.7) + (rng.random() < 0.1))
    comment_rate = 0.35 if post.kind in ("question", "complaint") else 0.12
    comments = int(likes * comment_rate * rng.uniform(0.3, 1.7) + rng.choice((0, 0, 0, 1, 2)))
    followers = int(math.exp(rng.gauss(5.8, 1.1)))
    reach = followers + likes * rng.randint(15, 60) + shares * rng.randint(80, 250)
    if post.touchpoint == "forum":
        shares = 0
    return Engagement(likes, shares, comments, reach)


# --------------------------------------------------------------------------- authors and urls

FIRST_NAMES_IT = (
    "Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara", "Matteo", "Martina", "Andrea",
    "Elena", "Davide", "Valentina", "Federico", "Silvia", "Simone", "Laura", "Lorenzo", "Anna", "Stefano",
    "Paola", "Riccardo", "Ilaria", "Tommaso", "Elisa", "Giacomo", "Roberta", "Filippo", "Beatrice", "Nicola",
    "Alice", "Pietro", "Camilla", "Gabriele", "Serena", "Emanuele", "Irene", "Daniele", "Federica", "Michele",
    "Giorgia", "Enrico", "Monica", "Fabio", "Cristina", "Antonio", "Manuela", "Claudio", "Veronica", "Paolo",
    "Rosa", "Giuseppe", "Teresa", "Franco", "Lucia", "Maurizio", "Greta", "Samuele", "Noemi", "Alberto",
)
FIRST_NAMES_EN = (
    "Emma", "Jake", "Olivia", "Liam", "Sophie", "Noah", "Hannah", "Ethan", "Chloe", "Ryan", "Megan",
    "Tom", "Grace", "Daniel", "Lucy", "Sam", "Katie", "Ben", "Amelia", "Mark", "Priya", "Lukas", "Ana", "Yuki",
)
HANDLE_SUFFIXES = ("_bo", "_mo", "_pr", "_re", "_fe", "bologna", "_emilia", "", "_", ".x", "_official", "_real")
SURNAME_INITIALS = "ABCDEFGLMNPRSTVZ"
NEWS_OUTLETS = (
    ("Cronache Emiliane", "cronache-emiliane.example"),
    ("BolognaSette", "bolognasette.example"),
    ("Gazzetta della Via Emilia", "gazzettaviaemilia.example"),
    ("Il Portico", "ilportico-bo.example"),
)
FORUMS = (
    ("Forum Genitori Bologna", "forumgenitoribologna.example"),
    ("Reddit r/bologna", "reddit.example/r/bologna"),
    ("Forum Celiachia Emilia", "celiachiaemilia-forum.example"),
)
# A forum post may open with its place, e.g. "[r/bologna] ..." or "[Forum Cucina Italiana] ...".
_FORUM_TAG = re.compile(r"^\[([^\]]{2,40})\]")


def _handle(name: str, rng: random.Random) -> str:
    base = name.lower()
    style = rng.randrange(5)
    if style == 0:
        return f"@{base}{rng.choice(HANDLE_SUFFIXES)}{rng.randint(70, 99)}"
    if style == 1:
        return f"@{base}.{rng.choice(SURNAME_INITIALS).lower()}{rng.choice(('', str(rng.randint(1, 9))))}"
    if style == 2:
        return f"@{rng.choice(('the', 'mr', 'its', 'not', 'just'))}{base}{rng.choice(HANDLE_SUFFIXES)}"
    if style == 3:
        return f"@{base}_{rng.choice(('caffe', 'foodie', 'in_bologna', 'runs', 'eats', 'travels', 'dolce'))}"
    return f"@{base}{rng.randint(1, 2004)}"


def author_for(post: SourcePost, rng: random.Random) -> str:
    """A made-up author shaped like the channel's (handles on social, "Marco R." on reviews)."""
    if post.author:
        return post.author
    name = rng.choice(FIRST_NAMES_EN if post.lang == "en" else FIRST_NAMES_IT)
    initial = rng.choice(SURNAME_INITIALS)
    if post.touchpoint in ("instagram", "x"):
        return _handle(name, rng)
    if post.touchpoint in ("email", "chat", "website"):
        return f"cliente {name} {initial}."
    if post.touchpoint == "store":
        return "questionario in negozio"
    if post.touchpoint == "news":
        return f"redazione {rng.choice(NEWS_OUTLETS)[0]}"
    if post.touchpoint == "forum":
        return f"{name.lower()}{rng.randint(10, 99)}"
    return f"{name} {initial}."


def _token(rng: random.Random, length: int, alphabet: str = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def _forum_source(post: SourcePost, rng: random.Random) -> tuple[str, str]:
    tag = _FORUM_TAG.match(post.text)
    place = tag.group(1) if tag else None
    if place is None:
        # A reply without its thread's tag: English replies mostly live on Reddit.
        place = "r/bologna" if post.lang == "en" and rng.random() < 0.8 else rng.choice(FORUMS)[0].removeprefix("Reddit ")
    if place.startswith("r/"):
        return f"Reddit {place}", f"https://reddit.example/{place}/comments/{_token(rng, 7, '0123456789abcdefghijklmnopqrstuvwxyz')}/"
    domains = {name: domain for name, domain in FORUMS}
    domain = domains.get(place) or re.sub(r"[^a-z0-9]+", "", place.lower()) + ".example"
    return place, f"https://{domain}/t/{rng.randint(1000, 99999)}"


def source_and_url(post: SourcePost, author: str, rng: random.Random) -> tuple[str, str | None]:
    """The channel name as an export would call it, and a plausible link (none for private channels)."""
    tp = post.touchpoint
    page = "fornobrio" if post.brand == "Forno Brio" else "dolcesostacaffe"
    if tp == "facebook":
        return "Facebook", f"https://facebook.example/{page}/posts/{rng.randint(10**15, 10**16 - 1)}"
    if tp == "instagram":
        return "Instagram", f"https://instagram.example/p/{_token(rng, 11)}/"
    if tp == "x":
        return "X", f"https://x.example/{author.lstrip('@')}/status/{rng.randint(10**18, 2 * 10**18)}"
    if tp == "google_reviews":
        return "Google Maps", f"https://maps.example/reviews/{_token(rng, 24)}"
    if tp == "tripadvisor":
        slug = "Forno_Brio" if post.brand == "Forno Brio" else "Dolce_Sosta"
        city = (post.shop or "Bologna").split()[0]
        return "Tripadvisor", (
            f"https://tripadvisor.example/ShowUserReviews-g{rng.randint(187000, 187999)}-d{rng.randint(10**6, 10**7)}"
            f"-r{rng.randint(10**8, 10**9)}-{slug}-{city}_Emilia_Romagna.html"
        )
    if tp == "email":
        return "assistenza@fornobrio.it" if post.brand == "Forno Brio" else "email", None
    if tp == "chat":
        return rng.choice(("chat sito", "chat sito", "WhatsApp")), None
    if tp == "store":
        return "questionario in negozio", None
    if tp == "website":
        return "modulo contatti fornobrio.it", None
    if tp == "news":
        outlet, domain = rng.choice(NEWS_OUTLETS)
        return outlet, f"https://{domain}/{rng.choice(('cronaca', 'economia', 'food', 'citta'))}/2026/{_token(rng, 6).lower()}"
    if tp == "forum":
        return _forum_source(post, rng)
    return "altro", None


# --------------------------------------------------------------------------- build


def build_frame(posts: Sequence[SourcePost], seed: int = SEED) -> pl.DataFrame:
    """The demo table (output columns, created_at as ISO text with the Rome offset), sorted by time."""
    rng = random.Random(seed)
    opens: dict[str, datetime] = {}
    for post in posts:
        if post.period in EVENT_PERIODS and post.day is not None and post.at is not None:
            moment = datetime.combine(post.day, post.at, tzinfo=ROME)
            opens[post.period] = min(opens.get(post.period, moment), moment)
    rows = []
    for post in posts:
        when = place_in_time(post, rng, None if post.day is not None else opens.get(post.period))
        eng = engagement_for(post, rng)
        author = author_for(post, rng)
        source, url = source_and_url(post, author, rng)
        rows.append({
            "text": post.text, "created_at": when.isoformat(), "touchpoint": post.touchpoint, "source": source,
            "author": author, "url": url, "lang": post.lang, "likes": eng.likes, "shares": eng.shares,
            "comments": eng.comments, "reach": eng.reach, "rating": post.rating, "brand": post.brand,
            "label": post.sentiment, "label_emotion": post.emotion, "kind": post.kind, "shop": post.shop,
            "_utc": when.astimezone(ZoneInfo("UTC")).replace(tzinfo=None), "_key": len(rows), "_parent": None,
        })
    rows += brand_replies(rows, random.Random(seed + 1))
    int_cols = {c: pl.Int64() for c in ("likes", "shares", "comments", "reach", "rating")}
    schema = {c: int_cols.get(c, pl.String()) for c in OUTPUT_COLUMNS if c != "id"} | {
        "_utc": pl.Datetime("us"), "_key": pl.Int64(), "_parent": pl.Int64(),
    }
    frame = pl.DataFrame(rows, schema=schema).sort("_utc", "text")
    ids = pl.Series("id", [f"demo-{i:06d}" for i in range(1, frame.height + 1)])
    frame = frame.with_columns(ids)
    # Replies name the id of the post they answer, known only once every row has its place in time.
    parents = frame.select(pl.col("_key").alias("_parent"), pl.col("id").alias("reply_to"))
    frame = frame.drop("reply_to").join(parents, on="_parent", how="left", maintain_order="left")
    return frame.select(OUTPUT_COLUMNS)


def brand_replies(rows: Sequence[dict], rng: random.Random) -> list[dict]:
    """Forno Brio's replies to its customers' complaints, questions and some praise, plus follow-ups.

    Uses its own generator, so the posts themselves stay exactly as placed.
    """
    own = set(OWN_AUTHOR.values())
    known = frozenset(name.lower() for name in (*FIRST_NAMES_IT, *FIRST_NAMES_EN))
    out: list[dict] = []
    for row in rows:
        if row["brand"] != "Forno Brio" or row["author"] in own:
            continue
        posted = datetime.fromisoformat(row["created_at"])
        parent = row["_key"]
        for planned in plan_replies(posted, row["kind"], row["lang"], row["author"], row["touchpoint"], rng, known):
            key = len(rows) + len(out)
            at = planned.at.replace(microsecond=0)
            social = row["touchpoint"] in SOCIAL_TOUCHPOINTS
            url = None
            if row["url"] and planned.kind == "reply":
                url = f"{row['url'].rstrip('/')}#reply-{key}"
            out.append({
                "text": planned.text, "created_at": at.isoformat(), "touchpoint": row["touchpoint"],
                "source": row["source"], "author": planned.author, "url": url, "lang": row["lang"],
                "likes": rng.randint(0, 4) if social else None, "shares": 0 if social else None,
                "comments": 0 if social else None, "reach": None, "rating": None, "brand": "Forno Brio",
                "label": planned.label, "label_emotion": planned.emotion, "kind": planned.kind, "shop": row["shop"],
                "_utc": at.astimezone(ZoneInfo("UTC")).replace(tzinfo=None), "_key": key, "_parent": parent,
            })
            parent = key  # a follow-up answers the brand's reply
    return out


def summary_lines(frame: pl.DataFrame) -> list[str]:
    """Counts by touchpoint, language, sentiment and month, as printed by the builder (and in the README)."""
    lines = [f"rows: {frame.height}"]
    month = pl.col("created_at").str.slice(0, 7).alias("month")
    for title, key in (("touchpoint", pl.col("touchpoint")), ("lang", pl.col("lang")),
                       ("label", pl.col("label")), ("brand", pl.col("brand")), ("month", month)):
        counts = frame.group_by(key).len().sort(key.meta.output_name())
        parts = ", ".join(f"{row[0]}={row[1]}" for row in counts.iter_rows())
        lines.append(f"{title}: {parts}")
    local = pl.col("created_at").str.slice(0, 19).str.to_datetime("%Y-%m-%dT%H:%M:%S")  # wall-clock time in Rome
    office = (local.dt.weekday() <= 5) & (local.dt.hour() >= 9) & (local.dt.hour() < 18)
    lines.append(f"outside office hours (Mon-Fri 9-18 Rome): {frame.select((~office).mean()).item():.0%}")
    days = pl.DataFrame({"day": pl.date_range(FIRST_DAY, LAST_DAY, eager=True)})
    negatives = frame.filter(pl.col("label") == "negative").group_by(local.dt.date().alias("day")).len()
    daily = days.join(negatives, on="day", how="left").with_columns(pl.col("len").fill_null(0))
    week = daily.filter(pl.col("day").is_between(*PERIODS["incident"][:2]))["len"].to_list()
    lines.append(f"negatives per day: median {daily['len'].median():g}; incident week 14-20 Sep: {week}")
    replies = frame.filter(pl.col("kind") == "reply")
    lines.append(
        f"brand replies: {replies.height} (linked by reply_to), customer follow-ups: "
        f"{frame.filter(pl.col('kind') == 'follow_up').height}"
    )
    likes = frame["likes"].drop_nulls()
    lines.append(
        f"likes (channels that have them, n={likes.len()}): median {likes.median():g}, "
        f"90th pct {likes.quantile(0.9):g}, max {likes.max()}"
    )
    return lines


def build(source_dir: Path = SOURCE_DIR, output: Path = OUTPUT_PATH, seed: int = SEED) -> tuple[pl.DataFrame, SourceRead]:
    """Read, validate, build and write the demo CSV; return the frame and what was read."""
    read = read_sources(source_dir)
    frame = build_frame(read.posts, seed)
    output.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(output)
    return frame, read


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ascolto_core.datasets.build_demo", description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE_DIR, help="folder of *.jsonl posts")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT_PATH, help="CSV to write")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        frame, read = build(args.source, args.output, args.seed)
    except AscoltoError as error:
        print(error.message("en"), file=sys.stderr)
        return 2
    print(f"read {len(read.files)} files: {', '.join(read.files)}")
    for dup in read.duplicates:
        print(f"skipped duplicate {dup.origin}: {dup.problem}")
    unknown_shops = sorted(set(frame["shop"].drop_nulls()) - set(SHOPS))
    if unknown_shops:
        print(f"note: shops outside the known list: {', '.join(unknown_shops)}")
    for line in summary_lines(frame):
        print(line)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
