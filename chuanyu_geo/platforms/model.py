"""What a platform is: the Platform, Partner and Cluster records and the footprint rule.

A :class:`Platform` holds its partners as the plan names them and expands them, through the
gazetteer, to member units at the level a caller asks for (达州 -> its seven counties), and
to a dissolved footprint. Reading and checking platform files is :mod:`.parse`; choosing a
plan is :mod:`.registry`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import geopandas as gpd
import pandas as pd

from ..boundaries import (
    DEFAULT_DETAIL,
    DETAILS,
    MEMBER_LEVELS,
    _unit_table,
    check_choice,
    check_vintage,
    dissolve,
    load_boundaries,
    vintage_registry,
)
from ..gazetteer import Place, expand, resolve

__all__ = [
    "Partner",
    "LaterFact",
    "Designation",
    "OverallPlan",
    "Cluster",
    "Platform",
    "PRECISIONS",
    "DEFAULT_CLUSTER_COLOR",
]

PRECISIONS = ("exact", "approximate")
DEFAULT_CLUSTER_COLOR = "#666666"
_LEVEL_RANK = {"county": 0, "prefecture": 1, "province": 2}


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
        Why the footprint is approximate, or a caveat (English).
    later : tuple of LaterFact
        Facts from later plans (they do not change membership).
    plan_vintage : str
        Division vintage the partners were resolved in (None when built in code: the
        registry's default).
    plan : str
        The plan this definition belongs to (``2020``, ``2023``; ``user`` for a user file).
    designated : Designation or None
        When the platform was designated (a treatment date).
    overall_plan : OverallPlan or None
        Its overall plan: document, date, approval, footprint, area; or what was not found.
    footprint_note_zh : str or None
        ``footprint_note`` in Chinese, for Chinese outputs.
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
    plan_vintage: str | None = None
    cluster_color: str = DEFAULT_CLUSTER_COLOR
    short_name_en: str = ""
    plan: str = "user"
    cluster_name_en: str = ""
    designated: Designation | None = None
    overall_plan: OverallPlan | None = None
    footprint_note_zh: str | None = None

    def __post_init__(self) -> None:
        if self.plan_vintage is None:  # a platform built in code: the vintage in force now
            object.__setattr__(self, "plan_vintage", vintage_registry().default)

    def __str__(self) -> str:
        return f"{self.short_name} ({self.id}, {self.cluster_name})"

    def _partner_places(self, vintage: str) -> list[tuple[Partner, Place]]:
        """Each partner as a unit of ``vintage``; a split partner yields every successor."""
        pairs: list[tuple[Partner, Place]] = []
        for partner in self.partners:
            place = resolve(partner.unit_name, level=partner.level, vintage=vintage)
            # Successors of a split partner carry the split's explanation, not their own history.
            pairs.extend((partner, replace(p, note=place.note)) for p in (place.successors or (place,)))
        return pairs

    def members(self, level: str = "county", vintage: str | None = None) -> pd.DataFrame:
        """Member units at ``level``, with the partner each comes through.

        Parameters
        ----------
        level : {"county", "partner", "prefecture"}
        vintage : str, optional
            An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.

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
        return _members(self, check_choice("level", level, MEMBER_LEVELS), check_vintage(vintage)).copy()

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

    def member_adcodes(self, level: str = "county", vintage: str | None = None) -> list[str]:
        """Adcodes of the member units at ``level`` (达州 -> its seven counties at county level).

        Parameters
        ----------
        level : {"county", "partner", "prefecture"}
        vintage : str, optional
            An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.

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

    def footprint_precision(self, level: str = "county", vintage: str | None = None) -> str:
        """``exact`` if the footprint at ``level`` is whole units and none was widened, else ``approximate``.

        Parameters
        ----------
        level : {"county", "partner", "prefecture"}
        vintage : str, optional
            An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.

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
            check_choice("level", level, MEMBER_LEVELS), check_vintage(vintage)
        )
        return "exact" if self.precision == "exact" and not widened else "approximate"

    def footprint(
        self, level: str = "county", vintage: str | None = None, detail: str = DEFAULT_DETAIL
    ) -> gpd.GeoDataFrame:
        """The platform's area as one dissolved polygon, with its precision.

        Parameters
        ----------
        level : {"county", "partner", "prefecture"}
            Units the footprint is built from; a coarser level can only widen it.
        vintage : str, optional
            An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
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
        vintage = check_vintage(vintage)
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
    tables = [_unit_table("partner" if level == "partner" else level, v) for v in vintage_registry().ids]
    both = pd.concat(tables).drop_duplicates("adcode")
    return dict(zip(both["adcode"], both["unit_level"]))


def _unit_level(adcode: str, level: str) -> int:
    """Rank of the unit an expanded adcode denotes (county 0, prefecture 1, province 2)."""
    if level == "partner":
        return _LEVEL_RANK[_levels_by_adcode("partner")[adcode]]
    return _LEVEL_RANK[level]
