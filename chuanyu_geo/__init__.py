"""chuanyu-geo: boundaries, platforms and cross-border adjacency of the Sichuan–Chongqing region.

Heavy optional libraries (folium, matplotlib) are imported only by the functions that need them.
"""

from __future__ import annotations

__version__ = "0.1.0"

import sys as _sys
import types as _types

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


class _Package(_types.ModuleType):
    """``cg.harmonise`` is the function, though ``chuanyu_geo.harmonise`` is also a subpackage.

    Importing a submodule binds it as an attribute of its parent; for the subpackage
    ``harmonise`` that would replace the function, so that one binding is refused (the
    subpackage stays in ``sys.modules``; ``from chuanyu_geo.harmonise import …`` reads it).
    """

    def __setattr__(self, name: str, value) -> None:
        if name == "harmonise" and isinstance(value, _types.ModuleType):
            return
        super().__setattr__(name, value)


def _keep_harmonise_the_function() -> None:
    module = _sys.modules[__name__]
    module.__class__ = _Package
    if isinstance(vars(module).get("harmonise"), _types.ModuleType):  # bound before the class was set
        del vars(module)["harmonise"]


_keep_harmonise_the_function()

# Names whose modules import networkx, folium or matplotlib: loaded on first use, so
# `import chuanyu_geo` stays light.
_LAZY = {
    "adjacency_graph": "adjacency",
    "contacts": "adjacency",
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
    "join_table": "harmonise.joins",
    "save_map": "maps",
    "UnmatchedRowsError": "harmonise.joins",
    "harmonise": "harmonise.core",
    "harmonise_report": "harmonise.report",
    "harmonise_totals": "harmonise.zones",
    "panel": "harmonise.core",
    "load_census": "harmonise.census",
    "not_divisions": "harmonise.zones",
    "HarmoniseWarning": "harmonise.report",
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
