"""Extraction entry points: documents in, claims out.

    >>> from kg.extract import extract_claims
    >>> claims = extract_claims(document)            # one Document
    >>> for doc, claims in iter_claims(documents):   # many, batched through nlp.pipe
    ...     ...
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import KgError
from kg.extract.attributions import claims_from_doc
from kg.extract.lexicon import CueLexicon, default_lexicon
from kg.extract.model import load_model
from kg.extract.settings import ExtractorSettings
from kg.records import Claim, Document

if TYPE_CHECKING:
    from kg.extract.learned import AttributionTagger

log = logging.getLogger(__name__)


def extract_claims(document: Document, nlp: Language | None = None, lexicon: CueLexicon | None = None,
                   settings: ExtractorSettings | None = None) -> list[Claim]:
    """The attributed claims of one document, in text order."""
    nlp = nlp or load_model()
    lexicon = lexicon or default_lexicon()
    settings = settings or ExtractorSettings()
    doc = nlp(document.text)
    tagger = settings.tagger()
    proposals = tagger.candidates(doc, lexicon) if tagger is not None else None
    return claims_from_doc(doc, document, lexicon, proposals, settings.attributions)


def iter_claims(
    documents: Iterable[Document],
    nlp: Language | None = None,
    lexicon: CueLexicon | None = None,
    batch_size: int = 16,
    on_error: Callable[[Document, Exception], None] | None = None,
    settings: ExtractorSettings | None = None,
) -> Iterator[tuple[Document, list[Claim]]]:
    """Yield ``(document, claims)`` for each document, parsing them in batches with ``nlp.pipe``.

    ``settings`` choose the rules alone or with the learned tagger, and which
    attributions count (:class:`kg.extract.settings.ExtractorSettings`; default: the
    tagger when one is installed, speech acts only).

    A document the extractor fails on is logged, passed to ``on_error`` and not yielded,
    so one bad article never ends a long run (and is not stored as claim-free).
    """
    nlp = nlp or load_model()
    lexicon = lexicon or default_lexicon()
    settings = settings or ExtractorSettings()
    tagger = settings.tagger()

    def failed(document: Document, exc: Exception) -> None:
        if on_error is not None:  # the caller reports it
            log.debug("extraction failed on document %s (%s): %s", document.id, _where(document), exc)
            on_error(document, exc)
        else:
            log.error("extraction failed on document %s (%s): %s", document.id, _where(document), exc)

    for chunk in _chunks(documents, 4 * batch_size):
        # texts with no quote mark and no cue word cannot hold a claim: do not parse them
        wanted = [d for d in chunk if lexicon.may_have_claims(d.text)]
        parsed = _parse(nlp, wanted, lexicon, batch_size, failed, tagger, settings.attributions)
        skipped = {id(d) for d in chunk} - {id(d) for d in wanted}
        for document in chunk:
            if id(document) in parsed:
                yield document, parsed[id(document)]
            elif id(document) in skipped:
                yield document, []
            # else: extraction failed and was reported through on_error


class TextTooLongError(KgError, ValueError):
    """A document's text is longer than the spaCy pipeline's ``max_length``."""


def _where(document: Document) -> str:
    if document.path is None:
        return "-"
    return f"{document.path}:{document.line}" if document.line is not None else document.path


def _parse(nlp: Language, documents: list[Document], lexicon: CueLexicon, batch_size: int,
           failed: Callable[[Document, Exception], None], tagger: AttributionTagger | None = None,
           attributions: str = "speech") -> dict[int, list[Claim]]:
    """The claims of each document that parses, by ``id(document)``; the others go to ``failed``.

    The documents are parsed together (``nlp.pipe``); should the pipe itself raise on
    one of them, the rest are parsed one at a time, so that a bad document costs only
    itself, never the documents batched with it.  A text over ``nlp.max_length``
    characters is not parsed at all (spaCy would need about 1 GB per 100,000
    characters): it fails with :class:`TextTooLongError`.
    """
    parsed: dict[int, list[Claim]] = {}
    done: set[int] = set()
    fits = []
    for document in documents:
        if len(document.text) > nlp.max_length:
            done.add(id(document))
            failed(document, TextTooLongError(
                f"text of {len(document.text):,} characters is over the limit of {nlp.max_length:,}; "
                "split the article into several documents"))
        else:
            fits.append(document)

    sdocs: list[tuple[Doc, Document]] = []
    try:
        for sdoc, document in nlp.pipe(((d.text, d) for d in fits), as_tuples=True, batch_size=batch_size):
            done.add(id(document))
            sdocs.append((sdoc, document))
    except Exception as exc:
        log.warning("parsing a batch of %d documents failed (%s); parsing them one at a time", len(fits), exc)
        for document in fits:
            if id(document) in done:
                continue
            done.add(id(document))
            try:
                sdocs.append((nlp(document.text), document))
            except Exception as one:
                failed(document, one)
    proposals = _proposals(tagger, sdocs, lexicon)
    for (sdoc, document), proposed in zip(sdocs, proposals):
        try:
            if isinstance(proposed, Exception):
                raise proposed
            parsed[id(document)] = claims_from_doc(sdoc, document, lexicon, proposed, attributions)
        except Exception as exc:  # an extractor bug must not end a long run: log it with the document
            log.debug("extraction failed on %s", document.id, exc_info=True)
            failed(document, exc)
    return parsed


def _proposals(tagger: AttributionTagger | None, sdocs: list[tuple[Doc, Document]], lexicon: CueLexicon
               ) -> list[list | None | Exception]:
    """The tagger's proposals for each parsed document (read together), ``None`` without a tagger.

    Should the tagger raise on the batch, each document is tried alone, and one that
    still fails gets its exception in place of proposals.
    """
    if tagger is None:
        return [None] * len(sdocs)
    try:
        return list(tagger.candidates_many([sdoc for sdoc, _ in sdocs], lexicon))
    except Exception:
        out: list[list | None | Exception] = []
        for sdoc, _ in sdocs:
            try:
                out.append(tagger.candidates(sdoc, lexicon))
            except Exception as exc:
                out.append(exc)
        return out


def _chunks(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
