"""The report page: one self-contained HTML file from plain report data.

The page is the template with its stylesheet and script inlined and the data in
a ``<script type="application/json">`` block, which the script renders: nothing
is fetched when the page is viewed (a Content-Security-Policy forbids it).
"""

from __future__ import annotations

import html
import json
import logging
import re
from functools import cache
from importlib import resources
from typing import Any

log = logging.getLogger(__name__)

__all__ = ["render_html", "embed_json"]

_ASSETS = ("template.html", "report.css", "report.js")


@cache
def _asset(name: str) -> str:
    return resources.files("kg.report").joinpath(name).read_text(encoding="utf-8")


def embed_json(data: Any) -> str:
    """``data`` as JSON that is safe inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` only occur inside JSON strings, where ``\\u003c`` etc.
    mean the same characters: no ``</script>`` or ``<!--`` can end or confuse the
    element, whatever the articles say.  U+2028/U+2029 are escaped too.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


#: the template's placeholders: {{TITLE}}, {{CSS}}, {{JS}}, {{DATA}}
_PLACEHOLDER = re.compile(r"\{\{(TITLE|CSS|JS|DATA)\}\}")


def render_html(data: dict[str, Any]) -> str:
    """The page for ``data`` (as :func:`kg.report.data.report_data` returns it)."""
    css, js = _asset("report.css"), _asset("report.js")
    # the inlined assets are ours; a closing tag in them would end their element early
    if "</style" in css.lower() or "</script" in js.lower() or "<!--" in js:
        raise ValueError("report assets must not contain '</style', '</script' or '<!--'")
    meta = data.get("meta", {})
    title = f"kg report — {meta.get('store') or 'claims'}"
    template = _asset("template.html")
    values = {"TITLE": html.escape(title), "CSS": css, "JS": js, "DATA": embed_json(data)}
    for key in values:
        if template.count("{{%s}}" % key) != 1:
            raise ValueError(f"report template must contain {{{{{key}}}}} exactly once")
    # one pass over the template: a value that happens to hold "{{DATA}}" (a store path, an
    # article's text) is never itself substituted
    page = _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
    log.debug("report page: %d characters", len(page))
    return page
