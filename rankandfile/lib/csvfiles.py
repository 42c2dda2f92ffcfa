"""Reading CSV files people upload and writing CSV files people open in a spreadsheet.

Framework-free. Uploads come from NationBuilder, Action Network or a spreadsheet saved by hand:
UTF-8 with or without a byte order mark, or Windows-1252 (Excel's "CSV" on Windows), separated
by commas, semicolons or tabs. Written files must not run formulas when opened (OWASP "CSV
injection"): a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

DELIMITERS = ",;\t|"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CsvFileError(ValueError):
    """The file cannot be read as CSV; the message says why, for the person who uploaded it."""


@dataclass(frozen=True)
class CsvTable:
    encoding: str
    header: list[str]
    # (line number of the row in the file, cells), header excluded. A row whose quoted cell
    # spans lines is numbered by its last line, as spreadsheets and the csv module count.
    rows: list[tuple[int, list[str]]]


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding it was read with: UTF-8 (a BOM is dropped), else
    Windows-1252."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as error:
        raise CsvFileError(
            "The file is not UTF-8 or Windows-1252 text. Save it again as “CSV UTF-8”."
        ) from error


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
    except csv.Error:
        return csv.excel


def read_table(data: bytes, *, max_rows: int) -> CsvTable:
    """Parse an uploaded file: its first non-empty row is the header; empty rows are skipped."""
    text, encoding = decode(data)
    if "\x00" in text:
        raise CsvFileError("The file is not a CSV file.")
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(first_line))
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip() for cell in cells]
                continue
            rows.append((reader.line_num, cells))
            if len(rows) > max_rows:
                raise CsvFileError(f"The file has more than {max_rows:,} rows; split it.")
    except csv.Error as error:
        raise CsvFileError(f"Line {reader.line_num} cannot be read as CSV ({error}).") from error
    if header is None:
        raise CsvFileError("The file is empty.")
    return CsvTable(encoding=encoding, header=header, rows=rows)


def escape_formula(value: str) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """CSV text with every cell escaped against formulas."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([escape_formula(cell) for cell in header])
    for row in rows:
        writer.writerow([escape_formula(cell) for cell in row])
    return out.getvalue()
