"""The read stage: every input format, directories, stdin, and bad input reported not raised."""

from __future__ import annotations

import hashlib
import io
import json
import logging
from itertools import islice
from pathlib import Path

import pytest

from kg.read import SUPPORTED_FORMATS, ReadProblem, iter_documents, read_documents
from kg.records import Document

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_0 = SEEDS / "000_4213dd234fefce3c.txt"
SEED_3 = SEEDS / "003_901a31e1f7f589fb.txt"
WIKINEWS = Path("/work/shared/corpora/wikinews.jsonl")
POLNEAR_DEV = Path("/work/shared/eval/polnear-dev.jsonl")


def write(path: Path, data: str | bytes) -> Path:
    """Write exact bytes (no newline translation) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def jsonl(*records: object) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def hash_id(text: str) -> str:
    return "doc-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def only(problems: list[ReadProblem]) -> ReadProblem:
    assert len(problems) == 1, problems
    return problems[0]


# --- seed files -----------------------------------------------------------------------


def test_seed_file_body_starts_after_date_prefix() -> None:
    docs, problems = read_documents([SEED_0])
    assert problems == []
    (doc,) = docs
    assert doc.date == "2022-02-26"
    assert doc.text.startswith("The government of United States")
    assert doc.path == str(SEED_0)
    assert doc.line is None


def test_seed_text_is_exactly_the_file_after_the_prefix() -> None:
    raw = SEED_0.read_bytes().decode("utf-8")
    (doc,) = read_documents([SEED_0])[0]
    assert raw.endswith(doc.text)
    assert raw[: len(raw) - len(doc.text)] == " date 2022-02-26 "


def test_real_seed_directory_yields_both_seeds_in_file_name_order() -> None:
    docs, problems = read_documents([SEEDS])
    assert problems == []
    assert [d.path for d in docs] == [str(SEED_0), str(SEED_3)]
    assert [d.date for d in docs] == ["2022-02-26", "2022-01-24"]
    assert docs[1].text.startswith("A source close to Ukrainian President")


def test_seed_date_wins_over_date_argument(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "date 2021-05-06 Body here.\n")
    (doc,) = read_documents([path], date="2000-01-01")[0]
    assert doc.date == "2021-05-06"
    assert doc.text == "Body here.\n"


def test_seed_with_invalid_calendar_date_is_reported_and_kept_without_date(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.txt", " date 2022-02-30 Body.")
    docs, problems = read_documents([path])
    assert [d.text for d in docs] == ["Body."]
    assert docs[0].date is None
    p = only(problems)
    assert (p.path, p.line) == (str(path), 1)
    assert "2022-02-30" in p.reason


def test_seed_with_empty_body_is_reported_and_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.txt", " date 2022-02-26 \n  \n")
    docs, problems = read_documents([path])
    assert docs == []
    assert only(problems).path == str(path)


def test_forced_seed_format_on_plain_text_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "plain.txt", "Just an article.")
    docs, problems = read_documents([path], fmt="seed")
    assert docs == []
    p = only(problems)
    assert (p.path, p.line) == (str(path), 1)
    assert "seed" in p.reason


def test_forced_txt_format_keeps_the_seed_prefix_in_the_text(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", " date 2022-02-26 Body.")
    (doc,) = read_documents([path], fmt="txt")[0]
    assert doc.text == " date 2022-02-26 Body."
    assert doc.date is None


def test_date_prefix_on_a_later_line_is_not_a_seed(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "\ndate 2022-02-26 Body.")
    (doc,) = read_documents([path])[0]
    assert doc.text == "\ndate 2022-02-26 Body."
    assert doc.date is None


# --- plain text -----------------------------------------------------------------------


def test_plain_text_file_is_one_document_dated_by_the_date_argument(tmp_path: Path) -> None:
    path = write(tmp_path / "article.txt", "Officials said it rained.\n")
    (doc,) = read_documents([path], date="2023-03-04")[0]
    assert doc == Document(
        id=hash_id("Officials said it rained.\n"),
        text="Officials said it rained.\n",
        date="2023-03-04",
        path=str(path),
    )


def test_plain_text_without_date_argument_has_no_date(tmp_path: Path) -> None:
    path = write(tmp_path / "article.txt", "Text.")
    (doc,) = read_documents([path])[0]
    assert doc.date is None


def test_crlf_is_preserved_so_offsets_index_the_text_as_read(tmp_path: Path) -> None:
    txt = write(tmp_path / "a.txt", "Line one.\r\nLine two.\r\n")
    seed = write(tmp_path / "b.txt", " date 2022-02-26 First.\r\n\r\nSecond.\r\n")
    csvf = write(tmp_path / "c.csv", 'id,text\r\nx,"Para one.\r\nPara two."\r\n')
    docs, problems = read_documents([txt, seed, csvf])
    assert problems == []
    assert [d.text for d in docs] == ["Line one.\r\nLine two.\r\n", "First.\r\n\r\nSecond.\r\n", "Para one.\r\nPara two."]


def test_leading_bom_is_removed_in_every_format(tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    txt = write(tmp_path / "a.txt", bom + "Plain.".encode())
    seed = write(tmp_path / "b.txt", bom + " date 2022-02-26 Seed.".encode())
    lines = write(tmp_path / "c.jsonl", bom + jsonl({"id": "j", "text": "Json."}).encode())
    table = write(tmp_path / "d.csv", bom + b"id,text\nc,Csv.\n")
    docs, problems = read_documents([txt, seed, lines, table])
    assert problems == []
    assert [d.text for d in docs] == ["Plain.", "Seed.", "Json.", "Csv."]
    assert [d.id for d in docs[2:]] == ["j", "c"]
    assert docs[1].date == "2022-02-26"


def test_content_hash_ids_are_stable_across_calls_and_differ_by_text(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", "Same text.")
    b = write(tmp_path / "b.txt", "Other text.")
    first = read_documents([a, b])[0]
    second = read_documents([a, b])[0]
    assert [d.id for d in first] == [d.id for d in second] == [hash_id("Same text."), hash_id("Other text.")]
    lines = write(tmp_path / "c.jsonl", jsonl({"text": "Same text."}))
    assert read_documents([lines])[0][0].id == hash_id("Same text.")


def test_seed_content_hash_is_of_the_body_not_the_prefix(tmp_path: Path) -> None:
    seed = write(tmp_path / "a.txt", " date 2022-02-26 Body.")
    assert read_documents([seed])[0][0].id == hash_id("Body.")


# --- jsonl ----------------------------------------------------------------------------


def test_jsonl_fields_become_document_fields_with_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.jsonl",
        jsonl(
            {"id": "a1", "text": "First.", "date": "2019-01-04", "title": " T ", "url": "http://x", "outlet": "Reuters"},
            {"id": 7, "text": "Second."},
        ),
    )
    docs, problems = read_documents([path])
    assert problems == []
    assert docs == [
        Document(id="a1", text="First.", date="2019-01-04", title="T", url="http://x", outlet="Reuters", path=str(path), line=1),
        Document(id="7", text="Second.", path=str(path), line=2),
    ]


def test_jsonl_doc_id_and_outlet_fallbacks(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.jsonl",
        jsonl(
            {"doc_id": "p1", "text": "A.", "publisher": "breitbart"},
            {"id": "s1", "text": "B.", "source": "Wikinews", "publisher": "ignored"},
            {"id": "o1", "text": "C.", "outlet": "AP", "source": "ignored"},
            {"id": "n1", "text": "D.", "outlet": "", "source": None, "publisher": "fallback"},
        ),
    )
    docs = read_documents([path])[0]
    assert [(d.id, d.outlet) for d in docs] == [("p1", "breitbart"), ("s1", "Wikinews"), ("o1", "AP"), ("n1", "fallback")]


def test_jsonl_datetime_is_cut_to_its_date(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", jsonl({"id": "a", "text": "T.", "date": "2019-01-04T10:00:00Z"}))
    assert read_documents([path])[0][0].date == "2019-01-04"


def test_date_argument_fills_only_documents_without_a_date(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.jsonl",
        jsonl({"id": "a", "text": "T.", "date": "2019-01-04"}, {"id": "b", "text": "U."}, {"id": "c", "text": "V.", "date": ""}),
    )
    docs = read_documents([path], date="2020-02-02")[0]
    assert [d.date for d in docs] == ["2019-01-04", "2020-02-02", "2020-02-02"]


@pytest.mark.parametrize("bad", ["04/01/2019", "2019-13-01", "yesterday", 20190104])
def test_invalid_jsonl_date_is_reported_with_line_and_document_kept_without_date(tmp_path: Path, bad: object) -> None:
    path = write(tmp_path / "a.jsonl", jsonl({"id": "a", "text": "T."}, {"id": "b", "text": "U.", "date": bad}))
    docs, problems = read_documents([path], date="2020-02-02")
    assert [(d.id, d.date) for d in docs] == [("a", "2020-02-02"), ("b", None)]
    p = only(problems)
    assert (p.path, p.line) == (str(path), 2)
    assert "date" in p.reason


def test_malformed_jsonl_line_is_reported_with_line_and_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", jsonl({"id": "a", "text": "A."}) + '{"id": "b", "text": \n' + jsonl({"id": "c", "text": "C."}))
    docs, problems = read_documents([path])
    assert [d.id for d in docs] == ["a", "c"]
    assert [d.line for d in docs] == [1, 3]
    p = only(problems)
    assert (p.path, p.line) == (str(path), 2)
    assert "JSON" in p.reason


@pytest.mark.parametrize("line", ['["a list"]', '"a string"', "42", "null"])
def test_jsonl_line_that_is_not_an_object_is_reported_and_skipped(tmp_path: Path, line: str) -> None:
    path = write(tmp_path / "a.jsonl", line + "\n" + jsonl({"id": "b", "text": "B."}))
    docs, problems = read_documents([path])
    assert [d.id for d in docs] == ["b"]
    p = only(problems)
    assert (p.path, p.line) == (str(path), 1)
    assert "object" in p.reason


@pytest.mark.parametrize(
    "record",
    [{"id": "x"}, {"id": "x", "text": None}, {"id": "x", "text": 5}, {"id": "x", "text": ""}, {"id": "x", "text": " \n\t"}],
)
def test_jsonl_line_without_nonempty_string_text_is_reported_and_skipped(tmp_path: Path, record: dict) -> None:
    path = write(tmp_path / "a.jsonl", jsonl({"id": "a", "text": "A."}, record, {"id": "c", "text": "C."}))
    docs, problems = read_documents([path])
    assert [d.id for d in docs] == ["a", "c"]
    p = only(problems)
    assert (p.path, p.line) == (str(path), 2)
    assert "text" in p.reason


def test_jsonl_id_that_is_not_a_string_or_number_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", jsonl({"id": ["x"], "text": "A."}, {"id": "b", "text": "B."}))
    docs, problems = read_documents([path])
    assert [d.id for d in docs] == ["b"]
    assert only(problems).line == 1


def test_blank_jsonl_lines_are_skipped_silently_and_crlf_endings_accepted(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '\n{"id": "a", "text": "A."}\r\n\r\n{"id": "b", "text": "B."}\r\n')
    docs, problems = read_documents([path])
    assert problems == []
    assert [(d.id, d.line) for d in docs] == [("a", 2), ("b", 4)]


def test_undecodable_jsonl_line_is_reported_and_the_other_lines_are_read(tmp_path: Path) -> None:
    data = jsonl({"id": "a", "text": "A."}).encode() + b'{"id": "b", "text": "\xff"}\n' + jsonl({"id": "c", "text": "C."}).encode()
    path = write(tmp_path / "a.jsonl", data)
    docs, problems = read_documents([path])
    assert [d.id for d in docs] == ["a", "c"]
    p = only(problems)
    assert (p.path, p.line) == (str(path), 2)
    assert "0xff" in p.reason


@pytest.mark.skipif(not WIKINEWS.exists(), reason="shared corpus not available")
def test_real_wikinews_jsonl_is_read_lazily_with_outlet_from_source() -> None:
    docs = list(islice(iter_documents([WIKINEWS]), 2))
    assert [d.id for d in docs] == ["wikinews-2019-0000", "wikinews-2019-0001"]
    assert docs[0].date == "2019-01-04"
    assert docs[0].outlet == "Wikinews"
    assert docs[0].title and docs[0].title.startswith("Magnitogorsk")
    assert [d.line for d in docs] == [1, 2]


@pytest.mark.skipif(not POLNEAR_DEV.exists(), reason="shared eval data not available")
def test_real_polnear_jsonl_uses_doc_id_and_publisher() -> None:
    doc = next(iter_documents([POLNEAR_DEV]))
    assert doc.id == "breitbart_2016-09-12_stealth-over-health-hillary-clin"
    assert doc.outlet == "breitbart"
    assert doc.date == "2016-09-12"


# --- csv ------------------------------------------------------------------------------


def test_csv_rows_become_documents_with_their_starting_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.csv",
        "id,date,title,url,source,text\n"
        "r1,2019-01-04,Title one,http://a,Reuters,One line.\n"
        'r2,2019-01-05T08:00:00Z,Title two,,,"Two\nlines, with ""quotes""."\n'
        "r3,,,,,Three.\n",
    )
    docs, problems = read_documents([path], date="2000-01-01")
    assert problems == []
    assert docs[0] == Document(
        id="r1", text="One line.", date="2019-01-04", title="Title one", url="http://a", outlet="Reuters", path=str(path), line=2
    )
    assert (docs[1].text, docs[1].date, docs[1].url, docs[1].line) == ('Two\nlines, with "quotes".', "2019-01-05", None, 3)
    assert (docs[2].id, docs[2].date, docs[2].line) == ("r3", "2000-01-01", 5)


def test_csv_without_id_column_uses_content_hash_and_publisher_outlet(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "publisher,text\nAP,Hello.\n")
    (doc,) = read_documents([path])[0]
    assert (doc.id, doc.outlet) == (hash_id("Hello."), "AP")


def test_csv_large_field_is_read(tmp_path: Path) -> None:
    big = "word " * 100_000
    path = write(tmp_path / "a.csv", f'id,text\nbig,"{big}"\n')
    assert read_documents([path])[0][0].text == big


def test_csv_without_text_column_is_reported_and_file_skipped(tmp_path: Path) -> None:
    bad = write(tmp_path / "a.csv", "id,body\nx,Hello.\n")
    good = write(tmp_path / "b.csv", "id,text\ny,Hello.\n")
    docs, problems = read_documents([bad, good])
    assert [d.id for d in docs] == ["y"]
    p = only(problems)
    assert (p.path, p.line) == (str(bad), 1)
    assert "text" in p.reason


def test_csv_row_with_empty_text_or_invalid_date_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "id,date,text\na,,A.\nb,,\nc,2019-02-31,C.\nd,,D.\n")
    docs, problems = read_documents([path])
    assert [(d.id, d.date) for d in docs] == [("a", None), ("c", None), ("d", None)]
    assert [(p.path, p.line) for p in problems] == [(str(path), 3), (str(path), 4)]


def test_csv_with_undecodable_bytes_reports_the_line_of_the_first_bad_byte(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", b"id,text\na,Fine.\nb,Bad \xc3\x28 byte.\n")
    docs, problems = read_documents([path])
    assert docs == []
    p = only(problems)
    assert (p.path, p.line) == (str(path), 3)
    assert "0xc3" in p.reason


# --- directories, explicit formats, sniffing ---------------------------------------------


def test_directory_is_walked_recursively_in_sorted_order_skipping_hidden_and_other_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path / "b.txt", "B.")
    write(tmp_path / "a" / "z.jsonl", jsonl({"id": "az", "text": "AZ."}))
    write(tmp_path / "a" / "deep" / "y.csv", "id,text\nady,ADY.\n")
    write(tmp_path / "c.TXT", "C.")
    write(tmp_path / "notes.md", "Not read.")
    write(tmp_path / "data.json", '{"id": "no", "text": "Not read."}')
    write(tmp_path / ".hidden.txt", "Not read.")
    write(tmp_path / ".git" / "x.txt", "Not read.")
    with caplog.at_level(logging.DEBUG, logger="kg.read"):
        docs, problems = read_documents([tmp_path])
    assert problems == []
    assert [d.text for d in docs] == ["ADY.", "AZ.", "B.", "C."]
    assert [d.path for d in docs] == [
        str(tmp_path / "a" / "deep" / "y.csv"),
        str(tmp_path / "a" / "z.jsonl"),
        str(tmp_path / "b.txt"),
        str(tmp_path / "c.TXT"),
    ]
    skipped = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG)
    assert "notes.md" in skipped and "data.json" in skipped


def test_file_given_explicitly_with_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    lines = write(tmp_path / "articles.json", "\n" + jsonl({"id": "j", "text": "J."}))
    seed = write(tmp_path / "seed.dat", " date 2022-02-26 S.")
    plain = write(tmp_path / "README", "Plain.")
    docs, problems = read_documents([lines, seed, plain])
    assert problems == []
    assert [(d.text, d.date, d.line) for d in docs] == [("J.", None, 2), ("S.", "2022-02-26", None), ("Plain.", None, None)]


def test_forced_jsonl_format_applies_to_any_extension(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", jsonl({"id": "a", "text": "A."}))
    docs = read_documents([path], fmt="jsonl")[0]
    assert [d.id for d in docs] == ["a"]
    assert read_documents([path])[0][0].text == jsonl({"id": "a", "text": "A."})  # auto: a .txt is text


def test_single_path_string_is_accepted_as_one_source(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "A.")
    assert [d.text for d in read_documents(str(path))[0]] == ["A."]


def test_unknown_format_or_invalid_date_argument_raise_value_error_at_call() -> None:
    assert SUPPORTED_FORMATS == ("auto", "seed", "txt", "jsonl", "csv")
    with pytest.raises(ValueError, match="format"):
        iter_documents([SEEDS], fmt="xml")
    with pytest.raises(ValueError, match="date"):
        iter_documents([SEEDS], date="26/02/2022")


# --- stdin ----------------------------------------------------------------------------


def test_stdin_dash_reads_bytes_and_sniffs_jsonl() -> None:
    stdin = io.BytesIO(jsonl({"id": "a", "text": "A.\r\nB."}, {"id": "b", "text": "C."}).encode())
    docs, problems = read_documents(["-"], stdin=stdin)
    assert problems == []
    assert [(d.id, d.path, d.line, d.text) for d in docs] == [("a", "-", 1, "A.\r\nB."), ("b", "-", 2, "C.")]


def test_stdin_dash_sniffs_seed_and_plain_text_and_keeps_crlf() -> None:
    (seed,) = read_documents(["-"], stdin=io.BytesIO(b"\xef\xbb\xbf date 2022-02-26 Body.\r\nMore.\r\n"))[0]
    assert (seed.date, seed.text, seed.path) == ("2022-02-26", "Body.\r\nMore.\r\n", "-")
    (plain,) = read_documents(["-"], stdin=io.BytesIO(b"Plain.\r\n"), date="2021-01-01")[0]
    assert (plain.date, plain.text) == ("2021-01-01", "Plain.\r\n")


def test_stdin_with_forced_csv_format_and_text_stream() -> None:
    docs = read_documents(["-"], fmt="csv", stdin=io.StringIO("id,text\nx,Hi.\n"))[0]
    assert [(d.id, d.path, d.line) for d in docs] == [("x", "-", 2)]


def test_stdin_mixed_with_files_in_order(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "File.")
    docs = read_documents([path, "-"], stdin=io.BytesIO(b"Stdin."))[0]
    assert [d.path for d in docs] == [str(path), "-"]


def test_undecodable_stdin_is_reported_as_dash_with_line() -> None:
    docs, problems = read_documents(["-"], stdin=io.BytesIO(b"ok\nok\n\xff bad\n"))
    assert docs == []
    p = only(problems)
    assert (p.path, p.line) == ("-", 3)


# --- bad files ------------------------------------------------------------------------


def test_undecodable_text_file_is_reported_with_line_of_first_bad_byte_and_skipped(tmp_path: Path) -> None:
    bad = write(tmp_path / "a.txt", b"line one\nline two\nline \xff three\n\xfe")
    good = write(tmp_path / "b.txt", "Good.")
    docs, problems = read_documents([bad, good])
    assert [d.text for d in docs] == ["Good."]
    p = only(problems)
    assert (p.path, p.line) == (str(bad), 3)
    assert p.reason.startswith("invalid UTF-8 byte 0xff at line 3")


@pytest.mark.parametrize("name", ["a.txt", "a.jsonl", "a.csv", "a.bin"])
def test_binary_file_is_reported_and_skipped(tmp_path: Path, name: str) -> None:
    bad = write(tmp_path / name, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    good = write(tmp_path / "z.txt", "Good.")
    docs, problems = read_documents([bad, good])
    assert [d.text for d in docs] == ["Good."]
    p = only(problems)
    assert p.path == str(bad)
    assert "binary" in p.reason


@pytest.mark.parametrize("name,content", [("a.txt", ""), ("a.txt", " \n\r\n\t"), ("a.jsonl", "\n\n"), ("a.csv", ""), ("a.csv", "\n\n")])
def test_empty_or_whitespace_only_file_is_reported_and_skipped(tmp_path: Path, name: str, content: str) -> None:
    bad = write(tmp_path / name, content)
    good = write(tmp_path / "z.txt", "Good.")
    docs, problems = read_documents([bad, good])
    assert [d.text for d in docs] == ["Good."]
    p = only(problems)
    assert p.path == str(bad)
    assert "empty" in p.reason


def test_missing_path_is_reported_and_the_other_sources_are_read(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    good = write(tmp_path / "a.txt", "Good.")
    docs, problems = read_documents([missing, good])
    assert [d.text for d in docs] == ["Good."]
    p = only(problems)
    assert (p.path, p.line) == (str(missing), None)
    assert "no such file" in p.reason


def test_duplicate_ids_keep_the_first_and_report_the_second(tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", jsonl({"id": "x", "text": "First."}, {"id": "y", "text": "Y."}, {"id": "x", "text": "Again."}))
    b = write(tmp_path / "b.csv", "id,text\nx,Third.\nz,Z.\n")
    docs, problems = read_documents([a, b])
    assert [(d.id, d.text) for d in docs] == [("x", "First."), ("y", "Y."), ("z", "Z.")]
    assert [(p.path, p.line) for p in problems] == [(str(a), 3), (str(b), 2)]
    assert all("duplicate id 'x'" in p.reason and f"{a}:1" in p.reason for p in problems)


def test_identical_texts_without_ids_are_duplicates(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", "Same.")
    b = write(tmp_path / "b.txt", "Same.")
    docs, problems = read_documents([a, b])
    assert [d.path for d in docs] == [str(a)]
    assert only(problems).path == str(b)


def test_duplicate_ids_are_only_tracked_within_one_run(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", "Same.")
    assert len(read_documents([a])[0]) == len(read_documents([a])[0]) == 1


# --- reporting ------------------------------------------------------------------------


def test_problems_are_logged_as_warnings_and_nothing_is_printed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "a.jsonl", "not json\n")
    with caplog.at_level(logging.WARNING, logger="kg.read"):
        docs = list(iter_documents([path, tmp_path / "missing.txt"]))  # no problems list given
    assert docs == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings[0].startswith(f"{path}:1: malformed JSON")
    assert warnings[1].startswith(f"{tmp_path / 'missing.txt'}: no such file")
    assert capsys.readouterr() == ("", "")


def test_read_problem_str_names_path_and_line() -> None:
    assert str(ReadProblem("a.jsonl", 3, "bad")) == "a.jsonl:3: bad"
    assert str(ReadProblem("-", None, "empty file")) == "-: empty file"


def test_read_documents_appends_to_a_given_problem_list(tmp_path: Path) -> None:
    mine: list[ReadProblem] = [ReadProblem("earlier", None, "x")]
    docs, problems = read_documents([tmp_path / "missing.txt"], problems=mine)
    assert docs == []
    assert problems is mine
    assert len(mine) == 2


def test_iter_documents_is_lazy_and_reports_as_it_goes(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", "A.")
    problems: list[ReadProblem] = []
    it = iter_documents([a, tmp_path / "missing.txt"], problems=problems)
    assert next(it).text == "A."
    assert problems == []
    assert list(it) == []
    assert len(problems) == 1
