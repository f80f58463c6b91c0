"""Turn the names researchers write (万州, Wanzhou, 500101, 开县) into units.

:func:`resolve` reads a name, short name, pinyin, adcode or former name as one unit of a
vintage (a :class:`Place`); :func:`expand` lists the units at another level that make it up
or contain it. The lookup tables are built by :mod:`chuanyu_geo.gazetteer_index` from the
shipped layers' attribute tables, once per vintage; former names and codes come from the
crosswalk (:mod:`chuanyu_geo.gazetteer_crosswalk`, facts with their sources), so statistics
keyed by an older yearbook's names can still be joined.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._errors import AmbiguousPlaceError, InvalidArgumentError, UnknownPlaceError, shown
from .boundaries import LEVELS, _unit_table, check_choice, check_vintage, vintage_registry

# The crosswalk and the index have modules of their own; what other modules import from
# here (tables/, platforms, regions) stays importable from here.
from .gazetteer_crosswalk import crosswalk
from .gazetteer_index import _CJK as _CJK
from .gazetteer_index import _chinese_key as _chinese_key
from .gazetteer_index import _Index, _index, _reach
from .gazetteer_index import _latin_key as _latin_key
from .gazetteer_index import _zone_keys as _zone_keys
from .gazetteer_index import _zone_table as _zone_table

__all__ = ["Place", "resolve", "crosswalk", "RESOLVE_LEVELS"]

RESOLVE_LEVELS = LEVELS
# Levels searched when the caller names none, broadest first (重庆市 is both a province
# and a prefecture-level unit with one adcode: the province wins).
_DEFAULT_LEVELS = ("province", "prefecture", "county")
MAX_QUERY_CHARS = 100


@dataclass(frozen=True)
class Place:
    """One administrative unit, as :func:`resolve` found it.

    Attributes
    ----------
    adcode, name, short_name, name_en, pinyin, kind : str
        Identity of the unit in the requested vintage.
    level : str
        ``county``, ``prefecture`` or ``province``.
    province, province_adcode, prefecture, prefecture_adcode : str or None
        The units it lies in.
    vintage : str
        Division vintage the record belongs to.
    query : str
        What the caller asked for.
    note : str or None
        What changed, when the query named a former unit or a unit that a reform
        reshaped (开县 -> 开州区 in 2016).
    former_name : str or None
        The former unit the query named (开县), when it did; ``None`` for a current unit.
    successors : tuple of Place
        Every unit that received part of a former unit the query named, when it was
        split (渝北区 in vintage 2025: 两江新区 and 北碚区). Empty otherwise.
    """

    adcode: str
    name: str
    short_name: str
    name_en: str
    pinyin: str
    kind: str
    level: str
    province: str
    province_adcode: str
    prefecture: str | None
    prefecture_adcode: str | None
    vintage: str
    query: str = ""
    note: str | None = None
    former_name: str | None = None
    successors: tuple[Place, ...] = field(default=())

    @property
    def qualified_name(self) -> str:
        """Name prefixed with its prefecture where that helps (内江市市中区)."""
        if self.level == "county" and self.prefecture and self.prefecture != self.province:
            return f"{self.prefecture}{self.name}"
        return self.name

    def __str__(self) -> str:
        return f"{self.name} ({self.adcode}, {self.level}, {self.province})"


def _place(
    index: _Index,
    i: int,
    query: str,
    note: str | None = None,
    successors: tuple = (),
    former_name: str | None = None,
) -> Place:
    """The :class:`Place` of row ``i`` of ``index``; a county a recent change reshaped gets its note."""
    row = index.units.loc[i]
    if note is None and row["level"] == "county":
        note = index.reshaped_note(row["adcode"])
    return Place(
        adcode=row["adcode"],
        name=row["name"],
        short_name=row["short_name"],
        name_en=row["name_en"],
        pinyin=row["pinyin"],
        kind=row["kind"],
        level=row["level"],
        province=row["province"],
        province_adcode=row["province_adcode"],
        prefecture=row["prefecture"] if isinstance(row["prefecture"], str) else None,
        prefecture_adcode=row["prefecture_adcode"] if isinstance(row["prefecture_adcode"], str) else None,
        vintage=index.vintage,
        query=query,
        note=note,
        former_name=former_name,
        successors=successors,
    )


def _dedupe(index: _Index, rows: list[int]) -> list[int]:
    """One row per adcode, the broadest level first (重庆市 province over prefecture)."""
    seen: dict[str, int] = {}
    for i in sorted(rows, key=lambda i: _DEFAULT_LEVELS.index(index.units.at[i, "level"])):
        seen.setdefault(index.units.at[i, "adcode"], i)
    return list(seen.values())


def _direct_matches(index: _Index, text: str, level: str | None) -> list[int]:
    """Rows matching ``text`` as a whole: full names and codes first, then short names, then pinyin."""
    tables: tuple[dict[str, list[int]], ...]
    if _CJK.search(text):
        tables = (index.exact, index.short)
        key = _chinese_key(text)
    elif text.isdigit():
        tables = (index.exact,)
        key = text
    else:
        tables = (index.latin,)
        key = _latin_key(text)
    for table in tables:
        rows = _dedupe(index, index.rows_for_level(table.get(key, []), level))
        if rows:
            return rows
    return []


def _prefixed_matches(index: _Index, text: str, level: str | None, depth: int = 0) -> list[int]:
    """Resolve names written with their province or prefecture in front (内江市市中区)."""
    if depth > 1 or not _CJK.search(text):
        return []
    key = _chinese_key(text)
    found: list[int] = []
    for prefix, adcode in index.prefixes:
        if not key.startswith(prefix) or len(key) == len(prefix):
            continue
        rest = key[len(prefix) :]
        inner = index.within(_direct_matches(index, rest, level), adcode)
        if not inner:
            inner = index.within(_prefixed_matches(index, rest, level, depth + 1), adcode)
        found.extend(i for i in inner if i not in found)
    return found


@functools.lru_cache(maxsize=1024)  # one resolve asks twice; a table join asks per level and vintage
def _names_elsewhere(index: _Index, text: str) -> frozenset[str]:
    """Full names ``text`` denotes in the other vintages (渝北 and Yubei -> 渝北区 in 2024)."""
    names: set[str] = set()
    for other in vintage_registry().ids:
        if other != index.vintage:
            elsewhere = _index(other)
            names.update(elsewhere.units.at[i, "name"] for i in _direct_matches(elsewhere, text, "county"))
    return frozenset(names)


def _former_matches(index: _Index, text: str) -> pd.DataFrame:
    key = _chinese_key(text) if _CJK.search(text) else text
    labels = index.former_rows.get(key, [])
    if not labels and not _CJK.search(text) and not text.isdigit():
        labels = index.former_latin.get(_latin_key(text), [])
    if not labels:  # a short name or pinyin of a unit that exists only in another vintage
        labels = [i for name in _names_elsewhere(index, text) for i in index.former_rows.get(name, [])]
    # Rows in the crosswalk's order, as a boolean filter would give them; selecting no rows
    # costs pandas a reindex, so a key that names nothing gets a shared empty frame.
    return index.former.loc[sorted(set(labels))] if labels else index.no_former


def _how_to_name(index: _Index, place: Place) -> str:
    if len(index.exact.get(place.name, [])) == 1:
        return f"'{place.name}' or {place.adcode}"
    return f"'{place.qualified_name}' or {place.adcode}"


def _suggest(index: _Index, text: str, level: str | None) -> list[str]:
    """Up to three close matches: same pinyin first (homophone typos), then similar spelling."""
    rows = index.level_rows[level]
    scores: dict[int, float] = {}
    if _CJK.search(text):
        key = _chinese_key(text)
        spoken = _pinyin_of_text(key)
        homophones = index.spoken.get(spoken, set()) if spoken else set()
        columns = ("name", "short_name")
        bound = np.maximum(*(index.fuzzy[c].bound(key) for c in columns))
        for i in rows:
            # Below the threshold by the bound, a unit cannot reach it by the exact ratio.
            if bound[i] < 0.5 and i not in homophones:
                continue
            ratio = max(difflib.SequenceMatcher(None, key, index.units.at[i, c]).ratio() for c in columns)
            scores[i] = ratio + (1.0 if i in homophones else 0.0)
    else:
        key = _latin_key(text) or text
        columns = ("pinyin", "name_en")
        bound = np.maximum(*(index.fuzzy[c].bound(key) for c in columns))
        for i in rows:
            if bound[i] < 0.5:
                continue
            scores[i] = max(
                difflib.SequenceMatcher(None, key, _latin_key(index.units.at[i, c])).ratio() for c in columns
            )
    ranked = sorted((s, i) for i, s in scores.items() if s >= 0.5)
    ranked.sort(key=lambda pair: (-pair[0], index.units.at[pair[1], "adcode"]))
    return [
        f"{index.units.at[i, 'name']} ({index.units.at[i, 'adcode']}, {index.units.at[i, 'province']})"
        for _, i in ranked[:3]
    ]


def _pinyin_of_text(text: str) -> str:
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # suggestions fall back to spelling similarity
        return ""
    return "".join(lazy_pinyin(text))


def _future_names(index: _Index, text: str) -> set[str]:
    key = _chinese_key(text) if _CJK.search(text) else text
    return {key} | _names_elsewhere(index, text)


def _future_sources(index: _Index, text: str) -> list[str]:
    """For a unit created after this vintage, the units its area lay in then."""
    sources = _future_rows(index, text)
    if sources.empty:
        return []
    codes = sorted(set(sources["old_adcode"]) & set(index.counties))
    return [f"{index.counties[c][0]} ({c}, {index.counties[c][1]})" for c in codes]


def _future_rows(index: _Index, text: str) -> pd.DataFrame:
    """Crosswalk rows of changes after this vintage that created the unit ``text`` names."""
    labels = {i for name in _future_names(index, text) for i in index.future_rows.get(name, [])}
    return index.future.loc[sorted(labels)] if labels else index.no_future


def _future_hint(index: _Index, text: str) -> str:
    future = _future_rows(index, text)
    if future.empty:
        return ""
    later = next(v for v in vintage_registry().ids if vintage_registry().dates[v] >= future["date"].iloc[0])
    return f"; {future['new_name'].iloc[0]} exists only from {future['date'].iloc[0]} (use vintage='{later}')"


def resolve(query: str | int, level: str | None = None, vintage: str | None = None) -> Place:
    """Find the unit a name, short name, pinyin or adcode refers to.

    Parameters
    ----------
    query : str or int
        Full name (万州区), short name (万州), pinyin in any case, with or without tones,
        spaces or apostrophes (Wanzhou, "guang an"), English name (Wanzhou District),
        adcode (500101 or "500101"), a name with its province or prefecture in front
        (内江市市中区), or a former name or code (开县, 500234).
    level : {"county", "prefecture", "province", "partner"} or None
        Restrict the search. ``partner`` means Sichuan prefectures and Chongqing
        county-level units, the level at which the 2020 plan names partners. ``None``
        searches every level.
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
        Division vintage.

    Returns
    -------
    Place
        For a former unit, its successor with ``note`` saying what changed; a split
        unit also lists all its successors in ``successors``.

    Raises
    ------
    UnknownPlaceError
        Nothing matches; the message offers up to three close matches.
    AmbiguousPlaceError
        Several units match; the message lists each with the way to name it uniquely.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> place = cg.resolve("开县")  # a former name
    >>> place.name, place.adcode
    ('开州区', '500154')
    """
    vintage = check_vintage(vintage)
    if level is not None:
        level = check_choice("level", level, RESOLVE_LEVELS)
    return _resolve(query, level, vintage)


def _resolve(query: str | int, level: str | None, vintage: str, suggest: bool = True) -> Place:
    """:func:`resolve` with checked ``level`` and ``vintage``; ``suggest=False`` leaves out
    close matches, which cost the most.

    Table joins resolve every distinct key and offer suggestions for the first few unknown
    ones only, so a table of junk keys costs microseconds per key.
    """
    if isinstance(query, bool) or not isinstance(query, (str, int)):
        raise InvalidArgumentError(f"query={shown(query)} must be a name (str) or an adcode (int or str)")
    text = str(query).strip()
    if not text:
        raise InvalidArgumentError("query is empty; expected a name, pinyin or 6-digit adcode")
    if text.isdigit() and len(text) != 6:
        raise InvalidArgumentError(f"adcode {text[:20]!r} has {len(text)} digits; expected 6 (e.g. 500101)")
    if len(text) > MAX_QUERY_CHARS:  # no unit name is that long; do not spend seconds on suggestions
        raise UnknownPlaceError(
            f"no unit matches {text[:30]!r}… ({len(text):,} characters; unit names have at most a few dozen)",
            text,
            [],
        )
    index = _index(vintage)
    rows = _direct_matches(index, text, level)
    # Most keys of a junk table name nothing in any vintage: one check instead of every table.
    # A direct match needs no such check (and the check reads every vintage's index).
    possible = bool(rows) or _reach().could_match(text)
    rows = rows or (_prefixed_matches(index, text, level) if possible else [])
    if len(rows) == 1:
        return _place(index, rows[0], text)
    if len(rows) > 1:
        candidates = [_place(index, i, text) for i in rows]
        listing = "; ".join(
            f"{c.qualified_name} ({c.adcode}, {c.level}) -> write {_how_to_name(index, c)}"
            for c in candidates
        )
        raise AmbiguousPlaceError(
            f"{text!r} matches {len(candidates)} units in vintage {vintage}: {listing}", text, candidates
        )

    former = _former_matches(index, text) if possible else index.no_former
    if not former.empty:
        return _successor_place(index, text, former, level)
    zone = _hosted_zone(index, text, level) if possible else None
    if zone is not None:
        return zone

    where = f" at level {level}" if level else ""
    sources = _future_sources(index, text) if possible else []
    if sources:
        suggestions = sources
        hint = f"{_future_hint(index, text)}; in vintage {vintage} its area lies in {', '.join(sources)}"
    else:
        suggestions = _suggest(index, text, level) if suggest else []
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
    raise UnknownPlaceError(
        f"no unit matches {text!r}{where} in vintage {vintage}{hint} "
        "(expected a name such as 万州区 or 万州, pinyin such as Wanzhou, or a 6-digit adcode)",
        text,
        suggestions,
        suggestions_skipped=not (sources or suggest),
    )


def _hosted_zone(index: _Index, text: str, level: str | None) -> Place | None:
    """A development zone whose host unit is documented (万盛经开区 -> 綦江区), as its host.

    The zone is not a division: the place returned is the unit it lies in, with a note, and
    ``former_name`` the former unit it is named after (万盛区), so a one-to-one join treats
    its value as a part of the host, never as the host's.
    """
    positions = _zone_keys().get(_chinese_key(text) if _CJK.search(text) else text, [])
    for position in positions:
        zone = _zone_table().iloc[position]
        if zone["host_status"] != "documented" or zone["host_adcode"] not in index.counties:
            continue
        rows = index.rows_for_level(_direct_matches(index, zone["host_adcode"], None), level or "county")
        if not rows:
            continue
        note = (
            f"{zone['name']} is not a county-level division: {zone['note']}; it lies in "
            f"{zone['host_name']} ({zone['host_adcode']}) (source: {zone['host_source']})"
        )
        return _place(index, rows[0], text, note=note, former_name=zone["former_name"] or None)
    return None


def _successor_place(index: _Index, text: str, former: pd.DataFrame, level: str | None) -> Place:
    order = {"all": 0, "most": 1, "part": 2}
    former = former.sort_values("share", key=lambda s: s.map(order), kind="stable")
    target_level = level or "county"
    rows = []
    for change in former.itertuples():
        found = index.rows_for_level(_direct_matches(index, change.new_adcode, None), target_level)
        if not found:
            raise UnknownPlaceError(
                f"{text!r} is a former unit whose successor {change.new_name} ({change.new_adcode}) "
                f"is not a {target_level}-level unit in vintage {index.vintage}",
                text,
                [],
            )
        rows.append(found[0])
    changes = "; ".join(
        f"{c.old_name} ({c.old_adcode}) -> {c.new_name} ({c.new_adcode}), {c.change}"
        f"{'' if c.share == 'all' else ' (' + c.share + ')'}{', ' + c.date if c.date else ''}"
        f"{': ' + c.note if c.note else ''}"
        for c in former.itertuples()
    )
    former_name = former["old_name"].iloc[0]
    note = f"{former_name} is a former unit: {changes}"
    split = tuple(_place(index, i, text) for i in rows) if len(rows) > 1 else ()
    return _place(index, rows[0], text, note=note, successors=split, former_name=former_name)


EXPAND_LEVELS = LEVELS


def expand(place: Place, level: str = "county", vintage: str | None = None) -> list[str]:
    """Adcodes of the units at ``level`` that make up, or contain, ``place``.

    A prefecture expands to its counties at county level; a county is widened to its
    prefecture at prefecture level. At ``partner`` level Sichuan units become their
    prefectures and Chongqing units stay county-level units.

    Parameters
    ----------
    place : Place
        A unit from :func:`resolve`.
    level : {"county", "prefecture", "province", "partner"}
    vintage : str, optional
        Defaults to the place's own vintage.

    Returns
    -------
    list of str
        Sorted adcodes.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> len(cg.expand(cg.resolve("达州"), "county"))
    7
    """
    level = check_choice("level", level, EXPAND_LEVELS)
    vintage = check_vintage(vintage or place.vintage)
    counties = _unit_table("county", vintage)
    if place.level == "county":
        inside = counties[counties["adcode"] == place.adcode]
    elif place.level == "prefecture":
        inside = counties[counties["prefecture_adcode"] == place.adcode]
    else:
        inside = counties[counties["province_adcode"] == place.adcode]
    if level == "county":
        codes = inside["adcode"]
    elif level == "prefecture":
        codes = inside["prefecture_adcode"]
    elif level == "province":
        codes = inside["province_adcode"]
    else:
        codes = inside["prefecture_adcode"].where(inside["province_adcode"] == "510000", inside["adcode"])
    return sorted(set(codes))
