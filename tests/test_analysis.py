"""Analyses handed to PySAL (issue 15): each checked against the maintained library itself."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import esda  # noqa: E402
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from conftest import esda_local_moran_without_numba
from inequality.theil import TheilD  # noqa: E402
from libpysal.graph import Graph  # noqa: E402

import chuanyu_geo as cg


@pytest.fixture(scope="module")
def census():
    c = cg.load_census(2020)
    return c[~c["adcode"].isin(cg.not_divisions()["adcode"])].reset_index(drop=True)


def _neighbours(graph) -> set:
    adjacency = graph.adjacency.reset_index()
    adjacency = adjacency[(adjacency["weight"] > 0) & (adjacency["focal"] != adjacency["neighbor"])]
    return set(zip(adjacency["focal"], adjacency["neighbor"]))


@pytest.mark.parametrize("level,vintage", [("county", "2024"), ("county", "2025"), ("partner", "2024")])
def test_weights_equal_libpysal_contiguity(level, vintage):
    layer = cg.load_boundaries(level, vintage).set_index("adcode")
    for kind, rook in (("queen", False), ("rook", True)):
        ours = cg.weights(level, kind, vintage=vintage)
        theirs = Graph.build_contiguity(layer, rook=rook)
        assert _neighbours(ours) == _neighbours(theirs), kind
        assert ours.to_W().n == len(layer)


def test_shared_km_and_cross_border_weights_come_from_the_graph():
    graph = cg.adjacency_graph(level="county")
    w = cg.weights(graph, "shared_km").adjacency
    for a, b, d in graph.edges(data=True):
        if d["contact"] == "edge":
            assert w.loc[(a, b)] == pytest.approx(d["shared_km"]) and w.loc[(b, a)] == pytest.approx(
                d["shared_km"]
            )
    cross = _neighbours(cg.weights(graph, "cross_border"))
    pairs = cg.cross_border_pairs(graph=graph)
    assert cross == set(zip(pairs["adcode_a"], pairs["adcode_b"])) | set(
        zip(pairs["adcode_b"], pairs["adcode_a"])
    )
    second = _neighbours(cg.weights("county", "queen", order=2))
    first = _neighbours(cg.weights("county", "queen"))
    assert second and not (second & first), "order 2 neighbours exclude the first order"
    row = cg.weights("county", "queen", transform="r").adjacency.groupby(level=0).sum()
    assert np.allclose(row[row > 0], 1.0)


def test_weights_files_for_other_software(tmp_path):
    from libpysal import io

    w = cg.weights("county", "rook")
    gal = cg.write_weights(w, tmp_path / "w.gal")
    assert io.open(str(gal)).read().n == w.n
    csv = pd.read_csv(
        cg.write_weights(cg.weights("county", "shared_km"), tmp_path / "w.csv"),
        dtype={"focal": str, "neighbor": str},
    )
    assert list(csv.columns) == ["focal", "neighbor", "weight"] and (csv["weight"] > 0).all()
    assert (tmp_path / "w.gal").read_text().splitlines()[0].split()[-1] == str(w.n)
    cg.write_weights(cg.weights("county", "shared_km"), tmp_path / "w.gwt")
    assert (tmp_path / "w.gwt").stat().st_size > 0


def test_morans_i_equals_esda(census):
    mi = cg.morans_i(census, "years_of_schooling", "adcode", year=2020, permutations=199, seed=7)
    w = cg.weights("county", "queen")
    matched, _ = cg.join_table(census, "adcode", year=2020)  # 2020 codes on the 2024 units (会理县 -> 会理市)
    y = matched.set_index("adcode").loc[list(w.unique_ids), "years_of_schooling"].to_numpy(dtype=float)
    np.random.seed(7)
    direct = esda.Moran(y, w, transformation="r", permutations=199)
    assert (
        mi.I == pytest.approx(direct.I)
        and mi.p_sim == pytest.approx(direct.p_sim)
        and mi.z_sim == pytest.approx(direct.z_sim)
    )
    assert mi.p_norm == pytest.approx(direct.p_norm) and mi.units == list(w.unique_ids)


def test_lisa_equals_esda(census):
    local = cg.lisa(census, "years_of_schooling", "adcode", year=2020, permutations=199, seed=3)
    w = cg.weights("county", "queen")
    matched, _ = cg.join_table(census, "adcode", year=2020)  # 2020 codes on the 2024 units (会理县 -> 会理市)
    y = matched.set_index("adcode").loc[list(w.unique_ids), "years_of_schooling"].to_numpy(dtype=float)
    # The draws are esda's NumPy draws (what esda does where numba is not installed), value
    # for value; the statistics themselves are esda's in this process too.
    direct = esda_local_moran_without_numba(y, w, transformation="r", permutations=199, seed=3)
    here = esda.Moran_Local(y, w, transformation="r", permutations=0)
    assert np.array_equal(local.attrs["sim"], direct["sim"]) and local.attrs["seed"] == 3
    assert (
        np.allclose(local["Is"], direct["Is"])
        and np.allclose(local["Is"], here.Is)
        and np.array_equal(local["p_sim"], direct["p_sim"])
        and (local["q"] == direct["q"]).all()
    )
    expected = [
        {1: "HH", 2: "LH", 3: "LL", 4: "HL"}[q] if p < 0.05 else "ns"
        for q, p in zip(direct["q"], direct["p_sim"])
    ]
    assert list(local["cluster"]) == expected and {"HH", "LL"} <= set(local["cluster"])


@pytest.mark.parametrize(("kind", "transform"), [("shared_km", "r"), ("queen", "b"), ("shared_km", None)])
def test_lisa_draws_equal_esdas_under_every_weighting(census, kind, transform):
    # Unequal weights in a row pair each neighbour's weight with its own draw: the order
    # of the weights must be esda's (Graph.sparse, row by row).
    local = cg.lisa(
        census,
        "years_of_schooling",
        "adcode",
        year=2020,
        kind=kind,
        transform=transform,
        permutations=99,
        seed=11,
        allow_partial=True,
    )
    units = local.dropna(subset=["Is"])["adcode"].tolist()
    w = cg.weights("county", kind).subgraph(units)
    w = w.transform(transform) if transform else w
    matched, _ = cg.join_table(census, "adcode", year=2020)
    y = matched.set_index("adcode").loc[list(w.unique_ids), "years_of_schooling"].to_numpy(dtype=float)
    direct = esda_local_moran_without_numba(y, w, transformation=transform or "o", permutations=99, seed=11)
    ours = local.set_index("adcode").loc[list(w.unique_ids)]
    assert np.array_equal(ours["p_sim"].to_numpy(), direct["p_sim"])
    assert np.array_equal(local.attrs["sim"], direct["sim"])


def test_the_simulations_keep_a_self_weight_as_esda_does():
    # lisa's weights have no diagonal, but the function takes any: a self-weight stays with
    # its unit (esda's _moran_local_crand), it is not drawn.
    from chuanyu_geo.conditional import local_moran_simulations

    rng = np.random.default_rng(4)
    ids = list(range(12))
    focal = [i for i in ids for j in ids if j != i and abs(i - j) <= 2] + [0, 5]
    neighbor = [j for i in ids for j in ids if j != i and abs(i - j) <= 2] + [0, 5]
    w = Graph.from_arrays(focal, neighbor, rng.uniform(0.5, 2, len(focal)))
    y = rng.normal(size=12)
    direct = esda_local_moran_without_numba(y, w, transformation="o", permutations=49, seed=8)
    ours = local_moran_simulations(direct["z"], w.sparse, 49, 8)
    assert w.sparse.diagonal()[[0, 5]].all() and np.array_equal(ours, direct["sim"])


def test_a_unit_next_to_every_other_is_not_tested(census):
    # 万州区 touches both 开州区 and 梁平区 (which do not touch each other): every permutation
    # draws the same two values for it, so esda's p-value (the smallest possible) means nothing.
    trio = census[census["adcode"].isin(["500101", "500154", "500155"])]
    with pytest.warns(UserWarning, match=r"LISA: 万州区 \(500101\) neighbour\(s\) every other unit tested"):
        local = cg.lisa(
            trio, "years_of_schooling", "adcode", year=2020, seed=1, permutations=99, allow_partial=True
        )
    by_code = local.set_index("adcode")
    assert np.isnan(by_code.at["500101", "p_sim"]) and by_code.at["500101", "cluster"] == "ns"
    assert by_code.loc[["500154", "500155"], "p_sim"].notna().all()
    assert local.attrs["untestable"] == ["500101"] and local.attrs["n_tested"] == 2
    html = cg.lisa_map(local, lang="en", tiles=None, offline=True).get_root().render()
    assert "no p-value: next to every other unit" in html and "p = nan" not in html
    # In a larger table the same units are tested as usual.
    full = cg.lisa(
        census, "years_of_schooling", "adcode", year=2020, seed=1, permutations=99, allow_partial=True
    )
    assert full.attrs["untestable"] == [] and full["p_sim"].notna().sum() == full.attrs["n_tested"]


def test_lisa_compiles_nothing_and_leaves_numpys_generator_alone():
    # numba is installed here (the causal extra brings it): esda would compile its permutation
    # code on the first call, for 10-20 s. A seedless call records the seed it drew.
    assert importlib.util.find_spec("numba") is not None, "the test extra installs numba"
    code = (
        "import numpy as np, warnings, chuanyu_geo as cg, esda.crand as c\n"
        "warnings.simplefilter('ignore')\n"
        "np.random.seed(5); before = np.random.random(); np.random.seed(5)\n"
        "t = cg.load_census(2020)\n"
        "a = cg.lisa(t, 'years_of_schooling', 'adcode', year=2020, permutations=99, allow_partial=True)\n"
        "b = cg.lisa(t, 'years_of_schooling', 'adcode', year=2020, permutations=99, allow_partial=True,"
        " seed=a.attrs['seed'])\n"
        "print(len(c.compute_chunk.signatures), before == np.random.random(), a['p_sim'].equals(b['p_sim']))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["0", "True", "True"]


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "3", True])
def test_lisa_names_a_bad_seed(census, seed):
    with pytest.raises(cg.InvalidArgumentError, match=r"seed=.* must be an int from 0 to 2\*\*32 - 1"):
        cg.lisa(census, "years_of_schooling", "adcode", year=2020, seed=seed, allow_partial=True)


@pytest.mark.parametrize("by", ["province", "platform", "cluster"])
def test_theil_equals_inequality(census, by):
    # Equal weights: Theil's T of the units, exactly inequality's TheilD.
    result = cg.theil(census, "population", "adcode", year=2020, by=by, weights=None, overlap="first")
    assert result.bg + result.bg2 + result.wg == pytest.approx(result.T) and result.bg2 == 0
    y = census.set_index("adcode")["population"].astype(float)
    groups = census.set_index("adcode")["province"]
    if by == "province":
        direct = TheilD(y.to_numpy(), pd.factorize(groups)[0])
        assert result.T == pytest.approx(float(np.ravel(direct.T)[0])) and result.bg == pytest.approx(
            float(np.ravel(direct.bg)[0])
        )
    assert result.groups["total"].sum() == pytest.approx(y.sum())
    assert result.cv == pytest.approx(y.std(ddof=0) / y.mean())
    if by != "province":
        assert not any("+" in g for g in result.groups["group"]), "every group is one platform (or none)"


def test_linkage_by_hand():
    table = pd.DataFrame(
        {"k": ["万州区", "开州区", "梁平区"], "pop": [100.0, 50.0, 20.0], "gdp": [4.0, 2.0, 5.0]}
    )
    g = cg.linkage(table, ("pop", "gdp"), "k", b=2)
    units = cg.unit_table("county").set_index("adcode").loc[["500101", "500154", "500155"]]
    from pyproj import Geod

    _, _, d = Geod(ellps="WGS84").inv(
        units.loc["500101", "label_lon"],
        units.loc["500101", "label_lat"],
        units.loc["500155", "label_lon"],
        units.loc["500155", "label_lat"],
    )
    expected = np.sqrt(100 * 4) * np.sqrt(20 * 5) / (d / 1000) ** 2
    assert g.edges["500101", "500155"]["linkage"] == pytest.approx(expected)
    assert nx.number_of_edges(g) == 3 and not any(d["cross_border"] for _, _, d in g.edges(data=True))
    summary = cg.linkage_summary(g)
    assert summary["total"].sum() == pytest.approx(2 * sum(d["linkage"] for _, _, d in g.edges(data=True)))
    by_platform = cg.linkage_summary(g, by="platform").set_index("platform")
    assert by_platform.loc["明月山", "total"] == pytest.approx(
        summary.set_index("adcode").loc["500155", "total"]
    )  # only 梁平区 here


def test_lisa_figure(census, tmp_path):
    import matplotlib.pyplot as plt

    local = cg.lisa(census, "years_of_schooling", "adcode", year=2020, permutations=99, seed=3)
    fig = cg.plot_lisa(local, lang="en")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[:5] == ["High–High", "Low–Low", "High–Low", "Low–High", "not significant"]
    fig.savefig(tmp_path / "lisa.pdf")
    plt.close(fig)


def test_border_pair_panel():
    design = cg.border_pair_panel(plan="2020", level="county", vintage="2024", years=range(2015, 2024))
    assert len(design) == 29 * 9 * 2 and design["pair_id"].nunique() == 29
    pairs = cg.cross_border_pairs(level="county")
    expected = {f"{a}-{b}": (a, b) for a, b in zip(pairs["adcode_a"], pairs["adcode_b"])}
    for pair_id, rows in design.groupby("pair_id"):
        sides = dict(zip(rows["side"], rows["adcode"]))
        assert (sides["a"], sides["b"]) == expected[pair_id]
    assert set(design.loc[design["year"] < 2020, "treated"]) == {0}
    treated_2021 = design[(design["year"] == 2021) & (design["platforms"] != "")]
    assert set(treated_2021["treated"]) == {1}
    assert (design["distance_to_border_km"] < 80).all()
    values = pd.DataFrame({"code": pairs["adcode_a"].unique(), "x": 1.0})
    joined = cg.border_pair_panel(values, key="code")
    assert (
        joined.loc[joined["side"] == "a", "x"].eq(1.0).all()
        and joined.loc[joined["side"] == "b", "x"].isna().all()
    )


def test_a_clear_line_without_the_extra(monkeypatch, census):
    monkeypatch.setitem(sys.modules, "esda", None)
    with pytest.raises(cg.MissingExtraError, match=r'pip install "chuanyu-geo\[analysis\]"'):
        cg.morans_i(census, "years_of_schooling", "adcode", year=2020)
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, chuanyu_geo; print(sorted(m for m in ('libpysal', 'esda', 'inequality') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
    )
    assert run.stdout.strip() == "[]", "import chuanyu_geo stays light"


@pytest.mark.parametrize(("level", "vintage"), [("county", "2024"), ("county", "2025"), ("partner", "2025")])
def test_weights_of_a_level_equal_those_of_its_adjacency_graph(level, vintage):
    # Two ways in: a level (from the contacts table) and a graph (from its edges); one result.
    for detail in ("standard", "fine"):
        graph = cg.adjacency_graph(level=level, vintage=vintage, detail=detail)
        for kind in ("queen", "rook", "shared_km", "cross_border"):
            for order, transform in ((1, None), (1, "r"), (2, None)):
                by_level = cg.weights(
                    level, kind, vintage=vintage, detail=detail, order=order, transform=transform
                )
                by_graph = cg.weights(graph, kind, order=order, transform=transform)
                assert by_level.equals(by_graph), (
                    detail,
                    kind,
                    order,
                    transform,
                )  # ids, their dtype, weights
                assert list(by_level.unique_ids) == list(graph.nodes)
                assert list(by_level.isolates) == list(by_graph.isolates)
    assert cg.weights(level, "cross_border", vintage=vintage).pct_nonzero > 0
    with pytest.raises(cg.InvalidArgumentError, match="graph_or_level must be a networkx.Graph .* got int"):
        cg.weights(3)


def test_weights_loads_neither_the_tables_nor_the_pair_design_and_their_old_paths_work():
    from conftest import modules_loaded_by

    loaded = modules_loaded_by(
        "import chuanyu_geo as cg; cg.weights('county')",
        ("chuanyu_geo.tables", "chuanyu_geo.designs", "esda", "networkx"),
    )
    assert loaded == [], "weights of a level are built from the contacts table, without a graph"
    from chuanyu_geo.analysis import UnmatchedRowsError, border_pair_panel

    assert border_pair_panel is cg.border_pair_panel and UnmatchedRowsError is cg.UnmatchedRowsError
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        cg.analysis.nothing  # noqa: B018
