"""What the attribution tagger sees of each token of a parsed ``Doc``.

    >>> ids, feats = token_features(doc, lexicon, quotes)   # (n, 1) uint64, (n, FEATURE_WIDTH) float32

``ids`` are the tokens' lemma hashes (embedded by the network, so it can
learn cue words kg's lexicon lacks); ``feats`` are spaCy's own contextual vectors
(``doc.tensor``) followed by the parse, entity, quotation and cue-lexicon facts of the
token, of its head and of its nearest cue-like ancestor (zeros when it has none).  Everything is computed from the
parse the rules use anyway: no second model runs.
"""

from __future__ import annotations

import numpy as np
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, IDX, IS_TITLE, LEMMA, LIKE_NUM, LOWER, POS, SENT_START
from spacy.strings import get_string_id
from spacy.symbols import IDS
from spacy.tokens import Doc

from kg.extract.lexicon import CueLexicon
from kg.extract.quotes import Quote

__all__ = ["FEATURE_WIDTH", "POS_TAGS", "DEP_LABELS", "ENT_LABELS", "token_features"]

POS_TAGS = ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT",
            "SCONJ", "SYM", "VERB", "X", "SPACE")
DEP_LABELS = ("ROOT", "acl", "acomp", "advcl", "advmod", "agent", "amod", "appos", "attr", "aux", "auxpass", "case",
              "cc", "ccomp", "compound", "conj", "csubj", "csubjpass", "dative", "dep", "det", "dobj", "expl", "intj",
              "mark", "meta", "neg", "nmod", "npadvmod", "nsubj", "nsubjpass", "nummod", "oprd", "parataxis",
              "pcomp", "pobj", "poss", "preconj", "predet", "prep", "prt", "punct", "quantmod", "relcl", "xcomp")
ENT_LABELS = ("CARDINAL", "DATE", "EVENT", "FAC", "GPE", "LANGUAGE", "LAW", "LOC", "MONEY", "NORP", "ORDINAL", "ORG",
              "PERCENT", "PERSON", "PRODUCT", "QUANTITY", "TIME", "WORK_OF_ART")
#: how far up the tree (in arcs) a cue-like ancestor is looked for
MAX_ANCESTOR_DEPTH = 8
_QUOTE_CHARS = set("\"\u201c\u201d\u201e\u00ab\u00bb'\u2018\u2019")


# the block layout of one token's dense features, after doc.tensor
_FLAGS = ("verb_cue", "noun_cue", "according", "head_verb_cue", "head_noun_cue", "subject_of_cue", "object_of_cue",
          "cue_ancestor", "cue_ancestor_left", "cue_ancestor_right", "in_quote", "quote_mark", "sent_start",
          "para_start", "title_case", "pronoun", "like_num", "sent_has_cue", "sent_has_quote", "belief_cue")
_N_ONE_HOT = len(POS_TAGS) + len(DEP_LABELS) + 1 + len(ENT_LABELS) + 1 + 2  # +unknown dep, +no entity, + B/I
_N_OWN = _N_ONE_HOT + len(_FLAGS) + 1  # + the depth of the cue ancestor, scaled
TENSOR_WIDTH = 96  # en_core_web_sm's tok2vec width; other widths are cut or padded to it
FEATURE_WIDTH = TENSOR_WIDTH + 3 * _N_OWN  # the token's own facts, its head's, its nearest cue ancestor's


# label id (as Doc.to_array gives it) -> position in the label list; string hashes computed, never added
_POS_IDS = {IDS[label]: k for k, label in enumerate(POS_TAGS) if label in IDS}
_DEP_IDS = {get_string_id(label): k for k, label in enumerate(DEP_LABELS)}
_ENT_IDS = {get_string_id(label): k for k, label in enumerate(ENT_LABELS)}
_QUOTE_IDS = [get_string_id(mark) for mark in sorted(_QUOTE_CHARS | {"``", "''"})]
_ACCORDING_ID = get_string_id("according")


def _lookup(values: np.ndarray, table: dict[int, int], missing: int) -> np.ndarray:
    """``table[v]`` for each value (``missing`` when absent), computed once per distinct value."""
    distinct, inverse = np.unique(values, return_inverse=True)
    return np.array([table.get(int(v), missing) for v in distinct], dtype="int64")[inverse].reshape(values.shape)


def token_features(doc: Doc, lexicon: CueLexicon, quotes: list[Quote],
                   belief_lemmas: frozenset[str] = frozenset(),
                   spans: list[tuple[int, int]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(ids, feats)`` for every token of ``doc``: lemma hashes ``(n, 1)`` uint64 and features ``(n, FEATURE_WIDTH)``.

    ``spans`` (token ranges of whole sentences) limit the result to those tokens; the
    rows of the others are zero.  Computed on whole arrays (``Doc.to_array``), one
    dictionary look-up per distinct lemma, never a ``Token`` object per token.
    """
    n = len(doc)
    ids = np.zeros((n, 1), dtype="uint64")
    own = np.zeros((n, _N_OWN), dtype="float32")
    if n == 0:
        return ids, np.zeros((0, FEATURE_WIDTH), dtype="float32")
    cols = doc.to_array([POS, DEP, ENT_TYPE, ENT_IOB, HEAD, LEMMA, LOWER, IS_TITLE, LIKE_NUM, SENT_START, IDX])
    pos, dep, ent, iob, rel_head, lemma, lower, title, like_num, sent_start, idx = (cols[:, k] for k in range(11))
    positions = np.arange(n)
    heads = positions + rel_head.astype("int64")
    ids[:, 0] = np.where(lemma != 0, lemma, lower)
    strings = doc.vocab.strings
    pos_k = _lookup(pos, _POS_IDS, POS_TAGS.index("X"))
    dep_k = _lookup(dep, _DEP_IDS, len(DEP_LABELS))
    ent_k = _lookup(ent, _ENT_IDS, len(ENT_LABELS))
    is_verb = (pos_k == POS_TAGS.index("VERB")) | (pos_k == POS_TAGS.index("AUX"))
    is_noun = pos_k == POS_TAGS.index("NOUN")
    lemma_text = {int(h): strings[int(h)].lower() if int(h) in strings else "" for h in np.unique(lemma)}
    verb_lemmas = {h for h, t in lemma_text.items() if lexicon.verb_stance(t) is not None}
    noun_lemmas = {h for h, t in lemma_text.items() if lexicon.noun_stance(t) is not None}
    believed = {h for h, t in lemma_text.items() if t in belief_lemmas}
    verb_cue = is_verb & np.isin(lemma, list(verb_lemmas))
    noun_cue = is_noun & np.isin(lemma, list(noun_lemmas))
    cue = verb_cue | noun_cue
    in_quote = np.zeros(n, dtype=bool)
    for q in quotes:
        in_quote[(idx >= q.start) & (idx < q.end)] = True
    sentence = np.cumsum((sent_start == 1) | (positions == 0)) - 1
    sent_cue = np.zeros(sentence[-1] + 1, dtype=bool)
    sent_quote = np.zeros(sentence[-1] + 1, dtype=bool)
    np.logical_or.at(sent_cue, sentence, cue)
    np.logical_or.at(sent_quote, sentence, in_quote)
    # the nearest cue above each token, at most MAX_ANCESTOR_DEPTH arcs up, stopping at the root
    ancestor, found, depth_of = heads.copy(), np.zeros(n, dtype=bool), np.zeros(n, dtype="int64")
    for depth in range(1, MAX_ANCESTOR_DEPTH + 1):
        hit = ~found & cue[ancestor] & (ancestor != positions)
        depth_of[hit] = depth
        found |= hit
        ancestor = np.where(found, ancestor, heads[ancestor])
    text = doc.text
    newline_before = np.zeros(n, dtype=bool)
    if "\n" in text:
        # newlines up to and including each character: one between two tokens' starts marks a paragraph
        lines = np.cumsum(np.frombuffer(text.encode("utf-32-le"), dtype="uint32") == 10)
        newline_before[1:] = (lines[idx[1:] - 1] - np.where(idx[:-1] > 0, lines[idx[:-1] - 1], 0)) > 0

    base_dep = len(POS_TAGS)
    base_ent = base_dep + len(DEP_LABELS) + 1
    base_iob = base_ent + len(ENT_LABELS) + 1
    base_flags = base_iob + 2
    flag = {name: base_flags + k for k, name in enumerate(_FLAGS)}
    own[positions, pos_k] = 1.0
    own[positions, base_dep + dep_k] = 1.0
    own[positions, base_ent + ent_k] = 1.0
    own[positions[iob == 3], base_iob] = 1.0  # B
    own[positions[iob == 1], base_iob + 1] = 1.0  # I
    not_self = heads != positions
    subject = np.isin(dep_k, [DEP_LABELS.index("nsubj"), DEP_LABELS.index("nsubjpass")])
    complement = np.isin(dep_k, [DEP_LABELS.index(d) for d in ("ccomp", "dobj", "xcomp")])
    values = {
        "verb_cue": verb_cue, "noun_cue": noun_cue, "according": lower == _ACCORDING_ID,
        "head_verb_cue": not_self & verb_cue[heads], "head_noun_cue": not_self & noun_cue[heads],
        "subject_of_cue": subject & verb_cue[heads], "object_of_cue": complement & cue[heads],
        "cue_ancestor": found, "cue_ancestor_left": found & (ancestor < positions),
        "cue_ancestor_right": found & (ancestor > positions), "in_quote": in_quote,
        "quote_mark": np.isin(lower, _QUOTE_IDS), "sent_start": (sent_start == 1) | (positions == 0),
        "para_start": (positions == 0) | newline_before, "title_case": title.astype(bool),
        "pronoun": pos_k == POS_TAGS.index("PRON"), "like_num": like_num.astype(bool),
        "sent_has_cue": sent_cue[sentence], "sent_has_quote": sent_quote[sentence],
        "belief_cue": np.isin(lemma, list(believed)),
    }
    for name, column in values.items():
        own[:, flag[name]] = column
    own[:, -1] = np.where(found, depth_of / MAX_ANCESTOR_DEPTH, 0.0)
    if spans is not None:
        keep = np.zeros(n, dtype=bool)
        for a, b in spans:
            keep[a:b] = True
        own[~keep] = 0.0
    tensor = np.zeros((n, TENSOR_WIDTH), dtype="float32")
    if doc.tensor is not None and getattr(doc.tensor, "shape", (0, 0))[0] == n and doc.tensor.size:
        width = min(TENSOR_WIDTH, doc.tensor.shape[1])
        tensor[:, :width] = doc.tensor[:, :width]
    cue_above = np.where(found, ancestor, positions)
    feats = np.concatenate([tensor, own, own[heads], np.where(found[:, None], own[cue_above], 0.0)], axis=1).astype("float32", copy=False)
    return ids, feats
