"""Estimators on the designs of :mod:`chuanyu_geo.designs`, handed to pyfixest, diff-diff and spreg.

We shape the design and check that it identifies something; the maintained packages
estimate. Each call returns a :class:`CausalResult` whose numbers are the package's own
(``.model`` is its result object). These need the ``causal`` extra
(``pip install "chuanyu-geo[causal]"``); ``import chuanyu_geo`` imports none of them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._errors import ChuanyuGeoError, InvalidArgumentError
from .analysis import _require
from .boundaries import check_choice
from .designs import UNKNOWN_POLICIES, DesignWarning, _is_pair, apply_unknown, default_fe, residual_treatment

__all__ = ["did", "event_study", "spatial_panel", "CausalResult", "NotIdentifiedError", "ESTIMATORS"]

ESTIMATORS = ("twfe", "sun_abraham", "callaway_santanna", "did2s", "sdid")
EVENT_ESTIMATORS = ("twfe", "sun_abraham", "callaway_santanna")
_UNIT_ONLY = ("sun_abraham", "callaway_santanna", "sdid")
_LABELS = {
    "zh": {"estimate": "估计值", "event_time": "相对政策年份", "title": "{estimator}: {outcome}"},
    "en": {"estimate": "estimate", "event_time": "years since treatment", "title": "{estimator}: {outcome}"},
}


class NotIdentifiedError(ChuanyuGeoError, ValueError):
    """The design has no variation that identifies the effect: no number is given."""


@dataclass
class CausalResult:
    """One estimate with its inference, and the package's own result object.

    Attributes
    ----------
    estimator : str
    outcome : str
    estimate, se : float
        The overall effect and its standard error (NaN where the package gives none).
    ci : tuple of float
        The confidence interval the package reports at level ``1 - alpha``.
    n_clusters : dict
        Clusters per clustering variable.
    n_obs : int
    model : object
        The pyfixest, diff-diff or spreg result.
    tidy : pandas.DataFrame
        ``term``, ``estimate``, ``se``, ``ci_low``, ``ci_high`` (and ``event_time`` for an
        event study).
    notes : list of str
        What was done to the panel (units left out, clustering, bootstrap).
    """

    estimator: str
    outcome: str
    estimate: float
    se: float
    ci: tuple[float, float]
    n_clusters: dict
    n_obs: int
    model: object
    tidy: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    bootstrap: pd.Series | None = None

    def __repr__(self) -> str:
        return (
            f"CausalResult({self.estimator}, {self.outcome}: {self.estimate:.4g} "
            f"(se {self.se:.4g}, CI {self.ci[0]:.4g} to {self.ci[1]:.4g}), n={self.n_obs}, "
            f"clusters={self.n_clusters})"
        )

    def plot(self, lang: str = "zh", ax=None):
        """The estimates with their intervals, as a matplotlib Figure (no pyplot state).

        Parameters
        ----------
        lang : {"zh", "en"}
        ax : matplotlib.axes.Axes, optional
            Draw here instead of on a new figure.

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import numpy as np, chuanyu_geo as cg
        >>> units = cg.unit_panel(plan="2020", years=range(2017, 2024))
        >>> units["y"] = np.random.default_rng(1).normal(size=len(units)) + units["treated"]
        >>> figure = cg.event_study(units, "y", leads=3, lags=2).plot(lang="en")
        >>> figure.axes[0].get_xlabel()
        'years since treatment'
        """
        from matplotlib.figure import Figure

        from .plot import cjk_font

        lang = check_choice("lang", lang, ("zh", "en"))
        words = _LABELS[lang]
        if ax is None:
            figure = Figure(figsize=(6, 3.5))
            ax = figure.add_subplot()
        else:
            figure = ax.figure
        table = self.tidy
        if "event_time" in table.columns:
            x = table["event_time"].to_numpy(dtype=float)
            ax.axvline(-0.5, color="#999999", linewidth=0.8, linestyle=":")
            ax.set_xlabel(words["event_time"])
        else:
            x = np.arange(len(table), dtype=float)
            ax.set_xticks(x, table["term"])
        ax.errorbar(
            x,
            table["estimate"],
            yerr=[table["estimate"] - table["ci_low"], table["ci_high"] - table["estimate"]],
            fmt="o",
            color="#1f4e79",
            capsize=3,
        )
        ax.axhline(0, color="#666666", linewidth=0.8)
        ax.set_ylabel(words["estimate"])
        ax.set_title(words["title"].format(estimator=self.estimator, outcome=self.outcome))
        font = cjk_font() if lang == "zh" else None
        if font:
            for text in [ax.title, ax.xaxis.label, ax.yaxis.label]:
                text.set_fontfamily(font)
        return figure


# --------------------------------------------------------------------------- preparing the data


def _prepare(panel, outcome, unknown, stacklevel=4) -> tuple[pd.DataFrame, list[str]]:
    if not isinstance(panel, pd.DataFrame) or "first_treated" not in panel.columns:
        raise InvalidArgumentError("panel must come from cg.unit_panel or cg.border_pair_panel")
    if outcome not in panel.columns:
        raise InvalidArgumentError(f"outcome={outcome!r} is not a column of the panel")
    notes = []
    frame = apply_unknown(panel, unknown, stacklevel=stacklevel + 1)
    if len(frame) < len(panel):
        notes.append(
            f"left out {panel.loc[panel['first_treated'].isna(), 'unit'].nunique()} units of unknown date"
        )
    missing = frame[outcome].isna()
    if missing.any():
        names = sorted(set(frame.loc[missing, "name"]))
        warnings.warn(
            f"{int(missing.sum())} rows without {outcome!r} are left out ({'、'.join(names[:10])}"
            f"{' …' if len(names) > 10 else ''})",
            DesignWarning,
            stacklevel=stacklevel,
        )
        notes.append(f"left out {int(missing.sum())} rows without {outcome!r}")
        frame = frame.loc[~missing]
    frame = frame.copy().reset_index(drop=True)
    frame["unit"] = frame["unit"].astype(str)
    frame["year"] = frame["year"].astype(int)
    frame["treated"] = frame["treated"].astype(float)
    frame["first_treated"] = frame["first_treated"].astype(int)
    frame["ever_treated"] = frame["ever_treated"].astype(int)
    frame[outcome] = frame[outcome].astype(float)
    groups = frame["platforms"].where(frame["platforms"] != "", "none:" + frame["unit"])
    frame["platform_cluster"] = pd.factorize(groups)[0]
    return frame, notes


def _check_identified(frame: pd.DataFrame, fe: str, estimator: str) -> None:
    if _is_pair(frame) and "pair_id" in fe and "year" in fe:
        spread = frame.groupby(["pair_id", "year"])["treated"].agg(lambda t: t.max() - t.min())
        if not (spread > 0).any():
            raise NotIdentifiedError(
                f"{estimator}: no pair × year cell has sides that differ in treatment, so after pair × "
                "year fixed effects nothing identifies the effect (both sides were treated on the same "
                "date or not at all); see cg.design_report(panel) for the counts, and use "
                'event="overall_plan" or a unit panel (cg.unit_panel)'
            )
    if not np.any(residual_treatment(frame, fe)):
        raise NotIdentifiedError(
            f"{estimator}: the treatment has no variation left after the fixed effects ({fe}); "
            "see cg.design_report(panel)"
        )


def _clusters(frame: pd.DataFrame, cluster: str) -> dict:
    return {c.strip(): int(frame[c.strip()].nunique()) for c in cluster.split("+")}


# --------------------------------------------------------------------------- did


def did(
    panel: pd.DataFrame,
    outcome: str,
    *,
    estimator: str = "twfe",
    fe: str | None = None,
    cluster: str | None = None,
    bootstrap: str | None = None,
    reps: int = 999,
    unknown: str = "exclude",
    alpha: float = 0.05,
    seed: int | None = 0,
) -> CausalResult:
    """The average effect of treatment on ``outcome``, by one of the maintained estimators.

    Parameters
    ----------
    panel : pandas.DataFrame
        From :func:`chuanyu_geo.unit_panel` or :func:`chuanyu_geo.border_pair_panel`, with
        the outcome column.
    outcome : str
    estimator : {"twfe", "sun_abraham", "callaway_santanna", "did2s", "sdid"}
        ``twfe``: ``pyfixest.feols(y ~ treated | fe)``; ``did2s``: Gardner's two-stage
        ``pyfixest.did2s``; ``sun_abraham``: ``diff_diff.SunAbraham``;
        ``callaway_santanna``: ``diff_diff.CallawaySantAnna`` (never-treated controls);
        ``sdid``: ``diff_diff.SyntheticDiD`` (one adoption year only). The last three take a
        unit panel; ``twfe`` and ``did2s`` also take the pair design.
    fe : str, optional
        Fixed effects in pyfixest syntax; default ``unit + pair_id^year`` (pair design) or
        ``unit + year`` (unit panel).
    cluster : str, optional
        Cluster variables joined by ``+`` (multiway for ``twfe``); default ``unit+pair_id``
        for the pair design and ``unit`` for a unit panel; the diff-diff estimators and
        ``did2s`` cluster on one variable (default ``unit``).
    bootstrap : {None, "platform"}
        ``platform``: a wild cluster bootstrap (``twfe`` only; pyfixest's ``wildboottest`` with
        ``reps`` draws): its t and p-value are in ``.bootstrap``. The clusters are the
        platform *combinations* units belong to (a unit in 万达开 and 明月山 forms a cluster of
        its own), and each unit in no platform is its own cluster: not overlapping platform
        clusters. Refused when the fixed effects, spelled out as dummies, are collinear (the
        bootstrap's p-values would be invalid).
    reps : int
    unknown : {"exclude", "never", "error"}
        Units whose treatment date is unknown: left out with a warning naming them
        (default), counted as never treated, or an error.
    alpha : float
    seed : int, optional

    Returns
    -------
    CausalResult

    Raises
    ------
    NotIdentifiedError
        When nothing in the design identifies the effect (the pair design with designation
        dates): see :func:`chuanyu_geo.design_report`.

    Examples
    --------
    >>> import numpy as np, chuanyu_geo as cg
    >>> units = cg.unit_panel(plan="2020", years=range(2016, 2024))
    >>> rng = np.random.default_rng(0)
    >>> units["y"] = rng.normal(size=len(units)) + 0.5 * units["treated"]
    >>> result = cg.did(units, "y")
    >>> result.ci[0] < 0.5 < result.ci[1], result.n_clusters
    (True, {'unit': 221})
    """
    estimator = check_choice("estimator", estimator, ESTIMATORS)
    unknown = check_choice("unknown", unknown, UNKNOWN_POLICIES)
    frame, notes = _prepare(panel, outcome, unknown)
    pair = _is_pair(frame)
    if pair and estimator in _UNIT_ONLY:
        raise InvalidArgumentError(
            f"estimator={estimator!r} takes a unit panel (cg.unit_panel): it cannot absorb pair × year "
            "effects; on the pair design use 'twfe' or 'did2s'"
        )
    if estimator != "twfe" and not frame["treated"].isin([0.0, 1.0]).all():
        raise InvalidArgumentError(
            f"estimator={estimator!r} needs a 0/1 treatment; build the panel with "
            "how='first_full_year' or 'any_day'"
        )
    fe = fe or default_fe(frame)
    if estimator in ("twfe", "did2s"):
        _check_identified(frame, fe, estimator)
    if bootstrap is not None and (bootstrap != "platform" or estimator != "twfe"):
        raise InvalidArgumentError(
            'bootstrap="platform" (a wild cluster bootstrap) is available with estimator="twfe"'
        )
    if estimator == "twfe":
        pf = _require("pyfixest", "causal")
        cluster = cluster or ("unit+pair_id" if pair else "unit")
        if bootstrap:  # the bootstrap rebuilds the fixed effects by formula: interactions as columns
            fe = _materialise(frame, fe)
            _check_bootstrap_design(frame, fe)
        model = pf.feols(f"{outcome} ~ treated | {fe}", data=frame, vcov={"CRV1": cluster})
        result = _from_pyfixest(model, "twfe", outcome, frame, cluster, notes)
        if bootstrap:
            result.bootstrap = model.wildboottest(
                reps=reps, cluster="platform_cluster", param="treated", seed=seed
            )
            result.notes.append(
                f"wild cluster bootstrap over platform combinations: {frame['platform_cluster'].nunique()} "
                f"clusters, {reps} draws"
            )
        return result
    if estimator == "did2s":
        pf = _require("pyfixest", "causal")
        cluster = cluster or "unit"
        model = pf.did2s(
            frame,
            outcome,
            first_stage=f"~ 0 | {fe}",
            second_stage="~ treated",
            treatment="treated",
            cluster=cluster,
        )
        return _from_pyfixest(model, "did2s", outcome, frame, cluster, notes)
    dd = _require("diff_diff", "causal")
    cluster = cluster or "unit"
    if estimator == "sdid":
        return _sdid(dd, frame, outcome, alpha, seed, notes)
    kind = dd.SunAbraham if estimator == "sun_abraham" else dd.CallawaySantAnna
    model = kind(cluster=cluster, alpha=alpha).fit(frame, outcome, "unit", "year", "first_treated")
    low, high = model.overall_conf_int
    tidy = pd.DataFrame(
        [("ATT", model.overall_att, model.overall_se, low, high, model.overall_p_value)],
        columns=["term", "estimate", "se", "ci_low", "ci_high", "p_value"],
    )
    return CausalResult(
        estimator, outcome, float(model.overall_att), float(model.overall_se), (float(low), float(high)),
        _clusters(frame, cluster), len(frame), model, tidy, notes,
    )  # fmt: skip


def _check_bootstrap_design(frame: pd.DataFrame, fe: str) -> None:
    """Refuse a wild bootstrap whose fixed-effect dummies are rank deficient.

    pyfixest's ``wildboottest`` spells the fixed effects out as dummy columns; when they are
    collinear (units left out can split the unit–pair graph into parts) its p-values are
    invalid — a null design then rejects far more often than the nominal level.
    """
    blocks = [np.ones((len(frame), 1))]
    for term in (t.strip() for t in fe.split("+")):
        codes = pd.factorize(frame[term])[0]
        dummies = np.zeros((len(frame), codes.max() + 1))
        dummies[np.arange(len(frame)), codes] = 1.0
        blocks.append(dummies[:, 1:])  # one level of each is absorbed by the constant
    blocks.append(frame[["treated"]].to_numpy(dtype=float))
    design = np.hstack(blocks)
    rank = np.linalg.matrix_rank(design)
    if rank < design.shape[1]:
        raise InvalidArgumentError(
            f"the wild bootstrap cannot be run on this design: its fixed effects ({fe}) spelled out as "
            f"dummies are collinear (rank {rank} of {design.shape[1]} columns; units left out can split "
            "the unit–pair graph into parts), and the bootstrap p-values would be invalid. Use the "
            "analytic cluster-robust result (bootstrap=None), or keep the units (unknown='never')"
        )


def _materialise(frame: pd.DataFrame, fe: str) -> str:
    """Replace ``a^b`` terms of ``fe`` by a column ``a_x_b`` of ``frame`` (same fixed effects)."""
    terms = []
    for term in (t.strip() for t in fe.split("+")):
        if "^" in term:
            parts = term.split("^")
            name = "_x_".join(parts)
            frame[name] = pd.factorize(frame[parts].astype(str).agg("|".join, axis=1))[0]
            term = name
        terms.append(term)
    return " + ".join(terms)


def _from_pyfixest(model, estimator, outcome, frame, cluster, notes) -> CausalResult:
    table = model.tidy().reset_index()
    table = table.rename(
        columns={"Coefficient": "term", "Estimate": "estimate", "Std. Error": "se", "Pr(>|t|)": "p_value"}
    )
    table = table.rename(columns={table.columns[-2]: "ci_low", table.columns[-1]: "ci_high"})
    row = table.set_index("term").loc["treated"]
    ci = (float(row["ci_low"]), float(row["ci_high"]))
    table = table[["term", "estimate", "se", "ci_low", "ci_high", "p_value"]]
    return CausalResult(
        estimator, outcome, float(row["estimate"]), float(row["se"]), ci, _clusters(frame, cluster),
        int(model._N), model, table, notes,
    )  # fmt: skip


def _sdid(dd, frame, outcome, alpha, seed, notes) -> CausalResult:
    cohorts = sorted(set(frame["first_treated"]) - {0})
    if len(cohorts) != 1:
        raise NotIdentifiedError(
            f"sdid: synthetic difference-in-differences needs one adoption year; this panel has cohorts "
            f"{cohorts}. Use 'callaway_santanna' or 'sun_abraham' for staggered adoption, or keep one cohort"
        )
    post = sorted(y for y in frame["year"].unique() if y >= cohorts[0])
    model = dd.SyntheticDiD(alpha=alpha, seed=seed).fit(
        frame, outcome, treatment="ever_treated", unit="unit", time="year", post_periods=post
    )
    low, high = model.conf_int
    tidy = pd.DataFrame(
        [("ATT", model.att, model.se, low, high, model.p_value)],
        columns=["term", "estimate", "se", "ci_low", "ci_high", "p_value"],
    )
    return CausalResult(
        "sdid", outcome, float(model.att), float(model.se), (float(low), float(high)), {}, len(frame), model,
        tidy, notes + [f"variance by {model.variance_method}"],
    )  # fmt: skip


# --------------------------------------------------------------------------- event study


def event_study(
    panel: pd.DataFrame,
    outcome: str,
    *,
    estimator: str = "twfe",
    leads: int = 4,
    lags: int = 3,
    ref: int = -1,
    fe: str | None = None,
    cluster: str | None = None,
    unknown: str = "exclude",
    alpha: float = 0.05,
) -> CausalResult:
    """Effects by years since treatment (leads and lags) relative to a reference year.

    Parameters
    ----------
    panel, outcome, fe, cluster, unknown, alpha
        As for :func:`did`.
    estimator : {"twfe", "sun_abraham", "callaway_santanna"}
        ``twfe``: ``pyfixest.feols(y ~ i(event_time, ref=ref) | fe)`` with event times
        outside ``[-leads, lags]`` binned at the ends and never-treated units in the
        reference; ``sun_abraham`` and ``callaway_santanna``: the event-study aggregation
        of diff-diff (its own reference period; ``leads``/``lags`` select rows of the
        table). ``did2s`` and ``sdid`` event studies are not offered here.
    leads, lags : int
        Years before and after treatment shown.
    ref : int
        The reference event time (``twfe``).

    Returns
    -------
    CausalResult
        ``tidy`` has one row per event time; ``estimate`` is the mean of the lags
        (``event_time`` ≥ 0).

    Examples
    --------
    >>> import numpy as np, chuanyu_geo as cg
    >>> units = cg.unit_panel(plan="2020", years=range(2016, 2024))
    >>> units["y"] = np.random.default_rng(0).normal(size=len(units)) + units["treated"]
    >>> study = cg.event_study(units, "y", leads=3, lags=2)
    >>> study.tidy["event_time"].tolist()
    [-3, -2, 0, 1, 2]
    """
    estimator = check_choice("estimator", estimator, EVENT_ESTIMATORS)
    unknown = check_choice("unknown", unknown, UNKNOWN_POLICIES)
    frame, notes = _prepare(panel, outcome, unknown)
    pair = _is_pair(frame)
    if pair and estimator in _UNIT_ONLY:
        raise InvalidArgumentError(f"estimator={estimator!r} takes a unit panel (cg.unit_panel)")
    fe = fe or default_fe(frame)
    if estimator == "twfe":
        _check_identified(frame, fe, "event_study")
        pf = _require("pyfixest", "causal")
        cluster = cluster or ("unit+pair_id" if pair else "unit")
        relative = frame["event_time"].astype("Float64").clip(-leads, lags)
        frame["event_bin"] = relative.fillna(ref).astype(int)
        model = pf.feols(f"{outcome} ~ i(event_bin, ref={ref}) | {fe}", data=frame, vcov={"CRV1": cluster})
        table = model.tidy().reset_index()
        table.columns = ["term", "estimate", "se", "t", "p_value", "ci_low", "ci_high"]
        table["event_time"] = [int(float(t.rsplit("::", 1)[1].rstrip("]"))) for t in table["term"]]
        table = table.sort_values("event_time").reset_index(drop=True)
        n_clusters = _clusters(frame, cluster)
        notes.append(f"event times binned at -{leads} and {lags}; never-treated units in the reference {ref}")
    else:
        dd = _require("diff_diff", "causal")
        cluster = cluster or "unit"
        if estimator == "sun_abraham":
            model = dd.SunAbraham(cluster=cluster, alpha=alpha).fit(
                frame, outcome, "unit", "year", "first_treated"
            )
        else:
            model = dd.CallawaySantAnna(cluster=cluster, alpha=alpha).fit(
                frame, outcome, "unit", "year", "first_treated", aggregate="event_study"
            )
        rows = []
        for e, effect in sorted(model.event_study_effects.items()):
            if -leads <= e <= lags and np.isfinite(effect["se"]) and effect["se"] > 0:
                low, high = effect["conf_int"]
                rows.append(
                    (f"event_time::{e}", effect["effect"], effect["se"], low, high, effect["p_value"], e)
                )
        table = pd.DataFrame(
            rows, columns=["term", "estimate", "se", "ci_low", "ci_high", "p_value", "event_time"]
        )
        n_clusters = _clusters(frame, cluster)
    table = table[["term", "event_time", "estimate", "se", "ci_low", "ci_high", "p_value"]]
    after = table[table["event_time"] >= 0]
    return CausalResult(
        estimator, outcome, float(after["estimate"].mean()), float("nan"), (float("nan"), float("nan")),
        n_clusters, len(frame), model, table, notes + ["estimate = mean of the lags (no joint interval)"],
    )  # fmt: skip


# --------------------------------------------------------------------------- spatial panel


def spatial_panel(
    panel: pd.DataFrame,
    outcome: str,
    x=("treated",),
    *,
    model: str = "lag",
    kind: str = "queen",
    unknown: str = "exclude",
) -> CausalResult:
    """A fixed-effects spatial lag (or spatial Durbin) panel by spreg, with direct and indirect impacts.

    Parameters
    ----------
    panel : pandas.DataFrame
        A balanced unit panel (:func:`chuanyu_geo.unit_panel`) with the outcome.
    outcome : str
    x : sequence of str
        Regressors (no constant).
    model : {"lag", "durbin"}
        ``lag``: ``spreg.Panel_FE_Lag`` of ``y = ρWy + Xβ + unit effects``; ``durbin``: the
        same with the spatial lags ``WX`` added as regressors.
    kind : {"queen", "rook", "shared_km"}
        Our weights (:func:`chuanyu_geo.weights`, row-standardised) on the panel's units.
    unknown : {"exclude", "never", "error"}

    Returns
    -------
    CausalResult
        ``estimate`` is the average direct impact of the first regressor; ``tidy`` gives,
        per regressor, the direct, indirect and total impacts (LeSage and Pace's averages
        of ``(I - ρW)^-1 (β I + θ W)``); standard errors are spreg's for the coefficients
        (impacts have none here). spreg's panel models have unit effects only (no year
        effects): add year dummies to ``x`` if needed.

    Examples
    --------
    >>> import numpy as np, chuanyu_geo as cg
    >>> units = cg.unit_panel(plan="2020", years=range(2018, 2024))
    >>> units["y"] = np.random.default_rng(0).normal(size=len(units)) + units["treated"]
    >>> fit = cg.spatial_panel(units, "y")
    >>> sorted(fit.tidy["term"])
    ['direct', 'indirect', 'rho', 'total', 'treated']
    """
    model = check_choice("model", model, ("lag", "durbin"))
    kind = check_choice("kind", kind, ("queen", "rook", "shared_km"))
    if _is_pair(panel):
        raise InvalidArgumentError("spatial_panel takes a unit panel (cg.unit_panel)")
    x = [x] if isinstance(x, str) else list(x)
    unknown = check_choice("unknown", unknown, UNKNOWN_POLICIES)
    frame, notes = _prepare(panel, outcome, unknown)
    spreg = _require("spreg", "causal")
    from .analysis import weights

    graph = weights(panel.attrs.get("level", "county"), kind=kind, vintage=panel.attrs.get("vintage"))
    units = sorted(set(frame["unit"]))
    graph = graph.subgraph(units).transform("r") if len(units) < graph.n else graph.transform("r")
    w = graph.to_W()
    years = sorted(frame["year"].unique())
    wide = frame.pivot(index="unit", columns="year")
    if wide[[outcome, *x]].isna().any().any():
        raise InvalidArgumentError("spatial_panel needs a balanced panel: every unit in every year")
    order = list(w.id_order)
    y = np.column_stack([wide[outcome].loc[order, t] for t in years]).reshape(-1, 1, order="F")
    columns, names = [], list(x)
    dense = w.full()[0]
    for name in x:
        values = np.column_stack([wide[name].loc[order, t].astype(float) for t in years])
        columns.append(values.reshape(-1, order="F"))
    if model == "durbin":
        for name in x:
            values = np.column_stack([wide[name].loc[order, t].astype(float) for t in years])
            columns.append((dense @ values).reshape(-1, order="F"))
            names.append(f"W_{name}")
    design = np.column_stack(columns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = spreg.Panel_FE_Lag(y, design, w, name_y=outcome, name_x=names)
    betas = fit.betas.flatten()
    rho = float(fit.rho)
    inverse = np.linalg.inv(np.eye(len(order)) - rho * dense)
    rows = []
    for i, name in enumerate(x):
        theta = betas[len(x) + i] if model == "durbin" else 0.0
        effect = inverse @ (betas[i] * np.eye(len(order)) + theta * dense)
        direct = float(np.trace(effect) / len(order))
        total = float(effect.sum() / len(order))
        label = "" if len(x) == 1 else f"{name} "
        rows += [(f"{label}direct", direct), (f"{label}indirect", total - direct), (f"{label}total", total)]
    se = np.sqrt(np.diag(fit.vm))
    coefficients = [(n, float(b), float(s)) for n, b, s in zip([*names, "rho"], betas, se)]
    tidy = pd.DataFrame(
        [(n, b, s, b - 1.96 * s, b + 1.96 * s) for n, b, s in coefficients]
        + [(n, v, np.nan, np.nan, np.nan) for n, v in rows],
        columns=["term", "estimate", "se", "ci_low", "ci_high"],
    )
    notes.append(f"spreg.Panel_FE_Lag ({model}), {kind} weights row-standardised, {len(years)} years")
    direct = rows[0][1]
    return CausalResult(
        f"spatial_{model}", outcome, direct, float("nan"), (float("nan"), float("nan")), {}, len(frame), fit,
        tidy, notes,
    )  # fmt: skip
