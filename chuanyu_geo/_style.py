"""Styling shared by the web maps and the static figures (from maps.toml)."""

from __future__ import annotations

import functools

from ._io import parse_toml, read_package_text
from .platforms import Platform


@functools.lru_cache(maxsize=1)
def config() -> dict:
    return parse_toml(read_package_text("maps.toml"), "chuanyu_geo/maps.toml")


def unit_color(platforms_of_unit: list[Platform]) -> str:
    """Cluster colour of a unit; its own colours for none or several clusters."""
    style = config()["style"]
    colors = {p.cluster_color for p in platforms_of_unit}
    if not colors:
        return style["no_platform_color"]
    return colors.pop() if len(colors) == 1 else style["several_clusters_color"]
