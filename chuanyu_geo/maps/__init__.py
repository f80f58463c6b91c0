"""Interactive folium maps: platforms, adjacency, choropleths and LISA clusters.

This package only gathers the map functions under one name (``chuanyu_geo.maps``); each job
lives in its own module: :mod:`.base` (the map object, base map, legend, controls, saving),
:mod:`.layers` (the shared vector layers), :mod:`.platform`, :mod:`.adjacency` and
:mod:`.thematic` (choropleth and LISA map). ``offline=True`` inlines Leaflet (from the
XStatic-Leaflet package) so the file makes no network request.
"""

from __future__ import annotations

from ..tables.joins import UnmatchedRowsError, join_table
from .adjacency import adjacency_map
from .base import TILES, _Attribution, _Html, _Map, _render, save_map
from .layers import _web_layer
from .platform import platform_map
from .thematic import choropleth, lisa_map

__all__ = [
    "lisa_map",
    "TILES",
    "platform_map",
    "adjacency_map",
    "choropleth",
    "join_table",
    "UnmatchedRowsError",
    "save_map",
]

# Private names the tests and scripts reach through ``chuanyu_geo.maps``.
_PRIVATE = (_Attribution, _Html, _Map, _render, _web_layer)
