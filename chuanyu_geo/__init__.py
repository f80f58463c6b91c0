"""chuanyu-geo: boundaries, platforms and cross-border adjacency of the Sichuan–Chongqing region.

Heavy optional libraries (folium, matplotlib) are imported only by the functions that need them.
"""

from __future__ import annotations

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
from .platforms import Cluster, Partner, Platform, clusters, get_platform, load_platforms, membership, platforms
from .regions import platform_regions, region_membership, regions

__version__ = "0.1.0"

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
    "platform_regions",
    "platforms",
    "region_membership",
    "regions",
    "layer_info",
    "load_boundaries",
    "resolve",
    "unit_table",
]
