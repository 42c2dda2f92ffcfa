"""Uploaded CSV files are read whatever the usual encoding and separator; written ones never
run a formula when opened in a spreadsheet."""

from __future__ import annotations

import pytest

from rankandfile.lib.csvfiles import CsvFileError, escape_formula, read_table, write_table

ROWS = "email,first_name\nzoe@example.org,Zoë\nbob@example.org,Bob £\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (ROWS.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + ROWS.encode("utf-8"), "utf-8"),
        (ROWS.encode("cp1252"), "windows-1252"),
    ],
    ids=["utf-8", "utf-8 with a byte order mark", "windows-1252"],
)
def test_utf8_with_or_without_bom_and_windows_1252_read_the_same(
    data: bytes, encoding: str
) -> None:
    table = read_table(data, max_rows=10)
    assert table.encoding == encoding
    assert table.header == ["email", "first_name"]
    assert table.rows == [(2, ["zoe@example.org", "Zoë"]), (3, ["bob@example.org", "Bob £"])]


@pytest.mark.parametrize("separator", [";", "\t", ","])
def test_the_separator_is_found_from_the_header(separator: str) -> None:
    data = f"email{separator}zip_code\r\na@example.org{separator}LS6 1AA\r\n".encode()
    table = read_table(data, max_rows=10)
    assert table.header == ["email", "zip_code"]
    assert table.rows == [(2, ["a@example.org", "LS6 1AA"])]


def test_line_numbers_count_blank_lines_and_quoted_line_breaks() -> None:
    data = b'email,note\n\na@example.org,"two\nlines"\nb@example.org,x\n'
    table = read_table(data, max_rows=10)
    assert [line for line, _ in table.rows] == [4, 5]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\x00\x01PK\x03\x04", "The file is not a CSV file."),
        (b"email\n" + b"a@example.org\n" * 3, "more than 2 rows"),
    ],
)
def test_an_unreadable_file_is_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(CsvFileError, match=message):
        read_table(data, max_rows=2)


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+44 113", "'+44 113"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Ann = chair", "Ann = chair"),
        ("", ""),
    ],
)
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(cell: str, written: str) -> None:
    assert escape_formula(cell) == written


def test_a_written_table_escapes_every_cell() -> None:
    assert write_table(["name"], [["=1+1"], ["Ann"]]) == "name\r\n'=1+1\r\nAnn\r\n"
