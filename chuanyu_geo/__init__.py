"""chuanyu-geo: boundaries, platforms and cross-border adjacency of the Sichuan–Chongqing region.

Heavy optional libraries (folium, matplotlib) are imported only by the functions that need them.
"""

from __future__ import annotations

__version__ = "0.1.0"

import sys
import types

from ._errors import (
    AmbiguousPlaceError,
    ChuanyuGeoError,
    DataIntegrityError,
    DefinitionError,
    InvalidArgumentError,
    PlaceError,
    UnknownPlaceError,
    UnknownPlatformError,
)
from .boundaries import DETAILS, LEVELS, layer_info, load_boundaries, unit_table
from .sources import clear_caches, data_dirs, set_data_dirs

# Names loaded on first use: their modules pull networkx, folium or matplotlib, or sit in a
# layer above the one a user imports (``import chuanyu_geo.adjacency`` loads no platforms).
_LAZY = {
    "Place": "gazetteer",
    "crosswalk": "gazetteer",
    "expand": "gazetteer",
    "resolve": "gazetteer",
    "Cluster": "platforms",
    "Partner": "platforms",
    "Platform": "platforms",
    "clusters": "platforms",
    "get_platform": "platforms",
    "label_graph": "platforms",
    "load_platforms": "platforms",
    "membership": "platforms",
    "plans": "platforms",
    "platforms": "platforms",
    "platform_regions": "regions",
    "region_membership": "regions",
    "regions": "regions",
    "treatment_table": "treatment",
    "adjacency_graph": "adjacency",
    "contacts": "adjacency",
    "contacts_to_graph": "contiguity",
    "cross_border_pairs": "adjacency",
    "border_length_by_unit": "adjacency",
    "border_totals": "adjacency",
    "compare_vintages": "adjacency",
    "graph_to_frame": "adjacency",
    "shared_lines": "adjacency",
    "AdjacencyWarning": "adjacency",
    "platform_metrics": "metrics",
    "cluster_metrics": "metrics",
    "border_coverage": "metrics",
    "platform_pairs": "metrics",
    "adjacency_report": "report",
    "AdjacencyReport": "report",
    "platform_map": "maps",
    "adjacency_map": "maps",
    "choropleth": "maps",
    "lisa_map": "maps",
    "join_table": "tables.joins",
    "save_map": "maps",
    "UnmatchedRowsError": "tables.joins",
    "harmonise": "tables.core",
    "harmonise_report": "tables.report",
    "harmonise_totals": "tables.zones",
    "panel": "tables.core",
    "load_census": "tables.census",
    "not_divisions": "tables.zones",
    "HarmoniseWarning": "tables.report",
    "weights": "analysis",
    "write_weights": "weights_io",
    "morans_i": "analysis",
    "lisa": "analysis",
    "theil": "regional_inequality",
    "williamson": "regional_inequality",
    "coupling_coordination": "coupling",
    "coupling_classes": "coupling",
    "IsolateWarning": "analysis",
    "linkage": "gravity",
    "linkage_summary": "gravity",
    "border_pair_panel": "designs",
    "unit_panel": "designs",
    "design_report": "designs",
    "DesignWarning": "designs",
    "did": "causal",
    "event_study": "causal",
    "spatial_panel": "causal",
    "CausalResult": "causal",
    "NotIdentifiedError": "causal",
    "MissingExtraError": "analysis",
    "plot_platforms": "plot",
    "plot_adjacency": "plot",
    "plot_lisa": "plot",
    "plot_choropleth": "choropleth_figure",
    "units": "stable_units",
    "CJKFontWarning": "plot",
}


def __getattr__(name: str):
    if name == "VINTAGES":  # read from the registry at each access: it follows set_data_dirs()
        from . import boundaries  # (the package's own vintages while a data directory is bad)

        return boundaries.VINTAGES
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'chuanyu_geo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {"VINTAGES"})


class _Package(types.ModuleType):
    """The package module, which keeps the functions ``platforms`` and ``regions``.

    Importing a submodule binds it as an attribute of its package: loading the subpackage
    ``chuanyu_geo.platforms`` (or the module ``regions``) would replace the function of the
    same name. Those modules stay reachable as ``sys.modules`` entries (``from
    chuanyu_geo.platforms import ...`` works as before).
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


_SHADOWED = {"platforms", "regions"}
sys.modules[__name__].__class__ = _Package


__all__ = [
    "AmbiguousPlaceError",
    "ChuanyuGeoError",
    "DataIntegrityError",
    "DefinitionError",
    "InvalidArgumentError",
    "PlaceError",
    "UnknownPlaceError",
    "UnknownPlatformError",
    "DETAILS",
    "LEVELS",
    "VINTAGES",
    "clear_caches",
    "data_dirs",
    "set_data_dirs",
    "Place",
    "Cluster",
    "Partner",
    "Platform",
    "clusters",
    "crosswalk",
    "expand",
    "get_platform",
    "label_graph",
    "load_platforms",
    "membership",
    "plans",
    "treatment_table",
    "platform_regions",
    "platforms",
    "region_membership",
    "regions",
    "layer_info",
    "load_boundaries",
    "resolve",
    "unit_table",
    "adjacency_graph",
    "contacts",
    "contacts_to_graph",
    "cross_border_pairs",
    "border_length_by_unit",
    "border_totals",
    "compare_vintages",
    "graph_to_frame",
    "shared_lines",
    "AdjacencyWarning",
    "platform_metrics",
    "cluster_metrics",
    "border_coverage",
    "platform_pairs",
    "adjacency_report",
    "AdjacencyReport",
    "platform_map",
    "adjacency_map",
    "choropleth",
    "lisa_map",
    "join_table",
    "save_map",
    "UnmatchedRowsError",
    "harmonise",
    "harmonise_report",
    "harmonise_totals",
    "panel",
    "load_census",
    "not_divisions",
    "HarmoniseWarning",
    "weights",
    "write_weights",
    "morans_i",
    "lisa",
    "theil",
    "williamson",
    "IsolateWarning",
    "coupling_coordination",
    "coupling_classes",
    "linkage",
    "linkage_summary",
    "border_pair_panel",
    "unit_panel",
    "design_report",
    "DesignWarning",
    "did",
    "event_study",
    "spatial_panel",
    "CausalResult",
    "NotIdentifiedError",
    "MissingExtraError",
    "plot_platforms",
    "plot_adjacency",
    "plot_lisa",
    "plot_choropleth",
    "units",
    "CJKFontWarning",
]
