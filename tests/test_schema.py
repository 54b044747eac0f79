"""The schema is data, and data/README.md documents it word for word."""

from __future__ import annotations

from borderviz.model.schema import LAYERS, schema_markdown


def test_data_readme_documents_every_layer_field_and_vocabulary(repo):
    readme = (repo / "data" / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- schema:start -->\n", 1)[1].split("<!-- schema:end -->", 1)[0]
    assert block == schema_markdown()
    for spec in LAYERS.values():
        assert f"`{spec.file}`" in block
        for f in spec.fields:
            assert f"`{f.name}`" in block
            for choice in f.choices or ():
                assert str(choice) in block


def test_every_layer_has_an_id_and_sources_or_is_a_registry():
    for spec in LAYERS.values():
        assert spec.columns[0] == "id"
        assert "sources" in spec.columns or spec.name == "bibliography"


def test_interval_columns_are_dates():
    for spec in LAYERS.values():
        if spec.interval:
            assert all(spec.field(c).kind == "date" for c in spec.interval)
