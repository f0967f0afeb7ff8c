"""Rendering rows for the terminal and for pipes: table, json, jsonl, csv."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

ROW_FORMATS = ("table", "json", "jsonl", "csv")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False)
    return " ".join(str(value).split())


def render_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], *, width: int | None = None,
                 max_widths: Mapping[str, int] | None = None) -> str:
    """Aligned columns, long cells cut with an ellipsis so a row fits the terminal."""
    if not rows:
        return "(no rows)"
    width = width or shutil.get_terminal_size((120, 24)).columns
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    limits = dict(max_widths or {})
    for i, c in enumerate(columns):
        if c in limits:
            widths[i] = min(widths[i], limits[c])
    # shrink the widest column until the table fits
    while sum(widths) + 2 * (len(widths) - 1) > width and max(widths) > 12:
        widest = widths.index(max(widths))
        widths[widest] -= 1

    def fit(text: str, w: int) -> str:
        return text if len(text) <= w else text[: max(0, w - 1)] + "\u2026"

    lines = ["  ".join(fit(c, w).ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(fit(v, w).ljust(w) for v, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def render_rows(rows: Sequence[Mapping[str, Any]], fmt: str, columns: Sequence[str] | None = None,
                **table_options: Any) -> str:
    """Rows as ``table`` (for people), ``json`` (a list), ``jsonl`` (one object a line) or ``csv``."""
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "json":
        return json.dumps(list(rows), ensure_ascii=False, indent=2)
    if fmt == "jsonl":
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow({c: _cell(r.get(c)) for c in columns})
        return buf.getvalue().rstrip("\n")
    if fmt == "table":
        return render_table(rows, columns, **table_options)
    raise ValueError(f"unknown format {fmt!r} (one of {', '.join(ROW_FORMATS)})")


def jsonl_lines(records: Iterable[Mapping[str, Any]]) -> Iterable[str]:
    for r in records:
        yield json.dumps(r, ensure_ascii=False)
