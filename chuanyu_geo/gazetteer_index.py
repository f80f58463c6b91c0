"""The lookup index of the gazetteer: the keys a name is read by, one table per vintage.

Names, short names, pinyin, English names and codes of the shipped layers' units are
normalised into keys (:func:`_chinese_key`, :func:`_latin_key`) and indexed once per vintage
(:class:`_Index`), with the former units of the crosswalk and the development zones that are
not divisions; :class:`_Reach` dismisses a key that names nothing in any vintage. The
resolution rules that read these tables live in :mod:`chuanyu_geo.gazetteer`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter

import numpy as np
import pandas as pd

from .boundaries import LEVELS, _unit_table, vintage_registry
from .gazetteer_crosswalk import _crosswalk_table, _in_force, _previous, crosswalk
from .sources import package_data_path

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


def _latin_key(text: str) -> str:
    """Lower-case ASCII letters only: tones, spaces, apostrophes and digits dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.lower() if "a" <= ch <= "z")


@functools.cache
def _traditional() -> dict[int, str]:
    """Traditional character -> simplified, for the characters of our unit names
    (``chuanyu_geo/data/traditional_characters.csv``; its source is in ``traditional_characters.md``)."""
    path = package_data_path("traditional_characters.csv")
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
    with package_data_path("not_divisions.csv").open(encoding="utf-8") as fh:
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
        # Columns as lists: read per row many times (a pandas lookup per cell costs ~10 µs).
        units = self.units
        self._adcode, self._level = units["adcode"].tolist(), units["level"].tolist()
        self._province = units["province_adcode"].tolist()
        self._prefecture = units["prefecture_adcode"].tolist()
        columns = zip(units["name"], units["adcode"], units["short_name"], units["pinyin"], units["name_en"])
        for i, (name, adcode, short, pinyin, name_en) in enumerate(columns):
            self._add(self.exact, name, i)
            self._add(self.exact, adcode, i)
            self._add(self.short, short, i)
            latin = _latin_key(pinyin)
            self._add(self.latin, latin, i)
            self._add(self.latin, _latin_key(name_en), i)
            if short != name:
                self._add(self.latin, latin + _KIND_PINYIN[units["kind"].iat[i]], i)
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
            changes["date"] > vintage_registry().dates[previous]
            if previous
            else pd.Series(False, index=changes.index)
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
            level: self.rows_for_level(list(units.index), level) for level in (None, *LEVELS)
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

    def reshaped_note(self, adcode: str) -> str | None:
        """What a change since the previous vintage did to the county ``adcode``, or None."""
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
            return [i for i in rows if (self._adcode[i], self._level[i]) in self.partner_units]
        return [i for i in rows if self._level[i] == level]

    def within(self, rows: list[int], container: str) -> list[int]:
        return [
            i
            for i in rows
            if container in (self._province[i], self._prefecture[i]) and self._adcode[i] != container
        ]


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
        indexes = [_index(v) for v in vintage_registry().ids]
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
