"""What a SPARQL text asks for, read at the level of its tokens: federation, updates, error places.

kg never fetches other endpoints unless told to: a ``SERVICE`` clause makes Oxigraph
send an HTTP request to any URL the query names (a server-side request forgery
through a read-only endpoint).  :func:`uses_service` finds the keyword outside
strings, IRIs and comments, so ``"SERVICE"`` in a literal or ``?service`` as a
variable do not count.  :func:`update_operation` names the SPARQL Update operation a
text starts with (``DROP``, ``INSERT``...), for read-only commands to say why they
refuse it.  :func:`syntax_error_context` shows where a syntax error is.
"""

from __future__ import annotations

import re

__all__ = ["UPDATE_OPERATIONS", "blank_out_literals", "syntax_error_context", "update_operation", "uses_service"]

#: the first keyword of each SPARQL 1.1 Update operation
UPDATE_OPERATIONS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})

# strings (long ones first), IRIs and comments: the places where a keyword is only text
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
    re.DOTALL,
)
# a keyword: not part of a variable (?x, $x), a prefixed name (ex:SERVICE, SERVICE:x) or a longer word
_SERVICE = re.compile(r"(?<![\w?$:.-])SERVICE(?![\w:-])", re.IGNORECASE)
_PROLOGUE = re.compile(r"\s*(?:BASE\s*<[^>]*>|PREFIX\s+[\w.-]*:\s*<[^>]*>)", re.IGNORECASE)
_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")
_ERROR_PLACE = re.compile(r"\b(?:at|on line)\s+(\d+):(\d+)")


def blank_out_literals(sparql: str) -> str:
    """``sparql`` with every string, IRI and comment replaced by spaces (same length, same lines)."""
    return _OPAQUE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), sparql)


def uses_service(sparql: str) -> bool:
    """Whether the query or update has a ``SERVICE`` clause (a federated query to another endpoint)."""
    if "service" not in sparql.lower():
        return False
    return _SERVICE.search(blank_out_literals(sparql)) is not None


def update_operation(sparql: str) -> str | None:
    """The SPARQL Update operation ``sparql`` starts with (``"DROP"``, ``"INSERT"``...), else ``None``."""
    text = _OPAQUE.sub(lambda m: m.group() if m.group().startswith("<") else " ", sparql)  # keep IRIs of the prologue
    position = 0
    while (m := _PROLOGUE.match(text, position)) is not None:
        position = m.end()
    word = _FIRST_WORD.match(text, position)
    if word is None:
        return None
    keyword = word.group(1).upper()
    return keyword if keyword in UPDATE_OPERATIONS else None


def syntax_error_context(sparql: str, message: str) -> str:
    """``message`` followed by the line of ``sparql`` it points at and a caret under the column.

    Oxigraph's messages say ``error at LINE:COLUMN: ...`` (both 1-based); a message
    without a place is returned as it is.
    """
    m = _ERROR_PLACE.search(message)
    if m is None:
        return message
    line_no, column = int(m.group(1)), int(m.group(2))
    lines = sparql.splitlines() or [""]
    if not 1 <= line_no <= len(lines):
        return message
    line = lines[line_no - 1]
    caret = " " * max(0, min(column - 1, len(line))) + "^"
    return f"{message} (line {line_no}, column {column})\n  {line}\n  {caret}"
