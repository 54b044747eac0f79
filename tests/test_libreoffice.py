"""What LibreOffice 7.4 (Debian 12, headless) reads from borderviz's spreadsheets, asserted cell by cell of
``interop.OPENS_IN[...]["libreoffice"]``.

Each file is converted back by ``soffice --headless --convert-to fods`` (LibreOffice's flat XML
spreadsheet) and the cells LibreOffice made are read: their type (date, float, string), value, text and
any formula. The XLSX must come back with dates as dates, numbers as numbers, ids and hostile text as
text, Cyrillic intact and no formula; the CSV is read as LibreOffice's default import does (its byte
order mark ignored: the table says so) and with the UTF-8 filter its import dialog offers. Fails in CI
when LibreOffice is missing; skipped elsewhere.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import need_tool
from test_formats import HOSTILE_TEXT, cyrillic_incidents, hostile_incidents

from borderviz.io import formats, interop

NS = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
      "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
      "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}
UTF8_CSV = "CSV:44,34,76,1"  # comma, double quote, UTF-8, from line 1: what the import dialog sets for UTF-8


@pytest.fixture(scope="module")
def soffice(tmp_path_factory):
    need_tool("LibreOffice", shutil.which("soffice") is not None, "libreoffice-calc-nogui")
    return tmp_path_factory.mktemp("lo-profile")


def convert(soffice: Path, path: Path, infilter: str | None = None) -> dict[str, list[list[dict]]]:
    """{sheet: rows of cells} as LibreOffice read ``path``; each cell {type, value, text, formula}."""
    out = path.parent / "fods"
    command = ["soffice", f"-env:UserInstallation=file://{soffice}", "--headless", "--norestore"]
    command += [f"--infilter={infilter}"] if infilter else []
    result = subprocess.run([*command, "--convert-to", "fods", "--outdir", str(out), str(path)],
                            capture_output=True, text=True, timeout=240)
    converted = out / (path.stem + ".fods")
    assert result.returncode == 0 and converted.exists(), result.stderr[-1000:]
    etree = pytest.importorskip("lxml.etree")
    tree = etree.parse(str(converted), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    sheets = {}
    for table in tree.iterfind(".//table:table", NS):
        rows = []
        for row in table.iterfind("table:table-row", NS):
            cells = []
            for cell in row:
                if not cell.tag.endswith(("}table-cell", "}covered-table-cell")):
                    continue
                repeat = int(cell.get(f"{{{NS['table']}}}number-columns-repeated", "1"))
                info = {"type": cell.get(f"{{{NS['office']}}}value-type"),
                        "value": cell.get(f"{{{NS['office']}}}date-value") or cell.get(f"{{{NS['office']}}}value"),
                        "text": "\n".join(_text(p) for p in cell.iterfind("text:p", NS)),
                        "formula": cell.get(f"{{{NS['table']}}}formula")}
                cells += [info] * min(repeat, 200)
            rows.append(cells)
        sheets[table.get(f"{{{NS['table']}}}name")] = rows
    return sheets


def _text(element) -> str:
    """A paragraph's text with ODF's tab, space and line-break elements as characters."""
    out = [element.text or ""]
    for child in element:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "tab":
            out.append("\t")
        elif tag == "s":
            out.append(" " * int(child.get(f"{{{NS['text']}}}c", "1")))
        elif tag == "line-break":
            out.append("\n")
        else:
            out.append(_text(child))
        out.append(child.tail or "")
    return "".join(out)


def _by_header(rows: list[list[dict]]) -> tuple[list[str], list[dict[str, dict]]]:
    header = [c["text"] for c in rows[0]]
    while header and not header[-1]:
        header.pop()
    body = [dict(zip(header, r, strict=False)) for r in rows[1:] if any(c["text"] for c in r)]
    return header, body


@pytest.fixture(scope="module")
def incidents(frames):
    hostile = hostile_incidents(frames)
    return pd.concat([hostile, cyrillic_incidents(), frames["incidents"].iloc[len(hostile):40]], ignore_index=True)


def test_every_libreoffice_cell_of_the_interop_table_is_checked():
    assert {f for f in interop.OPENS_IN if interop.OPENS_IN[f]["libreoffice"] != "n/a"} == {"xlsx", "csv"}


def test_libreoffice_reads_the_xlsx_typed_and_runs_nothing(soffice, frames, incidents, tmp_path):
    assert interop.opens("xlsx", "libreoffice")
    bundle = formats.export({"incidents": incidents, "conflicts": frames["conflicts"]}, "xlsx", {"from": "2014-01-01"})
    path = tmp_path / "borderviz.xlsx"
    path.write_bytes(bundle.files["borderviz.xlsx"])
    sheets = convert(soffice, path)
    assert [s for s in sheets if not s.startswith("__")] == ["incidents", "conflicts", "sources", "provenance"]
    assert not any(c["formula"] for rows in sheets.values() for r in rows for c in r)
    header, body = _by_header(sheets["incidents"])
    assert header[: len(incidents.columns) - 1] == [c for c in incidents.columns if c != "geometry"]
    assert header[-2:] == ["latitude", "longitude"] and len(body) == len(incidents)
    for row, (_, want) in zip(body, incidents.iterrows(), strict=True):
        assert row["id"]["type"] == "string" and row["id"]["text"] == want["id"]
        day = row["date_start"]
        assert day["type"] == "date" and day["value"][:10] == f"{want['date_start']:%Y-%m-%d}"
        if pd.notna(want["killed_total"]):
            killed = row["killed_total"]
            assert killed["type"] == "float" and float(killed["value"]) == want["killed_total"]
        assert row["place_reported"]["text"] == want["place_reported"]
        assert row["latitude"]["type"] == "float"
    texts = {row[column]["text"] for row in body for column, _ in HOSTILE_TEXT}
    for column, value in HOSTILE_TEXT:
        if "\r" not in value:  # (a lone CR becomes a line break in a cell's paragraphs)
            assert value in texts, (column, value)
    assert any(r["place_reported"]["text"] == "Кок-Таш, Баткенский район" for r in body)
    _, sources = _by_header(sheets["sources"])
    assert {r["layer"]["text"] for r in sources} == {"incidents", "conflicts"}
    assert all(r["url"]["text"] for r in sources)
    _, about = _by_header(sheets["provenance"])
    assert any("OpenStreetMap" in r["value"]["text"] for r in about if r["key"]["text"] == "attribution")


def test_libreoffice_reads_the_csv_only_with_its_utf8_filter(soffice, incidents, tmp_path):
    claim = interop.OPENS_IN["csv"]["libreoffice"]
    assert claim.startswith("no:") and "Windows-1252" in claim
    bundle = formats.export({"incidents": incidents}, "csv", {"from": "2014-01-01"})
    path = tmp_path / "incidents.csv"
    path.write_bytes(bundle.files["incidents.csv"])
    default = convert(soffice, path)["incidents"]
    assert default[0][0]["text"].startswith("\u00ef\u00bb\u00bf")  # the byte order mark read as Windows-1252
    assert "Ð’Ð¾Ñ€ÑƒÑ…" in {c["text"] for r in default for c in r}  # Ворух, garbled
    (tmp_path / "utf8").mkdir()
    (tmp_path / "utf8" / "incidents.csv").write_bytes(bundle.files["incidents.csv"])
    header, body = _by_header(convert(soffice, tmp_path / "utf8" / "incidents.csv", UTF8_CSV)["incidents"])
    assert header[0] == "id" and len(body) == len(incidents)
    assert {r["place_reported"]["text"] for r in body} >= {"Ворух", "Кок-Таш, Баткенский район"}
    assert all(r["id"]["type"] == "string" for r in body)
    assert not any(c.get("formula") for r in body for c in r.values())
