"""The brand's replies in the demo: who answers, when, and with which words.

Forno Brio's social team and customer-service desk answer customers'
complaints and questions (and thank some praise) the way a small chain does:
quickly on weekday mornings, more slowly in the afternoon, the next morning
for what arrives in the evening or at night, and only on Monday (if at all)
for what arrives at the weekend; during the app outage the queue is long.
Some customers write again after the reply (a follow-up): thanks when it was
solved, renewed anger when it was not.

Replies are composed from short hand-written parts (greeting, body per kind
and language, closing, signature), as a real support desk writes from saved
answers; they are the brand's own voice (``kind`` "reply"), never a
customer's post.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
INCIDENT = (date(2026, 9, 14), date(2026, 9, 20))
REPLYABLE = frozenset({"facebook", "instagram", "x", "google_reviews", "tripadvisor", "email", "chat", "website"})

# The brand's own accounts per touchpoint (also listed in demo/profile.yaml).
OWN_AUTHOR: dict[str, str] = {
    "instagram": "@fornobrio",
    "x": "@fornobrio",
    "facebook": "Forno Brio",
    "google_reviews": "Forno Brio",
    "tripadvisor": "Forno Brio",
    "email": "assistenza@fornobrio.it",
    "chat": "Assistenza Brio Club",
    "website": "assistenza@fornobrio.it",
}
SIGNATURES = ("Giulia", "Matteo", "Sara", "Davide", "Elena", "il team Forno Brio")

GREETINGS = {
    "it": ("Ciao {name},", "Gentile {name},", "Buongiorno {name},", "Ciao {name}!", "{name}, grazie per averci scritto."),
    "en": ("Hi {name},", "Dear {name},", "Hello {name},", "Thanks for writing, {name}."),
}
BODIES = {
    ("it", "complaint"): (
        "ci dispiace davvero per l'esperienza che descrivi, non è quello che vogliamo offrire.",
        "hai ragione, non doveva andare così e ce ne scusiamo.",
        "grazie per la segnalazione: l'abbiamo girata subito al responsabile della sede.",
        "ci scusiamo per il disagio, stiamo verificando cosa è successo con il personale del turno.",
        "ci spiace molto: ne parliamo oggi stesso con la sede per evitare che si ripeta.",
        "capiamo il fastidio e ti chiediamo scusa, vogliamo rimediare.",
    ),
    ("it", "question"): (
        "ti rispondiamo volentieri:",
        "bella domanda!",
        "grazie per la domanda,",
        "certo,",
    ),
    ("it", "praise"): (
        "grazie di cuore per le belle parole, le giriamo a tutta la squadra!",
        "che bello leggerti, ci hai fatto la giornata.",
        "grazie mille, ti aspettiamo presto per un altro caffè!",
    ),
    ("en", "complaint"): (
        "we're really sorry about your experience, that's not the standard we aim for.",
        "you're right, this shouldn't have happened and we apologise.",
        "thanks for letting us know: we've passed it on to the shop manager.",
    ),
    ("en", "question"): ("happy to help:", "good question!", "thanks for asking,"),
    ("en", "praise"): ("thank you so much for the kind words, we'll pass them on to the team!", "this made our day, thank you!"),
}
ANSWERS = {
    "it": (
        "trovi tutti i dettagli aggiornati sul sito, nella sezione della tua sede.",
        "i dettagli li trovi nell'app Brio Club, alla voce Sedi e orari.",
        "chiedi pure in cassa: i colleghi ti spiegano tutto.",
        "ti abbiamo scritto in privato con tutte le informazioni.",
    ),
    "en": ("all the details are on our website, under your shop.", "we've sent you a private message with the details."),
}
REMEDIES = {
    "it": (
        "Ti abbiamo scritto in privato per sistemare tutto.",
        "Scrivici in privato il tuo numero d'ordine e ce ne occupiamo noi.",
        "Passa pure in sede: la prossima colazione la offriamo noi.",
        "Se ti va, mandaci una mail ad assistenza@fornobrio.it con i dettagli.",
        "",
    ),
    "en": ("We've sent you a private message to sort it out.", "Please DM us your order number and we'll take care of it.", ""),
}
CLOSINGS = {"it": ("A presto,", "Un saluto,", "Grazie ancora,", "Buona giornata,"), "en": ("Best,", "Kind regards,", "Thanks again,")}
INCIDENT_NOTE = {
    "it": "Stiamo lavorando senza sosta sull'app: i punti sono al sicuro e ogni doppio addebito verrà rimborsato.",
    "en": "We're working non-stop on the app: your points are safe and every double charge will be refunded.",
}
FOLLOW_UPS = {
    ("it", "positive"): (
        "Grazie della risposta, gentilissimi!",
        "Risolto, grazie mille per la velocità 🙏",
        "Ok, apprezzo molto la risposta. Ci vediamo in sede!",
        "Grazie, rimborso arrivato. Tutto a posto.",
    ),
    ("it", "negative"): (
        "Vi ho scritto in privato due giorni fa e ancora nessuno mi ha risposto.",
        "Le scuse vanno bene ma il problema resta: l'app ancora non funziona.",
        "Risposta copia-incolla, il rimborso non è ancora arrivato.",
        "Sempre la stessa risposta, intanto nessuno mi richiama.",
    ),
    ("en", "positive"): ("Thanks for getting back to me, much appreciated!", "Sorted, thank you!"),
    ("en", "negative"): ("Still waiting for that private message...", "A canned reply, and still no refund."),
}


@dataclass(frozen=True)
class PlannedReply:
    """A reply to write: when, by whom, with which words (the builder adds source and url)."""

    at: datetime
    author: str
    text: str
    kind: str  # "reply" or "follow_up"
    label: str
    emotion: str


def _first_name(author: str, known: frozenset[str]) -> str:
    """The customer's first name when the author shows one ("@mrgiulia_bo" -> "Giulia"), else ""."""
    head = author.removeprefix("cliente ").lstrip("@").split()[0].lower() if author.strip() else ""
    found = [name for name in known if name in head]
    return max(found, key=len).capitalize() if found else ""


def _next_morning(moment: datetime, rng: random.Random) -> datetime:
    """The next working morning (Mon-Fri, 8:30-11:30) after ``moment``."""
    day = moment.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    minutes = rng.randint(8 * 60 + 30, 11 * 60 + 30)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=ROME)


def reply_moment(posted: datetime, rng: random.Random) -> datetime | None:
    """When the brand answers a post made at ``posted`` (Rome time), or None if it never does."""
    local = posted.astimezone(ROME)
    weekend = local.weekday() >= 5
    hour = local.hour
    in_incident = INCIDENT[0] <= local.date() <= INCIDENT[1]
    if weekend:
        chance, later = 0.4, None  # Monday morning, if at all
    elif 8 <= hour < 13:
        chance, later = 0.93, rng.lognormvariate(math.log(25), 0.6)
    elif 13 <= hour < 18:
        chance, later = 0.85, rng.lognormvariate(math.log(80), 0.6)
    else:
        chance, later = 0.6, None  # evening and night: next working morning
    if in_incident:
        chance *= 0.75
    if rng.random() > chance:
        return None
    if later is None:
        moment = _next_morning(local, rng)
    else:
        moment = local + timedelta(minutes=later * (3.0 if in_incident else 1.0))
        if moment.hour >= 19 or moment.date() != local.date():
            moment = _next_morning(local, rng)
    if in_incident and later is None:
        moment += timedelta(hours=rng.uniform(2, 30))
    return moment


def reply_text(
    kind: str, lang: str, customer: str, posted: datetime, rng: random.Random, known: frozenset[str] = frozenset()
) -> str:
    """A reply in the brand's voice to a post of ``kind`` ("complaint", "question", "praise").

    ``known``: lower-case first names a customer's handle may contain (the reply greets them by name).
    """
    lang = lang if lang in GREETINGS else "it"
    name = _first_name(customer, known)
    greeting = rng.choice(GREETINGS[lang]).format(name=name) if name else ("Ciao," if lang == "it" else "Hi,")
    body = rng.choice(BODIES[(lang, kind)])
    if greeting.endswith(("!", ".")):
        body = body[0].upper() + body[1:]
    parts = [greeting, body]
    if kind == "question":
        parts.append(rng.choice(ANSWERS[lang]))
    if kind == "complaint":
        if INCIDENT[0] <= posted.astimezone(ROME).date() <= INCIDENT[1] + timedelta(days=3):
            parts.append(INCIDENT_NOTE[lang])
        parts.append(rng.choice(REMEDIES[lang]))
    parts.append(f"{rng.choice(CLOSINGS[lang])} {rng.choice(SIGNATURES)}")
    return " ".join(p for p in parts if p)


def plan_replies(
    posted: datetime, kind: str, lang: str, author: str, touchpoint: str, rng: random.Random,
    known: frozenset[str] = frozenset(),
) -> list[PlannedReply]:
    """The brand's reply to one customer post (and perhaps the customer's follow-up), or nothing."""
    if touchpoint not in REPLYABLE or kind not in ("complaint", "question", "praise"):
        return []
    if kind == "praise" and rng.random() > 0.25:
        return []
    moment = reply_moment(posted, rng)
    if moment is None:
        return []
    replies = [PlannedReply(moment, OWN_AUTHOR[touchpoint], reply_text(kind, lang, author, posted, rng, known), "reply",
                            "positive" if kind == "praise" else "neutral", "joy" if kind == "praise" else "none")]
    if kind == "complaint" and rng.random() < 0.18:
        lang_key = lang if lang in GREETINGS else "it"
        mood = "positive" if rng.random() < 0.55 else "negative"
        later = moment + timedelta(minutes=rng.lognormvariate(math.log(180), 1.0))
        replies.append(PlannedReply(later, author, rng.choice(FOLLOW_UPS[(lang_key, mood)]), "follow_up", mood,
                                    "joy" if mood == "positive" else "anger"))
    return replies
