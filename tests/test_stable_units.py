"""Harmonised units are first-class units (issue 21, item 1): a harmonise result is mapped,
weighted and analysed on its stable units, never by copying one value onto several parts."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import shapely

import chuanyu_geo as cg
from chuanyu_geo import maps

STABLE = "500105+500109"  # 两江新区+北碚区 on 2025 units


@pytest.fixture(scope="module")
def harmonised():
    raw = cg.load_census(2020)[["adcode", "population", "urban_population"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cg.HarmoniseWarning)  # the development zones, tested elsewhere
        table = cg.harmonise(
            raw,
            "adcode",
            year=2020,
            to_vintage="2025",
            columns={"population": "sum", "urban_population": "sum"},
        )
    table["urban_rate"] = table["urban_population"] / table["population"]
    return table


def test_units_is_the_dissolved_layer_of_the_stable_units(harmonised):
    layer = cg.units(harmonised)
    assert len(layer) == len(harmonised) and list(layer["adcode"]) == list(harmonised["unit"])
    row = layer.set_index("adcode").loc[STABLE]
    assert row["name"] == "两江新区+北碚区" and row["parts"] == ("500105", "500109")
    parts = cg.load_boundaries("county", "2025").set_index("adcode").loc[["500105", "500109"]]
    assert shapely.equals(row.geometry, shapely.union_all(parts.geometry.values))
    with pytest.raises(cg.InvalidArgumentError, match="contradicts"):
        cg.units(harmonised, vintage="2024")


def test_weights_have_one_node_per_stable_unit(harmonised):
    mi = cg.morans_i(harmonised, "urban_rate", "unit", seed=1)
    ids = list(mi.weights.unique_ids)
    assert STABLE in ids and "500105" not in ids and "500109" not in ids and len(ids) == len(harmonised)
    # The stable unit's neighbours are the dissolved shape's: those of either part, less each other.
    graph = cg.adjacency_graph(level="county", vintage="2025")
    expected = (set(graph["500105"]) | set(graph["500109"])) - {"500105", "500109"}
    neighbours = set(mi.weights[STABLE].index) - {STABLE}
    assert neighbours == expected
    # The same value as esda on the same weights: one value per unit, nothing duplicated.
    import esda

    y = harmonised.set_index("unit").loc[ids, "urban_rate"].to_numpy(dtype=float)
    assert mi.I == pytest.approx(esda.Moran(y, mi.weights, permutations=0).I)


def test_lisa_theil_linkage_and_choropleth_take_stable_units(harmonised):
    local = cg.lisa(harmonised, "urban_rate", "unit", seed=1)
    assert local.set_index("adcode").loc[STABLE, "name"] == "两江新区+北碚区" and len(local) == len(
        harmonised
    )
    t = cg.theil(harmonised, "urban_rate", "unit", by="platform", overlap="member")
    assert t.groups["n_units"].sum() == len(harmonised)
    g = cg.linkage(harmonised, "population", "unit")
    assert STABLE in g.nodes and g.number_of_nodes() == len(harmonised)
    m = cg.choropleth(harmonised, "urban_rate", "unit", tiles=None, vintage="2025")
    html = maps._render(m, True)
    assert '"500105+500109"' in html and '"adcode": "500109"' not in html
    fig = cg.plot_choropleth(harmonised, "urban_rate", "unit", vintage="2025", lang="en")
    assert len(fig.axes[0].collections[0].get_facecolors()) == len(harmonised)


def test_stable_keys_of_another_vintage_or_unknown_parts_are_refused(harmonised):
    bad = pd.DataFrame({"unit": ["500105+500109", "500101", "999999+500101"], "v": [1.0, 2.0, 3.0]})
    with pytest.raises(cg.UnmatchedRowsError, match="999999"):
        cg.morans_i(bad, "v", "unit", vintage="2025")
    with pytest.raises(cg.InvalidArgumentError, match="contradicts"):
        cg.morans_i(harmonised, "urban_rate", "unit", vintage="2024")
    split = pd.DataFrame({"unit": ["500105+500109", "500105"], "v": [1.0, 2.0]})
    with pytest.raises(cg.InvalidArgumentError, match="part of both|not county units"):
        cg.units(split, vintage="2025")
    assert np.isfinite(cg.morans_i(harmonised, "urban_rate", "unit", seed=1).I)


def test_the_pair_panel_takes_a_harmonised_table_on_its_stable_units(harmonised):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        panel = cg.border_pair_panel(harmonised, key="unit", vintage="2025", years=[2019, 2020, 2021])
    missing = panel[panel["population"].isna()]
    named = " ".join(str(w.message) for w in caught)
    assert all(str(u) in named for u in missing["unit"]), "every missing outcome is named in a warning"
    stable = panel[panel["unit"] == STABLE]
    assert len(stable) and (stable["adcode"] == "500109").all(), "北碚区's side is the stable unit"
    value = harmonised.set_index("unit").loc[STABLE, "population"]
    assert (stable["population"] == value).all() and stable["exposure"].notna().all()
    assert stable["treatment_note"].str.contains("stable unit").all()
