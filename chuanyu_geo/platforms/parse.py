"""Reading and checking platform definitions: TOML-shaped data in, validated Platform records out.

Every key, type, name and size of a platform file is checked here, and every refusal is one
:class:`~chuanyu_geo.DefinitionError` naming the file, the platform and the entry. Which
files may be read (a plan's, a user's, one they ``extends``) is decided by the caller, who
passes a ``read`` function; this module opens no file itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .._errors import (
    AmbiguousPlaceError,
    ChuanyuGeoError,
    DataIntegrityError,
    DefinitionError,
    UnknownPlaceError,
)
from .._safe import check_color
from ..boundaries import as_of, key_in_force, vintage_registry
from ..gazetteer import resolve
from .model import (
    DEFAULT_CLUSTER_COLOR,
    PRECISIONS,
    Cluster,
    Designation,
    LaterFact,
    OverallPlan,
    Partner,
    Platform,
)

__all__ = ["MAX_PLATFORMS", "MAX_CLUSTERS", "MAX_NAMES", "MAX_EXTENDS_DEPTH", "OVERALL_STATUSES"]

_PLATFORM_KEYS = {
    "id", "name", "name_in_plan", "short_name", "short_name_en", "name_en", "cluster", "theme", "theme_en",
    "clause", "quote", "partners", "footprint", "footprint_note", "footprint_note_zh", "footprint_units",
    "later", "designated", "overall_plan",
}  # fmt: skip
# Optional text fields of a platform (``name`` and ``cluster`` are required text).
_PLATFORM_TEXT = (
    "name", "name_in_plan", "short_name", "short_name_en", "name_en", "cluster", "theme", "theme_en",
    "clause", "quote", "footprint_note", "footprint_note_zh",
)  # fmt: skip
_DESIGNATED_KEYS = {"date", "source", "precision", "note"}
_OVERALL_KEYS = {"status", "source", "document", "date", "approval", "footprint", "area_km2", "adds", "note"}
OVERALL_STATUSES = ("found", "reported", "not found")
_PARTNER_KEYS = {"name", "level", "quoted"}
_CLUSTER_KEYS = {"id", "name", "name_en", "clause", "quote", "color"}
_LATER_KEYS = {"fact", "source", "area_km2", "adds"}
_TOP_KEYS = {"platforms", "clusters", "source", "plan_vintage", "designated", "extends"}
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")

DefaultClusters = Callable[[], Iterable[Cluster]]


# --------------------------------------------------------------------------- small checks


def _check_keys(entry: Mapping, allowed: set[str], what: str) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise DefinitionError(
            f"{what} has unknown key(s) {', '.join(unknown)}; allowed keys: {', '.join(sorted(allowed))}"
        )


def _require(entry: Mapping, key: str, what: str) -> Any:
    value = entry.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DefinitionError(f"{what} has no {key!r}")
    return value


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _check_list(value: Any, key: str, what: str) -> list:
    if not isinstance(value, list):
        raise DefinitionError(f"{what}: {key} must be a list, got {type(value).__name__} {_shown(value)}")
    return value


def _check_text(entry: Mapping, key: str, what: str) -> None:
    value = entry.get(key)
    if value is not None and not isinstance(value, str):
        raise DefinitionError(f"{what}: {key} must be text, got {type(value).__name__} {_shown(value)}")


def _check_area(value: Any, what: str) -> None:
    """An optional area (km²): absent, or a finite positive number (a bool is not one)."""
    if value is not None and (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
        raise DefinitionError(f"{what} must be a positive number, got {_shown(value)}")


def _check_date(value: str, what: str) -> None:
    if not _DATE.fullmatch(value):
        raise DefinitionError(f"{what} {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")


# --------------------------------------------------------------------------- clusters and partners


def _parse_clusters(data: Mapping, origin: str, default_clusters: DefaultClusters) -> dict[str, dict]:
    """Cluster id -> its fields; a file without ``clusters`` gets ``default_clusters()``."""
    if "clusters" not in data:
        return {
            c.id: {
                "id": c.id,
                "name": c.name,
                "name_en": c.name_en,
                "clause": c.clause,
                "quote": c.quote,
                "color": c.color,
            }
            for c in default_clusters()
        }
    parsed: dict[str, dict] = {}
    for i, entry in enumerate(_check_list(data["clusters"], "clusters", origin)):
        what = f"{origin}: cluster #{i + 1}"
        if not isinstance(entry, Mapping):
            raise DefinitionError(f"{what} must be a table, got {_shown(entry)}")
        _check_keys(entry, _CLUSTER_KEYS, what)
        cid = _require(entry, "id", what)
        if not isinstance(cid, str):
            raise DefinitionError(f"{what}: id must be text, got {type(cid).__name__} {_shown(cid)}")
        if cid in parsed:
            raise DefinitionError(f"{origin}: duplicate cluster id {cid!r}")
        parsed[cid] = {
            "name": cid,
            "name_en": "",
            "clause": "",
            "quote": "",
            "color": DEFAULT_CLUSTER_COLOR,
            **entry,
        }
        check_color(parsed[cid]["color"], f"{origin}: cluster {cid!r}")
        for key in ("name", "name_en", "clause", "quote"):
            _check_text(parsed[cid], key, f"{origin}: cluster {cid!r}")
    return parsed


def _parse_partner(entry: Any, platform_id: str, origin: str, vintage: str) -> Partner:
    if isinstance(entry, str):
        entry = {"name": entry}
    what = (
        f"{origin}: platform {_shown(platform_id)}, partner {_shown(entry.get('name', entry))}"
        if isinstance(entry, Mapping)
        else f"{origin}: platform {_shown(platform_id)}"
    )
    if not isinstance(entry, Mapping):
        raise DefinitionError(f"{what}: a partner must be a name or a table with 'name', got {entry!r}")
    _check_keys(entry, _PARTNER_KEYS, what)
    for key in ("name", "quoted", "level"):
        _check_text(entry, key, what)
    name = _require(entry, "name", what)
    level = entry.get("level")
    try:
        place = resolve(name, level=level, vintage=vintage)
    except UnknownPlaceError as exc:
        hint = f"; did you mean {', '.join(exc.suggestions)}?" if exc.suggestions else ""
        raise DefinitionError(f"{what} does not resolve to a unit in vintage {vintage}{hint}") from exc
    except AmbiguousPlaceError as exc:
        options = "; ".join(f"{c.qualified_name} ({c.adcode}, {c.level})" for c in exc.candidates)
        raise DefinitionError(
            f'{what} is ambiguous: it matches {options}. Write the full name or add level = "prefecture" '
            f'/ "county"'
        ) from exc
    except DefinitionError:
        raise
    except Exception as exc:  # e.g. a bad level value: keep the platform and partner in the message
        raise DefinitionError(f"{what}: {exc}") from exc
    if place.successors:
        raise DefinitionError(
            f"{what} names a unit that was split ({place.note}); name the successors instead"
        )
    return Partner(
        name=name,
        quoted=entry.get("quoted", name),
        adcode=place.adcode,
        unit_name=place.name,
        level=place.level,
        province=place.province,
    )


def _parse_partners(raw: Any, platform_id: str, origin: str, vintage: str, what: str) -> tuple[Partner, ...]:
    if not raw:
        raise DefinitionError(f"{what} has an empty partner list; name at least one unit")
    _check_list(raw, "partners", what)
    return tuple(_parse_partner(p, platform_id, origin, vintage) for p in raw)


# --------------------------------------------------------------------------- one platform


def _platform_id(entry: Any, index: int, origin: str) -> tuple[str, str]:
    """The entry's id and the prefix every later message about it starts with."""
    what = f"{origin}: platform #{index + 1}"
    if not isinstance(entry, Mapping):
        raise DefinitionError(f"{what} must be a table, got {entry!r}")
    _check_keys(entry, _PLATFORM_KEYS, what)
    pid = _require(entry, "id", what)
    if not isinstance(pid, str):
        raise DefinitionError(f"{what}: id must be text, got {type(pid).__name__} {pid!r}")
    return pid, f"{origin}: platform {pid!r}"


def _cluster_of(entry: Mapping, cluster_table: Mapping[str, dict], what: str) -> str:
    cluster = _require(entry, "cluster", what)
    if cluster not in cluster_table:
        raise DefinitionError(
            f"{what} has unknown cluster {cluster!r}; expected one of: {', '.join(cluster_table)}"
        )
    return cluster


def _precision_of(entry: Mapping, what: str) -> str:
    precision = entry.get("footprint", "exact")
    if precision not in PRECISIONS:
        raise DefinitionError(
            f"{what} has footprint = {precision!r}; expected one of: {', '.join(PRECISIONS)}"
        )
    return precision


def _parse_footprint_units(raw: Any, what: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``footprint_units`` as (vintage, unit names) for every vintage, or () when absent.

    A key holds from its vintage until the next one, so a later vintage without a reform
    needs no entry; every vintage must be covered (a gap would silently widen the footprint
    to every partner) and every unit must exist in each vintage its key covers.
    """
    if not isinstance(raw, Mapping):
        raise DefinitionError(
            f"{what}: footprint_units must be a table of vintage = [unit names], got {raw!r}"
        )
    known = vintage_registry().ids
    for fv in raw:  # a fault of the file, not of an argument
        if fv not in known:
            raise DefinitionError(
                f"{what}: footprint_units vintage={_shown(fv)} is not valid; "
                f"expected one of: {', '.join(known)}"
            )
    if not raw:
        return ()
    in_force = []
    for v in vintage_registry().ids:
        try:
            names = as_of(raw, v, f"{what}: footprint_units")
        except DataIntegrityError as exc:
            raise DefinitionError(f"{exc}; list the containing units from the earliest vintage on") from exc
        key = key_in_force(raw, v)
        for unit in _check_list(names, f"footprint_units[{key!r}]", what):
            _check_footprint_unit(unit, v, f"{what}: footprint_units[{key!r}]")
        in_force.append((v, tuple(names)))
    return tuple(in_force)


def _check_footprint_unit(unit: Any, vintage: str, what: str) -> None:
    """A containing unit must be a name of a current unit of ``vintage``."""
    if not isinstance(unit, str):
        raise DefinitionError(f"{what} must list unit names, got {_shown(unit)}")
    try:
        place = resolve(unit, vintage=vintage)
    except ChuanyuGeoError as exc:
        raise DefinitionError(
            f"{what} names {unit!r}, which is not a unit of vintage {vintage}: {exc}"
        ) from exc
    if place.former_name:  # a former unit: its successor may be much larger
        raise DefinitionError(
            f"{what} names {unit!r}, which is not a unit of vintage {vintage} ({place.note}); add an "
            f"entry for vintage {vintage}"
        )


def _parse_later(raw: Any, what: str) -> tuple[LaterFact, ...]:
    return tuple(_parse_later_fact(fact, what) for fact in _check_list(raw, "later", what))


def _parse_later_fact(fact: Any, what: str) -> LaterFact:
    if not isinstance(fact, Mapping):
        raise DefinitionError(f"{what}: each later fact must be a table, got {_shown(fact)}")
    where = f"{what}: later fact"
    _check_keys(fact, _LATER_KEYS, where)
    for key in ("fact", "source"):
        _check_text(fact, key, where)
    _check_area(fact.get("area_km2"), f"{where} area_km2")
    for unit in _check_list(fact.get("adds", []), "adds", where):
        if not isinstance(unit, str):
            raise DefinitionError(f"{where} adds must list unit names, got {_shown(unit)}")
    return LaterFact(
        fact=_require(fact, "fact", where),
        source=_require(fact, "source", where),
        area_km2=fact.get("area_km2"),
        adds=tuple(fact.get("adds", ())),
    )


def _parse_designated(raw: Any, what: str) -> Designation | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{what}: designated must be a table with date and source, got {_shown(raw)}")
    _check_keys(raw, _DESIGNATED_KEYS, f"{what}: designated")
    for key in _DESIGNATED_KEYS:
        _check_text(raw, key, f"{what}: designated")
    date = _require(raw, "date", f"{what}: designated")
    _check_date(date, f"{what}: designated date")
    precision = raw.get("precision", "exact")
    if precision not in ("exact", "by"):
        raise DefinitionError(f"{what}: designated precision {precision!r} is not 'exact' or 'by'")
    return Designation(
        date=date,
        source=_require(raw, "source", f"{what}: designated"),
        precision=precision,
        note=raw.get("note"),
    )


def _parse_overall(raw: Any, what: str) -> OverallPlan | None:
    if raw is None:
        return None
    where = f"{what}: overall_plan"
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{where} must be a table, got {_shown(raw)}")
    _check_keys(raw, _OVERALL_KEYS, where)
    for key in _OVERALL_KEYS - {"area_km2", "adds"}:
        _check_text(raw, key, where)
    status = _require(raw, "status", where)
    if status not in OVERALL_STATUSES:
        raise DefinitionError(f"{where}: status {status!r} is not one of: {', '.join(OVERALL_STATUSES)}")
    if raw.get("date") is not None:
        _check_date(raw["date"], f"{where}: date")
    area = raw.get("area_km2")
    _check_area(area, f"{where}: area_km2")
    adds = _check_list(raw.get("adds", []), "adds", where)
    if not all(isinstance(a, str) for a in adds):
        raise DefinitionError(f"{where}: adds must list unit names")
    return OverallPlan(
        status=status,
        source=_require(raw, "source", where),
        document=raw.get("document"),
        date=raw.get("date"),
        approval=raw.get("approval"),
        footprint=raw.get("footprint"),
        area_km2=float(area) if area is not None else None,
        adds=tuple(adds),
        note=raw.get("note"),
    )


def _parse_platform(
    entry: Mapping,
    index: int,
    cluster_table: Mapping[str, dict],
    origin: str,
    vintage: str,
    plan: str = "user",
    default_designated: Any = None,
) -> Platform:
    """One ``[[platforms]]`` entry as a Platform; checks run in the order of the entry's fields."""
    pid, what = _platform_id(entry, index, origin)
    for key in _PLATFORM_TEXT:
        _check_text(entry, key, what)
    name = _require(entry, "name", what)
    cluster = _cluster_of(entry, cluster_table, what)
    partners = _parse_partners(entry.get("partners"), pid, origin, vintage, what)
    precision = _precision_of(entry, what)
    footprint_units = _parse_footprint_units(entry.get("footprint_units", {}), what)
    later = _parse_later(entry.get("later", []), what)
    designated = _parse_designated(entry.get("designated", default_designated), what)
    overall = _parse_overall(entry.get("overall_plan"), what)
    fields = cluster_table[cluster]
    return Platform(
        id=pid,
        name=name,
        name_in_plan=entry.get("name_in_plan", name),
        short_name=entry.get("short_name", name),
        name_en=entry.get("name_en", ""),
        cluster=cluster,
        cluster_name=fields["name"],
        theme=entry.get("theme", ""),
        theme_en=entry.get("theme_en", ""),
        clause=entry.get("clause", ""),
        quote=entry.get("quote", ""),
        partners=partners,
        precision=precision,
        footprint_note=entry.get("footprint_note"),
        footprint_note_zh=entry.get("footprint_note_zh"),
        footprint_units=footprint_units,
        later=later,
        plan_vintage=vintage,
        cluster_color=fields.get("color", DEFAULT_CLUSTER_COLOR),
        short_name_en=entry.get("short_name_en", pid),
        plan=plan,
        cluster_name_en=fields.get("name_en", "") or cluster,
        designated=designated,
        overall_plan=overall,
    )


# --------------------------------------------------------------------------- a whole set


MAX_EXTENDS_DEPTH = 8


def _extended(data: Mapping, origin: str, read, chain: tuple[str, ...] = ()) -> Mapping:
    """A definition with ``extends = "other.toml"``: the other file's clusters and platforms first.

    ``read(name)`` returns the parsed file ``name`` and decides which files may be named
    (see :func:`load_platforms`). An error about the extended file never shows its
    content: it may not be a platform file at all.
    """
    if "extends" not in data:
        return data
    name = data["extends"]
    if not isinstance(name, str) or not name.strip():
        raise DefinitionError(f"{origin}: extends must be a file name, got {_shown(name)}")
    if name in chain or len(chain) >= MAX_EXTENDS_DEPTH:
        raise DefinitionError(
            f"{origin}: extends = {name!r} makes a cycle or a chain longer than {MAX_EXTENDS_DEPTH} files"
        )
    base = read(name)
    if (
        not isinstance(base, Mapping)
        or set(base) - _TOP_KEYS
        or not isinstance(base.get("platforms", []), list)
    ):
        raise DefinitionError(
            f"{origin}: extends = {name!r}, which is not a platform file (a platform file has only the "
            f"top-level keys {', '.join(sorted(_TOP_KEYS))}, with a list of platforms)"
        )
    base = _extended(base, name, read, (*chain, name))
    merged = dict(base)
    if "clusters" in data:
        merged["clusters"] = list(base.get("clusters", [])) + list(
            _check_list(data["clusters"], "clusters", origin)
        )
    merged["source"] = data.get("source", base.get("source"))
    # Each platform keeps the designation of the file it comes from.
    default = base.get("designated")
    merged["platforms"] = [
        dict(p, designated=p.get("designated", default)) if default and isinstance(p, Mapping) else p
        for p in base.get("platforms", [])
    ] + list(_check_list(data.get("platforms", []), "platforms", origin))
    merged.pop("designated", None)
    if "designated" in data:
        merged["designated"] = data["designated"]
    return merged


# Limits on one platform set (after ``extends``), far above any real plan (the 2023 plan
# has 10 platforms, 3 clusters and 40 names to resolve): a shared file cannot make loading
# run for minutes (200,000 partners took over 300 s; at these limits `platforms` takes ~7 s).
MAX_PLATFORMS = 200
MAX_CLUSTERS = 100
MAX_NAMES = 2_000  # partners, footprint units, later facts and their added units, in all


def _check_size(data: Mapping, origin: str) -> None:
    """Refuse a set larger than the limits above before any name is resolved."""
    entries = data.get("platforms")
    clusters_raw = data.get("clusters")
    if isinstance(entries, list) and len(entries) > MAX_PLATFORMS:
        raise DefinitionError(
            f"{origin} defines {len(entries):,} platforms; the limit is {MAX_PLATFORMS:,} per platform set"
        )
    if isinstance(clusters_raw, list) and len(clusters_raw) > MAX_CLUSTERS:
        raise DefinitionError(
            f"{origin} defines {len(clusters_raw):,} clusters; the limit is {MAX_CLUSTERS:,} per platform set"
        )

    def count(value: Any) -> int:
        return len(value) if isinstance(value, (list, Mapping)) else 0

    names = 0
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, Mapping):
            continue
        names += count(entry.get("partners"))
        units = entry.get("footprint_units")
        names += sum(count(v) for v in units.values()) if isinstance(units, Mapping) else 0
        later = entry.get("later")
        names += (
            count(later) + sum(count(f.get("adds")) for f in later if isinstance(f, Mapping))
            if isinstance(later, list)
            else 0
        )
        overall = entry.get("overall_plan")
        names += count(overall.get("adds")) if isinstance(overall, Mapping) else 0
    if names > MAX_NAMES:
        raise DefinitionError(
            f"{origin} lists {names:,} partners, footprint units and later facts; the limit is {MAX_NAMES:,} "
            f"per platform set"
        )


def _parse(
    data: Mapping, origin: str, plan: str = "user", default_clusters: DefaultClusters = tuple
) -> tuple[list[Platform], dict[str, dict]]:
    """A whole platform set (``extends`` already merged) and its cluster table.

    ``default_clusters`` gives the clusters of a set that defines none (the registry passes
    the default plan's three).
    """
    if not isinstance(data, Mapping):
        raise DefinitionError(
            f"{origin} must be a mapping with a 'platforms' list, got {type(data).__name__}"
        )
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise DefinitionError(
            f"{origin} has unknown top-level key(s) {', '.join(unknown)}; expected "
            f"{', '.join(sorted(_TOP_KEYS))}"
        )
    _check_size(data, origin)
    vintage = data.get("plan_vintage", vintage_registry().default)
    if not isinstance(vintage, str) or vintage not in vintage_registry().ids:
        raise DefinitionError(
            f"{origin}: plan_vintage={_shown(vintage)} is not valid; "
            f"expected one of: {', '.join(vintage_registry().ids)}"
        )
    entries = data.get("platforms")
    if not entries:
        raise DefinitionError(f"{origin} defines no platforms; expected a [[platforms]] list")
    _check_list(entries, "platforms", origin)
    cluster_table = _parse_clusters(data, origin, default_clusters)
    parsed: list[Platform] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        platform = _parse_platform(entry, i, cluster_table, origin, vintage, plan, data.get("designated"))
        if platform.id in seen:
            raise DefinitionError(f"{origin}: duplicate platform id {platform.id!r} (platform #{i + 1})")
        seen.add(platform.id)
        parsed.append(platform)
    return parsed, cluster_table


def _parse_safely(
    data: Mapping, origin: str, read: Callable[[str], Mapping], default_clusters: DefaultClusters = tuple
) -> list[Platform]:
    """:func:`_extended` then :func:`_parse`; a shape the checks missed is still a DefinitionError."""
    try:
        return _parse(_extended(data, origin, read), origin, default_clusters=default_clusters)[0]
    except ChuanyuGeoError:
        raise
    except (
        TypeError,
        ValueError,
        AttributeError,
        KeyError,
        RecursionError,
    ) as exc:  # a shape the checks above missed
        raise DefinitionError(f"{origin} is malformed: {type(exc).__name__}: {str(exc)[:200]}") from exc
