"""RecordArray: per-row dicts and lists kept as one Arrow array, read back as plain Python values."""

from __future__ import annotations

import pickle

import pandas as pd
import pyarrow as pa

from borderviz.io.records import RecordArray

ROWS = [{"a": "1", "b": None}, {"a": "2", "b": "x"}, None]


def series(mode: str = "struct") -> pd.Series:
    storage = pa.array(ROWS) if mode != "sparse" else pa.array([[r] if r else None for r in ROWS])
    return pd.Series(RecordArray(storage, mode))


def test_rows_read_back_as_dicts_keeping_or_dropping_null_keys():
    assert series().tolist() == ROWS
    assert series("sparse").tolist() == [[{"a": "1"}], [{"a": "2", "b": "x"}], None]
    assert pd.Series(RecordArray.from_values(ROWS)).tolist() == ROWS


def test_filtering_taking_and_concatenating_stay_records():
    s = series()
    assert s[s.notna()].tolist() == ROWS[:2]
    assert s.iloc[[2, 0]].tolist() == [None, ROWS[0]]
    assert s.iloc[[-1, -3]].tolist() == [None, ROWS[0]] and s.array[[-1]].tolist() == [None]
    assert s.reindex([1, 7]).tolist() == [ROWS[1], None]
    both = pd.concat([s, s], ignore_index=True)
    assert both.dtype == s.dtype and both.tolist() == ROWS + ROWS
    mixed = pd.concat([s, pd.Series([{"z": 1}], dtype=object)], ignore_index=True)
    assert mixed.tolist() == [*ROWS, {"z": 1}]


def test_pickling_and_arrow_conversion():
    s = series("sparse")
    assert pickle.loads(pickle.dumps(s)).tolist() == s.tolist()
    table = pa.Table.from_pandas(pd.DataFrame({"r": s}))
    assert table.column("r").to_pylist() == ['[{"a":"1"}]', '[{"a":"2","b":"x"}]', None]
