"""Read news articles into :class:`~kg.records.Document` records.

Four input formats are understood:

``seed``
    A text file whose first line starts with ``date YYYY-MM-DD`` followed, on
    the same line, by the article body (the files in ``seeds/``).  The text is
    everything after that prefix, untouched.
``txt``
    Plain text: the whole file is one article.
``jsonl``
    One article a line: ``id`` (or ``doc_id``), ``text`` and optionally
    ``date``, ``title``, ``url`` and the outlet (``outlet``, else ``source``,
    else ``publisher``).
``csv``
    A header row naming the same columns as the JSONL keys, one article a row.

Text is decoded as UTF-8 (a leading byte order mark is dropped) without any
newline translation, so claim offsets are ``str`` indices into the text
exactly as it was read.

Bad input never raises out of the iterator: each problem becomes a
:class:`ReadProblem`, is logged as a warning, and the offending file or line
is skipped while the rest is read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date as _Date
from typing import Any, BinaryIO, TextIO

from kg.records import Document

__all__ = ["SUPPORTED_FORMATS", "ReadProblem", "content_id", "count_documents", "iter_documents", "read_documents"]

logger = logging.getLogger(__name__)

SUPPORTED_FORMATS = ("auto", "seed", "txt", "jsonl", "csv")

STDIN = "-"
# Extensions read when walking a directory; ".txt" may turn out to be a seed file.
_SUFFIX_FORMATS = {".txt": "text", ".jsonl": "jsonl", ".csv": "csv"}
_BOM = b"\xef\xbb\xbf"
_BINARY_PROBE = 8192  # a NUL byte in this many leading bytes marks a binary file
_SNIFF_BYTES = 65536  # how much of a file of unknown kind is looked at to guess it
_CSV_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)

# The seed prefix: " date 2022-02-26 " at the very start of the first line,
# then the body on the same line.  ``[^\S\r\n]`` keeps the match on line one.
SEED_PREFIX = re.compile(r"[^\S\r\n]*date (\d{4}-\d{2}-\d{2})(?: |(?=\s)|\Z)")
# A date, possibly followed by a time part that is dropped ("2019-01-04T10:00:00Z").
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ].*)?", re.DOTALL)

# A lone UTF-16 surrogate: JSON's "\ud800" decodes to one, and no Unicode text holds it.
_SURROGATE = re.compile("[\ud800-\udfff]")

_MISSING: Any = object()  # "no date given" as opposed to "invalid date" (None)


@dataclass(frozen=True)
class ReadProblem:
    """Something wrong in the input: skipped (the default), or only a warning (the document was kept)."""

    path: str  # the file path as given, "-" for stdin
    line: int | None  # 1-based line number when known
    reason: str  # what was wrong, for a human
    skipped: bool = True  # False: a warning (e.g. an invalid date, the document kept without it)

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.reason}"
        return f"{self.path}:{self.line}: {self.reason}"


def iter_documents(
    sources: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    date: str | None = None,
    fmt: str = "auto",
    problems: list[ReadProblem] | None = None,
    stdin: TextIO | BinaryIO | None = None,
) -> Iterator[Document]:
    """Yield one :class:`Document` per article found in ``sources``, lazily.

    ``sources`` are files, directories (walked recursively in sorted order,
    skipping hidden entries and files that are not ``.txt``/``.jsonl``/``.csv``)
    and ``"-"`` for standard input (``stdin`` if given, else ``sys.stdin``).
    ``fmt`` forces one of :data:`SUPPORTED_FORMATS`; ``"auto"`` picks by
    extension and sniffs the content of stdin and unknown extensions.
    ``date`` (``YYYY-MM-DD``) is given to documents that carry no date.

    Problems are appended to ``problems`` (when given) and logged; they never
    raise.  Raises :class:`ValueError` at once for an unknown ``fmt`` or an
    invalid ``date`` argument, which are caller errors rather than bad input.
    """
    if fmt not in SUPPORTED_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(SUPPORTED_FORMATS)}")
    default_date = None
    if date is not None:
        try:
            default_date = _normalise_date(date)
        except ValueError as exc:
            raise ValueError(f"invalid date argument: {exc}") from None
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    run = _Run(problems, default_date)
    return _iter_sources(sources, fmt, run, stdin)


def read_documents(
    sources: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    date: str | None = None,
    fmt: str = "auto",
    problems: list[ReadProblem] | None = None,
    stdin: TextIO | BinaryIO | None = None,
) -> tuple[list[Document], list[ReadProblem]]:
    """Read everything at once: the documents, and the problems met on the way.

    Same arguments as :func:`iter_documents`; the problems list returned is
    ``problems`` itself when one was given.
    """
    found: list[ReadProblem] = problems if problems is not None else []
    docs = list(iter_documents(sources, date=date, fmt=fmt, problems=found, stdin=stdin))
    return docs, found


def count_documents(sources: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], *,
                    fmt: str = "auto") -> int | None:
    """About how many documents ``sources`` hold, cheaply, for a progress bar's total; ``None`` for stdin.

    A JSON Lines file counts its non-blank lines, a CSV file its rows, any other
    file one; nothing is parsed, so lines that will turn out bad are counted too.
    Directories are walked as :func:`iter_documents` walks them.
    """
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    run = _Run(None, None)
    total = 0
    for source in sources:
        path = os.fspath(source)
        if path == STDIN:
            return None
        files = _walk(path, run) if os.path.isdir(path) else [path]
        for file in files:
            total += _count_in_file(file, fmt)
    return total


def _count_in_file(path: str, fmt: str) -> int:
    kind = fmt if fmt != "auto" else _SUFFIX_FORMATS.get(os.path.splitext(path)[1].lower(), "text")
    try:
        with open(path, "rb") as f:
            if kind == "text" and _sniff(f.read(_SNIFF_BYTES)) == "jsonl":
                kind = "jsonl"
            f.seek(0)
            if kind == "jsonl":
                return sum(1 for line in f if line.strip())
            if kind == "csv":
                if csv.field_size_limit() < _CSV_FIELD_LIMIT:
                    csv.field_size_limit(_CSV_FIELD_LIMIT)
                text = io.TextIOWrapper(f, encoding="utf-8-sig", errors="replace", newline="")
                return max(0, sum(1 for row in csv.reader(text) if any(c.strip() for c in row)) - 1)
    except (OSError, csv.Error):
        return 1
    return 1


# --- the run: problem reporting, ids, dates -----------------------------------------


class _Run:
    """State shared by one call of :func:`iter_documents`."""

    def __init__(self, problems: list[ReadProblem] | None, default_date: str | None) -> None:
        self.problems = problems
        self.default_date = default_date
        self.seen: dict[str, str] = {}  # id -> where it was first read

    def report(self, path: str, line: int | None, reason: str, *, skipped: bool = True) -> None:
        problem = ReadProblem(path, line, reason, skipped)
        if self.problems is not None:  # the caller reports what it collects: logged once, quietly
            self.problems.append(problem)
            logger.debug("%s", problem)
        else:
            logger.warning("%s", problem)

    def date_of(self, value: Any, path: str, line: int | None) -> Any:
        """The normalised date, ``_MISSING`` when absent, None (reported) when invalid."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return _MISSING
        try:
            return _normalise_date(value)
        except ValueError as exc:
            self.report(path, line, f"invalid date: {exc}; keeping the document without a date", skipped=False)
            return None

    def make(
        self,
        *,
        text: str,
        path: str,
        line: int | None,
        doc_id: str | None = None,
        date: Any = _MISSING,
        title: str | None = None,
        url: str | None = None,
        outlet: str | None = None,
    ) -> Document | None:
        """The document, or None (reported) when its id was already read in this run or a field is not Unicode."""
        for name, value in (("text", text), ("id", doc_id), ("title", title), ("url", url), ("outlet", outlet)):
            bad = _SURROGATE.search(value) if value else None
            if bad:
                self.report(path, line, f"{name!r} holds an unpaired surrogate (\\u{ord(bad.group()):04x}) at "
                                        f"character {bad.start()}, which is not Unicode text; skipped")
                return None
        if doc_id is None:
            doc_id = content_id(text)
        where = f"{path}:{line}" if line is not None else path
        first = self.seen.get(doc_id)
        if first is not None:
            self.report(path, line, f"duplicate id {doc_id!r} (first read from {first}); skipped")
            return None
        self.seen[doc_id] = where
        return Document(
            id=doc_id,
            text=text,
            date=self.default_date if date is _MISSING else date,
            title=title,
            url=url,
            outlet=outlet,
            path=path,
            line=line,
        )

    def from_record(self, rec: dict[str, Any], path: str, line: int) -> Document | None:
        """A document from a JSONL object or a CSV row, or None (reported)."""
        text = rec.get("text")
        if text is None:
            self.report(path, line, "no 'text' field; skipped")
            return None
        if not isinstance(text, str):
            self.report(path, line, f"'text' is a {_json_type(text)}, not a string; skipped")
            return None
        if not text.strip():
            self.report(path, line, "empty text; skipped")
            return None
        doc_id: str | None = None
        for key in ("id", "doc_id"):
            value = rec.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                self.report(path, line, f"{key!r} is a {_json_type(value)}, not a string or number; skipped")
                return None
            doc_id = str(value)
            break
        outlet = None
        for key in ("outlet", "source", "publisher"):
            outlet = _opt_str(rec.get(key))
            if outlet is not None:
                break
        return self.make(
            text=text,
            path=path,
            line=line,
            doc_id=doc_id,
            date=self.date_of(rec.get("date"), path, line),
            title=_opt_str(rec.get("title")),
            url=_opt_str(rec.get("url")),
            outlet=outlet,
        )


def content_id(text: str) -> str:
    """The stable id of a document without one: ``doc-`` + 16 hex digits of SHA-256."""
    return "doc-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _normalise_date(value: Any) -> str:
    """``YYYY-MM-DD`` from a date or date-time string; ValueError saying why not."""
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a string")
    m = _DATE.fullmatch(value.strip())
    if not m:
        raise ValueError(f"{value!r} is not YYYY-MM-DD")
    try:
        return _Date.fromisoformat(m.group(1)).isoformat()
    except ValueError:
        raise ValueError(f"{value!r} is not a calendar date") from None


def _opt_str(value: Any) -> str | None:
    """A stripped, non-empty string from a metadata value, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def _json_type(value: Any) -> str:
    """The JSON name of a decoded value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


# --- sources ------------------------------------------------------------------------


def _iter_sources(
    sources: Iterable[str | os.PathLike[str]], fmt: str, run: _Run, stdin: TextIO | BinaryIO | None
) -> Iterator[Document]:
    """Yields the documents of every source in turn."""
    for source in sources:
        path = os.fspath(source)
        if path == STDIN:
            yield from _read_stdin(fmt, run, stdin)
        elif os.path.isdir(path):
            for file in _walk(path, run):
                yield from _read_file(file, fmt, run)
        else:
            yield from _read_file(path, fmt, run)


def _walk(directory: str, run: _Run) -> list[str]:
    """The readable files under ``directory``, sorted, hidden entries left out."""

    def on_error(exc: OSError) -> None:
        run.report(exc.filename or directory, None, f"cannot read directory: {exc.strerror or exc}")

    found: list[tuple[tuple[str, ...], str]] = []
    for root, dirs, files in os.walk(directory, onerror=on_error):
        for name in [d for d in dirs if d.startswith(".")]:
            logger.debug("skipping hidden directory %s", os.path.join(root, name))
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            full = os.path.join(root, name)
            if name.startswith("."):
                logger.debug("skipping hidden file %s", full)
            elif os.path.splitext(name)[1].lower() not in _SUFFIX_FORMATS:
                logger.debug("skipping %s: not a .txt, .jsonl or .csv file", full)
            elif not _is_regular_file(full):
                # a FIFO would block the run forever, a device could be endless: never opened
                run.report(full, None, "not a regular file (a FIFO, socket or device); skipped")
            else:
                key = tuple(os.path.relpath(full, directory).split(os.sep))
                found.append((key, full))
    return [full for _, full in sorted(found)]


def _is_regular_file(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # let opening it report what is wrong


def _read_stdin(fmt: str, run: _Run, stdin: TextIO | BinaryIO | None) -> Iterator[Document]:
    """Yields the documents read from standard input (``stdin`` if given)."""
    stream: Any = stdin if stdin is not None else sys.stdin
    if stream is None:
        run.report(STDIN, None, "standard input is not available")
        return
    stream = getattr(stream, "buffer", stream)  # bytes, so "\r\n" is kept as is
    try:
        head = stream.read(_SNIFF_BYTES)
        if isinstance(head, str):
            head = head.encode("utf-8", "surrogatepass")
        if fmt == "jsonl" or (fmt == "auto" and b"\x00" not in head[:_BINARY_PROBE] and _sniff(head) == "jsonl"):
            # JSON Lines stream through, a line at a time: stdin may be a whole archive
            yield from _read_jsonl(STDIN, _lines_after(head, stream), run)
            return
        rest = stream.read()
    except (OSError, ValueError) as exc:
        run.report(STDIN, None, f"cannot read standard input: {exc}")
        return
    if isinstance(rest, str):
        rest = rest.encode("utf-8", "surrogatepass")
    yield from _read_stream(STDIN, io.BytesIO(head + rest), fmt, "", run)


def _lines_after(head: bytes, stream: Any) -> Iterator[bytes]:
    """The lines of ``head`` followed by the rest of ``stream``, as bytes, read lazily."""
    first = head + _as_bytes(stream.readline()) if head and not head.endswith(b"\n") else head
    yield from io.BytesIO(first)
    for line in stream:
        yield _as_bytes(line)


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data


def _read_file(path: str, fmt: str, run: _Run) -> Iterator[Document]:
    """Yields the documents of one file; an unopenable file is reported."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below, after the generator is done
    except FileNotFoundError:
        run.report(path, None, "no such file or directory")
        return
    except OSError as exc:
        run.report(path, None, f"cannot open: {exc.strerror or exc}")
        return
    with f:
        try:
            yield from _read_stream(path, f, fmt, os.path.splitext(path)[1].lower(), run)
        except OSError as exc:
            run.report(path, None, f"cannot read: {exc.strerror or exc}")


def _read_stream(path: str, f: BinaryIO, fmt: str, suffix: str, run: _Run) -> Iterator[Document]:
    """Yields the documents in the seekable binary stream ``f``, read from ``path``."""
    head = f.read(_SNIFF_BYTES)
    encoding = _utf16_encoding(head)
    if encoding is not None:  # re-encoded as UTF-8: the rest of the reader sees one encoding
        try:
            text16 = (head + f.read()).decode(encoding)
        except UnicodeDecodeError as exc:
            run.report(path, None, f"invalid {encoding.upper()} at byte {exc.start}; file skipped")
            return
        logger.debug("%s is %s text", path, encoding.upper())
        f = io.BytesIO(text16.lstrip("\ufeff").encode("utf-8", "surrogatepass"))
        head = f.read(_SNIFF_BYTES)
    if b"\x00" in head[:_BINARY_PROBE]:
        run.report(path, None, "binary file (NUL byte in the first 8 KiB); skipped")
        return
    kind = fmt
    if kind == "auto":
        kind = _SUFFIX_FORMATS.get(suffix) or _sniff(head)
    if kind == "jsonl":
        f.seek(0)
        logger.debug("reading %s as jsonl", path)
        yield from _read_jsonl(path, f, run)
        return
    data = head + f.read()
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    nul = data.find(b"\x00")
    if nul >= 0:  # wherever it is: a file is text or it is not
        run.report(path, data.count(b"\n", 0, nul) + 1, "binary file (a NUL byte in it); skipped")
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        run.report(path, line, f"invalid UTF-8 byte 0x{data[exc.start]:02x} at line {line}; file skipped")
        return
    if not text.strip():
        run.report(path, None, "empty file; skipped")
        return
    if kind == "text":
        kind = "seed" if SEED_PREFIX.match(text) else "txt"
    logger.debug("reading %s as %s", path, kind)
    if kind == "csv":
        yield from _read_csv(path, text, run)
    elif kind == "seed":
        yield from _read_seed(path, text, run)
    else:
        doc = run.make(text=text, path=path, line=None)
        if doc is not None:
            yield doc


def _utf16_encoding(head: bytes) -> str | None:
    """``"utf-16"`` for a UTF-16 byte order mark, ``"utf-16-le"``/``"-be"`` for BOM-less UTF-16 text, else None.

    Without a BOM, UTF-16 text in a Latin script has a NUL in every other byte: at
    least 90% of the odd (little-endian) or even (big-endian) bytes of the first
    KiBs, and next to none of the others.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) and not head.startswith(b"\xff\xfe\x00\x00"):
        return "utf-16"
    sample = head[:_BINARY_PROBE]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul >= 0.9 and even_nul <= 0.05:
        return "utf-16-le"
    if even_nul >= 0.9 and odd_nul <= 0.05:
        return "utf-16-be"
    return None


def _sniff(head: bytes) -> str:
    """``"jsonl"`` when the first non-blank line starts with ``{``, else ``"text"``."""
    if head.startswith(_BOM):
        head = head[len(_BOM) :]
    return "jsonl" if head.decode("utf-8", "replace").lstrip().startswith("{") else "text"


# --- formats ------------------------------------------------------------------------


def _read_seed(path: str, text: str, run: _Run) -> Iterator[Document]:
    """Yields the one document of a seed file: the text after its date prefix."""
    m = SEED_PREFIX.match(text)
    if m is None:
        run.report(path, 1, "not a seed file: the first line does not start with 'date YYYY-MM-DD'; skipped")
        return
    body = text[m.end() :]
    if not body.strip():
        run.report(path, 1, "empty text after the date prefix; skipped")
        return
    doc = run.make(text=body, path=path, line=None, date=run.date_of(m.group(1), path, 1))
    if doc is not None:
        yield doc


def _read_jsonl(path: str, f: Iterable[bytes], run: _Run) -> Iterator[Document]:
    """Yields one document per good line of a JSONL stream, reporting the others."""
    seen_content = False
    for lineno, raw in enumerate(f, 1):
        if lineno == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            seen_content = True
            run.report(path, lineno, f"invalid UTF-8 byte 0x{raw[exc.start]:02x} at line {lineno}; line skipped")
            continue
        if not line.strip():
            continue
        seen_content = True
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            run.report(path, lineno, f"malformed JSON: {exc.msg} (column {exc.colno}); line skipped")
            continue
        if not isinstance(obj, dict):
            run.report(path, lineno, f"expected a JSON object, got a {_json_type(obj)}; line skipped")
            continue
        doc = run.from_record(obj, path, lineno)
        if doc is not None:
            yield doc
    if not seen_content:
        run.report(path, None, "empty file; skipped")


def _read_csv(path: str, text: str, run: _Run) -> Iterator[Document]:
    """Yields one document per good row of a CSV text with a header row."""
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header: list[str] = []
        while not any(cell.strip() for cell in header):  # blank lines before the header
            header = next(reader)
    except StopIteration:
        run.report(path, None, "empty file; skipped")
        return
    except csv.Error as exc:
        run.report(path, reader.line_num, f"malformed CSV header: {exc}; file skipped")
        return
    names = [name.strip() for name in header]
    if "text" not in names:
        run.report(path, reader.line_num, "CSV has no 'text' column; file skipped")
        return
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):  # a quote opened in that row is never closed
                run.report(path, start, "unterminated quoted field: the quote opened in this row is never "
                                        "closed; the rest of the file skipped")
                return
            run.report(path, start, f"malformed CSV row: {exc}; row skipped")
            continue
        if not any(cell.strip() for cell in row):
            continue
        rec: dict[str, Any] = {}
        for name, cell in zip(names, row):
            rec.setdefault(name, cell)
        doc = run.from_record(rec, path, start)
        if doc is not None:
            yield doc
