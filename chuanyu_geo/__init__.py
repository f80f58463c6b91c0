"""chuanyu-geo: boundaries, platforms and cross-border adjacency of the Sichuan–Chongqing region.

Heavy optional libraries (folium, matplotlib) are imported only by the functions that need them.
"""

from __future__ import annotations

__version__ = "0.1.0"

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
from .boundaries import DETAILS, LEVELS, VINTAGES, layer_info, load_boundaries, unit_table
from .gazetteer import Place, crosswalk, expand, resolve
from .platforms import (
    Cluster,
    Partner,
    Platform,
    clusters,
    get_platform,
    load_platforms,
    membership,
    plans,
    platforms,
)
from .regions import platform_regions, region_membership, regions
from .treatment import treatment_table

# Names whose modules import networkx, folium or matplotlib: loaded on first use, so
# `import chuanyu_geo` stays light.
_LAZY = {
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
    "write_weights": "analysis",
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
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'chuanyu_geo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


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
    "Place",
    "Cluster",
    "Partner",
    "Platform",
    "clusters",
    "crosswalk",
    "expand",
    "get_platform",
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
