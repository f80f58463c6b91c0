"""Treatment coding, the design as data, design_report and the estimators (issue 23)."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

import chuanyu_geo as cg

NEIRONG_BORDER = {"荣昌区", "东兴区", "隆昌市"}


def _with_outcome(panel: pd.DataFrame, seed: int, effect: float = 0.5) -> pd.DataFrame:
    """Unit and year effects, AR(1) noise per unit, and a planted effect on the treated."""
    rng = np.random.default_rng(seed)
    units = sorted(set(panel["unit"]))
    years = sorted(set(panel["year"]))
    alpha = dict(zip(units, rng.normal(0, 1, len(units))))
    gamma = dict(zip(years, rng.normal(0, 0.5, len(years))))
    noise = {}
    for unit in units:
        e = rng.normal(0, 1)
        for year in years:
            e = 0.3 * e + rng.normal(0, 0.5)
            noise[(unit, year)] = e
    out = panel.copy()
    out["y"] = (
        out["unit"].map(alpha)
        + out["year"].map(gamma)
        + [noise[(u, t)] for u, t in zip(out["unit"], out["year"])]
        + effect * out["treated"].astype(float).fillna(0.0)
    )
    return out


# --------------------------------------------------------------------------- treatment coding


def test_neirong_overall_plan_is_missing_not_untreated_and_left_out_with_its_names():
    for plan in ("2020", "2023"):
        table = cg.treatment_table(plan=plan, event="overall_plan")
        neirong = table[table["platform_id"] == "neirong"]
        assert neirong["first_treated"].isna().all() and neirong["treated"].isna().all()
        assert (neirong["date_precision"] == "unknown").all()
    # plan 2023: 川南渝西's date must not fill in for 内荣's units
    design = cg.border_pair_panel(plan="2023", event="overall_plan", years=range(2018, 2024))
    rows = design[design["name"].isin(NEIRONG_BORDER)]
    assert rows["first_treated"].isna().all() and rows["treated"].isna().all()
    assert rows["treatment_date"].isna().all()
    panel = _with_outcome(cg.border_pair_panel(plan="2020", event="overall_plan"), seed=1)
    with pytest.warns(cg.DesignWarning) as caught:
        result = cg.did(panel, "y")
    message = " ".join(str(w.message) for w in caught)
    assert all(name in message for name in NEIRONG_BORDER)
    assert any("3 units of unknown date" in note for note in result.notes)
    with warnings.catch_warnings():
        warnings.simplefilter("error", cg.DesignWarning)
        back = cg.did(panel, "y", unknown="never")
    assert back.n_obs == len(panel) > result.n_obs
    with pytest.raises(cg.InvalidArgumentError, match="unknown"):
        cg.did(panel, "y", unknown="error")


def test_an_approval_on_the_last_day_of_a_year_treats_the_next_year():
    table = cg.treatment_table(plan="2020", event="overall_plan")
    suitong = table[table["platform_id"] == "suitong"]
    assert set(suitong["date"]) == {"2020-12-31"} and set(suitong["first_treated"]) == {2021}
    units = cg.unit_panel(plan="2020", event="overall_plan", years=[2020, 2021])
    tongnan = units[units["name"] == "潼南区"].set_index("year")["treated"]
    assert tongnan[2020] == 0 and tongnan[2021] == 1
    any_day = cg.treatment_table(plan="2020", event="overall_plan", how="any_day")
    assert set(any_day.loc[any_day["platform_id"] == "suitong", "first_treated"]) == {2020}
    share = cg.treatment_table(plan="2020", event="overall_plan", how="share_of_year")
    assert share.loc[share["platform_id"] == "suitong", "first_year_share"].iloc[0] == pytest.approx(1 / 366)
    assert set(table["date_precision"]) <= {"day", "month", "year", "unknown"}
    assert table["date_source"].notna().all()


def test_under_vintage_2025_treatment_follows_the_territory():
    table = cg.treatment_table(plan="2020", vintage="2025", event="designated")
    beibei = table[(table["name"] == "北碚区") & (table["platform_id"] == "gaozhu")].iloc[0]
    assert beibei["treated"] == pd.Timestamp("2025-11-06") and beibei["first_treated"] == 2026
    assert "2025-11-06" in beibei["treatment_note"] and "渝北区" in beibei["treatment_note"]
    # no unit is treated before its platform's date, nor before its treated territory joined it
    platform_dates = pd.to_datetime(table["date"])
    assert (table["treated"] >= platform_dates).all()
    units = cg.unit_panel(plan="2020", vintage="2025", years=range(2019, 2026))
    assert units.loc[(units["name"] == "北碚区") & (units["year"] <= 2025), "treated"].eq(0).all()
    # a census harmonised onto the 2025 units joins without a silent NaN
    census = cg.load_census(2020)[["adcode", "population"]]
    with warnings.catch_warnings():
        warnings.simplefilter("error", cg.DesignWarning)
        warnings.simplefilter("ignore", cg.HarmoniseWarning)
        joined = cg.unit_panel(
            census, key="adcode", columns={"population": "sum"}, vintage="2025", years=[2020], table_year=2020
        )
    assert joined["population"].notna().all()
    stable = joined[joined["unit"].str.contains("+", regex=False)]
    assert list(stable["unit"]) == ["500105+500109"] and stable["first_treated"].iloc[0] == 2021


def test_a_missing_outcome_is_named():
    values = pd.DataFrame({"code": ["510521", "500118"], "x": [1.0, 2.0]})
    with pytest.warns(cg.DesignWarning, match=r"'x' is missing for 28 unit-years: .*江津区 500116 \(2020\)"):
        cg.border_pair_panel(values, key="code", years=[2020])


# --------------------------------------------------------------------------- design_report


def test_design_report_reproduces_the_2020_plan():
    designated = cg.border_pair_panel(plan="2020")
    report = cg.design_report(designated, show=False).set_index("item")
    assert report.loc["pairs", "value"] == 29 and report.loc["pairs with contrast", "value"] == 0
    approvals = cg.border_pair_panel(plan="2020", event="overall_plan")
    with pytest.warns(cg.DesignWarning):
        report = cg.design_report(approvals, show=False).set_index("item")
    known = approvals[approvals["treated"].notna()]
    spread = known.groupby(["pair_id", "year"])["treated"].agg(["min", "max", "count"])
    cells = spread[(spread["count"] == 2) & (spread["max"] > spread["min"])]
    assert report.loc["cells with contrast", "value"] == len(cells) > 0
    assert report.loc["pairs with contrast", "value"] == cells.index.get_level_values(0).nunique()
    several = report.loc[report["section"] == "several pairs"]
    assert "邻水县" in several.index and report.loc["minimum detectable effect", "value"] > 0
    with pytest.raises(cg.NotIdentifiedError, match="design_report"):
        cg.did(_with_outcome(designated, seed=0), "y")


# --------------------------------------------------------------------------- estimators


def _unit_data(seed: int) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cg.DesignWarning)
        panel = cg.unit_panel(plan="2020", event="overall_plan", years=range(2015, 2024))
        from chuanyu_geo.designs import apply_unknown

        return _with_outcome(apply_unknown(panel, "exclude"), seed)


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["treated"] = out["treated"].astype(float)
    out["first_treated"] = out["first_treated"].astype(int)
    return out


def test_estimates_equal_the_packages_called_directly():
    pf = pytest.importorskip("pyfixest")
    dd = pytest.importorskip("diff_diff")
    data = _unit_data(3)
    direct = _clean(data)
    twfe = cg.did(data, "y")
    model = pf.feols("y ~ treated | unit + year", data=direct, vcov={"CRV1": "unit"})
    assert abs(twfe.estimate - model.coef()["treated"]) < 1e-8 and abs(twfe.se - model.se()["treated"]) < 1e-8
    two = cg.did(data, "y", estimator="did2s")
    model = pf.did2s(
        direct,
        "y",
        first_stage="~ 0 | unit + year",
        second_stage="~ treated",
        treatment="treated",
        cluster="unit",
    )
    assert abs(two.estimate - model.coef()["treated"]) < 1e-8
    sa = cg.did(data, "y", estimator="sun_abraham")
    model = dd.SunAbraham(cluster="unit").fit(direct, "y", "unit", "year", "first_treated")
    assert abs(sa.estimate - model.overall_att) < 1e-8 and abs(sa.se - model.overall_se) < 1e-8
    cs = cg.did(data, "y", estimator="callaway_santanna")
    model = dd.CallawaySantAnna(cluster="unit").fit(direct, "y", "unit", "year", "first_treated")
    assert abs(cs.estimate - model.overall_att) < 1e-8
    pair = _with_outcome(cg.border_pair_panel(plan="2020", event="overall_plan"), seed=3)
    with pytest.warns(cg.DesignWarning):
        result = cg.did(pair, "y")
    known = _clean(pair[pair["treated"].notna()])
    model = pf.feols("y ~ treated | unit + pair_id^year", data=known, vcov={"CRV1": "unit+pair_id"})
    assert abs(result.estimate - model.coef()["treated"]) < 1e-8
    assert set(result.n_clusters) == {"unit", "pair_id"}
    with pytest.raises(cg.InvalidArgumentError, match="unit panel"):
        cg.did(pair, "y", estimator="callaway_santanna")
    with pytest.raises(cg.NotIdentifiedError, match="one adoption year"):
        cg.did(data, "y", estimator="sdid")


@pytest.mark.parametrize("estimator", ["twfe", "did2s", "sun_abraham", "callaway_santanna"])
def test_intervals_cover_a_planted_effect(estimator):
    pytest.importorskip("pyfixest")
    pytest.importorskip("diff_diff")
    covered = 0
    for seed in range(10):
        result = cg.did(_unit_data(100 + seed), "y", estimator=estimator)
        covered += result.ci[0] <= 0.5 <= result.ci[1]
    assert covered >= 8


def test_sdid_event_study_bootstrap_and_plot():
    pytest.importorskip("pyfixest")
    pytest.importorskip("diff_diff")
    units = _with_outcome(cg.unit_panel(plan="2020", years=range(2016, 2024)), seed=5, effect=1.0)
    sdid = cg.did(units, "y", estimator="sdid")
    assert sdid.ci[0] < 1.0 < sdid.ci[1]
    study = cg.event_study(units, "y", leads=3, lags=2)
    assert -1 not in set(study.tidy["event_time"]) and study.tidy["event_time"].min() == -3
    figure = study.plot(lang="zh")
    assert figure.axes and not hasattr(figure, "canvas_manager_pyplot")
    boot = cg.did(units, "y", bootstrap="platform", reps=99)
    assert 0 <= boot.bootstrap["Pr(>|t|)"] <= 1


def test_spatial_panel_gives_impacts():
    pytest.importorskip("spreg")
    units = _with_outcome(cg.unit_panel(plan="2020", years=range(2018, 2024)), seed=2)
    fit = cg.spatial_panel(units, "y", model="durbin")
    terms = fit.tidy.set_index("term")["estimate"]
    assert terms["total"] == pytest.approx(terms["direct"] + terms["indirect"])
    assert "W_treated" in terms.index


def test_without_the_extra_one_line_and_import_stays_light(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyfixest", None)
    units = _with_outcome(cg.unit_panel(plan="2020", years=range(2019, 2023)), seed=0)
    with pytest.raises(cg.MissingExtraError, match=r'pip install "chuanyu-geo\[causal\]"') as caught:
        cg.did(units, "y")
    assert "\n" not in str(caught.value)
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, chuanyu_geo; print(sorted(m for m in ('pyfixest', 'diff_diff', 'spreg', 'wildboottest') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
    )
    assert run.stdout.strip() == "[]", run.stderr


def test_a_bootstrap_on_collinear_fixed_effects_is_refused():
    # Leaving out 内荣's undated units splits the unit–pair graph: the dummies pyfixest's wild
    # bootstrap spells out are collinear, and its p-values rejected a null in 35% of draws.
    rng = np.random.default_rng(0)
    pairs = cg.border_pair_panel(plan="2020", event="overall_plan", years=range(2015, 2025))
    pairs["y"] = rng.normal(size=len(pairs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(cg.InvalidArgumentError, match="collinear"):
            cg.did(pairs, "y", bootstrap="platform")
        kept = cg.did(pairs, "y", bootstrap="platform", unknown="never", reps=199, seed=1)
    assert 0 < float(kept.bootstrap["Pr(>|t|)"]) <= 1
