"""Analyses a referee accepts (issue 22): isolates, seeds, multiple testing, weighted
inequality with real platform groups, directional gravity, coupling coordination.

Every statistic is checked against esda / inequality or a direct computation of its formula.
"""

from __future__ import annotations

import math

import esda
import numpy as np
import pandas as pd
import pytest
from conftest import esda_local_moran_without_numba
from inequality.theil import TheilD

import chuanyu_geo as cg
from chuanyu_geo.analysis import IsolateWarning


@pytest.fixture(scope="module")
def census():
    table = cg.load_census(2020)
    table = table[~table["adcode"].isin(cg.not_divisions()["adcode"])].copy()  # economic zones
    table["urban_rate"] = table["urban_population"] / table["population"]
    return table


def _matched(census):
    joined, _ = cg.join_table(census, "adcode", year=2020)
    return joined.set_index("adcode")


# --------------------------------------------------------------------------- isolates


def test_cross_border_lisa_never_calls_an_isolate_significant(census):
    with pytest.warns(IsolateWarning, match="no cross_border neighbour"):
        local = cg.lisa(census, "years_of_schooling", "adcode", year=2020, kind="cross_border", seed=1)
    border = {
        u for pair in cg.cross_border_pairs(level="county")[["adcode_a", "adcode_b"]].values for u in pair
    }
    off = local[~local["adcode"].isin(border)]
    assert len(off) == 191 and (off["cluster"] == "isolate").all()
    assert off["p_sim"].isna().all() and off["Is"].isna().all()
    on = local[local["adcode"].isin(border)]
    assert len(on) == 30 and not (on["cluster"] == "isolate").any() and on["p_sim"].notna().all()
    assert local.attrs["n_tested"] == 30


def test_cross_border_morans_i_drops_isolates_from_n(census):
    with pytest.warns(IsolateWarning, match="191 units"):
        mi = cg.morans_i(census, "years_of_schooling", "adcode", year=2020, kind="cross_border", seed=1)
    assert mi.n == 30 and len(mi.isolates) == 191 and mi.isolate_policy == "drop"
    # The same statistic computed by esda on the 30 border units and their cross-border weights.
    w = cg.weights("county", "cross_border")
    border = [u for u in w.unique_ids if u not in set(w.isolates)]
    y = _matched(census).loc[border, "years_of_schooling"].to_numpy(dtype=float)
    direct = esda.Moran(y, w.subgraph(border), transformation="r", permutations=0)
    assert mi.I == pytest.approx(direct.I)
    with pytest.warns(IsolateWarning, match="kept in n"):
        kept = cg.morans_i(
            census, "years_of_schooling", "adcode", year=2020, kind="cross_border", isolates="keep"
        )
    assert kept.n == 221 and kept.I != pytest.approx(mi.I)
    with pytest.raises(cg.InvalidArgumentError, match="no neighbour"):
        cg.morans_i(census, "years_of_schooling", "adcode", year=2020, kind="cross_border", isolates="error")


def test_a_table_that_lacks_neighbours_says_which(census):
    neighbours = [n for n in cg.adjacency_graph(level="county").neighbors("500118")]  # 永川区
    partial = census[~census["adcode"].isin(neighbours)]
    with pytest.warns(IsolateWarning) as caught:
        local = cg.lisa(partial, "years_of_schooling", "adcode", year=2020, seed=1, allow_partial=True)
    row = local.set_index("adcode").loc["500118"]
    assert row["cluster"] == "isolate" and math.isnan(row["p_sim"])
    message = " ".join(str(w.message) for w in caught)
    assert "永川区 (500118)" in message and "江津区" in message and "have no value in the table" in message


# --------------------------------------------------------------------------- seeds


def test_seeds_leave_numpys_global_generator_alone(census):
    np.random.seed(12345)
    before = np.random.get_state()
    cg.morans_i(census, "years_of_schooling", "adcode", year=2020, seed=7, permutations=99)
    cg.lisa(census, "years_of_schooling", "adcode", year=2020, seed=7, permutations=99)
    after = np.random.get_state()
    assert before[0] == after[0] and (before[1] == after[1]).all() and before[2:] == after[2:]
    draws = [np.random.rand() for _ in range(2)]
    assert draws[0] != draws[1]
    a = cg.lisa(census, "years_of_schooling", "adcode", year=2020, seed=7, permutations=99)
    b = cg.lisa(census, "years_of_schooling", "adcode", year=2020, seed=7, permutations=99)
    assert a["p_sim"].equals(b["p_sim"]), "the same seed gives the same p-values"
    m1 = cg.morans_i(census, "years_of_schooling", "adcode", year=2020, seed=7, permutations=99)
    m2 = cg.morans_i(census, "years_of_schooling", "adcode", year=2020, seed=7, permutations=99)
    assert m1.p_sim == m2.p_sim


# --------------------------------------------------------------------------- multiple testing


@pytest.mark.parametrize("correction", [None, "fdr", "bonferroni"])
def test_lisa_corrections_equal_esda_applied_by_hand(census, correction):
    local = cg.lisa(
        census, "years_of_schooling", "adcode", year=2020, seed=3, permutations=999, correction=correction
    )
    w = cg.weights("county", "queen")
    y = _matched(census).loc[list(w.unique_ids), "years_of_schooling"].to_numpy(dtype=float)
    # esda's own p-values from the same NumPy draws (esda without numba; see test_analysis).
    direct = esda_local_moran_without_numba(y, w, transformation="r", permutations=999, seed=3)
    p_sim = direct["p_sim"]
    threshold = {None: 0.05, "fdr": esda.fdr(p_sim, 0.05), "bonferroni": 0.05 / len(y)}[correction]
    expected = [
        {1: "HH", 2: "LH", 3: "LL", 4: "HL"}[q] if p < threshold else "ns" for q, p in zip(direct["q"], p_sim)
    ]
    ours = local.set_index("adcode").loc[list(w.unique_ids)]
    assert np.array_equal(ours["p_sim"].to_numpy(), p_sim) and list(ours["cluster"]) == expected
    assert local.attrs["threshold"] == pytest.approx(threshold) and local.attrs["correction"] == correction
    if correction == "fdr":
        assert 0 < (ours["cluster"] != "ns").sum() < sum(p < 0.05 for p in p_sim)


def test_too_few_permutations_for_bonferroni_are_said(census):
    with pytest.warns(UserWarning, match="4,420 permutations or more"):
        local = cg.lisa(census, "years_of_schooling", "adcode", year=2020, seed=3, correction="bonferroni")
    assert set(local["cluster"]) == {"ns"}


def test_two_sided_doubles_the_folded_p_value(census):
    folded = cg.lisa(census, "years_of_schooling", "adcode", year=2020, seed=3, permutations=199)
    two = cg.lisa(
        census, "years_of_schooling", "adcode", year=2020, seed=3, permutations=199, alternative="two-sided"
    )
    assert np.allclose(two["p_sim"], np.minimum(2 * folded["p_sim"], 1.0))


def test_lisa_legends_say_correction_and_permutations(census, tmp_path):
    from chuanyu_geo import maps

    local = cg.lisa(
        census, "years_of_schooling", "adcode", year=2020, seed=3, permutations=999, correction="fdr"
    )
    html = maps._render(cg.lisa_map(local, tiles=None, offline=True, lang="en"), True)
    assert "FDR at 0.05" in html and "999 permutations" in html
    zh = maps._render(cg.lisa_map(local, tiles=None, offline=True, lang="zh"), True)
    assert "999 次置换" in zh and "不显著" in zh
    fig = cg.plot_lisa(local, lang="en")
    title = fig.axes[0].get_legend().get_title().get_text()
    assert "FDR at 0.05" in title and "999 permutations" in title


# --------------------------------------------------------------------------- inequality


def _direct_theil(x, p, groups):
    s, q = x * p / (x * p).sum(), p / p.sum()
    T = (s * np.log(s / q)).sum()
    frame = pd.DataFrame({"s": s, "q": q, "g": groups})
    S, P = frame.groupby("g")["s"].sum(), frame.groupby("g")["q"].sum()
    bg = (S * np.log(S / P)).sum()
    return T, bg


def test_population_weighted_theil_equals_its_formula(census):
    t = cg.theil(census, "urban_rate", "adcode", year=2020)
    m = _matched(census)
    units = cg.unit_table("county").set_index("adcode")
    x, p = m["urban_rate"].to_numpy(float), m["population"].to_numpy(float)
    T, bg = _direct_theil(x, p, units.loc[m.index, "province"].to_numpy())
    assert t.T == pytest.approx(T) and t.bg == pytest.approx(bg) and t.wg == pytest.approx(T - bg)
    assert t.weights == "population"
    unweighted = cg.theil(census, "urban_rate", "adcode", year=2020, weights=None)
    direct = TheilD(x, pd.factorize(units.loc[m.index, "province"])[0])
    assert unweighted.T == pytest.approx(float(np.ravel(direct.T)[0]))
    assert unweighted.bg == pytest.approx(float(np.ravel(direct.bg)[0]))
    assert t.T != pytest.approx(unweighted.T)


def test_williamson_equals_its_formula(census):
    m = _matched(census)
    x, p = m["urban_rate"].to_numpy(float), m["population"].to_numpy(float)
    mean = (x * p).sum() / p.sum()
    expected = math.sqrt(((x - mean) ** 2 * p).sum() / p.sum()) / mean
    assert cg.williamson(census, "urban_rate", "adcode", year=2020) == pytest.approx(expected)
    assert cg.theil(census, "urban_rate", "adcode", year=2020).cv == pytest.approx(expected)


def test_platform_groups_are_platforms(census):
    with pytest.raises(cg.InvalidArgumentError, match="邻水县"):
        cg.theil(census, "urban_rate", "adcode", year=2020, by="platform")
    member = cg.theil(census, "urban_rate", "adcode", year=2020, by="platform", overlap="member")
    assert member.groups["group"].tolist() == ["non-member", "platform member"]
    with pytest.warns(UserWarning, match="邻水县"):
        exclusive = cg.theil(census, "urban_rate", "adcode", year=2020, by="platform", overlap="exclusive")
    assert "500000" not in exclusive.dropped and "511623" in exclusive.dropped
    names = {p.short_name for p in cg.platforms()}
    assert set(exclusive.groups["group"]) <= names | {"none"}
    first = cg.theil(census, "urban_rate", "adcode", year=2020, by="platform", overlap="first")
    assert first.groups["n_units"].sum() == 221 and set(first.groups["group"]) <= names | {"none"}


def test_nested_decomposition_adds_up(census):
    nested = cg.theil(
        census, "urban_rate", "adcode", year=2020, by=("province", "platform"), overlap="member"
    )
    province = cg.theil(census, "urban_rate", "adcode", year=2020)
    assert nested.bg == pytest.approx(province.bg) and nested.bg2 > 0
    assert nested.bg + nested.bg2 + nested.wg == pytest.approx(nested.T)
    assert len(nested.groups) == 4


def test_between_share_has_permutation_inference(census):
    t = cg.theil(
        census, "urban_rate", "adcode", year=2020, by="platform", overlap="member", permutations=199, seed=2
    )
    again = cg.theil(
        census, "urban_rate", "adcode", year=2020, by="platform", overlap="member", permutations=199, seed=2
    )
    assert 1 / 200 <= t.bg_p_sim <= 1 and t.bg_p_sim == again.bg_p_sim and len(t.bg_null) == 199
    assert t.bg_p_sim == pytest.approx((1 + (t.bg_null >= t.bg - 1e-15).sum()) / 200)


# --------------------------------------------------------------------------- gravity


def test_directional_gravity_by_hand():
    table = pd.DataFrame(
        {"k": ["万州区", "开州区", "梁平区"], "pop": [150.0, 120.0, 65.0], "gdp": [1000.0, 600.0, 500.0]}
    )
    g = cg.linkage(table, ("pop", "gdp"), "k", k="gdp_share")
    assert g.is_directed() and g.number_of_edges() == 6
    units = cg.unit_table("county").set_index("adcode")
    from pyproj import Geod

    a, b = "500101", "500155"
    _, _, metres = Geod(ellps="WGS84").inv(
        units.loc[a, "label_lon"],
        units.loc[a, "label_lat"],
        units.loc[b, "label_lon"],
        units.loc[b, "label_lat"],
    )
    mass = math.sqrt(150 * 1000) * math.sqrt(65 * 500) / (metres / 1000) ** 2
    assert g.edges[a, b]["linkage"] == pytest.approx(1000 / 1500 * mass)
    assert g.edges[b, a]["linkage"] == pytest.approx(500 / 1500 * mass)
    assert g.edges[a, b]["linkage"] / g.edges[b, a]["linkage"] == pytest.approx(1000 / 500)
    out = sum(d["linkage"] for _, _, d in g.out_edges(a, data=True))
    assert g.edges[a, b]["share"] == pytest.approx(g.edges[a, b]["linkage"] / out)
    assert sum(d["share"] for _, _, d in g.out_edges(a, data=True)) == pytest.approx(1.0)
    with pytest.raises(cg.InvalidArgumentError, match="population, GDP"):
        cg.linkage(table, "pop", "k", k="gdp_share")


def test_gravity_distances_are_chosen_and_said():
    table = pd.DataFrame({"k": ["万州区", "开州区", "梁平区"], "m": [1.0, 2.0, 3.0]})
    label = cg.linkage(table, "m", "k")
    centroid = cg.linkage(table, "m", "k", distance="centroid")
    assert centroid.graph["distance"] == "centroid" and label.graph["distance"] == "label_point"
    assert centroid.edges["500101", "500154"]["distance_km"] != pytest.approx(
        label.edges["500101", "500154"]["distance_km"]
    )
    with pytest.raises(cg.InvalidArgumentError, match="no county government seats"):
        cg.linkage(table, "m", "k", distance="seat")
    points = pd.DataFrame(
        {"adcode": ["500101", "500154", "500155"], "lon": [108.4, 108.4, 107.8], "lat": [30.8, 31.2, 30.7]}
    )
    own = cg.linkage(table, "m", "k", distance=points)
    from pyproj import Geod

    _, _, metres = Geod(ellps="WGS84").inv(108.4, 30.8, 108.4, 31.2)
    assert own.edges["500101", "500154"]["distance_km"] == pytest.approx(metres / 1000)
    od = pd.DataFrame(
        [[0, 50, 80], [50, 0, 90], [80, 90, 0]],
        index=["500101", "500154", "500155"],
        columns=["500101", "500154", "500155"],
    )
    by_od = cg.linkage(table, "m", "k", distance=od)
    assert by_od.edges["500101", "500154"]["linkage"] == pytest.approx(1 * 2 / 50**2)


# --------------------------------------------------------------------------- coupling coordination


def test_coupling_coordination_by_hand():
    table = pd.DataFrame(
        {
            "unit": ["a", "b", "c", "d", "e"],
            "gdp": [10.0, 20.0, 30.0, 40.0, 50.0],
            "income": [5.0, 9.0, 6.0, 12.0, 8.0],
            "green": [0.6, 0.4, 0.5, 0.3, 0.7],
            "so2": [4.0, 8.0, 3.0, 6.0, 5.0],
        }
    )
    result = cg.coupling_coordination(
        table, {"economy": ["gdp", "income"], "ecology": ["green", "so2"]}, "unit", directions={"so2": "-"}
    )

    def standard(col, positive=True):
        x = table[col].to_numpy()
        s = (x - x.min()) / (x.max() - x.min())
        return s if positive else 1 - s

    def entropy_weights(cols):
        e = []
        for col in cols:
            p = col / col.sum()
            e.append(-sum(v * math.log(v) for v in p if v > 0) / math.log(len(p)))
        d = [1 - v for v in e]
        return [v / sum(d) for v in d]

    econ = [standard("gdp"), standard("income")]
    eco = [standard("green"), standard("so2", positive=False)]
    we, wc = entropy_weights(econ), entropy_weights(eco)
    U1 = we[0] * econ[0] + we[1] * econ[1]
    U2 = wc[0] * eco[0] + wc[1] * eco[1]
    C = np.where(U1 + U2 > 0, 2 * np.sqrt(U1 * U2) / (U1 + U2), 0)
    T = (U1 + U2) / 2
    D = np.sqrt(C * T)
    assert np.allclose(result["U_economy"], U1) and np.allclose(result["U_ecology"], U2)
    assert np.allclose(result["C"], C) and np.allclose(result["T"], T) and np.allclose(result["D"], D)
    weights = pd.DataFrame(result.attrs["weights"]).set_index("indicator")["weight"]
    assert np.allclose(weights[["gdp", "income", "green", "so2"]], [*we, *wc])
    classes = cg.coupling_classes()
    for d, label in zip(D, result["class"]):
        row = classes[(classes["lower"] < d) & (d <= classes["upper"])] if d > 0 else classes.iloc[[0]]
        assert row["zh"].iloc[0] == label
    assert "地理学报" in result.attrs["classes_source"]


def test_coupling_refuses_what_it_cannot_compute():
    table = pd.DataFrame({"u": ["a", "b"], "x": [1.0, 1.0], "y": [1.0, 2.0]})
    with pytest.raises(cg.InvalidArgumentError, match="constant"):
        cg.coupling_coordination(table, {"one": ["x"], "two": ["y"]}, "u")
    with pytest.raises(cg.InvalidArgumentError, match="two or more"):
        cg.coupling_coordination(table, {"one": ["x"]}, "u")
    with pytest.raises(cg.InvalidArgumentError, match="not numeric"):
        cg.coupling_coordination(table.assign(y=["a", "b"]), {"one": ["x"], "two": ["y"]}, "u")
