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
