"""Find places, enclaves and incidents by name, offline, in any script.

A query is matched against every name a thing has (English, Russian, Kyrgyz,
Tajik, Uzbek and the gazetteer's alternate names) after folding case,
diacritics, the Tajik and Kyrgyz letters that Russian lacks (ҳ→х, ӯ→у, ҷ→ч,
ғ→г, қ→к, ң→н, ө→о, ү→у), apostrophes, hyphens and spaces: "Ворух",
"vorukh", "Vorúkh" and "Woruch" all work. "Ворух/Vorukh" tries each part.
An incident is also found by its id ("2022-09-16-ovchi-kalacha") or an id's
start ("2022-09-16").

The query is user input: it is cut to :data:`MAX_QUERY` characters and only
compared as text; nothing in it is interpreted.

>>> fold("Ворух / Vorúkh")
'ворух/vorukh'
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from borderviz.model.layers import data_dir

MAX_QUERY = 100
GAZETTEER = Path("sources") / "gazetteer" / "gazetteer_KG_TJ.csv"
_LETTERS = str.maketrans({"ҳ": "х", "ӯ": "у", "ҷ": "ч", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ү": "у",
                          "ӣ": "и", "ё": "е", "ә": "а", "ʻ": "", "ʼ": "", "’": "", "‘": "", "'": "", "`": "",
                          "ı": "i", "ǒ": "o"})
_DROP = re.compile(r"[\s\-‐‑–—_.,()\[\]«»\"]+")
KIND_ORDER = {"enclave": 0, "place": 1, "crossing": 2, "incident": 3}


class Hit(NamedTuple):
    """One search result: what it is, its id, a label to show and where it is."""

    kind: str
    id: str
    label: str
    lat: float
    lon: float


def fold(text: str) -> str:
    """Text reduced for matching: lower case, no diacritics, no hyphens, spaces or apostrophes."""
    text = unicodedata.normalize("NFKD", str(text).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_LETTERS)
    return _DROP.sub("", unicodedata.normalize("NFC", text))


@dataclass(frozen=True)
class _Entry:
    kind: str
    id: str
    label: str
    lat: float
    lon: float
    keys: tuple[str, ...]  # folded names


def _names(*values: Any) -> list[str]:
    """Every non-empty name among ``values``; '|' and '; ' separate several names in one value."""
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            continue
        out += [n.strip() for n in re.split(r"\||; ", str(v)) if n.strip()]
    return out


def _label(primary: str, others: Iterable[str]) -> str:
    extra = next((o for o in others if o and fold(o) != fold(primary)), None)
    return f"{primary} / {extra}" if extra else primary


@lru_cache(maxsize=2)
def _gazetteer(path: str) -> tuple[_Entry, ...]:
    entries = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                lat, lon = float(row["latitude"]), float(row["longitude"])
            except (KeyError, ValueError):
                continue
            names = _names(row.get("name"), row.get("name_eng"), row.get("name_rus"), row.get("name_kir"),
                           row.get("name_tgk"), row.get("name_uzb"), row.get("gn_name"),
                           row.get("gn_asciiname"), row.get("alternate_names_all"))
            where = ", ".join(x for x in (row.get("county"), row.get("country_code")) if x)
            label = _label(row["name"], _names(row.get("name_rus"), row.get("name_tgk")))
            entries.append(_Entry("place", f"wof:{row['wof_id']}", f"{label} ({where})" if where else label,
                                  lat, lon, tuple(dict.fromkeys(fold(n) for n in names))))
    return tuple(entries)


def places(path: Path | None = None) -> tuple[_Entry, ...]:
    """The gazetteer's places (read once per path); empty when the file is not there."""
    path = path or data_dir() / GAZETTEER
    return _gazetteer(str(path)) if Path(path).is_file() else ()


def _point(geom) -> tuple[float, float]:
    p = geom if geom.geom_type == "Point" else geom.representative_point()
    return round(p.y, 5), round(p.x, 5)


def _layer_entries(frames: dict[str, Any]) -> list[_Entry]:
    out = []
    enclaves = frames.get("enclaves")
    if enclaves is not None and not enclaves.empty:
        for _, row in enclaves.sort_values("vintage").groupby("enclave").tail(1).iterrows():
            lat, lon = _point(row.geometry)
            names = _names(row["name_en"], *re.split(r"[(),]", row["name_en"]), row.get("name_ru"),
                           row.get("name_ky"), row.get("name_tg"), row.get("name_uz"), row.get("other_names"))
            out.append(_Entry("enclave", row["enclave"], _label(row["name_en"], names[1:]), lat, lon,
                              tuple(dict.fromkeys(fold(n) for n in names))))
    crossings = frames.get("crossings")
    if crossings is not None and not crossings.empty:
        for _, row in crossings.groupby("crossing").tail(1).iterrows():
            lat, lon = _point(row.geometry)
            names = _names(row["name"], row.get("name_ru"), row.get("kg_place"), row.get("tj_place"),
                           *re.split(r"\s+[–-]\s+", str(row["name"])),
                           *re.split(r"\s+[–-]\s+", str(row.get("name_ru") or "")))
            out.append(_Entry("crossing", row["crossing"], _label(row["name"], _names(row.get("name_ru"))),
                              lat, lon, tuple(dict.fromkeys(fold(n) for n in names))))
    incidents = frames.get("incidents")
    if incidents is not None and not incidents.empty:
        for _, row in incidents.iterrows():
            lat, lon = _point(row.geometry)
            named = row.get("named_place")
            names = _names(row["place_reported"], row.get("name_ru"), row.get("name_ky"), row.get("name_tg"),
                           named.get("name") if isinstance(named, dict) else None)
            date = pd.Timestamp(row["date_start"]).date().isoformat()
            out.append(_Entry("incident", row["id"], f"{date}: {row['place_reported']}", lat, lon,
                              tuple(dict.fromkeys([fold(row["id"]), *(fold(n) for n in names)]))))
    return out


def _score(entry: _Entry, q: str) -> int | None:
    """0 exact name, 1 a name starts with the query, 2 a word-part contains it; None no match."""
    best = None
    for key in entry.keys:
        if key == q:
            return 0
        if key.startswith(q):
            best = 1
        elif best is None and len(q) >= 3 and q in key:
            best = 2
    return best


def search(frames: dict[str, Any], query: str, limit: int = 10, gazetteer: Path | None = None) -> list[Hit]:
    """Places (gazetteer), enclaves, crossings and incidents whose name or id matches ``query``.

    Returns at most ``limit`` hits as (kind, id, label, lat, lon), best first:
    exact names before prefixes before substrings, then enclaves, places,
    crossings and incidents, then by label.
    """
    parts = [fold(p) for p in str(query or "")[:MAX_QUERY].split("/")]
    parts = [p for p in parts if p]
    if not parts or limit <= 0:
        return []
    ranked = []
    for entry in (*places(gazetteer), *_layer_entries(frames)):
        scores = [s for p in parts if (s := _score(entry, p)) is not None]
        if scores:
            ranked.append((min(scores), KIND_ORDER[entry.kind], entry.label, entry.id, entry))
    ranked.sort(key=lambda r: r[:4])
    return [Hit(e.kind, e.id, e.label, e.lat, e.lon) for *_, e in ranked[:limit]]
