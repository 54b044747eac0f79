"""data/datapackage.json is generated from the schema and kept up to date."""

from __future__ import annotations

import json

from borderviz.io import datapackage
from borderviz.model.schema import LAYERS


def test_committed_datapackage_matches_the_schema(repo):
    committed = (repo / "data" / "datapackage.json").read_text(encoding="utf-8")
    assert committed == datapackage.data_package(), "run: python scripts/update_docs.py"


def test_every_layer_file_is_a_resource_with_every_column(repo):
    package = json.loads(datapackage.data_package())
    by_name = {r["name"]: r for r in package["resources"]}
    assert set(by_name) == set(LAYERS)
    for name, spec in LAYERS.items():
        resource = by_name[name]
        assert (repo / "data" / resource["path"]).is_file()
        assert [f["name"] for f in resource["schema"]["fields"]] == spec.columns
        assert resource["licenses"]
