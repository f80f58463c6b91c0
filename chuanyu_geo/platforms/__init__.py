"""The platforms of the plans, their clusters, and user-defined platform sets.

Definitions are data (``platforms.toml``, ``platforms-2023.toml``, listed by ``plans.toml``);
this package validates them, resolves every partner through the gazetteer, and expands
partners to the level a caller asks for (达州 -> its seven counties). Nothing here draws or
measures adjacency: that happens in the layers below (the graph) and above (metrics, maps).

- :mod:`.model`: Platform, Partner, Cluster and the footprint rule;
- :mod:`.parse`: reading and checking a platform file;
- :mod:`.registry`: the plans registry and the choice of a platform set;
- :mod:`.units`: unit -> platforms, the membership table, labels on graph nodes.

Every name is re-exported here, so ``from chuanyu_geo.platforms import X`` keeps working.
"""

from __future__ import annotations

from .model import DEFAULT_CLUSTER_COLOR as DEFAULT_CLUSTER_COLOR
from .model import PRECISIONS as PRECISIONS
from .model import Cluster, Designation, LaterFact, OverallPlan, Partner, Platform
from .parse import MAX_CLUSTERS as MAX_CLUSTERS
from .parse import MAX_EXTENDS_DEPTH as MAX_EXTENDS_DEPTH
from .parse import MAX_NAMES as MAX_NAMES
from .parse import MAX_PLATFORMS as MAX_PLATFORMS
from .parse import OVERALL_STATUSES as OVERALL_STATUSES
from .registry import _builtin_clusters as _builtin_clusters
from .registry import _builtin_platforms as _builtin_platforms
from .registry import _plan_data as _plan_data
from .registry import _plan_registry as _plan_registry
from .registry import check_plan as check_plan
from .registry import clusters, get_platform, load_platforms, plans, platforms
from .registry import default_plan as default_plan
from .registry import plan_facts as plan_facts
from .registry import plan_ids as plan_ids
from .registry import plan_of as plan_of
from .registry import platform_set_of as platform_set_of
from .units import label_graph, membership
from .units import platforms_by_unit as platforms_by_unit

# The public names; the ``X as X`` imports above are re-exports for the library's own modules.
__all__ = [
    "Partner",
    "LaterFact",
    "Cluster",
    "Platform",
    "platforms",
    "clusters",
    "get_platform",
    "load_platforms",
    "membership",
    "plans",
    "Designation",
    "OverallPlan",
    "label_graph",
]
