"""Search finds places, enclaves, crossings and incidents by any of their names, offline."""

from __future__ import annotations

import pytest

from borderviz.model import search

# (query, kind and id that must be among the hits) — names in four scripts, ids, and spellings.
FINDS = [
    ("Ворух", "enclave", "vorukh"),
    ("Ворух", "place", "wof:890420413"),
    ("Ворух/Vorukh", "enclave", "vorukh"),
    ("vorukh", "enclave", "vorukh"),
    ("VORÚKH", "enclave", "vorukh"),
    ("Woruch", "enclave", "vorukh"),
    ("Чоркӯҳ", "place", "wof:1344068761"),
    ("Чоркух", "place", "wof:1344068761"),
    ("Көк-Таш", "place", "wof:1326925295"),
    ("kok tash", "place", "wof:1326925295"),
    ("Кайрагач", "enclave", "kayragach"),
    ("Lolazor", "enclave", "kayragach"),
    ("Маданият", "crossing", "kayragach"),
    ("2022-09-16-ovchi-kalacha", "incident", "2022-09-16-ovchi-kalacha"),
    ("2022-09-16", "incident", "2022-09-16-kok-tash"),
]


@pytest.mark.parametrize(("query", "kind", "ident"), FINDS)
def test_search_finds_by_any_name(frames, query, kind, ident):
    hits = search.search(frames, query, limit=50)
    assert (kind, ident) in {(h.kind, h.id) for h in hits}


def test_exact_names_come_first_and_hits_carry_a_point(frames):
    hits = search.search(frames, "Ворух", limit=3)
    assert hits[0].kind == "enclave" and hits[0].id == "vorukh"
    assert all(39 < h.lat < 41 and 69 < h.lon < 72 for h in hits)
    assert len(hits) == 3


@pytest.mark.parametrize("query", ["", "   ", "/", "{{ 7*191 }}", "<img src=x onerror=alert(1)>", "x" * 10_000])
def test_odd_queries_are_only_text(frames, query):
    hits = search.search(frames, query, limit=5)
    assert len(hits) <= 5 and all(isinstance(h.label, str) for h in hits)


def test_fold_ignores_case_diacritics_and_separators():
    assert search.fold("Kök-Tash") == search.fold("kok tash") == "koktash"
    assert search.fold("Ҳисор") == search.fold("хисор")
