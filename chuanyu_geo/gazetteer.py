"""Turn the names researchers write (万州, Wanzhou, 500101, 开县) into units.

The index is built from the shipped layers' attribute tables, once per vintage. Former
names and codes come from ``crosswalk.csv`` (facts with their sources), so statistics
keyed by an older yearbook's names can still be joined.
"""

from __future__ import annotations

import difflib
import functools
import io
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from ._errors import AmbiguousPlaceError, DataIntegrityError, InvalidArgumentError, UnknownPlaceError
from ._io import data_sources, origin_of, read_source_text
from .boundaries import DEFAULT_VINTAGE, LEVELS, VINTAGE_DATES, VINTAGES, _unit_table, check_choice

__all__ = ["Place", "resolve", "crosswalk", "RESOLVE_LEVELS"]

RESOLVE_LEVELS = LEVELS
# Levels searched when the caller names none, broadest first (重庆市 is both a province
# and a prefecture-level unit with one adcode: the province wins).
_DEFAULT_LEVELS = ("province", "prefecture", "county")
# A vintage holds the divisions in force on this date.
MAX_QUERY_CHARS = 100

_CJK = re.compile(r"[\u3400-\u9fff]")
# Pinyin of the kind suffix, so "wanzhouqu" and "Wanzhou Qu" resolve too.
_KIND_PINYIN = {
    "市辖区": "qu",
    "县": "xian",
    "县级市": "shi",
    "自治县": "zizhixian",
    "地级市": "shi",
    "自治州": "zizhizhou",
    "省": "sheng",
    "直辖市": "shi",
}


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


@functools.lru_cache(maxsize=1)
def _crosswalk_table() -> pd.DataFrame:
    """The package's crosswalk, then the rows of each added data source's ``crosswalk.csv``."""
    tables = []
    for _, folder in data_sources():
        text = read_source_text(folder, "crosswalk.csv")
        if text is None:
            continue
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        if tables and list(table.columns) != list(tables[0].columns):
            raise DataIntegrityError(
                f"{origin_of(folder, 'crosswalk.csv')}: columns {list(table.columns)}; "
                f"expected {list(tables[0].columns)}"
            )
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def crosswalk(vintage: str | None = None) -> pd.DataFrame:
    """Former codes and names and the units that succeeded them.

    Parameters
    ----------
    vintage : {"2024", "2025"} or None
        Keep only the changes in force in that vintage (``2024`` leaves out
        Chongqing's 2025-11-06 reform). ``None`` returns every row.

    Returns
    -------
    pandas.DataFrame
        ``old_adcode``, ``old_name``, ``new_adcode``, ``new_name``, ``date``, ``change``
        (``rename``: same code, new name; ``recode``: new code, usually with a new name
        such as county to district; ``merge``; ``split``; ``transfer``: territory moved
        between units or a unit moved to another prefecture; ``abolish``), ``share``
        (``all``, ``most`` or ``part`` of the old unit), ``detail``, ``note``, ``source``
        (the original source).
        A split unit has one row per successor; join older statistics on
        ``old_adcode`` and mind ``share`` before summing.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> table = cg.crosswalk()
    >>> table.loc[table["old_name"] == "开县", ["new_adcode", "new_name"]].values.tolist()
    [['500154', '开州区']]
    """
    table = _crosswalk_table().copy()
    if vintage is None:
        return table
    vintage = check_choice("vintage", vintage, VINTAGES)
    return table[_in_force(table, vintage)].reset_index(drop=True)


def _in_force(table: pd.DataFrame, vintage: str) -> pd.Series:
    # Rows without a date are old, undated changes; ISO dates and years compare as text.
    return (table["date"] == "") | (table["date"] <= VINTAGE_DATES[vintage])


def _latin_key(text: str) -> str:
    """Lower-case ASCII letters only: tones, spaces, apostrophes and digits dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.lower() if "a" <= ch <= "z")


def _chinese_key(text: str) -> str:
    # 巿 (U+5DFF) is printed for 市 in some scanned yearbooks (the 2010 census: 江油巿).
    return "".join(unicodedata.normalize("NFKC", text).split()).replace("巿", "市")


class _Index:
    """Lookup tables of one vintage: query key -> rows of the unit table."""

    def __init__(self, vintage: str):
        self.vintage = vintage
        frames = []
        for level in ("province", "prefecture", "county"):
            frame = _unit_table(level, vintage).copy()
            frame["level"] = level
            frames.append(frame)
        self.units = pd.concat(frames, ignore_index=True)
        partner = _unit_table("partner", vintage)
        # The partner layer says which (adcode, level) pairs make up the plan's level.
        self.partner_units = frozenset(zip(partner["adcode"], partner["unit_level"]))
        self.exact: dict[str, list[int]] = {}
        self.short: dict[str, list[int]] = {}
        self.latin: dict[str, list[int]] = {}
        for i, row in self.units.iterrows():
            self._add(self.exact, row["name"], i)
            self._add(self.exact, row["adcode"], i)
            self._add(self.short, row["short_name"], i)
            latin = _latin_key(row["pinyin"])
            self._add(self.latin, latin, i)
            self._add(self.latin, _latin_key(row["name_en"]), i)
            if row["short_name"] != row["name"]:
                self._add(self.latin, latin + _KIND_PINYIN[row["kind"]], i)
        changes = crosswalk(vintage)
        current = set(self.units["adcode"])
        # Former units: names and codes that no longer exist in this vintage.
        self.former = changes[
            ~changes["old_adcode"].isin(current) | ~changes["old_name"].isin(set(self.units["name"]))
        ]
        everything = _crosswalk_table()
        self.future = everything[~_in_force(everything, vintage)]
        # Units a change since the previous vintage reshaped get a note when resolved.
        previous = _previous(vintage)
        since_previous = (
            changes["date"] > VINTAGE_DATES[previous] if previous else pd.Series(False, index=changes.index)
        )
        self.reshaped = changes[since_previous & changes["new_adcode"].isin(current)]

    @staticmethod
    def _add(table: dict[str, list[int]], key: str, i: int) -> None:
        rows = table.setdefault(key, [])
        if i not in rows:
            rows.append(i)

    def place(
        self,
        i: int,
        query: str,
        note: str | None = None,
        successors: tuple = (),
        former_name: str | None = None,
    ) -> Place:
        row = self.units.loc[i]
        if note is None and row["level"] == "county":
            note = self._reshaped_note(row["adcode"])
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
            vintage=self.vintage,
            query=query,
            note=note,
            former_name=former_name,
            successors=successors,
        )

    def _reshaped_note(self, adcode: str) -> str | None:
        rows = self.reshaped[self.reshaped["new_adcode"] == adcode]
        if rows.empty:
            return None
        parts = sorted(
            {f"{r.old_name} ({r.old_adcode}) -> {r.new_name}: {r.note}" for r in rows.itertuples()}
        )
        return f"reshaped on {rows['date'].iloc[0]}: " + "; ".join(parts)

    def rows_for_level(self, rows: list[int], level: str | None) -> list[int]:
        if level is None:
            return rows
        if level == "partner":
            return [
                i
                for i in rows
                if (self.units.at[i, "adcode"], self.units.at[i, "level"]) in self.partner_units
            ]
        return [i for i in rows if self.units.at[i, "level"] == level]

    def within(self, rows: list[int], container: str) -> list[int]:
        units = self.units
        return [
            i
            for i in rows
            if container in (units.at[i, "province_adcode"], units.at[i, "prefecture_adcode"])
            and units.at[i, "adcode"] != container
        ]


def _previous(vintage: str) -> str | None:
    position = VINTAGES.index(vintage)
    return VINTAGES[position - 1] if position else None


@functools.cache
def _index(vintage: str) -> _Index:
    return _Index(vintage)


def _dedupe(index: _Index, rows: list[int]) -> list[int]:
    """One row per adcode, the broadest level first (重庆市 province over prefecture)."""
    seen: dict[str, int] = {}
    for i in sorted(rows, key=lambda i: _DEFAULT_LEVELS.index(index.units.at[i, "level"])):
        seen.setdefault(index.units.at[i, "adcode"], i)
    return list(seen.values())


def _direct_matches(index: _Index, text: str, level: str | None) -> list[int]:
    """Rows matching ``text`` as a whole: full names and codes first, then short names, then pinyin."""
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
    containers = index.units[index.units["level"].isin(("province", "prefecture"))]
    for _, container in containers.iterrows():
        for prefix in {container["name"], container["short_name"]}:
            if not key.startswith(prefix) or len(key) == len(prefix):
                continue
            rest = key[len(prefix) :]
            inner = index.within(_direct_matches(index, rest, level), container["adcode"])
            if not inner:
                inner = index.within(_prefixed_matches(index, rest, level, depth + 1), container["adcode"])
            found.extend(i for i in inner if i not in found)
    return found


def _names_elsewhere(index: _Index, text: str) -> set[str]:
    """Full names ``text`` denotes in the other vintages (渝北 and Yubei -> 渝北区 in 2024)."""
    names: set[str] = set()
    for other in VINTAGES:
        if other != index.vintage:
            elsewhere = _index(other)
            names.update(elsewhere.units.at[i, "name"] for i in _direct_matches(elsewhere, text, "county"))
    return names


def _former_matches(index: _Index, text: str) -> pd.DataFrame:
    key = _chinese_key(text) if _CJK.search(text) else text
    former = index.former
    found = former[(former["old_name"] == key) | (former["old_adcode"] == key)]
    if found.empty:  # a short name or pinyin of a unit that exists only in another vintage
        found = former[former["old_name"].isin(_names_elsewhere(index, text))]
    return found


def _how_to_name(index: _Index, place: Place) -> str:
    if len(index.exact.get(place.name, [])) == 1:
        return f"'{place.name}' or {place.adcode}"
    return f"'{place.qualified_name}' or {place.adcode}"


def _suggest(index: _Index, text: str, level: str | None) -> list[str]:
    """Up to three close matches: same pinyin first (homophone typos), then similar spelling."""
    units = index.units.loc[index.rows_for_level(list(index.units.index), level)]
    scores: dict[int, float] = {}
    if _CJK.search(text):
        key = _chinese_key(text)
        spoken = _pinyin_of_text(key)
        for i, row in units.iterrows():
            ratio = max(
                difflib.SequenceMatcher(None, key, row[col]).ratio() for col in ("name", "short_name")
            )
            if spoken and spoken in (
                _latin_key(row["pinyin"]),
                _latin_key(row["pinyin"]) + _KIND_PINYIN[row["kind"]],
            ):
                ratio += 1.0
            scores[i] = ratio
    else:
        key = _latin_key(text) or text
        for i, row in units.iterrows():
            scores[i] = max(
                difflib.SequenceMatcher(None, key, _latin_key(row[col])).ratio()
                for col in ("pinyin", "name_en")
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
    sources = index.future[index.future["new_name"].isin(_future_names(index, text))]
    current = index.units[index.units["level"] == "county"].set_index("adcode")
    codes = sorted(set(sources["old_adcode"]) & set(current.index))
    return [f"{current.at[c, 'name']} ({c}, {current.at[c, 'province']})" for c in codes]


def _future_hint(index: _Index, text: str) -> str:
    future = index.future[index.future["new_name"].isin(_future_names(index, text))]
    if future.empty:
        return ""
    later = next(v for v in VINTAGES if VINTAGE_DATES[v] >= future["date"].iloc[0])
    return f"; {future['new_name'].iloc[0]} exists only from {future['date'].iloc[0]} (use vintage='{later}')"


def resolve(query: str | int, level: str | None = None, vintage: str = DEFAULT_VINTAGE) -> Place:
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
    vintage : {"2024", "2025"}
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
    vintage = check_choice("vintage", vintage, VINTAGES)
    if level is not None:
        level = check_choice("level", level, RESOLVE_LEVELS)
    if isinstance(query, bool) or not isinstance(query, (str, int)):
        raise InvalidArgumentError(f"query={query!r} must be a name (str) or an adcode (int or str)")
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

    rows = _direct_matches(index, text, level) or _prefixed_matches(index, text, level)
    if len(rows) == 1:
        return index.place(rows[0], text)
    if len(rows) > 1:
        candidates = [index.place(i, text) for i in rows]
        listing = "; ".join(
            f"{c.qualified_name} ({c.adcode}, {c.level}) -> write {_how_to_name(index, c)}"
            for c in candidates
        )
        raise AmbiguousPlaceError(
            f"{text!r} matches {len(candidates)} units in vintage {vintage}: {listing}", text, candidates
        )

    former = _former_matches(index, text)
    if not former.empty:
        return _successor_place(index, text, former, level)

    where = f" at level {level}" if level else ""
    sources = _future_sources(index, text)
    if sources:
        suggestions = sources
        hint = f"{_future_hint(index, text)}; in vintage {vintage} its area lies in {', '.join(sources)}"
    else:
        suggestions = _suggest(index, text, level)
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
    raise UnknownPlaceError(
        f"no unit matches {text!r}{where} in vintage {vintage}{hint} "
        "(expected a name such as 万州区 or 万州, pinyin such as Wanzhou, or a 6-digit adcode)",
        text,
        suggestions,
    )


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
    split = tuple(index.place(i, text) for i in rows) if len(rows) > 1 else ()
    return index.place(rows[0], text, note=note, successors=split, former_name=former_name)


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
    vintage = check_choice("vintage", vintage or place.vintage, VINTAGES)
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
