"""Styling shared by the web maps and the static figures (from maps.toml)."""

from __future__ import annotations

import functools

from .platforms import Platform
from .sources import read_package_toml


@functools.lru_cache(maxsize=1)
def config() -> dict:
    return read_package_toml("maps.toml")


def unit_color(platforms_of_unit: list[Platform]) -> str:
    """Cluster colour of a unit; its own colours for none or several clusters."""
    style = config()["style"]
    colors = {p.cluster_color for p in platforms_of_unit}
    if not colors:
        return style["no_platform_color"]
    return colors.pop() if len(colors) == 1 else style["several_clusters_color"]


# Chinese names of the usual mapclassify schemes and of the weights, for Chinese outputs
# (maps and figures say the same words).
SCHEMES_ZH = {
    "quantiles": "分位数",
    "equal_interval": "等间距",
    "natural_breaks": "自然断点",
    "fisher_jenks": "Fisher–Jenks 最优分级",
    "jenks_caspall": "Jenks–Caspall 分级",
    "std_mean": "标准差",
    "percentiles": "百分位数",
}
WEIGHT_KINDS_ZH = {
    "queen": "后邻接",
    "rook": "车邻接",
    "shared_km": "共享边界长度",
    "cross_border": "跨省界邻接",
}


def format_number(value: float) -> str:
    """A value for a reader: thousands separated, about six significant digits, never 1.5e+06.

    Examples
    --------
    >>> format_number(1564450.0), format_number(12.3456789), format_number(0.000123456)
    ('1,564,450', '12.3457', '0.000123456')
    """
    value = float(value)
    if value.is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.{max(0, 6 - len(str(int(abs(value)))))}f}"
    return f"{value:.6g}"


LISA_ORDER = ("HH", "LL", "HL", "LH", "ns", "isolate")


def lisa_label(cluster: str, lang: str) -> str:
    """A LISA class in the output's language (``zh``, ``en`` or ``zh+en``)."""
    zh, en = config()["lisa_names"].get(cluster, [cluster, cluster])
    return zh if lang == "zh" else en if lang == "en" else f"{zh} {en}"


def lisa_test_note(attrs: dict, lang: str) -> str:
    """How significance was decided, as the legend states it: threshold, correction, permutations.

    Examples
    --------
    >>> lisa_test_note({"alpha": 0.05, "correction": "fdr", "threshold": 0.0111, "permutations": 999}, "en")
    'p < 0.0111 (FDR at 0.05), 999 permutations'
    >>> lisa_test_note({"alpha": 0.05, "correction": None, "threshold": 0.05, "permutations": 99}, "zh")
    'p < 0.05（未校正），99 次置换'
    """
    alpha = attrs.get("alpha", 0.05)
    threshold = attrs.get("threshold", alpha)
    permutations = attrs.get("permutations", 999)
    correction = attrs.get("correction")
    en_how = {None: "uncorrected", "fdr": f"FDR at {alpha:g}", "bonferroni": f"Bonferroni at {alpha:g}"}
    zh_how = {
        None: "未校正",
        "fdr": f"FDR 校正，α = {alpha:g}",
        "bonferroni": f"Bonferroni 校正，α = {alpha:g}",
    }
    en = f"p < {threshold:.3g} ({en_how.get(correction, correction)}), {permutations} permutations"
    zh = f"p < {threshold:.3g}（{zh_how.get(correction, correction)}），{permutations} 次置换"
    return zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}"
