"""CSV files, read as a stream of Arrow batches: every column as text, bounded in rows.

pyarrow's CSV reader parses in C, in blocks, so the cost grows linearly with
the file and a 25 MB file reads in well under a second. Every value is kept
as text exactly as the file has it (empty cells stay empty text);
the mapping decides what is a number or a date, and names the row when it is
not.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable

import pyarrow as pa
import pyarrow.csv as pcsv

from borderviz.errors import InputError, Problem
from borderviz.io.readers import MAX_ROWS, Table, check_columns, text

BLOCK = 1 << 22
MAX_REPORTED = 200


def _header(sample: str, file: str) -> tuple[list[str], str]:
    try:
        delimiter = csv.Sniffer().sniff(sample[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        names = next(csv.reader(io.StringIO(sample, newline=None), delimiter=delimiter))
    except (StopIteration, csv.Error):
        raise InputError([Problem(file, "", "is empty or has no header line")]) from None
    check_columns(names, file)
    names = [n.strip() or f"column_{i + 1}" for i, n in enumerate(names)]
    seen: dict[str, int] = {}
    problems = []
    for i, name in enumerate(names, start=1):
        key = name.lower()
        if key in seen:
            problems.append(Problem(file, "header", f"has two columns named {name!r} (columns {seen[key]} and "
                                                    f"{i}); which one holds the data is unclear, so the file is "
                                                    "refused. Rename or remove one"))
        else:
            seen[key] = i
    if problems:
        raise InputError(problems)
    return names, delimiter


def read_csv(data: bytes, file: str, progress: Callable[[float], None] | None = None,
             max_rows: int = MAX_ROWS) -> Table:
    """The rows of a CSV file as an Arrow table of text columns, exactly as the file has them."""
    encoding, skip, warning = text.detect(data)
    if encoding == "broken-utf-8":
        raise InputError([Problem(file, "", f"is UTF-8 text except for invalid bytes (the first at byte {skip:,}); "
                                            "a damaged file? Save it again as UTF-8")])
    sample = bytes(data[skip: skip + (1 << 16)]).decode(encoding, errors="replace")
    names, delimiter = _header(sample, file)
    ragged: list[Problem] = []

    def on_invalid(row) -> str:
        if len(ragged) < MAX_REPORTED:
            fields = row.actual_columns
            ragged.append(Problem(file, f"row {row.number}" if row.number else "a row",
                                  f"has a different number of fields than the header ({fields}, expected "
                                  f"{row.expected_columns})"))
        return "skip"

    def options(threads: bool) -> dict:
        return dict(
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1, block_size=BLOCK, use_threads=threads,
                                          encoding="utf8" if encoding == "utf-8" else encoding),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                            invalid_row_handler=on_invalid),
            convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )

    def numbered() -> list[Problem]:
        """The ragged rows again, read in one thread: only then does Arrow know their numbers."""
        if all(p.where != "a row" for p in ragged):
            return ragged
        ragged.clear()
        with contextlib.suppress(pa.ArrowInvalid):
            pcsv.read_csv(pa.BufferReader(pa.py_buffer(data).slice(skip)), **options(False))
        return ragged

    source = pa.BufferReader(pa.py_buffer(data).slice(skip))
    batches, rows = [], 0
    try:
        reader = pcsv.open_csv(source, **options(True))
        for batch in reader:
            rows += batch.num_rows
            if rows > max_rows:
                raise InputError([Problem(file, "", f"has more than {max_rows:,} rows; the limit is {max_rows:,}. "
                                                    "Filter the export (dates, region) and import it again")])
            batches.append(batch)
            if progress:
                progress(min(1.0, source.tell() / max(1, len(data))))
    except pa.ArrowInvalid as exc:
        if ragged:
            raise InputError(numbered()) from None
        message = str(exc).split("\n")[0]
        if "UTF8" in message or "decode" in message.lower():
            message = f"its text is not valid {text.LABELS.get(encoding, encoding)}"
        raise InputError([Problem(file, "", f"is not valid CSV ({message})")]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Problem(file, "", f"is not valid {text.LABELS.get(encoding, encoding)} text ({exc.reason} "
                                            f"at byte {exc.start})")]) from None
    if ragged:
        raise InputError(numbered())
    if not rows:
        raise InputError([Problem(file, "", "has no data rows")])
    table = pa.Table.from_batches(batches, schema=batches[0].schema).combine_chunks()  # one copy, then none
    del batches
    warnings = [f"{file} {warning}"] if warning else []
    return Table(table, row_kind="row", first_row=2, warnings=warnings)
