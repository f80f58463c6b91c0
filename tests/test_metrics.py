from __future__ import annotations

import pytest

import chuanyu_geo as cg


@pytest.fixture(scope="module")
def graph():
    return cg.adjacency_graph(level="county")


def test_platform_metrics(graph):
    table = cg.platform_metrics(graph=graph).set_index("platform_id")
    assert list(table.index) == [p.id for p in cg.platforms()]
    assert table["contiguous"].all(), "every platform of the plan is one contiguous area"
    assert (table["cross_border_edges"] > 0).all(), "every platform spans the provincial border"
    assert table.loc["gaozhu", "precision"] == "approximate" and table.loc["suitong", "precision"] == "exact"
    assert table.loc["wandakai", "area_km2"] == pytest.approx(24_100, rel=0.01)
    assert table.loc["suitong", "cross_border_edges"] == 3  # 船山, 安居, 蓬溪 touch 潼南
    assert "合川区" in table.loc["suitong", "external_neighbours"]
    # Cross-border km inside a platform never exceed the platform's units' own border.
    pairs = cg.cross_border_pairs(graph=graph)
    for pid, row in table.iterrows():
        members = set(cg.get_platform(pid).member_adcodes())
        touching = pairs[pairs["adcode_a"].isin(members) & pairs["adcode_b"].isin(members)]
        assert row["cross_border_km"] == pytest.approx(touching["shared_km"].sum(), abs=0.01)


def test_cluster_metrics(graph):
    table = cg.cluster_metrics(graph=graph).set_index("cluster")
    assert list(table.index) == ["northeast", "central", "southwest"]
    assert table.loc["central", "platforms"] == "高竹新区、合广长、遂潼、资大"
    assert table["contiguous"].all()
    assert table["border_share"].sum() <= 1.0


def test_border_coverage(graph):
    coverage = cg.border_coverage(graph=graph)
    assert coverage["border_km"] == pytest.approx(1018.9, abs=0.5)
    assert 0 < coverage["covered_km"] <= coverage["both_sides_in_any_km"] <= coverage["border_km"]
    assert 0.5 < coverage["share"] < 1.0
    assert coverage["vintage"] == "2024" and coverage["source"].startswith("tianditu")
