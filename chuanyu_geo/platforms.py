"""The platforms of the 2020 plan, their clusters, and user-defined platform sets.

Definitions are data (``platforms.toml``); this module validates them, resolves every partner
through the gazetteer, and expands partners to the level a caller asks for (达州 -> its seven
counties). Nothing here draws or measures adjacency: that happens downstream.
"""

from __future__ import annotations

import difflib
import functools
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from ._errors import (
    AmbiguousPlaceError,
    ChuanyuGeoError,
    DataIntegrityError,
    DefinitionError,
    InvalidArgumentError,
    UnknownPlaceError,
    UnknownPlatformError,
)
from ._io import (
    MAX_PLATFORM_FILE_BYTES,
    decode_text,
    origin_of,
    parse_toml,
    read_confined,
    read_source_text,
    read_user_text,
    registry_files,
)
from ._safe import check_color
from .boundaries import (
    DEFAULT_DETAIL,
    DEFAULT_VINTAGE,
    DETAILS,
    MEMBER_LEVELS,
    VINTAGES,
    _unit_table,
    as_of,
    check_choice,
    dissolve,
    key_in_force,
    load_boundaries,
)
from .gazetteer import EXPAND_LEVELS, Place, _latin_key, expand, resolve

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
]

PRECISIONS = ("exact", "approximate")
_LEVEL_RANK = {"county": 0, "prefecture": 1, "province": 2}

_PLATFORM_KEYS = {
    "id", "name", "name_in_plan", "short_name", "short_name_en", "name_en", "cluster", "theme", "theme_en",
    "clause", "quote", "partners", "footprint", "footprint_note", "footprint_units", "later",
    "designated", "overall_plan",
}  # fmt: skip
_DESIGNATED_KEYS = {"date", "source", "precision", "note"}
_OVERALL_KEYS = {"status", "source", "document", "date", "approval", "footprint", "area_km2", "adds", "note"}
OVERALL_STATUSES = ("found", "reported", "not found")
_PARTNER_KEYS = {"name", "level", "quoted"}
_CLUSTER_KEYS = {"id", "name", "name_en", "clause", "quote", "color"}
DEFAULT_CLUSTER_COLOR = "#666666"
_LATER_KEYS = {"fact", "source", "area_km2", "adds"}


@dataclass(frozen=True)
class Partner:
    """A unit named as a partner, as the plan names it.

    Attributes
    ----------
    name : str
        The name as written in the definition (达州, 渝北).
    quoted : str
        The text of the plan's sentence that names it (万达开 for 万州).
    adcode, unit_name, level, province : str
        The unit it resolves to in the plan's vintage (511700, 达州市, prefecture, 四川省).
    """

    name: str
    quoted: str
    adcode: str
    unit_name: str
    level: str
    province: str


@dataclass(frozen=True)
class LaterFact:
    """What a later overall plan fixed, with its source."""

    fact: str
    source: str
    area_km2: float | None = None
    adds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Designation:
    """When a platform was designated, with the source.

    ``precision`` is ``exact`` (the date of the designating document) or ``by`` (the
    designation happened no later than ``date``; the document was not found).
    """

    date: str
    source: str
    precision: str = "exact"
    note: str | None = None


@dataclass(frozen=True)
class OverallPlan:
    """A platform's overall plan (总体方案), or what is known of it.

    ``status``: ``found`` (on a government page), ``reported`` (news reports and reposts)
    or ``not found``. Fields that were not found are None; ``note`` says what is missing.
    """

    status: str
    source: str
    document: str | None = None
    date: str | None = None
    approval: str | None = None
    footprint: str | None = None
    area_km2: float | None = None
    adds: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Cluster:
    """One of the plan's three clusters of platforms."""

    id: str
    name: str
    name_en: str
    clause: str
    quote: str
    platform_ids: tuple[str, ...]
    color: str = DEFAULT_CLUSTER_COLOR


@dataclass(frozen=True)
class Platform:
    """A cross-border functional platform.

    Attributes
    ----------
    id : str
        ASCII identifier (``luyongjiang``).
    name, name_in_plan, short_name, name_en, short_name_en : str
        Usual full name, the name in the plan's words, short name (泸永江), English name,
        short English label (Lu-Yong-Jiang).
    cluster, cluster_name : str
        Cluster id (``southwest``) and Chinese name (川南渝西).
    theme, theme_en, clause, quote : str
        What it is for, and the clause and sentence of the plan that set it up.
    partners : tuple of Partner
        As the plan names them, with their level.
    precision : {"exact", "approximate"}
        ``approximate`` when the platform covers only parts of its units.
    footprint_note : str or None
        Why the footprint is approximate, or a caveat.
    later : tuple of LaterFact
        Facts from later plans (they do not change membership).
    plan_vintage : str
        Division vintage the partners were resolved in.
    plan : str
        The plan this definition belongs to (``2020``, ``2023``; ``user`` for a user file).
    designated : Designation or None
        When the platform was designated (a treatment date).
    overall_plan : OverallPlan or None
        Its overall plan: document, date, approval, footprint, area; or what was not found.
    """

    id: str
    name: str
    name_in_plan: str
    short_name: str
    name_en: str
    cluster: str
    cluster_name: str
    theme: str
    theme_en: str
    clause: str
    quote: str
    partners: tuple[Partner, ...]
    precision: str
    footprint_note: str | None
    footprint_units: tuple[tuple[str, tuple[str, ...]], ...]
    later: tuple[LaterFact, ...]
    plan_vintage: str = DEFAULT_VINTAGE
    cluster_color: str = DEFAULT_CLUSTER_COLOR
    short_name_en: str = ""
    plan: str = "user"
    cluster_name_en: str = ""
    designated: Designation | None = None
    overall_plan: OverallPlan | None = None

    def __str__(self) -> str:
        return f"{self.short_name} ({self.id}, {self.cluster_name})"

    def _partner_places(self, vintage: str) -> list[tuple[Partner, Place]]:
        """Each partner as a unit of ``vintage``; a split partner yields every successor."""
        pairs = []
        for partner in self.partners:
            place = resolve(partner.unit_name, level=partner.level, vintage=vintage)
            # Successors of a split partner carry the split's explanation, not their own history.
            pairs.extend((partner, replace(p, note=place.note)) for p in (place.successors or (place,)))
        return pairs

    def members(self, level: str = "county", vintage: str = DEFAULT_VINTAGE) -> pd.DataFrame:
        """Member units at ``level``, with the partner each comes through.

        Parameters
        ----------
        level : {"county", "partner", "prefecture"}
        vintage : {"2024", "2025"}

        Returns
        -------
        pandas.DataFrame
            ``adcode``, ``partner`` (as named), ``widened`` (the unit is larger than the
            partner: a county shown as its prefecture) and ``note`` (what a reform changed).

        Examples
        --------
        >>> import chuanyu_geo as cg
        >>> cg.get_platform("gaozhu").members("county", "2025")["adcode"].tolist()
        ['500109', '511623']
        """
        return _members(
            self, check_choice("level", level, MEMBER_LEVELS), check_choice("vintage", vintage, VINTAGES)
        ).copy()

    def _members_uncached(self, level: str, vintage: str) -> pd.DataFrame:
        rows = []
        for partner, place in self._member_places(vintage):
            for code in expand(place, level, vintage):
                rows.append(
                    {
                        "adcode": code,
                        "partner": partner.name,
                        "widened": _unit_level(code, level) > _LEVEL_RANK[place.level],
                        "note": place.note if place.note else None,
                    }
                )
        frame = pd.DataFrame(rows, columns=["adcode", "partner", "widened", "note"])
        return frame.drop_duplicates("adcode").sort_values("adcode").reset_index(drop=True)

    def _member_places(self, vintage: str) -> list[tuple[Partner, Place]]:
        """The one footprint rule: the units that contain the platform, each with its partner.

        Where the platform's data lists ``footprint_units`` (a platform made of parts of
        units: 高竹新区 is parts of 邻水县 and 渝北区), those units; otherwise the partners
        as the plan names them. Membership, footprints, metrics, maps and figures all use it.
        """
        partners = self._partner_places(vintage)
        containing = dict(self.footprint_units).get(vintage)
        if not containing:
            return partners
        counties = [(partner, set(expand(place, "county", vintage))) for partner, place in partners]
        chosen = []
        for name in containing:
            place = resolve(name, vintage=vintage)
            inside = set(expand(place, "county", vintage))
            owner = next((partner for partner, codes in counties if inside <= codes), None) or next(
                (partner for partner, codes in counties if inside & codes), None
            )
            chosen.append(
                (
                    owner
                    if owner is not None
                    else Partner(name, name, place.adcode, place.name, place.level, place.province),
                    place,
                )
            )
        return chosen

    def member_adcodes(self, level: str = "county", vintage: str = DEFAULT_VINTAGE) -> list[str]:
        """Adcodes of the member units at ``level`` (达州 -> its seven counties at county level).

        Parameters
        ----------
        level : {"county", "partner", "prefecture"}
        vintage : {"2024", "2025"}

        Returns
        -------
        list of str

        Examples
        --------
        >>> import chuanyu_geo as cg
        >>> len(cg.get_platform("wandakai").member_adcodes("county"))  # 达州's seven counties, 开州, 万州
        9
        """
        return list(self.members(level, vintage)["adcode"])

    def _footprint_units(self, level: str, vintage: str) -> tuple[list[str], bool, list[str]]:
        """Adcodes the footprint is made of, whether any unit was widened, and the notes."""
        members = self.members(level, vintage)
        widened = bool(members["widened"].any())
        notes = [self.footprint_note] if self.footprint_note else []
        notes += sorted({n for n in members["note"].dropna()})
        if widened:
            notes.append(f"at {level} level some partners are shown as the larger units that contain them")
        return list(members["adcode"]), widened, notes

    @property
    def plan_area_km2(self) -> float | None:
        """The area an approved overall plan states (km²), or None where none was found."""
        if self.overall_plan is not None and self.overall_plan.area_km2:
            return float(self.overall_plan.area_km2)
        return next((float(f.area_km2) for f in self.later if f.area_km2), None)

    def area_note(self, precision: str, area_km2: float) -> str | None:
        """What an area of this platform's footprint means, for every output that shows one.

        Parameters
        ----------
        precision : {"exact", "approximate"}
        area_km2 : float
            The footprint's area (whole units).

        Returns
        -------
        str or None
            None for an exact footprint; else "approximate: whole units … km²; plan area … km²".

        Examples
        --------
        >>> import chuanyu_geo as cg
        >>> cg.get_platform("wandakai").area_note("exact", 22000.0) is None
        True
        """
        if precision == "exact":
            return None
        plan = self.plan_area_km2
        stated = f"plan area {plan:,.0f} km²" if plan else "plan area not found"
        return f"approximate: whole units {area_km2:,.1f} km²; {stated}"

    def footprint_precision(self, level: str = "county", vintage: str = DEFAULT_VINTAGE) -> str:
        """``exact`` if the footprint at ``level`` is whole units and none was widened, else ``approximate``.

        Parameters
        ----------
        level : {"county", "partner", "prefecture"}
        vintage : {"2024", "2025"}

        Returns
        -------
        str

        Examples
        --------
        >>> import chuanyu_geo as cg
        >>> cg.get_platform("gaozhu").footprint_precision(), cg.get_platform("suitong").footprint_precision()
        ('approximate', 'exact')
        """
        _, widened, _ = self._footprint_units(
            check_choice("level", level, MEMBER_LEVELS), check_choice("vintage", vintage, VINTAGES)
        )
        return "exact" if self.precision == "exact" and not widened else "approximate"

    def footprint(
        self, level: str = "county", vintage: str = DEFAULT_VINTAGE, detail: str = DEFAULT_DETAIL
    ) -> gpd.GeoDataFrame:
        """The platform's area as one dissolved polygon, with its precision.

        Parameters
        ----------
        level : {"county", "partner", "prefecture"}
            Units the footprint is built from; a coarser level can only widen it.
        vintage : {"2024", "2025"}
        detail : {"standard", "fine"}

        Returns
        -------
        geopandas.GeoDataFrame
            One row: ``platform_id``, ``platform``, ``cluster``, ``precision``
            (``exact`` only if the footprint is whole units and no unit was widened),
            ``note``, ``units``, ``unit_adcodes``, ``area_km2`` (geodesic), ``vintage``,
            ``detail``, ``source`` and the geometry.

        Examples
        --------
        >>> import chuanyu_geo as cg
        >>> row = cg.get_platform("gaozhu").footprint("county", "2025").iloc[0]
        >>> row["units"], row["precision"]
        ('北碚区、邻水县', 'approximate')
        """
        level = check_choice("level", level, MEMBER_LEVELS)
        vintage = check_choice("vintage", vintage, VINTAGES)
        detail = check_choice("detail", detail, DETAILS)
        codes, widened, notes = self._footprint_units(level, vintage)
        layer = load_boundaries(level, vintage, detail)
        units = layer[layer["adcode"].isin(codes)]
        geometry, area = dissolve(units)
        precision = "exact" if self.precision == "exact" and not widened else "approximate"
        frame = gpd.GeoDataFrame(
            {
                "platform_id": [self.id],
                "platform": [self.short_name],
                "cluster": [self.cluster],
                "precision": [precision],
                "note": ["; ".join(notes) or None],
                "units": ["、".join(units["name"])],
                "unit_adcodes": [",".join(units["adcode"])],
                "area_km2": [area],
                "vintage": [vintage],
                "detail": [detail],
                "source": [layer.attrs["source"]],
            },
            geometry=[geometry],
            crs=layer.crs,
        )
        frame.attrs.update(layer.attrs)
        return frame


@functools.lru_cache(maxsize=256)
def _members(platform: Platform, level: str, vintage: str) -> pd.DataFrame:
    return platform._members_uncached(level, vintage)


@functools.cache
def _levels_by_adcode(level: str) -> dict[str, str]:
    tables = [_unit_table("partner" if level == "partner" else level, v) for v in VINTAGES]
    both = pd.concat(tables).drop_duplicates("adcode")
    return dict(zip(both["adcode"], both["unit_level"]))


def _unit_level(adcode: str, level: str) -> int:
    """Rank of the unit an expanded adcode denotes (county 0, prefecture 1, province 2)."""
    if level == "partner":
        return _LEVEL_RANK[_levels_by_adcode("partner")[adcode]]
    return _LEVEL_RANK[level]


# --------------------------------------------------------------------------- loading


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


def _parse_clusters(data: Mapping, origin: str) -> dict[str, dict]:
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
            for c in clusters()
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


def _parse_platform(
    entry: Mapping,
    index: int,
    cluster_table: Mapping[str, dict],
    origin: str,
    vintage: str,
    plan: str = "user",
    default_designated: Any = None,
) -> Platform:
    what = f"{origin}: platform #{index + 1}"
    if not isinstance(entry, Mapping):
        raise DefinitionError(f"{what} must be a table, got {entry!r}")
    _check_keys(entry, _PLATFORM_KEYS, what)
    pid = _require(entry, "id", what)
    if not isinstance(pid, str):
        raise DefinitionError(f"{what}: id must be text, got {type(pid).__name__} {pid!r}")
    what = f"{origin}: platform {pid!r}"
    for key in (
        "name",
        "name_in_plan",
        "short_name",
        "short_name_en",
        "name_en",
        "cluster",
        "theme",
        "theme_en",
        "clause",
        "quote",
        "footprint_note",
    ):
        _check_text(entry, key, what)
    name = _require(entry, "name", what)
    cluster = _require(entry, "cluster", what)
    if cluster not in cluster_table:
        raise DefinitionError(
            f"{what} has unknown cluster {cluster!r}; expected one of: {', '.join(cluster_table)}"
        )
    partners_raw = entry.get("partners")
    if not partners_raw:
        raise DefinitionError(f"{what} has an empty partner list; name at least one unit")
    _check_list(partners_raw, "partners", what)
    partners = tuple(_parse_partner(p, pid, origin, vintage) for p in partners_raw)
    precision = entry.get("footprint", "exact")
    if precision not in PRECISIONS:
        raise DefinitionError(
            f"{what} has footprint = {precision!r}; expected one of: {', '.join(PRECISIONS)}"
        )
    footprint_units = entry.get("footprint_units", {})
    if not isinstance(footprint_units, Mapping):
        raise DefinitionError(
            f"{what}: footprint_units must be a table of vintage = [unit names], got {footprint_units!r}"
        )
    for fv in footprint_units:
        check_choice(f"{what}: footprint_units vintage", fv, VINTAGES)
    # A key holds from its vintage until the next one, so a later vintage without a reform
    # needs no entry; every vintage must be covered (a gap would silently widen the footprint
    # to every partner) and every unit must exist in each vintage its key covers.
    in_force = {}
    for v in VINTAGES if footprint_units else ():
        try:
            names = as_of(footprint_units, v, f"{what}: footprint_units")
        except DataIntegrityError as exc:
            raise DefinitionError(f"{exc}; list the containing units from the earliest vintage on") from exc
        key = key_in_force(footprint_units, v)
        for unit in _check_list(names, f"footprint_units[{key!r}]", what):
            if not isinstance(unit, str):
                raise DefinitionError(
                    f"{what}: footprint_units[{key!r}] must list unit names, got {_shown(unit)}"
                )
            try:
                place = resolve(unit, vintage=v)
            except ChuanyuGeoError as exc:
                raise DefinitionError(
                    f"{what}: footprint_units[{key!r}] names {unit!r}, which is not a unit of vintage "
                    f"{v}: {exc}"
                ) from exc
            if place.former_name:  # a former unit: its successor may be much larger
                raise DefinitionError(
                    f"{what}: footprint_units[{key!r}] names {unit!r}, which is not a unit of vintage "
                    f"{v} ({place.note}); add an entry for vintage {v}"
                )
        in_force[v] = names
    later = []
    for fact in _check_list(entry.get("later", []), "later", what):
        if not isinstance(fact, Mapping):
            raise DefinitionError(f"{what}: each later fact must be a table, got {_shown(fact)}")
        _check_keys(fact, _LATER_KEYS, f"{what}: later fact")
        for key in ("fact", "source"):
            _check_text(fact, key, f"{what}: later fact")
        area = fact.get("area_km2")
        if area is not None and (
            isinstance(area, bool)
            or not isinstance(area, (int, float))
            or not math.isfinite(area)
            or area <= 0
        ):
            raise DefinitionError(
                f"{what}: later fact area_km2 must be a positive number, got {_shown(area)}"
            )
        for unit in _check_list(fact.get("adds", []), "adds", f"{what}: later fact"):
            if not isinstance(unit, str):
                raise DefinitionError(f"{what}: later fact adds must list unit names, got {_shown(unit)}")
        later.append(
            LaterFact(
                fact=_require(fact, "fact", f"{what}: later fact"),
                source=_require(fact, "source", f"{what}: later fact"),
                area_km2=fact.get("area_km2"),
                adds=tuple(fact.get("adds", ())),
            )
        )
    designated = _parse_designated(entry.get("designated", default_designated), what)
    overall = _parse_overall(entry.get("overall_plan"), what)
    return Platform(
        id=pid,
        name=name,
        name_in_plan=entry.get("name_in_plan", name),
        short_name=entry.get("short_name", name),
        name_en=entry.get("name_en", ""),
        cluster=cluster,
        cluster_name=cluster_table[cluster]["name"],
        theme=entry.get("theme", ""),
        theme_en=entry.get("theme_en", ""),
        clause=entry.get("clause", ""),
        quote=entry.get("quote", ""),
        partners=partners,
        precision=precision,
        footprint_note=entry.get("footprint_note"),
        footprint_units=tuple((v, tuple(names)) for v, names in in_force.items()),
        later=tuple(later),
        plan_vintage=vintage,
        cluster_color=cluster_table[cluster].get("color", DEFAULT_CLUSTER_COLOR),
        short_name_en=entry.get("short_name_en", pid),
        plan=plan,
        cluster_name_en=cluster_table[cluster].get("name_en", "") or cluster,
        designated=designated,
        overall_plan=overall,
    )


_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def _parse_designated(raw: Any, what: str) -> Designation | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{what}: designated must be a table with date and source, got {_shown(raw)}")
    _check_keys(raw, _DESIGNATED_KEYS, f"{what}: designated")
    for key in _DESIGNATED_KEYS:
        _check_text(raw, key, f"{what}: designated")
    date = _require(raw, "date", f"{what}: designated")
    if not _DATE.fullmatch(date):
        raise DefinitionError(f"{what}: designated date {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
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
    if raw.get("date") is not None and not _DATE.fullmatch(raw["date"]):
        raise DefinitionError(f"{where}: date {raw['date']!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    area = raw.get("area_km2")
    if area is not None and (
        isinstance(area, bool) or not isinstance(area, (int, float)) or not math.isfinite(area) or area <= 0
    ):
        raise DefinitionError(f"{where}: area_km2 must be a positive number, got {_shown(area)}")
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


_TOP_KEYS = {"platforms", "clusters", "source", "plan_vintage", "designated", "extends"}


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


def _parse(data: Mapping, origin: str, plan: str = "user") -> tuple[list[Platform], dict[str, dict]]:
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
    plan_vintage = data.get("plan_vintage", DEFAULT_VINTAGE)
    if not isinstance(plan_vintage, str) or plan_vintage not in VINTAGES:
        raise DefinitionError(
            f"{origin}: plan_vintage={_shown(plan_vintage)} is not valid; expected one of: "
            f"{', '.join(VINTAGES)}"
        )
    vintage = plan_vintage
    entries = data.get("platforms")
    if not entries:
        raise DefinitionError(f"{origin} defines no platforms; expected a [[platforms]] list")
    _check_list(entries, "platforms", origin)
    cluster_table = _parse_clusters(data, origin)
    parsed: list[Platform] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        platform = _parse_platform(entry, i, cluster_table, origin, vintage, plan, data.get("designated"))
        if platform.id in seen:
            raise DefinitionError(f"{origin}: duplicate platform id {platform.id!r} (platform #{i + 1})")
        seen.add(platform.id)
        parsed.append(platform)
    return parsed, cluster_table


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
        return _parse_safely(source, "platform mapping", read)
    if isinstance(source, str) and not source.strip():
        raise DefinitionError("the platform file path is empty; give the path of a TOML file")
    path = Path(source)
    text = read_user_text(path, "platform file", MAX_PLATFORM_FILE_BYTES)
    return _parse_safely(parse_toml(text, str(path)), str(path), read)


def _parse_safely(data: Mapping, origin: str, read) -> list[Platform]:
    try:
        return _parse(_extended(data, origin, read), origin)[0]
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


# --------------------------------------------------------------------------- plans


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
        raise DefinitionError("chuanyu_geo/plans.toml lists no plans")
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
    return tuple(_parse(_plan_data(plan), _plan_origin(plan), plan)[0])


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


def platforms_by_unit(chosen: list[Platform], level: str, vintage: str) -> dict[str, list[Platform]]:
    """Adcode -> the platforms of ``chosen`` the unit belongs to at ``level``, in plan order.

    The one unit -> platforms mapping: map colours and tooltips, figures, metrics and the
    platform labels on graph nodes all read it.
    """
    member_of: dict[str, list[Platform]] = {}
    for platform in chosen:
        for code in platform.member_adcodes(level, vintage):
            member_of.setdefault(code, []).append(platform)
    return member_of


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


def membership(
    level: str = "county",
    vintage: str = DEFAULT_VINTAGE,
    platform_set: list[Platform] | None = None,
    plan: str | None = None,
) -> pd.DataFrame:
    """One row per unit × platform, with the platform's cluster.

    A unit in several platforms appears once per platform (邻水 is named in 明月山 and lies in
    广安, a partner of 高竹新区 and 合广长).

    Parameters
    ----------
    level : {"county", "partner", "prefecture"}
    vintage : {"2024", "2025"}
    platform_set : list of Platform, optional
        A user set from :func:`load_platforms`; the built-in platforms by default.
    plan : str, optional
        The plan whose platforms to use (see :func:`plans`); default the 2020 plan.

    Returns
    -------
    pandas.DataFrame
        ``adcode``, ``name``, ``short_name``, ``name_en``, ``province``, ``prefecture``,
        ``prefecture_adcode``, ``platform_id``, ``platform``, ``platform_en``, ``cluster``,
        ``cluster_name``, ``partner`` (the partner the unit comes through), ``widened``,
        ``note``, ``vintage``, ``plan``.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> table = cg.membership(level="partner", plan="2023")
    >>> sorted(table.loc[table["name"] == "内江市", "platform"])
    ['内荣', '川南渝西']
    """
    level = check_choice("level", level, MEMBER_LEVELS)
    vintage = check_choice("vintage", vintage, VINTAGES)
    units = _unit_table(level if level in EXPAND_LEVELS else "county", vintage).set_index("adcode")
    frames = []
    chosen = platform_set_of(platform_set, plan)
    for platform in chosen:
        members = platform.members(level, vintage)
        members = members.assign(
            platform_id=platform.id,
            platform=platform.short_name,
            platform_en=platform.name_en,
            cluster=platform.cluster,
            cluster_name=platform.cluster_name,
        )
        frames.append(members)
    table = pd.concat(frames, ignore_index=True)
    attributes = units.loc[
        table["adcode"], ["name", "short_name", "name_en", "province", "prefecture", "prefecture_adcode"]
    ].reset_index()
    table = pd.concat([attributes, table.drop(columns="adcode")], axis=1)
    table["vintage"] = vintage
    table["plan"] = [p.plan for p in chosen for _ in range(len(p.member_adcodes(level, vintage)))]
    columns = [
        "adcode", "name", "short_name", "name_en", "province", "prefecture", "prefecture_adcode",
        "platform_id", "platform", "platform_en", "cluster", "cluster_name", "partner", "widened", "note",
        "vintage", "plan",
    ]  # fmt: skip
    return table[columns]
