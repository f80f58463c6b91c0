"""chuanyu-geo: boundaries, platforms and cross-border adjacency of the Sichuan–Chongqing region.

Heavy optional libraries (folium, matplotlib) are imported only by the functions that need them.
"""

from __future__ import annotations

from ._errors import (
    AmbiguousPlaceError,
    ChuanyuGeoError,
    DataIntegrityError,
    InvalidArgumentError,
    PlaceError,
    UnknownPlaceError,
)
from .boundaries import DETAILS, LEVELS, VINTAGES, layer_info, load_boundaries, unit_table
from .gazetteer import Place, crosswalk, resolve

__version__ = "0.1.0"

__all__ = [
    "AmbiguousPlaceError",
    "ChuanyuGeoError",
    "DataIntegrityError",
    "InvalidArgumentError",
    "PlaceError",
    "UnknownPlaceError",
    "DETAILS",
    "LEVELS",
    "VINTAGES",
    "Place",
    "crosswalk",
    "layer_info",
    "load_boundaries",
    "resolve",
    "unit_table",
]
