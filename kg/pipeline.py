"""The whole pipeline as two calls a notebook user can make: ``ingest`` and ``build``.

    >>> from kg.pipeline import build
    >>> report = build(["seeds/"], store_path=".kg", out_dir="exports")
    >>> report.ingest.claims, report.exports
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from spacy.language import Language

from kg import __version__
from kg.build.rdf import Run, document_quads
from kg.build.resolved import iter_resolved_quads
from kg.errors import KgError
from kg.extract import iter_claims, load_model, model_info
from kg.extract.lexicon import CueLexicon
from kg.extract.parallel import DEFAULT_BATCH_SIZE, Extracted, extract_in_processes, extract_on_cluster
from kg.extract.settings import ExtractorSettings
from kg.export import DEFAULT_FORMATS, export
from kg.read import ReadProblem, iter_documents
from kg.resolve.aliases import AliasRules, load_alias_rules
from kg.resolve.contradictions import Judge, judge_name
from kg.resolve.opposites import OppositesLexicon, load_opposites
from kg.records import Claim, Document
from kg.store import ClaimStore

log = logging.getLogger(__name__)

ProgressCallback = Callable[[Document, str, int], None]  # (document, status, n_claims)


@dataclass
class IngestReport:
    """What one ``ingest`` did: counts by document status, claims stored, input problems."""

    documents: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    claims: int = 0
    problems: list[ReadProblem] = field(default_factory=list)
    run: Run | None = None
    resolution: ResolveReport | None = None
    detection: DetectReport | None = None

    @property
    def skipped(self) -> int:
        """How many inputs were skipped (the other problems are warnings: their documents were kept)."""
        return sum(1 for p in self.problems if p.skipped)

    def to_json(self) -> dict:
        return {
            "documents": self.documents,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "claims": self.claims,
            "skipped": self.skipped,
            "problems": [str(p) for p in self.problems],
        }


@dataclass
class ResolveReport:
    """What ``resolve`` did: entities and claims across articles, and the change written."""

    mentions: int = 0
    entities: int = 0
    appearances: int = 0
    claims: int = 0
    added: int = 0
    removed: int = 0
    skipped: bool = False  # the derived graph was already up to date

    def to_json(self) -> dict:
        return dict(self.__dict__)


#: bump when resolution rules change, so stores re-resolve on their next ingest
RESOLUTION_VERSION = "2"


def resolution_stamp(store: ClaimStore, rules: AliasRules) -> str:
    from kg.resolve.collect import articles_digest

    parts = (RESOLUTION_VERSION, __version__, articles_digest(store), rules.digest)
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]


def resolve(store: ClaimStore, *, aliases: AliasRules | str | Path | None = None, force: bool = False) -> ResolveReport:
    """Resolve entities and claims across all stored articles and write the derived graph.

    Deterministic: the same articles and alias rules give the same graph whatever
    order they were ingested in.  Skipped (``report.skipped``) when the stored graph
    was derived from exactly these articles and rules, unless ``force``.  Atomic:
    the derived graph changes in one transaction.
    """
    from kg.resolve.claims import resolve_claims
    from kg.resolve.collect import read_appearances, read_mentions
    from kg.resolve.entities import resolve_entities

    rules = aliases if isinstance(aliases, AliasRules) else load_alias_rules(aliases)
    report = ResolveReport()
    stamp = resolution_stamp(store, rules)
    if not force and store.resolved_stamp() == stamp:
        report.skipped = True
        return report
    mentions = read_mentions(store)
    entities = resolve_entities(mentions, rules)
    entity_of = {m: e.iri for m, e in entities.items()}
    appearances = read_appearances(store, entity_of)
    claims = resolve_claims(appearances)
    report.mentions, report.appearances, report.claims = len(mentions), len(appearances), len(claims)
    report.entities = len({e.iri for e in entities.values()})
    report.added, report.removed = store.replace_resolved(iter_resolved_quads(entities, claims, stamp))
    log.info("resolved %d mentions -> %d entities, %d appearances -> %d claims (+%d/-%d quads)",
             report.mentions, report.entities, report.appearances, report.claims, report.added, report.removed)
    return report


@dataclass
class DetectReport:
    """What ``detect`` did: claims compared, contradictions found by kind, the change written."""

    claims: int = 0
    contradictions: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    added: int = 0
    removed: int = 0
    skipped: bool = False  # the contradictions graph was already up to date

    def to_json(self) -> dict:
        return dict(self.__dict__)


#: bump when detection rules change, so stores re-detect on their next ingest
DETECTION_VERSION = "5"


def detect(
    store: ClaimStore,
    *,
    opposites: OppositesLexicon | str | Path | None = None,
    judge: Judge | None = None,
    force: bool = False,
) -> DetectReport:
    """Find contradictions between the resolved claims and write the contradictions graph.

    Reads the claims of the derived graph (run :func:`resolve` first; :func:`ingest`
    does both), applies the rules of :mod:`kg.resolve.contradictions` with the
    opposites lexicon (kg's own, plus ``opposites`` if a file is given) and, if given,
    a local ``judge``.  Idempotent: the graph is replaced by its difference in one
    transaction, and skipped when it was derived from the same claims and lexicon.
    """
    from kg.build.contradictions import CONTRADICTIONS_GRAPH, contradiction_quads
    from kg.resolve.collect import read_detection_claims
    from kg.resolve.contradictions import detect_contradictions

    lexicon = opposites if isinstance(opposites, OppositesLexicon) else load_opposites(opposites)
    judged_by = "" if judge is None else judge_name(judge)
    parts = (DETECTION_VERSION, __version__, store.resolved_stamp() or "", lexicon.digest, judged_by)
    stamp = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]
    report = DetectReport()
    if not force and store.derived_stamp(CONTRADICTIONS_GRAPH) == stamp:
        report.skipped = True
        return report
    claims = read_detection_claims(store)
    found = detect_contradictions(claims, lexicon, judge=judge)
    report.claims, report.contradictions = len(claims), len(found)
    for c in found:
        report.by_kind[c.kind] = report.by_kind.get(c.kind, 0) + 1
    report.added, report.removed = store.replace_derived(CONTRADICTIONS_GRAPH, contradiction_quads(found, stamp))
    log.info("detected %d contradictions among %d claims (+%d/-%d quads)", report.contradictions, report.claims,
             report.added, report.removed)
    return report


def store_claims(
    store: ClaimStore,
    records: Iterable[tuple[Document, Sequence[Claim]]],
    *,
    run: Run | None = None,
    aliases: AliasRules | str | Path | None = None,
) -> ResolveReport:
    """Store claims you extracted (or built) yourself, then resolve across articles.

    ``records`` are ``(document, claims)`` pairs, as :func:`extract` yields them;
    ``run`` describes what produced them (default: this kg version, model "unknown").
    Contradictions are detected too (:func:`detect`, kg's own opposites).
    """
    run = run or Run(kg_version=__version__, model="unknown", model_version="unknown")
    started_at = run_time()
    for document, claims in records:
        store.put_document(document, document_quads(document, claims, run), generated_at=started_at)
    report = resolve(store, aliases=aliases)
    detect(store)
    return report


@dataclass
class BuildReport:
    ingest: IngestReport
    exports: dict[str, Path]


def run_time() -> str:
    """Now (UTC, whole seconds), or ``$SOURCE_DATE_EPOCH`` when set, for reproducible builds.

    When an article's graph was written is part of the store's own provenance
    (:meth:`kg.store.ClaimStore.ingested_at`), never of the graph that queries and
    exports see; the reproducible-builds convention lets a run pin it.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            moment = datetime.fromtimestamp(int(epoch), timezone.utc)
            return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        except (ValueError, OverflowError, OSError):
            log.warning("SOURCE_DATE_EPOCH=%r is not a Unix time in seconds; using the current time", epoch)
    return datetime.now(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _new_documents(documents: Iterable[Document], store: ClaimStore, report: IngestReport,
                   progress: ProgressCallback | None) -> Iterator[Document]:
    """Pass on only the documents the store lacks or holds in another version (no parse for the rest)."""
    for doc in documents:
        report.documents += 1
        if store.document_status(doc) == "unchanged":
            report.unchanged += 1
            if progress:
                progress(doc, "unchanged", 0)
            continue
        yield doc


def ingest(
    sources: Sequence[str | Path],
    store: ClaimStore,
    *,
    nlp: Language | None = None,
    lexicon: CueLexicon | None = None,
    date: str | None = None,
    fmt: str = "auto",
    progress: ProgressCallback | None = None,
    aliases: AliasRules | str | Path | None = None,
    opposites: OppositesLexicon | str | Path | None = None,
    workers: int = 1,
    scheduler: str | Any | None = None,
    model: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    stage: Callable[[str], None] | None = None,
    settings: ExtractorSettings | None = None,
) -> IngestReport:
    """Read, extract and store every document of ``sources``; unchanged documents are skipped.

    Documents stream through in batches: they are read lazily, parsed, stored and
    dropped, so extraction's memory does not grow with the corpus (resolution and
    detection at the end work over the whole store).  Extraction runs

    - in this process with ``nlp`` (default: ``model``, else kg's default model);
    - in ``workers`` local processes when ``workers > 1``, each loading ``model``;
    - on a Dask distributed cluster when ``scheduler`` is given (its address,
      ``"tcp://host:8786"``, or a ``distributed.Client``); its workers need kg and
      the spaCy model installed.

    Whatever runs extraction, this process alone writes the store, merging each
    document as its claims arrive, and the stored graph is the same.  Each document
    is written atomically with its claims and provenance; bad inputs are reported in
    ``IngestReport.problems`` and the run goes on.  At the end, entities and claims
    are resolved across all stored articles (:func:`resolve`, with ``aliases``) and
    contradictions detected (:func:`detect`, with ``opposites``), unless nothing
    changed since the last time.  A run cut short leaves every finished article
    stored; the next run skips them and resolves.  ``progress`` is called once per
    document, ``stage`` with the name of each step after extraction.
    """
    rules = aliases if isinstance(aliases, AliasRules) else load_alias_rules(aliases)
    pairs = opposites if isinstance(opposites, OppositesLexicon) else load_opposites(opposites)
    report = IngestReport()
    started_at = run_time()
    documents = iter_documents(sources, date=date, fmt=fmt, problems=report.problems)
    pending = _new_documents(documents, store, report, progress)

    def failed(document: Document, exc: Exception) -> None:
        report.problems.append(ReadProblem(document.path or "-", document.line,
                                           f"document {document.id!r} skipped: {exc}"))

    settings = settings or ExtractorSettings()
    tagger = settings.tagger()  # here too: a missing model ends the run before any work, and provenance names it
    for item in _extracted(pending, nlp=nlp, model=model, lexicon=lexicon, workers=workers, scheduler=scheduler,
                           batch_size=batch_size, on_error=failed, settings=settings):
        document, claims = item.document, item.claims
        if report.run is None:
            report.run = Run(kg_version=__version__, model=item.model.name, model_version=item.model.version,
                             attribution_model=str(tagger.info) if tagger is not None else None)
        try:
            status = store.put_document(document, document_quads(document, claims, report.run),
                                        generated_at=started_at)
        except (OSError, KgError):  # the store itself failed (disk full...): that ends the run
            raise
        except Exception as exc:  # a document kg cannot write as RDF costs itself only (nothing stored)
            log.debug("storing %s failed", document.id, exc_info=True)
            failed(document, exc)
            continue
        if status == "changed":
            report.changed += 1
        elif status == "new":
            report.new += 1
        else:  # the same document twice in one input: stored once
            report.unchanged += 1
        report.claims += len(claims) if status != "unchanged" else 0
        if progress:
            progress(document, status, len(claims))
    log.info("extraction done: %d documents (%d new, %d changed), %d claims; resolving across articles",
             report.documents, report.new, report.changed, report.claims)
    if stage:
        stage("resolving entities and claims across articles")
    report.resolution = resolve(store, aliases=rules)
    if stage:
        stage("detecting contradictions")
    report.detection = detect(store, opposites=pairs)
    log.info("ingested %d documents (%d new, %d changed, %d unchanged), %d claims, %d skipped",
             report.documents, report.new, report.changed, report.unchanged, report.claims, report.skipped)
    return report


def _extracted(
    documents: Iterable[Document],
    *,
    nlp: Language | None,
    model: str | None,
    lexicon: CueLexicon | None,
    workers: int,
    scheduler: str | Any | None,
    batch_size: int,
    on_error: Callable[[Document, Exception], None],
    settings: ExtractorSettings | None = None,
) -> Iterator[Extracted]:
    """Documents' claims from wherever extraction runs: here, local processes, or a Dask cluster."""
    if scheduler is not None:
        yield from extract_on_cluster(documents, scheduler, model=model, lexicon=lexicon, batch_size=batch_size,
                                      on_error=on_error, settings=settings)
    elif workers > 1:
        yield from extract_in_processes(documents, workers, model=model, lexicon=lexicon, batch_size=batch_size,
                                        on_error=on_error, settings=settings)
    else:
        nlp = nlp or load_model(model)
        info = model_info(nlp)
        for document, claims in iter_claims(documents, nlp, lexicon, batch_size=batch_size, on_error=on_error,
                                            settings=settings):
            yield Extracted(document, claims, info)


def extract(
    sources: Sequence[str | Path],
    *,
    nlp: Language | None = None,
    lexicon: CueLexicon | None = None,
    date: str | None = None,
    fmt: str = "auto",
    problems: list[ReadProblem] | None = None,
    settings: ExtractorSettings | None = None,
) -> Iterator[tuple[Document, list[Claim]]]:
    """Read and extract without storing: ``(document, claims)`` pairs in input order."""
    found = problems if problems is not None else []
    documents = iter_documents(sources, date=date, fmt=fmt, problems=found)

    def failed(document: Document, exc: Exception) -> None:
        found.append(ReadProblem(document.path or "-", document.line, f"document {document.id!r} skipped: {exc}"))

    yield from iter_claims(documents, nlp, lexicon, on_error=failed, settings=settings)


def build(
    sources: Sequence[str | Path],
    *,
    store_path: str | Path = ".kg",
    out_dir: str | Path = "exports",
    formats: Sequence[str] = DEFAULT_FORMATS,
    nlp: Language | None = None,
    date: str | None = None,
    progress: ProgressCallback | None = None,
    aliases: AliasRules | str | Path | None = None,
    opposites: OppositesLexicon | str | Path | None = None,
    settings: ExtractorSettings | None = None,
) -> BuildReport:
    """The main job: ingest ``sources`` into the store at ``store_path``, then export it to ``out_dir``."""
    with ClaimStore.open(store_path) as store:
        report = ingest(sources, store, nlp=nlp, date=date, progress=progress, aliases=aliases, opposites=opposites,
                        settings=settings)
        paths = export(store, out_dir, formats)
    return BuildReport(ingest=report, exports=paths)
