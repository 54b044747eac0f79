"""CSV files, read as a stream of Arrow batches: every column as text, bounded in rows.

pyarrow's CSV reader parses in C, in blocks, so the cost grows linearly with
the file and a 25 MB file reads in well under a second. A file on disk is
streamed: with a :class:`~borderviz.io.readers.RegionFilter`, each block's
rows outside the border region are dropped as it is read, so a worldwide file
larger than memory imports in the memory its region's rows need. Every value
is kept as text exactly as the file has it (empty cells stay empty text); the
mapping decides what is a number or a date, and names the row when it is not.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from borderviz.errors import InputError, Problem
from borderviz.io.readers import MAX_ROWS, RegionFilter, Table, check_columns, text

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


SAMPLE = 4 << 20  # how much of a file on disk decides its encoding


def _sample(path: Path) -> tuple[bytes, int]:
    """The first few MB of a file (cut at a line end, so no character is cut) and the file's size."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE)
    if size > SAMPLE and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]
    return head, size


def _first_bad_utf8(path: Path) -> int:
    decoder = codecs.getincrementaldecoder("utf-8")()
    done = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return done + exc.start
            done += len(chunk)
    return done


def _broken(file: str, offset: int) -> InputError:
    return InputError([Problem(file, "", f"is UTF-8 text except for invalid bytes (the first at byte {offset:,}); "
                                         "a damaged file? Save it again as UTF-8")])


def _degrees(col: pa.Array) -> np.ndarray:
    """A coordinate column as float64 (NaN where it is not a number): a plain cast when it can be, else the
    mapping's reading (spaces, decimal commas)."""
    try:
        return col.cast(pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        from borderviz.io.columns import floats

        return floats(col, decimal_comma=True)[0]


def read_csv(data: bytes | Path, file: str, progress: Callable[[float], None] | None = None,
             max_rows: int = MAX_ROWS, region: RegionFilter | None = None,
             coordinates: Callable[[list[str]], tuple[str, str] | None] | None = None) -> Table:
    """The rows of a CSV file (bytes, or a file to stream) as an Arrow table of text columns, exactly as the
    file has them. With ``region``, rows outside it are left out as they are read (``coordinates(names)``
    names the latitude and longitude columns; a file without them is not filtered)."""
    path = Path(data) if isinstance(data, Path) else None
    head, size = _sample(path) if path is not None else (data, len(data))
    encoding, skip, warning = text.detect(head)
    if encoding == "broken-utf-8":
        raise _broken(file, skip)
    sample = bytes(head[skip: skip + (1 << 16)]).decode(encoding, errors="replace")
    names, delimiter = _header(sample, file)
    found = coordinates(names) if region is not None and coordinates is not None else None
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

    def stream() -> pa.NativeFile:
        source = pa.OSFile(str(path)) if path is not None else pa.BufferReader(pa.py_buffer(data))
        source.seek(skip)
        return source

    def numbered() -> list[Problem]:
        """The ragged rows again, read in one thread: only then does Arrow know their numbers."""
        if all(p.where != "a row" for p in ragged):
            return ragged
        ragged.clear()
        with contextlib.suppress(pa.ArrowInvalid), stream() as again:
            for _ in pcsv.open_csv(again, **options(False)):
                pass
        return ragged

    source = stream()
    batches, numbers, rows, seen = [], [], 0, 0
    try:
        reader = pcsv.open_csv(source, **options(True))
        for batch in reader:
            at = np.arange(seen + 2, seen + 2 + batch.num_rows, dtype=np.int64)
            seen += batch.num_rows
            if found is not None:
                lat, lon = _degrees(batch.column(found[0])), _degrees(batch.column(found[1]))
                keep = region.points(lon, lat)
                if not keep.all():
                    batch, at = batch.filter(pa.array(keep)), at[keep]
            rows += batch.num_rows
            if rows > max_rows:
                raise InputError([Problem(file, "", f"has more than {max_rows:,} rows"
                                                    f"{' in the border region' if found else ''}; the limit is "
                                                    f"{max_rows:,}. Filter the export (dates, region) and import "
                                                    "it again")])
            batches.append(batch)
            numbers.append(at)
            if progress:
                progress(min(1.0, source.tell() / max(1, size)))
    except pa.ArrowInvalid as exc:
        if ragged:
            raise InputError(numbered()) from None
        message = str(exc).split("\n")[0]
        if "UTF8" in message or "decode" in message.lower():
            if encoding == "utf-8" and path is not None:
                raise _broken(file, _first_bad_utf8(path)) from None
            message = f"its text is not valid {text.LABELS.get(encoding, encoding)}"
        raise InputError([Problem(file, "", f"is not valid CSV ({message})")]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Problem(file, "", f"is not valid {text.LABELS.get(encoding, encoding)} text ({exc.reason} "
                                            f"at byte {exc.start})")]) from None
    finally:
        source.close()
    if ragged:
        raise InputError(numbered())
    outside = region.outside if region is not None else 0
    if not rows:
        if outside:
            raise InputError([Problem(file, "", f"has no rows in {region.region.label}: all {outside:,} lie "
                                                "outside it. Import it with the rows outside kept to see them")])
        raise InputError([Problem(file, "", "has no data rows")])
    table = pa.Table.from_batches(batches, schema=batches[0].schema).combine_chunks()  # one copy, then none
    del batches
    warnings = [f"{file} {warning}"] if warning else []
    row_numbers = np.concatenate(numbers) if outside and not region.keep_outside else None
    return Table(table, row_kind="row", first_row=2, warnings=warnings, row_numbers=row_numbers, outside=outside)
