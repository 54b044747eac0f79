"""A column of per-row objects (dicts, lists of citations) kept as one Arrow array.

An imported file's ``source_fields`` (the source row, as a dict) and
``sources`` (a list of citations) hold one Python object per row. Built as
Python objects, a 1,000,000-row ACLED file would need millions of dicts and
tens of millions of strings: gigabytes and tens of seconds. A
:class:`RecordArray` keeps the same values as one Arrow array (the CSV's own
columns, zero-copy) and builds a row's dict or list only when it is read, so
the frame's interface stays what it was: ``frame["source_fields"].iloc[0]`` is
a dict, ``frame.to_dict("records")`` gives plain values, and filtering,
``take`` and ``concat`` stay in Arrow.

Three ways of storing a value (``mode``):

- ``"struct"``: a struct array; a row is its dict with every key.
- ``"sparse"``: a list of structs; keys whose value is null are left out of
  each dict (a citation has either a ``url`` or a ``file``, never both).
- ``"json"``: JSON text; a row is ``json.loads`` of it (anything else).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.extensions import ExtensionArray, ExtensionDtype, register_extension_dtype

MODES = ("struct", "sparse", "json")


@register_extension_dtype
class RecordDtype(ExtensionDtype):
    """The dtype of a :class:`RecordArray` column (values read as dicts or lists)."""

    name = "borderviz_record"
    type = object
    kind = "O"
    na_value = None

    @classmethod
    def construct_array_type(cls) -> type[RecordArray]:
        return RecordArray

    @classmethod
    def construct_from_string(cls, string: str) -> RecordDtype:
        if string == cls.name:
            return cls()
        raise TypeError(f"Cannot construct a '{cls.__name__}' from '{string}'")


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if v is not None}
    return value


class RecordArray(ExtensionArray):
    """Per-row dicts or lists, stored as one Arrow array (see the module's docstring)."""

    def __init__(self, storage: pa.Array | pa.ChunkedArray, mode: str = "struct"):
        if isinstance(storage, pa.ChunkedArray):
            storage = storage.combine_chunks() if storage.num_chunks != 1 else storage.chunk(0)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self._data = storage
        self._mode = mode

    # --- construction ---------------------------------------------------------------

    @classmethod
    def from_values(cls, values) -> RecordArray:
        """Any per-row values (dicts, lists, None), stored as JSON text."""
        texts = [None if _is_na(v) else json.dumps(v, ensure_ascii=False, default=str) for v in values]
        return cls(pa.array(texts, pa.string()), "json")

    @classmethod
    def _from_sequence(cls, scalars, *, dtype=None, copy=False):
        if isinstance(scalars, RecordArray):
            return scalars.copy() if copy else scalars
        return cls.from_values(scalars)

    @classmethod
    def _from_factorized(cls, values, original):
        return cls.from_values(values)

    # --- reading --------------------------------------------------------------------

    def _value(self, scalar: pa.Scalar) -> Any:
        if not scalar.is_valid:
            return None
        if self._mode == "json":
            return json.loads(scalar.as_py())
        value = scalar.as_py()
        return _drop_nulls(value) if self._mode == "sparse" else value

    def __getitem__(self, item):
        if isinstance(item, (int, np.integer)):
            n = len(self)
            if item < -n or item >= n:
                raise IndexError(f"index {item} is out of bounds for a RecordArray of length {n}")
            return self._value(self._data[int(item) % n])
        if isinstance(item, slice):
            return RecordArray(self._data[item], self._mode)
        item = pd.api.indexers.check_array_indexer(self, item)
        if item.dtype == bool:
            return RecordArray(self._data.filter(pa.array(item)), self._mode)
        return self.take(item)

    def __iter__(self):
        for scalar in self._data:
            yield self._value(scalar)

    def __len__(self) -> int:
        return len(self._data)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = np.empty(len(self), dtype=object)
        for i, value in enumerate(self):
            out[i] = value
        return out

    def to_numpy(self, dtype=None, copy=False, na_value=None) -> np.ndarray:
        return self.__array__()

    def astype(self, dtype, copy=True):
        if isinstance(dtype, RecordDtype):
            return self.copy() if copy else self
        if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
            return pd.array(self.json_text(), dtype=dtype)
        return self.__array__()

    def json_text(self) -> list[str | None]:
        """Each row as compact JSON text (None for a missing value)."""
        return [None if v is None else json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in self]

    def __arrow_array__(self, type=None):  # noqa: A002 (pyarrow's name)
        return pa.array(self.json_text(), pa.string())

    def __eq__(self, other):
        mine = self.__array__()
        theirs = other.__array__() if isinstance(other, RecordArray) else other
        if isinstance(theirs, (list, np.ndarray)) and len(theirs) == len(mine):
            return np.array([a == b for a, b in zip(mine, theirs, strict=True)], dtype=bool)
        return np.array([a == theirs for a in mine], dtype=bool)

    # --- the rest of pandas' ExtensionArray interface ------------------------------------

    @property
    def dtype(self) -> RecordDtype:
        return RecordDtype()

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    @property
    def storage(self) -> pa.Array:
        """The Arrow array holding the values."""
        return self._data

    @property
    def mode(self) -> str:
        return self._mode

    def isna(self) -> np.ndarray:
        return self._data.is_null().to_numpy(zero_copy_only=False)

    def take(self, indices, *, allow_fill=False, fill_value=None) -> RecordArray:
        indices = np.asarray(indices, dtype=np.int64)
        if allow_fill:
            if fill_value is not None:
                return RecordArray.from_values(self.__array__()).take(indices, allow_fill=True)
            if (indices < -1).any():
                raise ValueError("indices below -1 with allow_fill")
            mask = indices == -1
            taken = self._data.take(pa.array(np.where(mask, 0, indices), mask=mask)) if len(self) else \
                pa.nulls(len(indices), self._data.type)
            return RecordArray(taken, self._mode)
        n = len(self)
        if len(indices) and (indices.max(initial=0) >= n or indices.min(initial=0) < -n):
            raise IndexError("index out of bounds")
        return RecordArray(self._data.take(pa.array(np.where(indices < 0, indices + n, indices))), self._mode)

    def copy(self) -> RecordArray:
        return RecordArray(self._data, self._mode)  # Arrow arrays are immutable

    @classmethod
    def _concat_same_type(cls, to_concat) -> RecordArray:
        arrays = list(to_concat)
        first = arrays[0]
        if all(a._mode == first._mode and a._data.type == first._data.type for a in arrays):
            return cls(pa.concat_arrays([a._data for a in arrays]), first._mode)
        return cls.from_values([v for a in arrays for v in a])

    def _values_for_factorize(self):
        return np.array(self.json_text(), dtype=object), None

    def __setitem__(self, key, value):
        values = self.__array__()
        values[key] = value
        replaced = RecordArray.from_values(values)
        self._data, self._mode = replaced._data, replaced._mode

    def __reduce__(self):
        return (RecordArray, (self._data, self._mode))


def _is_na(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value
