"""Hostile user tables (issue 19): bounded work on junk keys, capped messages, clear errors.

The acceptance criterion of the issue: a table of 10^5 junk keys is joined (and harmonised)
in at most 10 s, and no message built from its rows exceeds 10 kB, while the report still
accounts for every row.
"""

from __future__ import annotations

import json
import random
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import chuanyu_geo as cg
from chuanyu_geo._errors import MAX_MESSAGE_CHARS, cap_message, listing, shown
from chuanyu_geo.tables.joins import join_values
from chuanyu_geo.tables.lineage import SUGGESTION_LIMIT

KEYS = json.loads((Path(__file__).parent / "data" / "input_keys.json").read_text(encoding="utf-8"))
N_JUNK = 100_000
SECONDS = 10.0
MESSAGE_LIMIT = 10_000
CJK = [chr(c) for c in range(0x4E00, 0x9FA6)]
LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 '-"


def junk_keys(n: int, seed: int = 19) -> list[str]:
    """``n`` distinct random keys of CJK or Latin characters (never a real unit by chance:
    the few that do resolve are left in, as in a real table)."""
    rng = random.Random(seed)  # seeded: the same table on every machine
    keys: dict[str, None] = {}
    while len(keys) < n:
        pool = CJK if rng.random() < 0.5 else LATIN
        key = "".join(rng.choice(pool) for _ in range(rng.randint(3, 12))).strip()
        if key:
            keys.setdefault(key)
    return list(keys)


def junk_table(n: int) -> pd.DataFrame:
    """The typo first (so it gets suggestions), then junk with the real names spread through it."""
    keys = [KEYS["typo"]["key"], *junk_keys(n - 1 - len(KEYS["real"]))]
    step = len(keys) // len(KEYS["real"])
    for i, name in enumerate(KEYS["real"]):
        keys.insert(1 + i * step, name)
    return pd.DataFrame({"key": keys, "value": np.arange(len(keys), dtype=float)})


@pytest.fixture(scope="module")
def big() -> pd.DataFrame:
    table = junk_table(N_JUNK)
    assert len(table) == N_JUNK
    return table


# --------------------------------------------------------------------------- bounded work


def test_join_table_of_junk_keys_is_bounded(big):
    cg.resolve("万州")  # the index is built once per session; the join is what is timed
    start = time.perf_counter()
    matched, report = cg.join_table(big, "key")
    elapsed = time.perf_counter() - start
    assert elapsed <= SECONDS, f"join_table took {elapsed:.1f} s for {N_JUNK:,} junk keys"
    # The report accounts for every row, in order; the real names are still found.
    assert len(report) == N_JUNK and report["row"].tolist() == list(range(N_JUNK))
    assert report["key"].tolist() == big["key"].tolist()
    found = set(report.loc[report["status"].isin(["matched", "renamed", "duplicate"]), "key"])
    assert {"开县", "綦江区", "内江市市中区"} <= found
    assert set(matched["adcode"]) >= {"500154", "500110"}
    unknown = report[report["status"] == "unknown"]
    assert len(unknown) > 0.99 * N_JUNK
    # The typo, the first unknown key, still gets its suggestion; keys past the limit say why not.
    first = unknown.iloc[0]
    assert first["key"] == KEYS["typo"]["key"] and KEYS["typo"]["suggestion"] in first["note"]
    assert f"first {SUGGESTION_LIMIT} distinct unknown keys" in unknown["note"].iloc[-1]
    assert unknown["note"].str.len().max() < 1_000


def test_harmonise_of_junk_keys_is_bounded_and_its_warning_capped(big):
    cg.resolve("万州")
    start = time.perf_counter()
    with pytest.warns(cg.HarmoniseWarning) as record:
        out = cg.harmonise(big, "key", year=2020, columns={"value": "sum"})
    elapsed = time.perf_counter() - start
    assert elapsed <= SECONDS, f"harmonise took {elapsed:.1f} s for {N_JUNK:,} junk keys"
    report = cg.harmonise_report(out)
    assert len(report) == N_JUNK and report["row"].tolist() == list(range(N_JUNK))
    dropped = int((~report["status"].isin(["matched", "renamed", "merged", "split", "combined"])).sum())
    message = str(record[0].message)
    assert len(message) < MESSAGE_LIMIT
    # Names the first rows and counts the rest; says where the full list is.
    assert f"{dropped} of {N_JUNK} rows are not in the result" in message
    assert f"… and {dropped - 5:,} more" in message
    assert repr(KEYS["typo"]["key"]) in message and "cg.harmonise_report(result)" in message
    assert "first 20 distinct unknown keys" in message


def test_many_copies_of_one_key_are_not_a_quadratic_report():
    """Every row a duplicate of every other: notes name a few rows, not all 10^5."""
    table = pd.DataFrame({"key": ["万州区"] * N_JUNK, "value": 1.0})
    start = time.perf_counter()
    with pytest.warns(cg.HarmoniseWarning) as record:
        out = cg.harmonise(table, "key", year=2020, columns={"value": "sum"})
    assert time.perf_counter() - start <= SECONDS
    report = cg.harmonise_report(out)
    assert (report["status"] == "duplicate").all()
    assert report["note"].str.len().max() < 300
    assert f"… and {N_JUNK - 1 - 10:,} more" in report["note"].iloc[0]
    assert len(str(record[0].message)) < MESSAGE_LIMIT


# --------------------------------------------------------------------------- capped messages


def test_a_huge_key_is_cut_in_every_message_but_kept_in_the_report():
    huge = "万" * 1_000_000
    table = pd.DataFrame({"key": [huge, "开县", huge + "x"], "value": [1.0, 2.0, 3.0]})
    _, report = cg.join_table(table, "key")
    assert report["key"].iloc[0] == huge  # the report keeps the key as given
    assert report["note"].str.len().max() < 1_000
    with pytest.warns(cg.HarmoniseWarning) as record:
        out = cg.harmonise(table, "key", year=2020, columns={"value": "sum"})
    assert cg.harmonise_report(out)["key"].iloc[2] == huge + "x"
    message = str(record[0].message)
    assert len(message) < MESSAGE_LIMIT and "…" in message


def test_unmatched_rows_error_is_capped_and_keeps_every_row():
    table = pd.DataFrame({"key": junk_keys(3_000, seed=7), "value": 1.0})
    with pytest.raises(cg.UnmatchedRowsError) as err:
        cg.choropleth(table, "value", "key", tiles=None)
    assert len(str(err.value)) <= MAX_MESSAGE_CHARS
    assert len(err.value.report) == len(table)
    assert (err.value.report["key"] == table["key"]).all()


def test_any_library_error_message_is_capped():
    """An audit found a 20 MB message; the base class cuts whatever a caller builds."""
    rows = "; ".join(f"row {i} 'x': unknown" for i in range(1_000_000))
    error = cg.UnmatchedRowsError(rows, pd.DataFrame({"row": range(3)}))
    message = str(error)
    assert len(message) <= MAX_MESSAGE_CHARS
    assert message.startswith("row 0 'x': unknown; row 1")
    assert f"{len(rows):,} characters in all" in message
    assert len(error.report) == 3
    assert len(str(cg.InvalidArgumentError("x" * 10**6, cli="y" * 10**6).for_cli())) <= MAX_MESSAGE_CHARS


def test_bad_values_are_listed_a_few_at_a_time():
    n = 50_000
    table = pd.DataFrame({"key": ["万州"] * n, "value": ["x" * 10_000] * n})
    with pytest.raises(cg.InvalidArgumentError) as err:
        join_values(table, "value", "key")
    message = str(err.value)
    assert len(message) < 2_000
    assert message.startswith("value must be numeric; not numbers: row 0 ('万州': 'xxxx")
    assert f"… and {n - 10:,} more" in message
    with pytest.raises(cg.InvalidArgumentError) as err:
        cg.harmonise(table, "key", year=2020, columns={"value": "sum"})
    assert len(str(err.value)) < 2_000 and f"… and {n - 10:,} more" in str(err.value)


def test_many_or_long_column_names_are_listed_a_few_at_a_time():
    table = pd.DataFrame(np.zeros((1, 5_000)), columns=[f"{'c' * 500}{i}" for i in range(5_000)])
    with pytest.raises(cg.InvalidArgumentError) as err:
        cg.join_table(table, "key")
    message = str(err.value)
    assert message.startswith("key_col='key' is not a column; columns: ccc")
    assert len(message) < 2_000 and "… and 4,990 more" in message


def test_helpers_cut_values_and_lists():
    assert shown("a" * 100, 10) == "'aaaaaaaaaa'…"
    assert shown(list(range(1000)), 10) == "[0, 1, 2, …"
    assert listing([str(i) for i in range(25)], sep=", ").endswith("9, … and 15 more")
    assert listing(iter(["a", "b"]), total=2) == "a; b"
    assert cap_message("x" * 20_000, limit=100).endswith("the full detail is on the object)")
    assert len(cap_message("x" * 20_000, limit=100)) <= 100


# --------------------------------------------------------------------------- odd keys and tables


def test_odd_keys_are_each_one_rows_problem():
    keys = [*KEYS["odd"], *KEYS["real"]]
    table = pd.DataFrame({"key": keys, "value": np.arange(len(keys), dtype=float)})
    _, report = cg.join_table(table, "key")  # "12345" used to crash the join
    assert report["status"].iloc[: len(KEYS["odd"])].isin(["unknown", "missing key", "ambiguous"]).all()
    assert (report["key"] == table["key"]).all()
    with pytest.warns(cg.HarmoniseWarning):
        out = cg.harmonise(table, "key", year=2020, columns={"value": "sum"})
    statuses = cg.harmonise_report(out).set_index("key")["status"]
    assert statuses["12345"] == "unknown" and statuses["开县"] != "unknown"


MULTI = pd.DataFrame(
    [["万州", 1.0], ["开县", 2.0]], columns=pd.MultiIndex.from_tuples([("unit", "name"), ("gdp", "2020")])
)


@pytest.mark.parametrize(
    "call",
    [
        lambda: cg.join_table(MULTI, ("unit", "name")),
        lambda: cg.join_table(MULTI, "unit"),
        lambda: join_values(MULTI, ("gdp", "2020"), ("unit", "name")),
        lambda: cg.harmonise(MULTI, ("unit", "name"), year=2020),
        lambda: cg.panel({2020: MULTI}, ("unit", "name"), columns={("gdp", "2020"): "sum"}),
        lambda: cg.choropleth(MULTI, ("gdp", "2020"), ("unit", "name"), tiles=None),
        lambda: cg.morans_i(MULTI, ("gdp", "2020"), ("unit", "name")),
    ],
    ids=["join_table", "join_table-level0", "join_values", "harmonise", "panel", "choropleth", "morans_i"],
)
def test_multiindex_columns_are_refused_with_the_fix(call):
    with pytest.raises(cg.InvalidArgumentError, match=r"table has MultiIndex columns.*flatten them, e\.g\."):
        call()


@pytest.mark.parametrize("as_object", [False, True], ids=["complex128", "object"])
def test_complex_values_are_refused_not_truncated(as_object):
    values = pd.Series([1 + 2j, 3 + 0j])
    table = pd.DataFrame({"unit": ["万州", "开县"], "gdp": values.astype(object) if as_object else values})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning either: the values are never cast
        with pytest.raises(cg.InvalidArgumentError, match="column 'gdp' holds complex numbers"):
            join_values(table, "gdp", "unit")
        with pytest.raises(cg.InvalidArgumentError, match="column 'gdp' holds complex numbers"):
            cg.harmonise(table, "unit", year=2020, columns={"gdp": "sum"})
        with pytest.raises(cg.InvalidArgumentError, match="column 'gdp' holds complex numbers"):
            cg.choropleth(table, "gdp", "unit", tiles=None)


def test_a_duplicated_key_or_value_column_is_named():
    table = pd.DataFrame([["万州", "开县", 1.0]], columns=["unit", "unit", "gdp"])
    with pytest.raises(cg.InvalidArgumentError, match="key_col='unit' names 2 columns"):
        cg.join_table(table, "unit")
    table = pd.DataFrame([["万州", 1.0, 2.0]], columns=["unit", "gdp", "gdp"])
    with pytest.raises(cg.InvalidArgumentError, match="'gdp' names 2 columns"):
        cg.harmonise(table, "unit", year=2020, columns={"gdp": "sum"})
    with pytest.raises(cg.InvalidArgumentError, match="duplicate column names"):
        cg.harmonise(table, "unit", year=2020)


def test_an_unhashable_key_column_is_an_argument_error():
    table = pd.DataFrame({"unit": ["万州"], "gdp": [1.0]})
    with pytest.raises(cg.InvalidArgumentError, match=r"key_col=\['unit'\] is not a column"):
        cg.join_table(table, ["unit"])
    with pytest.raises(cg.InvalidArgumentError, match=r"value_col=\['gdp'\] is not a column"):
        join_values(table, ["gdp"], "unit")
