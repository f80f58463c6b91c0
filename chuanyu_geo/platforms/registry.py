"""Which platform set: the plans registry, the built-in sets it names, and user files.

``plans.toml`` (and any data directory's) lists the plans; each names a platform file, read
once and parsed by :mod:`.parse`. Every function that takes ``plan=`` or ``platform_set=``
chooses its platforms here (:func:`platform_set_of`), so the default plan is decided once.
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .._errors import DefinitionError, InvalidArgumentError, UnknownPlatformError
from .._io import (
    MAX_PLATFORM_FILE_BYTES,
    decode_text,
    origin_of,
    parse_toml,
    read_confined,
    read_source_text,
    read_user_text,
    registry_files,
)
from ..boundaries import check_choice
from ..gazetteer import _latin_key
from .model import DEFAULT_CLUSTER_COLOR, Cluster, Platform
from .parse import _check_keys, _extended, _parse, _parse_safely, _require

__all__ = [
    "plans",
    "platforms",
    "clusters",
    "get_platform",
    "load_platforms",
    "default_plan",
    "plan_ids",
    "check_plan",
    "plan_facts",
    "platform_set_of",
    "plan_of",
]

_PLAN_KEYS = {"id", "title", "title_en", "document", "date", "source", "platforms", "note"}


@functools.lru_cache(maxsize=1)
def _plan_registry() -> dict[str, dict]:
    """Plans of every data source: the package's ``plans.toml``, then added directories'."""
    registry: dict[str, dict] = {}
    for folder, origin, data in registry_files("plans.toml"):
        for i, entry in enumerate(data.get("plans", [])):
            what = f"{origin}: plan #{i + 1}"
            _check_keys(entry, _PLAN_KEYS, what)
            for key in ("id", "title", "document", "date", "source", "platforms"):
                _require(entry, key, what)
            if entry["id"] in registry:
                raise DefinitionError(f"{what}: plan id {entry['id']!r} is already defined")
            registry[entry["id"]] = {**entry, "folder": folder}
    if not registry:
        raise DefinitionError(f"{origin_of(None, 'plans.toml')} lists no plans")
    return registry


def _read_platform_file(name: str, folder: Path | None) -> tuple[Mapping, str]:
    """A plan's platform file from its data source, else the package's (for ``extends``).

    In a data directory, ``name`` must lead to a file inside it; in the package, only the
    platform files its own plans list may be read.
    """
    if not isinstance(name, str) or not name.strip():
        raise DefinitionError(f"{origin_of(folder, 'plans.toml')}: a plan's platforms must name a file")
    builtin = {e["platforms"] for e in _plan_registry().values() if e["folder"] is None}
    for where in dict.fromkeys((folder, None)):  # the plan's own source, then the package
        if where is None and name not in builtin:
            continue
        text = read_source_text(where, name, MAX_PLATFORM_FILE_BYTES)
        if text is not None:
            return parse_toml(text, origin_of(where, name)), origin_of(where, name)
    raise DefinitionError(f"{origin_of(folder, name)}: no such platform file")


def default_plan() -> str:
    """The plan used when none is given: the first of the registry (the 2020 推进方案)."""
    return next(iter(_plan_registry()))


def plan_ids() -> tuple[str, ...]:
    """The ids of the registry's plans (no platform file is read)."""
    return tuple(_plan_registry())


def check_plan(plan: str | None) -> str:
    """``plan`` checked against the registry (None: the default plan)."""
    return default_plan() if plan is None else check_choice("plan", plan, plan_ids())


def plan_facts(plan: str | None = None) -> dict:
    """The registry entry of a plan: id, title, title_en, document, date, source, note."""
    return {k: v for k, v in _plan_registry()[check_plan(plan)].items() if k not in ("platforms", "folder")}


def plans() -> pd.DataFrame:
    """The plans a platform set can come from, as the registry ``plans.toml`` lists them.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``title``, ``title_en``, ``document``, ``date``, ``source``, ``n_platforms``, ``note``.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> cg.plans()[["id", "n_platforms"]].values.tolist()
    [['2020', 9], ['2023', 10]]
    """
    rows = [
        {
            **{k: entry.get(k) for k in ("id", "title", "title_en", "document", "date", "source")},
            "n_platforms": len(_builtin_platforms(pid)),
            "note": entry.get("note"),
        }
        for pid, entry in _plan_registry().items()
    ]
    return pd.DataFrame(rows)


@functools.cache
def _plan_data(plan: str) -> Mapping:
    entry = _plan_registry()[plan]
    data, origin = _read_platform_file(entry["platforms"], entry["folder"])
    return _extended(data, origin, lambda file: _read_platform_file(file, entry["folder"])[0])


def _plan_origin(plan: str) -> str:
    entry = _plan_registry()[plan]
    return origin_of(entry["folder"], entry["platforms"])


@functools.cache
def _builtin_clusters(plan: str) -> tuple[Cluster, ...]:
    data = _plan_data(plan)
    return tuple(
        Cluster(
            id=c["id"],
            name=c["name"],
            name_en=c["name_en"],
            clause=c["clause"],
            quote=c["quote"],
            platform_ids=tuple(p["id"] for p in data["platforms"] if p["cluster"] == c["id"]),
            color=c.get("color", DEFAULT_CLUSTER_COLOR),
        )
        for c in data["clusters"]
    )


@functools.cache
def _builtin_platforms(plan: str) -> tuple[Platform, ...]:
    return tuple(_parse(_plan_data(plan), _plan_origin(plan), plan, default_clusters=clusters)[0])


def platforms(plan: str | None = None) -> list[Platform]:
    """The platforms of a plan, in the plan's order.

    Parameters
    ----------
    plan : str, optional
        A plan id of :func:`plans`: ``2020`` (default, the nine of the 推进方案) or ``2023``
        (the ten: the nine and 川南渝西融合发展试验区).

    Returns
    -------
    list of Platform

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> len(cg.platforms()), len(cg.platforms(plan="2023"))
    (9, 10)
    """
    return list(_builtin_platforms(check_plan(plan)))


def clusters(plan: str | None = None) -> list[Cluster]:
    """The plan's three clusters: northeast 川东北渝东北, central 成渝中部, south-west 川南渝西.

    Parameters
    ----------
    plan : str, optional
        As for :func:`platforms`; ``Cluster.platform_ids`` are that plan's platforms.

    Returns
    -------
    list of Cluster

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> [c.id for c in cg.clusters()]
    ['northeast', 'central', 'southwest']
    """
    return list(_builtin_clusters(check_plan(plan)))


def platform_set_of(platform_set: list[Platform] | None, plan: str | None = None) -> list[Platform]:
    """A user set if given, else the platforms of ``plan``: the one place that choice is made."""
    if platform_set is not None:
        if plan is not None:
            raise InvalidArgumentError("pass either platform_set= or plan=, not both")
        return list(platform_set)
    return platforms(plan)


def plan_of(platform_set: list[Platform]) -> str:
    """The plan a set of platforms comes from (``user`` for a user file, or mixed)."""
    ids = {p.plan for p in platform_set}
    return ids.pop() if len(ids) == 1 else "mixed"


def get_platform(key: str, platform_set: list[Platform] | None = None, plan: str | None = None) -> Platform:
    """One platform by id, Chinese full, plan or short name, or English name (any case).

    Parameters
    ----------
    key : str
        ``luyongjiang``, ``泸永江``, ``泸永江融合发展示范区`` or the English name.
    platform_set : list of Platform, optional
        Search a user set instead of the built-in platforms.
    plan : str, optional
        Search this plan's platforms (see :func:`plans`).

    Returns
    -------
    Platform

    Raises
    ------
    UnknownPlatformError
        With up to three close matches.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> cg.get_platform("gaozhu").name
    '川渝高竹新区'
    >>> cg.get_platform("高竹新区").id  # by id, name or short name
    'gaozhu'
    """
    candidates = platform_set_of(platform_set, plan)
    folded = str(key).strip().casefold()
    for platform in candidates:
        names = (platform.id, platform.name, platform.name_in_plan, platform.short_name, platform.name_en)
        if folded in {n.casefold() for n in names if n} or (
            _latin_key(folded) and _latin_key(folded) == _latin_key(platform.name_en)
        ):
            return platform
    vocabulary = {n: p for p in candidates for n in (p.id, p.short_name, p.name, p.name_en) if n}
    close = difflib.get_close_matches(str(key), list(vocabulary), n=3, cutoff=0.4)
    hint = (
        f"; did you mean: {', '.join(f'{vocabulary[c].short_name} ({vocabulary[c].id})' for c in close)}?"
        if close
        else ""
    )
    valid = ", ".join(p.id for p in candidates)
    raise UnknownPlatformError(f"no platform matches {key!r}{hint} Known ids: {valid}")


def load_platforms(source: str | os.PathLike | Mapping) -> list[Platform]:
    """Load a platform set from a TOML file or a mapping with the schema of ``platforms.toml``.

    The plan invites non-adjacent areas to build platforms the same way; a user set is
    validated as strictly as the built-in one. Clusters default to the plan's three.

    Parameters
    ----------
    source : path-like or mapping
        A TOML file, or a dict with a ``platforms`` list (and optionally ``clusters``).

    Returns
    -------
    list of Platform

    Raises
    ------
    DefinitionError
        Malformed TOML (with the line), unknown key, unknown cluster, duplicate id, empty
        partner list, or a partner that does not resolve or is ambiguous (naming the
        platform, the partner and suggestions). Nothing is returned half-loaded.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> mine = cg.load_platforms({
    ...     "clusters": [{"id": "c", "name": "示例", "name_en": "Example", "clause": "-", "quote": "-"}],
    ...     "platforms": [{"id": "x", "name": "合川-武胜", "short_name": "合武", "short_name_en": "He-Wu",
    ...                    "name_en": "Hechuan-Wusheng", "cluster": "c", "theme": "-", "theme_en": "-",
    ...                    "quote": "-", "partners": [{"name": "合川"}, {"name": "武胜"}]}]})
    >>> mine[0].member_adcodes("county")
    ['500117', '511622']
    """

    def read(name: str) -> Mapping:
        # A user file may extend a file in its own directory (symlinks resolved, so a link
        # cannot lead elsewhere), or a plan's platform file (platforms.toml).
        if path is not None:
            raw = read_confined(
                path.parent,
                name,
                "platform file",
                MAX_PLATFORM_FILE_BYTES,
                scope="the platform file's directory",
            )
            if raw is not None:
                beside = str(path.parent / name)
                return parse_toml(decode_text(raw, beside, "platform file"), beside)
        for entry in _plan_registry().values():
            if entry["platforms"] == name:
                return _read_platform_file(name, entry["folder"])[0]
        raise DefinitionError(
            f"extends = {name!r}: no such file beside the definition, and not a built-in platform file"
        )

    if isinstance(source, Mapping):
        path = None
        return _parse_safely(source, "platform mapping", read, clusters)
    if isinstance(source, str) and not source.strip():
        raise DefinitionError("the platform file path is empty; give the path of a TOML file")
    path = Path(source)
    text = read_user_text(path, "platform file", MAX_PLATFORM_FILE_BYTES)
    return _parse_safely(parse_toml(text, str(path)), str(path), read, clusters)
