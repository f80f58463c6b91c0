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
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import pandas as pd

from ._errors import AmbiguousPlaceError, DataIntegrityError, InvalidArgumentError, UnknownPlaceError, shown
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


@functools.cache
def _traditional() -> dict[int, str]:
    """Traditional character -> simplified, for the characters of our unit names
    (``data/traditional_characters.csv``; its source is in ``traditional_characters.md``)."""
    path = resources.files("chuanyu_geo").joinpath("data", "traditional_characters.csv")
    with path.open(encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype=str, keep_default_na=False)
    return str.maketrans(dict(zip(table["traditional"], table["simplified"])))


def _chinese_key(text: str) -> str:
    # 巿 (U+5DFF) is printed for 市 in some scanned yearbooks (the 2010 census: 江油巿);
    # Hong Kong and Taiwan sources write traditional characters (開縣 for 开县).
    key = "".join(unicodedata.normalize("NFKC", text).split()).replace("巿", "市")
    return key.translate(_traditional())


@functools.cache
def _zone_table() -> pd.DataFrame:
    """``not_divisions.csv``: statistical areas with names or codes that are not divisions."""
    with resources.files("chuanyu_geo").joinpath("not_divisions.csv").open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@functools.cache
def _zone_keys() -> dict[str, list[int]]:
    """Code, name or alias -> positions of the rows of :func:`_zone_table`."""
    rows: dict[str, list[int]] = {}
    table = _zone_table()
    for position, (code, name, aliases) in enumerate(zip(table["adcode"], table["name"], table["aliases"])):
        for key in dict.fromkeys((code, name, *aliases.split(";"))):
            if key:
                rows.setdefault(key, []).append(position)
    return rows


def _former_pinyin(name: str, units: pd.DataFrame) -> str:
    """Pinyin of a former unit's name (开县 -> kaixian), read like the current units' pinyin.

    The stem of a name that a current unit still uses (会理县 -> 会理市) takes that unit's
    pinyin, which was checked for polyphones (会 is hui there, not kuai); other stems are
    converted with pypinyin, the converter the layers were built with.
    """
    kinds = {"县": "xian", "区": "qu", "市": "shi"}
    stem, kind = (name[:-1], kinds[name[-1]]) if name[-1:] in kinds and len(name) > 1 else (name, "")
    same_stem = units.loc[units["short_name"] == stem, "pinyin"]
    if len(same_stem):
        spoken = _latin_key(same_stem.iloc[0])
    else:
        from pypinyin import lazy_pinyin

        spoken = _latin_key("".join(lazy_pinyin(stem)))
    return spoken + kind


class _CharCounts:
    """Character counts of a list of strings, to bound their similarity to a query at once.

    ``difflib.SequenceMatcher.ratio`` is ``2 M / T`` with ``M`` matched characters, and
    ``M`` can be no more than the characters two strings share (``quick_ratio``). Counting
    them for every unit in one numpy step leaves the exact, slow ratio to the few units
    whose bound can reach the threshold: the same suggestions in microseconds.
    """

    def __init__(self, texts: list[str]):
        self.lengths = np.array([len(t) for t in texts], dtype=float)
        self.columns: dict[str, int] = {}
        for text in texts:
            for ch in text:
                self.columns.setdefault(ch, len(self.columns))
        self.counts = np.zeros((len(texts), max(1, len(self.columns))), dtype=np.int32)
        for row, text in enumerate(texts):
            for ch, n in Counter(text).items():
                self.counts[row, self.columns[ch]] = n

    def bound(self, query: str) -> np.ndarray:
        """Upper bound of ``SequenceMatcher(None, query, text).ratio()`` for every text."""
        wanted = Counter(ch for ch in query if ch in self.columns)
        shared = np.zeros(len(self.lengths))
        if wanted:
            cols = [self.columns[ch] for ch in wanted]
            shared = np.minimum(self.counts[:, cols], np.array(list(wanted.values()))).sum(axis=1)
        total = self.lengths + len(query)
        # Two empty strings are a perfect match for difflib; keep that, rather than 0/0.
        return np.where(total > 0, 2.0 * shared / np.maximum(total, 1.0), 1.0)


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
        self._build_lookups()

    @functools.cached_property
    def former_latin(self) -> dict[str, list]:
        """Former names in pinyin (kaixian -> 开县), unless a current unit is spelled so.

        Built on the first Latin query only: converting the names loads pypinyin's phrase
        dictionaries (~0.5 s), which Chinese names and codes never need.
        """
        out: dict[str, list] = {}
        for label, name in zip(self.former.index, self.former["old_name"]):
            spoken = _former_pinyin(name, self.units)
            if spoken and spoken not in self.latin:
                out.setdefault(spoken, []).append(label)
        return out

    def _build_lookups(self) -> None:
        """Dictionaries and character counts, so an unknown query costs microseconds, not
        a scan of every table (a user table may hold 10^5 junk keys)."""
        units = self.units
        containers = units[units["level"].isin(("province", "prefecture"))]
        # (prefix, container adcode) for names written with their province or prefecture in front.
        self.prefixes = [
            (prefix, adcode)
            for name, short, adcode in zip(containers["name"], containers["short_name"], containers["adcode"])
            for prefix in dict.fromkeys((name, short))
        ]
        self.former_rows: dict[str, list] = {}
        for label, name, code in zip(self.former.index, self.former["old_name"], self.former["old_adcode"]):
            for key in dict.fromkeys((name, code)):
                self.former_rows.setdefault(key, []).append(label)
        # Shared empty results (read only) for the many keys that name no former or later unit.
        self.no_former = self.former.iloc[:0]
        self.no_future = self.future.iloc[:0]
        self.future_rows: dict[str, list] = {}
        for label, name in zip(self.future.index, self.future["new_name"]):
            self.future_rows.setdefault(name, []).append(label)
        counties = units[units["level"] == "county"]
        self.counties = dict(zip(counties["adcode"], zip(counties["name"], counties["province"])))
        self.level_rows: dict[str | None, list[int]] = {
            level: self.rows_for_level(list(units.index), level) for level in (None, *RESOLVE_LEVELS)
        }
        # Suggestion scores compare a query with these columns (see _suggest).
        self.fuzzy = {
            "name": _CharCounts(list(units["name"])),
            "short_name": _CharCounts(list(units["short_name"])),
            "pinyin": _CharCounts([_latin_key(t) for t in units["pinyin"]]),
            "name_en": _CharCounts([_latin_key(t) for t in units["name_en"]]),
        }
        # A Chinese query whose pinyin is a unit's pinyin (with or without its kind) is a homophone typo.
        self.spoken: dict[str, set[int]] = {}
        for i, pinyin, kind in zip(units.index, units["pinyin"], units["kind"]):
            for spoken in (_latin_key(pinyin), _latin_key(pinyin) + _KIND_PINYIN[kind]):
                self.spoken.setdefault(spoken, set()).add(i)

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


class _Reach:
    """Every key that leads anywhere in any vintage, to dismiss a query that names nothing.

    :func:`resolve` reads a query through direct names, names with a prefix, former units
    and units of other vintages; a query none of whose keys is in these sets fails every
    one of those lookups, so they can be skipped (10^5 junk keys in a table join).
    """

    def __init__(self):
        indexes = [_index(v) for v in VINTAGES]
        self.cjk = {k for ix in indexes for table in (ix.exact, ix.short) for k in table}
        self.codes = {k for ix in indexes for k in ix.exact}
        self.latin = {k for ix in indexes for k in ix.latin}
        self.changed = {k for ix in indexes for table in (ix.former_rows, ix.future_rows) for k in table}
        self._indexes = indexes
        self.zones = set(_zone_keys())
        # Prefixes by their first character: a query is compared with a handful, not all.
        self.prefixes: dict[str, set[str]] = {}
        for ix in indexes:
            for prefix, _ in ix.prefixes:
                self.prefixes.setdefault(prefix[:1], set()).add(prefix)

    def could_match(self, text: str) -> bool:
        """False only when no lookup of :func:`resolve` can find ``text`` in any vintage."""
        if _CJK.search(text):
            key = _chinese_key(text)
            if key in self.cjk or key in self.changed or key in self.zones:
                return True
            return any(key.startswith(p) and key != p for p in self.prefixes.get(key[:1], ()))
        if text.isdigit():
            return text in self.codes or text in self.changed
        key = _latin_key(text)
        return key in self.latin or text in self.changed or key in self.former_latin

    @functools.cached_property
    def former_latin(self) -> set[str]:
        """Former units' names in pinyin, in every vintage (built on the first Latin query)."""
        return {k for ix in self._indexes for k in ix.former_latin}


@functools.cache
def _reach() -> _Reach:
    return _Reach()


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
    for other in VINTAGES:
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
    return _resolve(query, level, vintage)


def _resolve(
    query: str | int, level: str | None = None, vintage: str = DEFAULT_VINTAGE, suggest: bool = True
) -> Place:
    """:func:`resolve`; ``suggest=False`` leaves out close matches, which cost the most.

    Table joins resolve every distinct key and offer suggestions for the first few unknown
    ones only, so a table of junk keys costs microseconds per key.
    """
    vintage = check_choice("vintage", vintage, VINTAGES)
    if level is not None:
        level = check_choice("level", level, RESOLVE_LEVELS)
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
    # Most keys of a junk table name nothing in any vintage: one check instead of every table.
    possible = _reach().could_match(text)
    rows = (_direct_matches(index, text, level) or _prefixed_matches(index, text, level)) if possible else []
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
        return index.place(rows[0], text, note=note, former_name=zone["former_name"] or None)
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
