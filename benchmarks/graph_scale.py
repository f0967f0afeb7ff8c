#!/usr/bin/env python
"""kg's graph at a million triples: ingest, resolve, queries, Turtle export, re-open.

Builds a store of at least ``--triples`` distinct triples (default 1,000,000) from
synthetic, kg-shaped articles and claims (fixed seed, so runs are comparable) through
kg's public API, and prints figures against the targets of issue 4:

* ingest: ``ClaimStore.put_document(doc, document_quads(doc, claims, run))`` per
  article (what ``kg ingest`` does after extraction), then ``kg.pipeline.resolve``
  once (timed apart: it recomputes the derived graph across all articles);
* ``find_claims(store, by=X)`` / ``find_claims(store, about=X)`` (rows in date order),
  median and p90 over ~20 different X from frequent to rare, in a fresh process that
  opened the store read-only (target: median <= 100 ms at 1M triples), with where
  the time goes (selection / SPARQL / Python);
* ``kg.export.export_turtle`` (target: <= 15 s per million triples);
* ``ClaimStore.open(path, read_only=True)`` in fresh processes, the open alone timed
  (target: <= 1 s at 1M triples);
* peak RSS of every step (each runs in a process of its own), size on disk;
* one more day of news: 1% more articles ingested into the big store, then resolve.

The data: ~2.6 claims an article (1-6), speakers drawn Zipf-like from ~3,000 people
and organisations (people also written as surname only, with or without title,
and ~8% of the time known to the article by surname alone), ~10% anonymous sources
("a source close to X"), ~10% relayed ("told Reuters"), ~330 places/organisations/
people mentioned in the claims (Zipf-like), articles of 50 outlets over two years,
5% of claims repeated verbatim by the same speaker in another article.  Every span
is cut from the article text, so offsets are exact (as in kg.build.examples).  No
spaCy: extraction speed is measured by extract_speed.py.  (Real text, e.g. the
Reuters corpus in ../shared/corpora/reuters21578.jsonl, could go through
``kg ingest`` instead, at the cost of parsing every story; what this script measures
is the graph, so it generates the claims, and no corpus text is used or copied.)

Nothing here asserts on timings: it prints a table and, last, one JSON line.

    .venv/bin/python benchmarks/graph_scale.py                  # >= 1M triples, ~2 min here
    .venv/bin/python benchmarks/graph_scale.py --triples 5000000  # ~32k articles, ~11 min
    .venv/bin/python benchmarks/graph_scale.py --quick          # ~50k triples, smoke run
    .venv/bin/python benchmarks/graph_scale.py --triples 2000000 --store /tmp/kg2m --keep
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from importlib import metadata
from itertools import accumulate
from pathlib import Path
from typing import Any, Callable

# Only the standard library at the top: the parent process stays small, because on
# Linux a child's peak RSS (ru_maxrss) cannot read below its parent's.  kg and
# pyoxigraph are imported inside the workers.

SEED = 20240504
DEFAULT_TRIPLES = 1_000_000
QUICK_TRIPLES = 50_000
N_X = 20  # different X per query kind
QUERY_RUNS = 3  # timed calls per X (the X's figure is their median)
OPEN_RUNS = 5  # fresh processes timing the read-only open
OPEN_RW_RUNS = 3
INCREMENT = 0.01  # "one more day of news": this share of the articles, added at the end
MARGIN = 0.03  # aim this much above the target: a straight line through two small stores
# overestimates what an article adds to a big one (its names are known already) by ~2% at 5M
START_DAY = date(2023, 1, 1)
DAYS = 730

TARGETS = {  # figure -> (limit, unit, what)
    "about_median_s": (0.100, "s", "claims about X, median"),
    "by_median_s": (0.100, "s", "claims by X, median"),
    "turtle_s_per_million": (15.0, "s", "Turtle export per million triples"),
    "open_ro_s": (1.0, "s", "store open (read-only, fresh process)"),
}

# --------------------------------------------------------------------------- vocabulary

FIRST_NAMES = """
Anna Ben Carla David Elena Farid Grace Hiro Ines James Kofi Laura Mateo Nadia Omar Priya Quentin
Rosa Samuel Tanya Umar Vera Wei Ximena Yusuf Zofia Aleksandr Beatriz Chen Dmitri Emma Fatima
Gustavo Hannah Ivan Julia Kwame Lena Marco Nikos Olga Pablo Rania Sergei Tomas Ursula Viktor
Yara Amir Bianca Claude Daria Emeka Felipe Gabriela Hamid Irina Jonas Keiko Luca Maya Nils
Oksana Pedro Ruth Stefan Thabo Valentina Walter Xavier Yan Zainab Abdul Brigitte Cesar Dina
Erik Faisal Giulia Hector Ingrid Jamal Katarina Leila Mikhail Noura Oscar Paula Rashid Sofia
Tariq Uma Vladimir Wanjiru Yosef Zhou Alina Bruno Chiara
""".split()

_ONSETS = "b d f g h k l m n p r s t v z br dr kr st tr ch sh gr pl".split()
_VOWELS = "a e i o u a e o ai ei ou ia".split()
_CODAS = ["", "", "", "n", "r", "s", "l", "k", "m", "nd", "rt"]
_ENDINGS = [""] * 12 + ["ov", "ez", "son", "ski", "elli", "ani", "berg", "ides", "enko", "ah"]

COUNTRIES = [  # (country, adjective)
    ("Ukraine", "Ukrainian"), ("Russia", "Russian"), ("France", "French"), ("Germany", "German"),
    ("China", "Chinese"), ("United States", "U.S."), ("Brazil", "Brazilian"), ("India", "Indian"),
    ("Nigeria", "Nigerian"), ("Japan", "Japanese"), ("Turkey", "Turkish"), ("Poland", "Polish"),
    ("Iran", "Iranian"), ("Israel", "Israeli"), ("Egypt", "Egyptian"), ("Mexico", "Mexican"),
    ("Canada", "Canadian"), ("Australia", "Australian"), ("South Africa", "South African"),
    ("Indonesia", "Indonesian"), ("Argentina", "Argentine"), ("Kenya", "Kenyan"), ("Sweden", "Swedish"),
    ("Italy", "Italian"), ("Spain", "Spanish"), ("Pakistan", "Pakistani"), ("Saudi Arabia", "Saudi"),
    ("South Korea", "South Korean"), ("Vietnam", "Vietnamese"), ("Ethiopia", "Ethiopian"),
    ("United Kingdom", "British"), ("Greece", "Greek"), ("Hungary", "Hungarian"), ("Romania", "Romanian"),
    ("Chile", "Chilean"), ("Colombia", "Colombian"), ("Peru", "Peruvian"), ("Morocco", "Moroccan"),
    ("Algeria", "Algerian"), ("Ghana", "Ghanaian"), ("Philippines", "Philippine"), ("Thailand", "Thai"),
    ("Malaysia", "Malaysian"), ("Bangladesh", "Bangladeshi"), ("Qatar", "Qatari"), ("Norway", "Norwegian"),
    ("Finland", "Finnish"), ("Netherlands", "Dutch"), ("Belgium", "Belgian"), ("Austria", "Austrian"),
]
CITIES = """
Kyiv|Moscow|Paris|Berlin|Beijing|Washington|Brasilia|New Delhi|Lagos|Tokyo|Ankara|Warsaw|Tehran|
Jerusalem|Cairo|Geneva|Brussels|London|Nairobi|Jakarta|Kharkiv|Odesa|Lviv|Marseille|Munich|Hamburg|
Shanghai|Shenzhen|Hong Kong|New York|Chicago|Los Angeles|Sao Paulo|Rio de Janeiro|Mumbai|Kolkata|
Abuja|Osaka|Istanbul|Krakow|Gdansk|Isfahan|Tel Aviv|Alexandria|Mexico City|Monterrey|Toronto|Ottawa|
Sydney|Melbourne|Johannesburg|Cape Town|Surabaya|Buenos Aires|Mombasa|Stockholm|Rome|Milan|Madrid|
Barcelona|Karachi|Lahore|Riyadh|Jeddah|Seoul|Busan|Hanoi|Addis Ababa|Manchester|Athens|Budapest|
Bucharest|Santiago|Bogota|Lima|Casablanca|Algiers|Accra|Manila|Bangkok|Kuala Lumpur|Dhaka|Doha|Oslo|
Helsinki|Amsterdam|Rotterdam|Antwerp|Vienna|Davos|Vilnius|Riga|Tallinn|Minsk|Tbilisi|Yerevan|Baku
""".replace("\n", "").split("|")
REGIONS = [
    "European Union", "Black Sea", "Gaza", "Crimea", "Sahel", "Arctic", "Amazon", "Donbas",
    "Baltic states", "Middle East", "Red Sea", "Strait of Hormuz", "Balkans", "Caucasus",
    "South China Sea", "Horn of Africa", "Mediterranean", "Central Asia", "West Bank", "Taiwan Strait",
]
INTERNATIONAL = [
    "United Nations", "NATO", "World Health Organization", "International Monetary Fund", "World Bank",
    "European Commission", "European Central Bank", "OPEC", "Red Cross", "Amnesty International",
    "Human Rights Watch", "Doctors Without Borders", "Interpol", "African Union", "ASEAN",
    "World Trade Organization", "International Atomic Energy Agency", "UNHCR", "UNICEF", "Greenpeace",
    "Federal Reserve", "Bank of England", "G7", "G20", "International Criminal Court",
]
DEPARTMENTS = ["Defence", "Health", "Finance", "Foreign Affairs", "Energy", "the Interior", "Agriculture", "Justice"]
COMPANY_KINDS = ["Energy", "Holdings", "Motors", "Pharma", "Bank", "Airlines", "Telecom", "Mining", "Group", "Logistics"]
PARTY_KINDS = ["Social Democratic Party", "People's Party", "Liberal Alliance", "Green Party", "National Front", "Labour Party"]
GROUP_KINDS = ["Farmers' Union", "Teachers' Union", "Patients' Association", "Miners' Federation", "Students' Union"]
TITLES = [
    "President", "Prime Minister", "Foreign Minister", "Finance Minister", "Senator", "Governor", "Mayor",
    "General", "Ambassador", "Spokesperson", "Chief Executive", "Dr.", "Commissioner", "Chancellor",
]
OUTLETS = [
    "Reuters", "Associated Press", "Agence France-Presse", "BBC News", "The Guardian", "The New York Times",
    "The Washington Post", "Axios", "Politico", "BuzzFeed News", "Al Jazeera", "Der Spiegel", "Le Monde",
    "El Pais", "NHK", "Kyiv Independent", "The Hindu", "Bloomberg", "Financial Times", "CNN", "Wikinews",
    "Deutsche Welle", "ABC News", "The Times of Israel", "Nikkei Asia", "South China Morning Post",
    "The Globe and Mail", "Sydney Morning Herald", "Daily Nation", "Dawn", "Folha de S.Paulo", "La Nacion",
    "Corriere della Sera", "Gazeta Wyborcza", "Haaretz", "Ahram Online", "Premium Times", "Mail & Guardian",
    "The Straits Times", "Jakarta Post", "Korea Herald", "Hurriyet Daily News", "Euronews", "NPR", "Fox News",
    "Sky News", "The Economist", "Wall Street Journal", "Le Figaro", "Northern Ledger",
]
CUES = [  # (cue, stance, weight)
    ("said", "assert", 40), ("told reporters", "assert", 8), ("claimed", "claim", 8), ("denied", "deny", 6),
    ("warned", "warn", 7), ("confirmed", "confirm", 6), ("insisted", "assert", 4), ("argued", "claim", 5),
    ("announced", "assert", 5), ("suggested", "claim", 3), ("admitted", "confirm", 2), ("stressed", "assert", 4),
    ("alleged", "claim", 2), ("predicted", "predict", 2),
]
SUBJECTS = """the government|the central bank|the company|negotiators|the army|the authorities|investors|
the ministry|the coalition|the opposition|officials|regulators|the police|the economy|the agreement|
the talks|the proposal|voters|the region|the board|the unions|the prosecutors|the court|the navy""".replace(
    "\n", "").split("|")
MODALS = """would|will|could|must|might|should|would not|will not|could not|planned to|had agreed to|
refused to|had no plans to|had promised to|aimed to|had offered to|threatened to""".replace(
    "\n", "").split("|")
VERBS = """cut expand review suspend increase withdraw support block restore double freeze lift extend reduce
raise halt resume approve reject investigate sign cancel delay accelerate fund finance protect abandon
reform replace privatize nationalize tax ban limit audit renegotiate secure deploy evacuate rebuild monitor
subsidize regulate relax tighten challenge back oppose endorse revise scrap boost slash share publish
disclose defend overhaul triple""".split()
ADJECTIVES = """new regional military foreign domestic emergency annual national federal digital nuclear
agricultural public private humanitarian financial electoral medical environmental rural urban coastal
industrial maritime northern southern eastern western temporary long-term controversial proposed
existing planned disputed joint bilateral strategic key critical offshore local interim additional
informal""".split()
NOUNS = """budget|exports|subsidies|emissions|forces|imports|funding|tariffs|aid|troops|sanctions|reforms|
pipeline|vaccine programme|grain shipments|interest rates|pension plan|border controls|oil output|
gas supplies|tax cuts|wage increases|ceasefire|peace talks|security guarantees|loan|bailout|investigation|
curfew|refugee quota|visa rules|arms deliveries|drone programme|railway project|port|airport|power grid|
data centre|mining licence|fishing quota|housing plan|minimum wage|debt|bond sales|deficit|inflation target|
fuel prices|food prices|currency reserves|stimulus package|trade deal|climate targets|coal plants|
wind farms|nuclear plant|water supply|hospital network|school programme|police reform|constitution|
referendum|coalition agreement|inquiry|contract|merger|takeover|patent|satellite launch|missile tests|
military exercises|naval patrols|peacekeepers|observers|evacuation corridor|prisoner exchange|aid convoy|
grain deal|energy deal|arms embargo|export ban|import quota|price cap|steel output|chip factory|
fertiliser supplies|election timetable|media law|cyber defences""".replace("\n", "").split("|")
JUDGEMENTS = """unfair|illegal|necessary|overdue|dangerous|unacceptable|a mistake|a success|premature|
irresponsible|working|failing|misleading|justified|too little too late|a victory for ordinary people""".replace(
    "\n", "").split("|")
MONTHS = "January February March April May June July August September October November December".split()
OBJECTS = ["the {A} {N}", "the {A} {N}", "its {N}", "its {A} {N}", "{A} {N}", "the {N} of {E}", "{E}'s {N}"]
TAILS = [  # each starts with its space, so that an empty tail leaves none behind
    "", "", "", "", "", "", " by {K} percent", " by {K} percent", " by {K} percent next year", " before the end of {M}", " within {K} days",
    " in {P}", " with {E}", " despite pressure from {E}", " after talks with {E}", " worth {K} billion dollars",
    " for at least {K} months", " in response to {E}", " without consulting {E}", " as early as {M}",
    " starting in {M}",
]
CLAUSES = [
    "{S} {D} {V} {O}{T}",
    "{S} {D} {V} {O}{T}",
    "{S} {D} {V} {O}{T}",
    "{E} {D} {V} {O}{T}",
    "{E} {D} {V} {O}{T}",
    "{E}'s {N} {D} {V} {O}{T}",
    "there was no evidence that {E} had tried to {V} {O}",
    "{E} was responsible for the {N} in {P}",
    "talks between {E} and {E} on the {N} had {X}",
    "{K} people had been {Y} in {P}",
    "the {A} {N} was {J}",
    "the decision of {E} to {V} {O} was {J}",
]
CLAUSE_FILL = {
    "X": ["stalled", "collapsed", "made progress", "resumed", "broken down", "ended without agreement"],
    "Y": ["killed", "injured", "displaced", "arrested", "evacuated", "detained"],
}
JOINERS = [", and that ", " because ", " but ", ", while ", " even though "]
ANON = [  # (speaker text, affiliation); {p}: a person, {a}: a country adjective, {c}: the country
    ("a source close to {p}", "close to {p}"),
    ("officials familiar with the matter", None),
    ("a senior {a} official", "{c} government"),
    ("people briefed on the talks", None),
    ("two diplomats", None),
    ("an aide to {p}", "aide to {p}"),
    ("a person with knowledge of the negotiations", None),
    ("a {a} government spokesperson who declined to be named", "{c} government"),
]
FILLERS = [
    "The talks are expected to resume next week.", "Markets were little changed on the news.",
    "The statement came after a week of protests.", "Officials did not respond to requests for comment.",
    "The figures have not been independently verified.", "A vote is scheduled for later this month.",
    "The move drew criticism from several neighbouring countries.", "Details of the plan were not released.",
    "Shares in the sector fell sharply in early trading.", "The meeting lasted more than four hours.",
]
# planted contradictions (Newsroom(plant=...)): words that no kg rule reads as a negation or a pole
PLANT_COUNTED = ["soldiers", "civilians", "protesters", "workers", "migrants", "police officers"]
PLANT_ROLES = ["killed", "injured", "arrested", "evacuated"]
PLANT_VERBS = "review extend fund sign expand renegotiate audit monitor publish rebuild finance".split()
PLANT_OPPOSITES = [("safe", "dangerous"), ("stable", "unstable"), ("calm", "tense"), ("peaceful", "violent")]
PLANT_SITUATIONS = ["the situation in", "the roads around", "the border near", "the city centre of"]
HEADLINE = ["row deepens", "talks stall", "deal in doubt", "plan faces scrutiny", "crisis widens", "vote looms"]

_SLOT = re.compile(r"\{(\w)\}")


def _cum_zipf(n: int, s: float) -> list[float]:
    return list(accumulate(1.0 / (rank + 1) ** s for rank in range(n)))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --------------------------------------------------------------------------- data


class Pools:
    """Names: claimants (Zipf-ranked), mentioned entities (Zipf-ranked), outlets."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(f"{seed}/pools")
        surnames: list[str] = []
        seen: set[str] = set()
        while len(surnames) < 1700:
            word = "".join(
                rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(rng.choice([2, 2, 2, 3]))
            ) + rng.choice(_ENDINGS)
            word = word.capitalize()
            if 4 <= len(word) <= 11 and word not in seen:
                seen.add(word)
                surnames.append(word)
        persons: list[str] = []
        taken: set[str] = set()
        while len(persons) < 2400:  # ~1,700 surnames for 2,400 people: some surnames are shared
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(surnames)}"
            if name not in taken:
                taken.add(name)
                persons.append(name)
        self.surname_owners = Counter(p.split()[-1] for p in persons)
        self.titles = {p: rng.choice(TITLES) for p in persons}
        companies = [f"{s} {rng.choice(COMPANY_KINDS)}" for s in rng.sample(surnames, 200)]
        ministries = [f"Ministry of {d} of {c}" for c, _ in COUNTRIES for d in DEPARTMENTS]
        rng.shuffle(ministries)
        parties = [f"{k} of {c}" for c, _ in COUNTRIES for k in PARTY_KINDS]
        rng.shuffle(parties)
        groups = [f"{k} of {c}" for c, _ in COUNTRIES for k in GROUP_KINDS]
        rng.shuffle(groups)
        claimants = (
            [(p, "person") for p in persons]
            + [(o, "organisation") for o in INTERNATIONAL]
            + [(c, "organisation") for c in companies]
            + [(m, "government") for m in ministries[:250]]
            + [(p, "organisation") for p in parties[:60]]
            + [(g, "group") for g in groups[:40]]
        )
        rng.shuffle(claimants)
        self.claimants = claimants  # rank order
        self.claimant_cum = _cum_zipf(len(claimants), 0.8)
        ranked_people = [n for n, t in claimants if t == "person"]
        self.people_cum = _cum_zipf(len(ranked_people), 0.85)
        self.ranked_people = ranked_people
        subjects = (
            [(c, "place") for c, _ in COUNTRIES]
            + [(c, "place") for c in CITIES]
            + [(r, "place") for r in REGIONS]
            + [(o, "organisation") for o in INTERNATIONAL]
            + [(p, "person") for p in ranked_people[:100]]  # the most quoted people are talked about too
            + [(c, "organisation") for c in companies[:30]]
            + [(m, "government") for m in ministries[250:270]]
        )
        # places and international bodies lead the ranking more often than others (weighted shuffle)
        boost = {"place": 3.0, "organisation": 1.5}
        subjects.sort(key=lambda s: -(rng.random() ** (1.0 / boost.get(s[1], 1.0))))
        self.subjects = subjects
        self.subject_cum = _cum_zipf(len(subjects), 0.75)
        places = [s for s in subjects if s[1] == "place"]
        self.places = places
        self.place_cum = _cum_zipf(len(places), 0.9)
        outlets = list(OUTLETS)
        rng.shuffle(outlets)
        self.outlets = outlets
        self.outlet_cum = _cum_zipf(len(outlets), 0.8)
        self.cue_cum = list(accumulate(w for _, _, w in CUES))


class _Text:
    """An article text built piece by piece; ``add`` returns the piece's exact offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, piece: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(piece)
        self.length += len(piece)
        return start, self.length

    @property
    def text(self) -> str:
        return "".join(self.parts)


class Newsroom:
    """An endless, seeded stream of synthetic articles and their claims.

    ``article()`` gives the next ``(Document, [Claim])``; the n-th article is the same
    for a seed however many are drawn.  ``stats`` counts what was generated.

    ``plant`` (default 0: off, and the stream is exactly as without it): the share of
    articles whose first claim starts a planted contradiction, finished by the first
    claim of the next article, dated 0-2 days later and said by another claimant (see
    :meth:`_plant`); ``planted`` lists them.  ``start``: the first day of the dates
    (articles fall in the ``DAYS`` days from it).
    """

    def __init__(self, seed: int, *, plant: float = 0.0, start: date = START_DAY) -> None:
        self.p = Pools(seed)
        self.rng = random.Random(f"{seed}/articles")
        self.plant = plant
        self.start = start
        self._prng = random.Random(f"{seed}/plant")
        self._queued: list[tuple[date, dict[str, Any]]] = []  # (day, second claim of a planted pair)
        self.planted: list[dict[str, Any]] = []
        self.n = 0
        self.history: list[tuple[str, str, str, list[tuple[str, str, str, int]]]] = []  # (name, type, content, mentions)
        self.stats: Counter[str] = Counter()
        self.claims_by: Counter[str] = Counter()  # canonical claimant -> claims
        self.mentioned: Counter[str] = Counter()  # entity name -> claims mentioning it
        self.last_day = START_DAY

    # -- pieces

    def _claimant(self) -> tuple[str, str]:
        return self.rng.choices(self.p.claimants, cum_weights=self.p.claimant_cum)[0]

    def _subject(self, places_only: bool = False) -> tuple[str, str]:
        if places_only:
            return self.rng.choices(self.p.places, cum_weights=self.p.place_cum)[0]
        return self.rng.choices(self.p.subjects, cum_weights=self.p.subject_cum)[0]

    def _content(self) -> tuple[str, list[tuple[str, str, str, int]]]:
        """A claim's words and the entities it names: (surface, canonical name, type, offset)."""
        rng = self.rng
        out: list[str] = []
        length = 0
        mentions: list[tuple[str, str, str, int]] = []
        used: set[str] = set()

        def put(piece: str) -> None:
            nonlocal length
            out.append(piece)
            length += len(piece)

        def expand(template: str) -> None:
            pos = 0
            for m in _SLOT.finditer(template):
                if m.start() > pos:
                    put(template[pos : m.start()])
                pos = m.end()
                slot = m.group(1)
                if slot in "EP":
                    for _ in range(6):
                        name, type_ = self._subject(places_only=slot == "P")
                        if name not in used:
                            break
                    used.add(name)
                    surface = name
                    if type_ == "person" and rng.random() < 0.3:
                        surface = name.split()[-1]
                        if rng.random() < 0.2:  # the article never gives the full name
                            name = surface
                    mentions.append((surface, name, type_, length))
                    put(surface)
                elif slot == "O":
                    expand(rng.choice(OBJECTS))
                elif slot == "T":
                    expand(rng.choice(TAILS))
                elif slot == "S":
                    put(rng.choice(SUBJECTS))
                elif slot == "D":
                    put(rng.choice(MODALS))
                elif slot == "V":
                    put(rng.choice(VERBS))
                elif slot == "A":
                    put(rng.choice(ADJECTIVES))
                elif slot == "N":
                    put(rng.choice(NOUNS))
                elif slot == "K":
                    put(str(rng.choice([rng.randint(2, 99), rng.randint(100, 5000)])))
                elif slot == "M":
                    put(rng.choice(MONTHS))
                elif slot == "J":
                    put(rng.choice(JUDGEMENTS))
                else:
                    put(rng.choice(CLAUSE_FILL[slot]))
            if pos < len(template):
                put(template[pos:])

        expand(rng.choice(CLAUSES))
        if rng.random() < 0.3:
            put(rng.choice(JOINERS))
            expand(rng.choice(CLAUSES))
        text = "".join(out)
        assert "  " not in text and text == text.strip(), text
        return text, mentions

    # -- planted contradictions (only with plant > 0)

    def _plant(self, day: date) -> dict[str, Any]:
        """Two claims that contradict, by two claimants: this article gets the first, the next the second.

        One of: the same count of the same thing in the same place given differently
        ("1,300 Polish soldiers had been killed in Kharkiv" / "3,100 ..."), or the same
        cost in dollars; a statement and its negation ("the army would review the port
        with NATO" / "... would not review ..."); a statement and its denial ("X denied
        that ..."); opposite words of the same place ("the situation in Gaza was calm" /
        "... was tense").  Words are picked so that kg's rules can see the pair (no
        negating verb, no opposite word but the planted one).
        """
        rng = self._prng
        kind = rng.choice(["numbers", "money", "negation", "denial", "opposites"])
        place = rng.choices(self.p.places, cum_weights=self.p.place_cum)[0]
        subject = rng.choices(self.p.subjects, cum_weights=self.p.subject_cum)[0]
        first = rng.choices(self.p.claimants, cum_weights=self.p.claimant_cum)[0]
        second = first
        while second[0] == first[0]:
            second = rng.choices(self.p.claimants, cum_weights=self.p.claimant_cum)[0]

        def text(template: str, at_place: bool = True) -> tuple[str, tuple[tuple[str, str, str, int], ...]]:
            before, after = template.split("{E}")
            name, type_ = place if at_place else subject
            return before + name + after, ((name, name, type_, len(before)),)

        where = "{E}"
        if kind == "numbers":
            adjective = rng.choice([a for _, a in COUNTRIES if "." not in a])
            what = f"{{n}} {adjective} {rng.choice(PLANT_COUNTED)} had been {rng.choice(PLANT_ROLES)} in {where}"
            low = rng.choice([rng.randint(12, 99), rng.randint(100, 4000)])
            a, b = f"{low:,}", f"{round(low * rng.uniform(1.6, 3.0)):,}"
            texts = [text(what.replace("{n}", a)), text(what.replace("{n}", b))]
        elif kind == "money":
            what = f"the {rng.choice(NOUNS)} in {where} would cost ${{n}} billion"
            low = rng.randint(12, 60) / 10
            texts = [text(what.replace("{n}", f"{low:g}")),
                     text(what.replace("{n}", f"{round(low * rng.uniform(1.6, 3.0), 1):g}"))]
        elif kind in ("negation", "denial"):
            verb = rng.choice(PLANT_VERBS)
            what = f"{rng.choice(SUBJECTS)} {{modal}} {verb} the {rng.choice(NOUNS)} with {where}"
            modal = rng.choice(["would", "will", "could"])
            texts = [text(what.replace("{modal}", modal), at_place=False)]
            texts.append(texts[0] if kind == "denial" else text(what.replace("{modal}", f"{modal} not"), at_place=False))
        else:
            pole_a, pole_b = rng.choice(PLANT_OPPOSITES)
            what = f"{rng.choice(PLANT_SITUATIONS)} {where} was {{pole}}"
            texts = [text(what.replace("{pole}", pole_a)), text(what.replace("{pole}", pole_b))]
        pair: dict[str, Any] = {"kind": kind, "a": texts[0][0], "b": texts[1][0], "by_a": first[0], "by_b": second[0],
                                "day_a": day.isoformat()}
        later = day + timedelta(days=rng.randint(0, 2))
        pair["day_b"] = later.isoformat()
        self.planted.append(pair)
        denial = kind == "denial"
        self._queued.append((later, {"who": second, "text": texts[1][0], "mentions": texts[1][1], "pair": pair,
                                     "side": "b", "cue": "denied" if denial else "said",
                                     "stance": "deny" if denial else "assert"}))
        return {"who": first, "text": texts[0][0], "mentions": texts[0][1], "pair": pair, "side": "a",
                "cue": "said", "stance": "assert"}

    # -- one article

    def article(self, day: date | None = None) -> tuple[Any, list[Any]]:
        from kg.records import Claim, Document, Mention, Span, Speaker

        rng, p = self.rng, self.p
        self.n += 1
        planted: dict[str, Any] | None = None  # this article's first claim, if planted
        if day is None and self._queued:
            day, planted = self._queued.pop()
        elif day is None:
            day = self.start + timedelta(days=rng.randrange(DAYS))
            if self.plant and self._prng.random() < self.plant:
                planted = self._plant(day)
        self.last_day = max(self.last_day, day)
        outlet = rng.choices(p.outlets, cum_weights=p.outlet_cum)[0]
        n_claims = rng.choices([1, 2, 3, 4, 5, 6], [30, 25, 18, 12, 9, 6])[0]
        doc_id = f"{_slug(outlet)}-{self.n:07d}"
        buf = _Text()
        lead = self._subject()[0]
        title = f"{lead}: {rng.choice(NOUNS)} {rng.choice(HEADLINE)}"
        buf.add(title + "\n\n")
        pending: list[dict[str, Any]] = []
        repeated_here: set[tuple[str, str]] = set()
        new_history: list[tuple[str, str, str, list[tuple[str, str, str, int]]]] = []
        for i in range(n_claims):
            # who, and what
            repeat = None
            if self.history and rng.random() < 0.05:
                repeat = rng.choice(self.history)  # said before, in another article: say it again
                if (repeat[0], repeat[2]) in repeated_here:
                    repeat = None
            if i == 0 and planted is not None:
                kind_of_speaker = "named"
                name, type_ = planted["who"]
                content, mentions = planted["text"], list(planted["mentions"])
                planted["pair"][f"doc_{planted['side']}"] = doc_id
            elif repeat is not None:
                kind_of_speaker = "named"
                name, type_, content, mentions = repeat
                repeated_here.add((name, content))
                self.stats["repeats"] += 1
            else:
                r = rng.random()
                kind_of_speaker = "none" if r < 0.03 else "anonymous" if r < 0.13 else "named"
                name, type_ = self._claimant() if kind_of_speaker == "named" else ("", "")
                content, mentions = self._content()
                if kind_of_speaker == "named":
                    new_history.append((name, type_, content, mentions))
            cue_word, stance, _ = rng.choices(CUES, cum_weights=p.cue_cum)[0]
            kind = rng.choices(["indirect", "direct", "according_to", "mixed", "direct_first"], [45, 22, 12, 8, 13])[0]
            hedge = "reportedly" if rng.random() < 0.06 else ("allegedly" if rng.random() < 0.02 else None)
            relay: tuple[str, ...] = ()
            if rng.random() < (0.45 if kind_of_speaker == "anonymous" else 0.07 if kind_of_speaker == "named" else 0):
                first = rng.choices(p.outlets, cum_weights=p.outlet_cum)[0]
                if first != outlet:
                    relay = (first,)
                    if rng.random() < 0.15:
                        second = rng.choices(p.outlets, cum_weights=p.outlet_cum)[0]
                        if second not in (first, outlet):
                            relay = (first, second)
            if relay:
                cue_word, stance = "told", "assert"
                if kind == "according_to":
                    kind = "indirect"

            if i == 0 and planted is not None:  # said plainly: "X said that ..." / "X denied that ..."
                cue_word, stance, kind, hedge, relay = planted["cue"], planted["stance"], "indirect", None, ()
            speaker: dict[str, Any] | None = None
            if kind_of_speaker == "named":
                surface, canonical = name, name
                if type_ == "person":
                    surname = name.split()[-1]
                    title_ = p.titles[name]
                    form = rng.choices(["full", "title", "surname", "title_surname", "surname_only"], [45, 20, 20, 7, 8])[0]
                    if i == 0 and planted is not None:
                        form = "full"  # the two sides must resolve to two claimants
                    if form == "title":
                        surface = f"{title_} {name}"
                    elif form == "surname":
                        surface = surname  # the article named them in full earlier
                    elif form == "title_surname":
                        surface = f"{title_} {surname}"
                    elif form == "surname_only":
                        surface = canonical = surname  # the article never gives the full name
                        self.stats["surname_only"] += 1
                speaker = {"surface": surface, "name": canonical, "type": type_, "anonymous": False, "affiliation": None}
                self.claims_by[name] += 1
                self.stats["named"] += 1
            elif kind_of_speaker == "anonymous":
                tpl, aff = rng.choice(ANON)
                person = rng.choices(p.ranked_people, cum_weights=p.people_cum)[0]
                country, adjective = rng.choice(COUNTRIES)
                surface = tpl.format(p=person, a=adjective, c=country)
                speaker = {
                    "surface": surface, "name": re.sub(r"^(a|an) ", "", surface), "type": "anonymous",
                    "anonymous": True, "affiliation": aff.format(p=person, a=adjective, c=country) if aff else None,
                }
                self.stats["anonymous"] += 1
            else:
                self.stats["unattributed"] += 1
            if relay:
                self.stats["relayed"] += 1
            for _, m_name, _, _ in mentions:
                self.mentioned[m_name] += 1
            if kind in ("direct", "mixed", "direct_first"):
                content = content[0].upper() + content[1:]

            # the sentence, piece by piece so that every span is exact
            s_start = buf.length
            relay_text = ""
            if len(relay) == 2:
                relay_text = f" {relay[0]}, as reported by {relay[1]},"
            elif relay:
                relay_text = f" {relay[0]}"
            hedge_text = f"{hedge} " if hedge else ""
            sp = cue = ct = None
            if speaker is None:
                buf.add("It was ")
                cue = buf.add("reported")
                buf.add(" that ")
                ct = buf.add(content)
                buf.add(". ")
                kind = "indirect"
            elif kind == "according_to":
                cue = buf.add("According to")
                buf.add(" ")
                sp = buf.add(speaker["surface"])
                buf.add(", ")
                ct = buf.add(content)
                buf.add(". ")
            elif kind in ("direct", "mixed"):
                buf.add("\u201c")
                ct = buf.add(content)
                buf.add(",\u201d ")
                sp = buf.add(speaker["surface"])
                buf.add(" " + hedge_text)
                cue = buf.add(cue_word)
                buf.add(relay_text + ". ")
            elif kind == "direct_first":
                sp = buf.add(speaker["surface"][0].upper() + speaker["surface"][1:])
                buf.add(" " + hedge_text)
                cue = buf.add(cue_word)
                buf.add(relay_text + ": \u201c")
                ct = buf.add(content)
                buf.add(".\u201d ")
                kind = "direct"
            else:
                sp = buf.add(speaker["surface"][0].upper() + speaker["surface"][1:])
                buf.add(" " + hedge_text)
                cue = buf.add(cue_word)
                buf.add(relay_text + " that ")
                ct = buf.add(content)
                buf.add(". ")
            s_end = buf.length - 1
            utterance = period = None
            r = rng.random()
            if r < 0.4:
                utterance = (day - timedelta(days=rng.randint(0, 3))).isoformat()
            elif r < 0.45:  # "last week"
                monday = day - timedelta(days=day.weekday() + 7)
                period = (monday.isoformat(), (monday + timedelta(days=6)).isoformat())
            if i == 0 and planted is not None:
                utterance = period = None  # first seen on the article's date
            pending.append(
                {
                    "sp": sp, "speaker": speaker, "cue": cue, "content": ct, "kind": kind, "stance": stance,
                    "hedge": hedge, "relay": relay, "utterance": utterance, "period": period,
                    "sentence": (s_start, s_end), "mentions": [(s, n, t, ct[0] + off) for s, n, t, off in mentions],
                }
            )
            if rng.random() < 0.35:
                buf.add(rng.choice(FILLERS) + " ")
            if i % 2 == 1:
                buf.add("\n\n")
        self.history.extend(new_history)  # a repeat is always of another article

        text = buf.text
        document = Document(
            id=doc_id, text=text, date=day.isoformat(), title=title,
            url=f"https://{_slug(outlet)}.example/{day:%Y/%m}/{self.n:07d}", outlet=outlet,
        )
        claims = []
        for c in pending:
            speaker = None
            if c["speaker"] is not None:
                s0, s1 = c["sp"]
                sa = c["speaker"]
                speaker = Speaker(text[s0:s1], s0, s1, name=sa["name"], type=sa["type"],
                                  anonymous=sa["anonymous"], affiliation=sa["affiliation"])
            s0, s1 = c["sentence"]
            claims.append(
                Claim(
                    doc_id=doc_id,
                    content=Span(text[c["content"][0] : c["content"][1]], *c["content"]),
                    speaker=speaker,
                    cue=Span(text[c["cue"][0] : c["cue"][1]], *c["cue"]),
                    kind=c["kind"],
                    stance=c["stance"],
                    hedge=c["hedge"],
                    relay=c["relay"],
                    date=day.isoformat(),
                    utterance_date=c["utterance"],
                    utterance_period=c["period"],
                    sentence=Span(text[s0:s1], s0, s1),
                    mentions=tuple(Mention(s, o, o + len(s), name=n, type=t) for s, n, t, o in c["mentions"]),
                )
            )
        for c in claims:  # the offsets really point into the text
            for piece in (c.content, c.speaker, c.cue, c.sentence, *c.mentions):
                if piece is not None:
                    assert text[piece.start : piece.end] == piece.text, (doc_id, piece)
        self.stats["articles"] += 1
        self.stats["claims"] += len(claims)
        return document, claims


# --------------------------------------------------------------------------- helpers


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def p90(values: list[float]) -> float:
    s = sorted(values)
    return s[max(0, math.ceil(0.9 * len(s)) - 1)]  # nearest rank


def spread(ranked: list[tuple[str, int]], n: int) -> list[tuple[str, int]]:
    """``n`` items from a frequency-ranked list, log-spaced from the first to the last rank."""
    if len(ranked) <= n:
        return list(ranked)
    idx: list[int] = []
    k = n
    while len(idx) < n:
        idx = sorted({round(math.exp(i * math.log(len(ranked)) / (k - 1))) - 1 for i in range(k)})
        k += 1
    while len(idx) > n:  # drop from the crowded head, keep both ends
        idx.pop(len(idx) // 2)
    return [ranked[i] for i in idx]


class Timers:
    """Wrap functions (module attributes or bound methods) to add up the time spent in them."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._undo: list[Callable[[], None]] = []

    def wrap(self, owner: Any, attr: str, label: str, *, instance: bool = False) -> None:
        original = getattr(owner, attr)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[label] += time.perf_counter() - t0
                self.calls[label] += 1

        setattr(owner, attr, timed)
        if instance:  # an instance attribute shadowing the class's method
            self._undo.append(lambda: delattr(owner, attr))
        else:
            self._undo.append(lambda: setattr(owner, attr, original))

    def restore(self) -> None:
        while self._undo:
            self._undo.pop()()


def timed_resolve(store: Any) -> tuple[Any, float, dict[str, float]]:
    """``kg.pipeline.resolve(store)``, timed, with the time of each of its steps.

    The steps are timed by wrapping the functions resolve() calls (it looks them up at
    call time), so the figure is the real call's, not a re-implementation's.
    """
    import kg.pipeline as pipeline
    import kg.resolve.claims as rclaims
    import kg.resolve.collect as collect
    import kg.resolve.entities as rentities

    t = Timers()
    t.wrap(pipeline, "resolution_stamp", "stamp (articles + digest)")
    t.wrap(collect, "read_mentions", "read mentions (SPARQL + rows)")
    t.wrap(rentities, "resolve_entities", "resolve entities (Python)")
    t.wrap(collect, "read_appearances", "read appearances (3 SPARQL + rows)")
    t.wrap(rclaims, "resolve_claims", "resolve claims (Python)")
    t.wrap(pipeline, "resolved_quads", "derived quads (Python)")
    t.wrap(store, "replace_resolved", "write derived graph (diff + transaction)", instance=True)
    try:
        t0 = time.perf_counter()
        report = pipeline.resolve(store)
        total = time.perf_counter() - t0
    finally:
        t.restore()
    return report, total, dict(t.spent)


def ingest(store: Any, docs: list[tuple[Any, list[Any]]], run: Any, label: str) -> dict[str, float]:
    """put_document(doc, document_quads(doc, claims, run)) for each article, timed."""
    from kg.build.rdf import document_quads

    quads_s = put_s = 0.0
    n_quads = 0
    step = max(1, len(docs) // 10)
    t_start = time.perf_counter()
    for i, (doc, claims) in enumerate(docs, 1):
        t0 = time.perf_counter()
        quads = document_quads(doc, claims, run)
        t1 = time.perf_counter()
        status = store.put_document(doc, quads)
        t2 = time.perf_counter()
        assert status == "new", (doc.id, status)
        quads_s += t1 - t0
        put_s += t2 - t1
        n_quads += len(quads)
        if i % step == 0:
            el = time.perf_counter() - t_start
            log(f"  {label}: {i:,}/{len(docs):,} articles, {el:.1f} s ({i / el:,.0f} articles/s)")
    return {
        "s": time.perf_counter() - t_start,
        "document_quads_s": quads_s,
        "put_document_s": put_s,
        "article_quads": n_quads,
        "docs": len(docs),
        "claims": sum(len(c) for _, c in docs),
    }


# --------------------------------------------------------------------------- workers


def _run() -> Any:
    from kg import __version__
    from kg.build.rdf import Run

    return Run(kg_version=__version__, model="synthetic", model_version="graph_scale")


def calibrate(seed: int, target: int, work: Path) -> tuple[float, float, int]:
    """(triples per article, fixed triples, articles to reach ``target``) from two small stores."""
    from kg.build.rdf import document_quads
    from kg.store import ClaimStore

    guess = max(100, target // 150)  # ~150 triples an article
    n1 = max(60, min(800, guess // 10))
    n2 = 3 * n1
    room = Newsroom(seed)
    docs = [room.article() for _ in range(n2)]
    run = _run()
    points = []
    with ClaimStore.open(work / "calibration") as store:
        for a, b in ((0, n1), (n1, n2)):
            for doc, claims in docs[a:b]:
                store.put_document(doc, document_quads(doc, claims, run))
            timed_resolve(store)
            points.append((b, store.count_triples()))
    shutil.rmtree(work / "calibration", ignore_errors=True)
    (x1, y1), (x2, y2) = points
    per_doc = (y2 - y1) / (x2 - x1)
    fixed = y1 - per_doc * x1
    n = math.ceil((target * (1 + MARGIN) - fixed) / per_doc)
    log(f"calibration: {x1} articles -> {y1:,} triples, {x2} -> {y2:,}: {per_doc:.1f} triples/article "
        f"+ {fixed:,.0f}; {n:,} articles for {target:,}")
    return per_doc, fixed, max(n, x2)


def worker_calibrate(cfg: dict[str, Any]) -> dict[str, Any]:
    t0 = time.perf_counter()
    per_doc, fixed, n_docs = calibrate(cfg["seed"], cfg["triples"], Path(cfg["workdir"]))
    return {"per_doc": per_doc, "fixed": fixed, "n_docs": n_docs, "s": time.perf_counter() - t0,
            "peak_rss_mb": peak_rss_mb()}


def worker_build(cfg: dict[str, Any]) -> dict[str, Any]:
    from kg.store import ClaimStore

    work, path, target = Path(cfg["workdir"]), Path(cfg["store"]), cfg["triples"]
    per_doc, n_docs = cfg["calibration"]["per_doc"], cfg["calibration"]["n_docs"]
    out: dict[str, Any] = {}

    room = Newsroom(cfg["seed"])
    t0 = time.perf_counter()
    docs = [room.article() for _ in range(n_docs)]
    out["generate_s"] = time.perf_counter() - t0
    log(f"generated {len(docs):,} articles, {room.stats['claims']:,} claims ({out['generate_s']:.1f} s)")
    run = _run()
    out["rss_before_ingest_mb"] = peak_rss_mb()

    t0 = time.perf_counter()
    store = ClaimStore.open(path)
    out["create_s"] = time.perf_counter() - t0
    log(f"ingesting {len(docs):,} articles into {path} ...")
    ing = ingest(store, docs, run, "ingest")
    log(f"resolving {len(docs):,} articles ...")
    res, res_s, res_steps = timed_resolve(store)
    log(f"resolve: {res_s:.1f} s ({res.entities:,} entities, {res.claims:,} claims, +{res.added:,} quads)")
    t0 = time.perf_counter()
    triples = store.count_triples()
    out["count_triples_s"] = time.perf_counter() - t0
    top_ups = []
    while triples < target:  # the straight line fell short: add articles, resolve again
        more = math.ceil((target - triples) / per_doc * 1.05) + 1
        log(f"{triples:,} triples < {target:,}: adding {more:,} articles")
        extra = [room.article() for _ in range(more)]
        docs.extend(extra)
        step = ingest(store, extra, run, "top-up")
        for k in ("s", "document_quads_s", "put_document_s", "article_quads", "docs", "claims"):
            ing[k] += step[k]
        top_ups.append({"docs": more, "resolve_s_before": res_s})
        res, res_s, res_steps = timed_resolve(store)
        triples = store.count_triples()
    out["top_ups"] = top_ups
    out["ingest"] = ing
    out["resolve_s"] = res_s
    out["resolve_steps"] = res_steps
    out["resolve"] = res.to_json()
    out["triples"] = triples
    t0 = time.perf_counter()
    out["quads_stored"] = len(store.oxigraph)  # article graphs + the merged default graph + derived graph
    out["len_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.close()
    out["close_s"] = time.perf_counter() - t0
    out["peak_rss_mb"] = peak_rss_mb()
    out["generated"] = dict(room.stats)
    out["claimants"] = len(room.claims_by)
    out["mentioned_entities"] = len(room.mentioned)
    out["first_day"] = min(d.date for d, _ in docs)
    out["last_day"] = max(d.date for d, _ in docs)
    out["outlets"] = len({d.outlet for d, _ in docs})

    # X: log-spaced ranks from the most to the least frequent; people asked for by surname
    # one time in four (as in "kg claims --by psaki")
    ranked_by = sorted(room.claims_by.items(), key=lambda kv: (-kv[1], kv[0]))
    ranked_about = sorted(room.mentioned.items(), key=lambda kv: (-kv[1], kv[0]))
    types = dict(room.p.claimants) | dict(room.p.subjects)
    by_x, about_x = [], []
    for i, (name, n) in enumerate(spread(ranked_by, N_X)):
        x = name.split()[-1] if types.get(name) == "person" and i % 4 == 3 else name
        by_x.append({"x": x, "name": name, "generated": n})
    for i, (name, n) in enumerate(spread(ranked_about, N_X)):
        x = name.split()[-1] if types.get(name) == "person" and i % 4 == 3 else name
        about_x.append({"x": x, "name": name, "generated": n})
    out["by_x"], out["about_x"] = by_x, about_x

    # one more day of news, for the incremental step: the stream goes on, dated the day after
    next_day = date.fromisoformat(out["last_day"]) + timedelta(days=1)
    n_extra = max(1, round(len(docs) * INCREMENT))
    before = Counter(room.stats)
    extra = [room.article(day=next_day) for _ in range(n_extra)]
    with open(work / "extra.pkl", "wb") as fh:
        pickle.dump(extra, fh)
    out["extra_docs"] = n_extra
    out["extra_claims"] = room.stats["claims"] - before["claims"]
    out["extra_day"] = next_day.isoformat()
    return out


def worker_open(cfg: dict[str, Any]) -> dict[str, Any]:
    from kg.store import ClaimStore

    rss = peak_rss_mb()
    t0 = time.perf_counter()
    store = ClaimStore.open(cfg["store"], read_only=cfg["read_only"])
    dt = time.perf_counter() - t0
    store.close()
    return {"open_s": dt, "rss_before_open_mb": rss, "peak_rss_mb": peak_rss_mb()}


def worker_query(cfg: dict[str, Any]) -> dict[str, Any]:
    from kg.query import find_claims
    from kg.store import ClaimStore

    out: dict[str, Any] = {"rss_before_open_mb": peak_rss_mb()}
    t0 = time.perf_counter()
    store = ClaimStore.open(cfg["store"], read_only=True)
    out["open_s"] = time.perf_counter() - t0
    results: dict[str, list[dict[str, Any]]] = {"by": [], "about": []}
    first = True
    for i in range(max(len(cfg["by_x"]), len(cfg["about_x"]))):
        for kind in ("by", "about"):  # interleaved, so that machine noise falls on both
            if i >= len(cfg[f"{kind}_x"]):
                continue
            item = dict(cfg[f"{kind}_x"][i])
            times = []
            for _ in range(QUERY_RUNS):
                t0 = time.perf_counter()
                rows = find_claims(store, **{kind: item["x"]})
                times.append(time.perf_counter() - t0)
            if first:
                out["first_query"] = {"kind": kind, "x": item["x"], "s": times[0], "rows": len(rows)}
                first = False
            dates = [r.utterance_date or r.date for r in rows]
            assert dates == sorted(dates, key=lambda d: (d is None, d or "")), "rows not in date order"
            item.update(rows=len(rows), claims=len({r.claim for r in rows}), s=statistics.median(times), runs=times)
            results[kind].append(item)
            log(f"  {kind}={item['x']!r}: {len(rows):,} rows, {item['s'] * 1000:.0f} ms")
    out["results"] = results
    for kind in ("by", "about"):
        ts = [r["s"] for r in results[kind]]
        out[f"{kind}_median_s"] = statistics.median(ts)
        out[f"{kind}_p90_s"] = p90(ts)
        out[f"{kind}_max_s"] = max(ts)
    out["breakdown"] = breakdown(store, cfg)
    store.close()
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def breakdown(store: Any, cfg: dict[str, Any]) -> dict[str, Any]:
    """Where find_claims' time goes, per X: matching names, choosing the claims, the rest.

    One more call per X with two of kg.query.claims' steps wrapped (``_entities_named``,
    ``_claims_by`` / ``_claims_about``: private names, so if kg renames them the
    breakdown is left out; the figures above do not depend on it).  Every SPARQL text
    that goes through ``ClaimStore.raw_query`` is noted; the last one (the query that
    reads the rows) is then run again alone, its solutions counted but not converted,
    which is the share of Oxigraph in the rest.
    """
    try:
        import kg.query.claims as qc

        qc._entities_named, qc._claims_by, qc._claims_about  # noqa: B018
    except (ImportError, AttributeError) as exc:
        return {"unavailable": str(exc)}
    out: dict[str, Any] = {}
    for kind in ("by", "about"):
        per_x = []
        for item in cfg[f"{kind}_x"]:
            t = Timers()
            texts: list[str] = []
            original_raw = store.raw_query

            def raw_query(sparql: str, params: Any = None, _raw: Any = original_raw) -> Any:
                texts.append(sparql)
                return _raw(sparql, params)

            store.raw_query = raw_query  # ClaimStore.query goes through it too
            t.wrap(qc, "_entities_named", "names")
            t.wrap(qc, f"_claims_{kind}", "select")
            try:
                t0 = time.perf_counter()
                rows = qc.find_claims(store, **{kind: item["x"]})
                total = time.perf_counter() - t0
            finally:
                t.restore()
                del store.raw_query
            sparql_s, n = 0.0, len(rows)
            if rows and texts:
                t0 = time.perf_counter()
                n = sum(1 for _ in original_raw(texts[-1]))
                sparql_s = time.perf_counter() - t0
            select = t.spent.get("select", 0.0)
            per_x.append(
                {
                    "x": item["x"], "rows": len(rows), "sparql_rows": n, "total_s": total,
                    "name_scan_s": t.spent.get("names", 0.0), "select_s": select,
                    "rows_s": total - select, "sparql_s": sparql_s, "queries": len(texts),
                }
            )
        med = {
            k: statistics.median(r[k] for r in per_x)
            for k in ("total_s", "name_scan_s", "select_s", "rows_s", "sparql_s")
        }
        out[kind] = {"per_x": per_x, "median": med, "largest": max(per_x, key=lambda r: r["rows"])}
    return out


def worker_export(cfg: dict[str, Any]) -> dict[str, Any]:
    from kg.export import export_turtle
    from kg.store import ClaimStore

    out: dict[str, Any] = {}
    store = ClaimStore.open(cfg["store"], read_only=True)
    out["triples"] = store.count_triples()
    out["rss_before_mb"] = peak_rss_mb()
    target = Path(cfg["workdir"]) / "claims.ttl"
    t0 = time.perf_counter()
    export_turtle(store, target)
    out["turtle_s"] = time.perf_counter() - t0
    out["turtle_bytes"] = target.stat().st_size
    target.unlink()
    store.close()
    out["turtle_s_per_million"] = out["turtle_s"] / (out["triples"] / 1e6)
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def worker_increment(cfg: dict[str, Any]) -> dict[str, Any]:
    from kg.store import ClaimStore

    with open(Path(cfg["workdir"]) / "extra.pkl", "rb") as fh:
        extra = pickle.load(fh)
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    store = ClaimStore.open(cfg["store"])
    out["open_rw_s"] = time.perf_counter() - t0
    out["triples_before"] = store.count_triples()
    out["ingest"] = ingest(store, extra, _run(), "one more day")
    res, res_s, steps = timed_resolve(store)
    out["resolve_s"], out["resolve_steps"], out["resolve"] = res_s, steps, res.to_json()
    out["triples_after"] = store.count_triples()
    t0 = time.perf_counter()
    store.close()
    out["close_s"] = time.perf_counter() - t0
    out["peak_rss_mb"] = peak_rss_mb()
    return out


WORKERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "calibrate": worker_calibrate,
    "build": worker_build,
    "open": worker_open,
    "query": worker_query,
    "export": worker_export,
    "increment": worker_increment,
}

# --------------------------------------------------------------------------- report


def machine() -> list[str]:
    def version(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "not installed"

    cpu, mem = "?", "?"
    try:
        cpu = next(
            (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
             if line.startswith("model name")), "?")
        mem = next(
            (f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB" for line in Path("/proc/meminfo").read_text().splitlines()
             if line.startswith("MemTotal")), "?")
    except OSError:
        pass
    commit = "?"
    try:
        repo = Path(__file__).resolve().parent.parent
        commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--", "kg"],
                               capture_output=True, text=True, check=True).stdout.strip()
        commit += " (kg/ modified)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        pass
    return [
        f"machine: nproc={os.cpu_count()}, {cpu}, RAM {mem}, {platform.system()} {platform.release()}",
        f"python {platform.python_version()}; pyoxigraph {version('pyoxigraph')}, kg {version('kg')} at commit {commit}",
    ]


def fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    if x >= 1:
        return f"{x:.2f} s"
    return f"{x * 1000:.1f} ms"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def verdict(key: str, value: float | None) -> tuple[str, str]:
    limit, _, _ = TARGETS[key]
    if value is None:
        return f"<= {fmt_s(limit)}", "?"
    return f"<= {fmt_s(limit)}", "met" if value <= limit else "NOT MET"


def report(res: dict[str, Any]) -> str:
    b, q, e, inc = res["build"], res["query"], res["export"], res["increment"]
    ing, g = b["ingest"], b["generated"]
    opens = res["open_ro"]
    lines = [
        f"data: seed {res['seed']}; {ing['docs']:,} articles ({b['first_day']} .. {b['last_day']}, {b['outlets']} outlets), "
        f"{ing['claims']:,} claims: {g.get('named', 0):,} named ({g.get('surname_only', 0):,} by surname alone), "
        f"{g.get('anonymous', 0):,} anonymous, {g.get('unattributed', 0):,} unattributed; {g.get('relayed', 0):,} relayed; "
        f"{g.get('repeats', 0):,} repeated verbatim from another article; {b['claimants']:,} claimants, "
        f"{b['mentioned_entities']:,} mentioned entities",
        f"graph: {b['triples']:,} distinct triples (count_triples); {b['quads_stored']:,} quads stored (article graphs, "
        f"their merge, the derived graph); resolve: {b['resolve']['mentions']:,} mentions -> {b['resolve']['entities']:,} "
        f"entities, {b['resolve']['appearances']:,} appearances -> {b['resolve']['claims']:,} claims",
        f"articles: {res['calibration']['per_doc']:.0f} triples each (a straight line through two small stores, "
        f"{res['calibration']['s']:.0f} s), so {ing['docs']:,} articles for >= {res['target_triples']:,} triples"
        + (f" (+{len(b['top_ups'])} top-up)" if b["top_ups"] else ""),
        f"store on disk: {res['size_built_bytes'] / 1e6:,.0f} MB after the build, "
        f"{res['size_reopened_bytes'] / 1e6:,.0f} MB once re-opened read-write (write-ahead log folded in), "
        f"{res['size_final_bytes'] / 1e6:,.0f} MB after one more day",
        "",
    ]
    tr = lambda key, v: verdict(key, v)  # noqa: E731
    rows = [
        ["ingest (document_quads + put_document)", f"{ing['s']:.1f} s", "", ""],
        ["  articles/s", f"{ing['docs'] / ing['s']:,.0f}", "", ""],
        ["  claims/s", f"{ing['claims'] / ing['s']:,.0f}", "", ""],
        ["  share in document_quads / put_document",
         f"{ing['document_quads_s'] / ing['s']:.0%} / {ing['put_document_s'] / ing['s']:.0%}", "", ""],
        [f"resolve, once, {ing['docs']:,} articles", f"{b['resolve_s']:.1f} s", "", ""],
        ["then flush + close", f"{b['close_s']:.1f} s", "", ""],
        [f"claims by X, median of {len(q['results']['by'])} X", fmt_s(q["by_median_s"]), *tr("by_median_s", q["by_median_s"])],
        ["  p90 / max", f"{fmt_s(q['by_p90_s'])} / {fmt_s(q['by_max_s'])}", "", ""],
        [f"claims about X, median of {len(q['results']['about'])} X", fmt_s(q["about_median_s"]),
         *tr("about_median_s", q["about_median_s"])],
        ["  p90 / max", f"{fmt_s(q['about_p90_s'])} / {fmt_s(q['about_max_s'])}", "", ""],
        [f"first query in a fresh process ({q['first_query']['kind']}={q['first_query']['x']!r}, "
         f"{q['first_query']['rows']:,} rows)", fmt_s(q["first_query"]["s"]), "", ""],
        [f"Turtle export ({e['triples']:,} triples, {e['turtle_bytes'] / 1e6:,.0f} MB)", f"{e['turtle_s']:.1f} s", "", ""],
        ["  per million triples", f"{e['turtle_s_per_million']:.1f} s", *tr("turtle_s_per_million", e["turtle_s_per_million"])],
        [f"store open read-only, median of {len(opens)} fresh processes", fmt_s(res["open_ro_s"]),
         *tr("open_ro_s", res["open_ro_s"])],
        ["  min / max", f"{fmt_s(min(o['open_s'] for o in opens))} / {fmt_s(max(o['open_s'] for o in opens))}", "", ""],
        [f"store open read-write, median of {len(res['open_rw'])} fresh processes", fmt_s(res["open_rw_s"]), "", ""],
        [f"one more day: +{inc['ingest']['docs']:,} articles, +{inc['ingest']['claims']:,} claims, ingest",
         fmt_s(inc["ingest"]["s"]), "", ""],
        ["  then resolve (whole store)", fmt_s(inc["resolve_s"]), "", ""],
        ["  total", fmt_s(inc["ingest"]["s"] + inc["resolve_s"]), "", ""],
        ["peak RSS: build / query / export / one more day",
         f"{b['peak_rss_mb']:,.0f} / {q['peak_rss_mb']:,.0f} / {e['peak_rss_mb']:,.0f} / {inc['peak_rss_mb']:,.0f} MB", "", ""],
        ["peak RSS: open (read-only) / parent",
         f"{max(o['peak_rss_mb'] for o in opens):,.0f} / {res['parent_rss_mb']:,.0f} MB", "", ""],
    ]
    lines.append(table(["figure", "value", "target", ""], rows))
    lines.append("")

    def steps(title: str, total: float, spent: dict[str, float]) -> None:
        lines.append(f"{title}: {fmt_s(total)}")
        for k, v in spent.items():
            lines.append(f"  {k:<44} {fmt_s(v):>10}  {v / total:>4.0%}")

    steps(f"resolve ({ing['docs']:,} articles), by step", b["resolve_s"], b["resolve_steps"])
    steps(f"resolve after one more day ({ing['docs'] + inc['ingest']['docs']:,} articles), by step",
          inc["resolve_s"], inc["resolve_steps"])
    bd = q.get("breakdown", {})
    if "unavailable" in bd:
        lines.append(f"find_claims breakdown unavailable: {bd['unavailable']}")
    else:
        lines.append("find_claims, where the time goes (median over the X; one instrumented call each):")
        head = ["", "total", "match names", "choose claims", "read rows", "(SPARQL alone)", "rows"]
        brows = []
        for kind in ("by", "about"):
            m, big = bd[kind]["median"], bd[kind]["largest"]
            for label, r, rows_ in ((f"{kind} X, median", m, "-"), (f"{kind} {big['x']!r} (most rows)", big, f"{big['rows']:,}")):
                brows.append([label, fmt_s(r["total_s"]), fmt_s(r["name_scan_s"]), fmt_s(r["select_s"]),
                              fmt_s(r["rows_s"]), fmt_s(r["sparql_s"]), rows_])
        lines.append(table(head, brows))
        lines.append("(choose claims includes matching names; read rows = total - choose claims: the query of the rows, "
                     "their conversion, sorting, ClaimRow objects; SPARQL alone = that query run again, rows only counted)")
        bad = [f"{k} {r['x']!r}" for k in ("by", "about") for r in bd[k]["per_x"] if r["sparql_rows"] != r["rows"]]
        if bad:
            lines.append("warning: the re-run query gave another number of rows for " + ", ".join(bad))
    lines.append("")
    lines.append("per X (median of %d calls):" % QUERY_RUNS)
    for kind in ("by", "about"):
        lines.append(
            f"  {kind}: " + ", ".join(f"{r['x']} {r['rows']:,}r {r['s'] * 1000:.0f}ms" for r in q["results"][kind])
        )
    lines.append("")
    lines.extend(machine())
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=None,
                    help=f"distinct triples to reach at least (default {DEFAULT_TRIPLES:,})")
    ap.add_argument("--quick", action="store_true", help=f"smoke run: about {QUICK_TRIPLES:,} triples")
    ap.add_argument("--store", type=Path, help="where to build the store (must not exist or be empty; default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the store at the end (it then includes the extra day)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        cfg = json.loads(args.config.read_text())
        print(json.dumps(WORKERS[args.worker](cfg)))
        return
    triples = args.triples or (QUICK_TRIPLES if args.quick else DEFAULT_TRIPLES)
    if triples < 1000:
        ap.error("--triples must be at least 1000")
    if args.store is not None and args.store.exists() and (not args.store.is_dir() or any(args.store.iterdir())):
        ap.error(f"--store {args.store} exists and is not empty: give a new or empty directory")

    t_all = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="kg-graph-scale-"))
    store = args.store if args.store is not None else Path(tempfile.mkdtemp(prefix="kg-graph-scale-store-"))
    try:
        cfg: dict[str, Any] = {"seed": args.seed, "triples": triples, "store": str(store), "workdir": str(work)}
        cfg_path = work / "config.json"

        def spawn(worker: str, **extra: Any) -> dict[str, Any]:
            cfg_path.write_text(json.dumps({**cfg, **extra}))
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, __file__, "--worker", worker, "--config", str(cfg_path)],
                stdout=subprocess.PIPE, text=True,  # stderr (progress) goes straight through
            )
            if proc.returncode != 0:
                raise SystemExit(f"the {worker} worker failed (exit {proc.returncode})")
            out = json.loads(proc.stdout.strip().splitlines()[-1])
            out["wall_s"] = time.perf_counter() - t0
            return out

        res: dict[str, Any] = {"seed": args.seed, "target_triples": triples}
        log(f"calibrating: how many articles make {triples:,} triples ...")
        res["calibration"] = cfg["calibration"] = spawn("calibrate")
        log(f"building a store of >= {triples:,} triples in {store} ...")
        res["build"] = b = spawn("build")
        res["size_built_bytes"] = dir_size(store)
        log(f"build: {b['triples']:,} triples ({b['wall_s']:.0f} s)")
        cfg.update(by_x=b["by_x"], about_x=b["about_x"])

        log(f"opening read-only in {OPEN_RUNS} fresh processes ...")
        res["open_ro"] = [spawn("open", read_only=True) for _ in range(OPEN_RUNS)]
        res["open_ro_s"] = statistics.median(o["open_s"] for o in res["open_ro"])
        log(f"finding claims by / about {N_X} X each, in a fresh process ...")
        res["query"] = spawn("query")
        log("exporting Turtle ...")
        res["export"] = spawn("export")
        log(f"export: {res['export']['turtle_s']:.1f} s")
        res["open_rw"] = [spawn("open", read_only=False) for _ in range(OPEN_RW_RUNS)]
        res["open_rw_s"] = statistics.median(o["open_s"] for o in res["open_rw"])
        res["size_reopened_bytes"] = dir_size(store)  # RocksDB drops the write-ahead log on a read-write open
        log(f"one more day: {b['extra_docs']:,} articles ...")
        res["increment"] = spawn("increment")
        res["size_final_bytes"] = dir_size(store)
        res["parent_rss_mb"] = peak_rss_mb()
        res["children_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        res["total_s"] = time.perf_counter() - t_all
        res["targets"] = {
            k: {"value": v, "limit": TARGETS[k][0], "met": v <= TARGETS[k][0]}
            for k, v in (
                ("by_median_s", res["query"]["by_median_s"]),
                ("about_median_s", res["query"]["about_median_s"]),
                ("turtle_s_per_million", res["export"]["turtle_s_per_million"]),
                ("open_ro_s", res["open_ro_s"]),
            )
        }
        res["machine"] = machine()
        print(report(res))
        print(f"(total {res['total_s']:.0f} s)")
        print(json.dumps(res, separators=(",", ":")))
        log(f"total {res['total_s']:.0f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if args.keep:
            log(f"store kept at {store}")
        else:
            shutil.rmtree(store, ignore_errors=True)


if __name__ == "__main__":
    main()
