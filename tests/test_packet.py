"""Packets: the engine's data channel. Columns round-trip; the text form is template-inert."""

from __future__ import annotations

import numpy as np
import pytest

from borderviz.maps import packet


def test_columns_and_header_round_trip():
    columns = {"d0": np.array([1, -5, 2**31 - 1], dtype="<i4"), "x": np.array([70.5, 71, 69], dtype="<f4"),
               "t": np.array([0, 1, 2], dtype="|u1")}
    header, back = packet.unpack(packet.pack({"places": ["Ворух", "{{ 7*191 }}"]}, columns))
    assert header["places"] == ["Ворух", "{{ 7*191 }}"]
    for name, values in columns.items():
        assert back[name].tolist() == values.tolist()


def test_columns_are_aligned_for_typed_arrays():
    blob = packet.pack({"a": "x" * 13}, {"u": np.zeros(3, "|u1"), "f": np.ones(2, "<f8")})
    header, back = packet.unpack(blob)
    assert back["f"].tolist() == [1.0, 1.0]


def test_the_same_data_gives_the_same_bytes():
    def make():
        return packet.pack({"k": 1}, {"d0": np.arange(5, dtype="<i4")})
    assert make() == make() and packet.digest(make()) == packet.digest(make())


def test_unsupported_column_types_are_refused():
    with pytest.raises(TypeError, match="<i8"):
        packet.pack({}, {"bad": np.arange(3, dtype="<i8")})


@pytest.mark.parametrize("text", ["{{ 7*191 }}", "{% raw %}", "{#", "</script>", "${alert(1)}", "Ворух"])
def test_base64_holds_no_template_or_markup_syntax(text):
    encoded = packet.to_base64(packet.pack({"t": text * 50}, {}))
    assert packet.BASE64.match(encoded)
    assert not set("{}%#<>$`'\"") & set(encoded)
