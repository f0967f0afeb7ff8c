"""The whole pipeline as two calls a notebook user can make: ``ingest`` and ``build``.

    >>> from kg.pipeline import build
    >>> report = build(["seeds/"], store_path=".kg", out_dir="exports")
    >>> report.ingest.claims, report.exports
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from kg import __version__
from kg.build.rdf import Run, document_quads
from kg.extract import iter_claims, load_model, model_info
from kg.extract.lexicon import CueLexicon
from kg.export import export
from kg.read import ReadProblem, iter_documents
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

    def to_json(self) -> dict:
        return {
            "documents": self.documents,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "claims": self.claims,
            "skipped": len(self.problems),
            "problems": [str(p) for p in self.problems],
        }


@dataclass
class BuildReport:
    ingest: IngestReport
    exports: dict[str, Path]


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
) -> IngestReport:
    """Read, extract and store every document of ``sources``; unchanged documents are skipped.

    Each document is written atomically with its claims and provenance; bad inputs
    are reported in ``IngestReport.problems`` and the run goes on.
    """
    report = IngestReport()
    documents = iter_documents(sources, date=date, fmt=fmt, problems=report.problems)
    pending = _new_documents(documents, store, report, progress)
    run: Run | None = None
    def failed(document: Document, exc: Exception) -> None:
        report.problems.append(ReadProblem(document.path or "-", document.line, f"extraction failed on {document.id}: {exc}"))

    for document, claims in iter_claims(pending, nlp, lexicon, on_error=failed):
        if run is None:
            info = model_info(nlp or load_model())
            run = Run(kg_version=__version__, model=info.name, model_version=info.version)
            report.run = run
        status = store.put_document(document, document_quads(document, claims, run))
        if status == "changed":
            report.changed += 1
        else:
            report.new += 1
        report.claims += len(claims)
        if progress:
            progress(document, status, len(claims))
    log.info("ingested %d documents (%d new, %d changed, %d unchanged), %d claims, %d problems",
             report.documents, report.new, report.changed, report.unchanged, report.claims, len(report.problems))
    return report


def extract(
    sources: Sequence[str | Path],
    *,
    nlp: Language | None = None,
    lexicon: CueLexicon | None = None,
    date: str | None = None,
    fmt: str = "auto",
    problems: list[ReadProblem] | None = None,
) -> Iterator[tuple[Document, list[Claim]]]:
    """Read and extract without storing: ``(document, claims)`` pairs in input order."""
    documents = iter_documents(sources, date=date, fmt=fmt, problems=problems)
    yield from iter_claims(documents, nlp, lexicon)


def build(
    sources: Sequence[str | Path],
    *,
    store_path: str | Path = ".kg",
    out_dir: str | Path = "exports",
    formats: Sequence[str] = ("turtle", "graphml"),
    nlp: Language | None = None,
    date: str | None = None,
    progress: ProgressCallback | None = None,
) -> BuildReport:
    """The main job: ingest ``sources`` into the store at ``store_path``, then export it to ``out_dir``."""
    with ClaimStore.open(store_path) as store:
        report = ingest(sources, store, nlp=nlp, date=date, progress=progress)
        paths = export(store, out_dir, formats)
    return BuildReport(ingest=report, exports=paths)
