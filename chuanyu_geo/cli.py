"""The ``chuanyu-geo`` command."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import pandas as pd

from ._errors import ChuanyuGeoError
from ._io import write_text_atomic
from .boundaries import DETAILS, LEVELS, VINTAGE_NOTES, VINTAGES, layer_info, load_boundaries
from .coords import geodesic_area_km2

PROVINCE_NAMES = {"510000": "四川", "500000": "重庆"}


def layers_summary(vintages: Sequence[str] = VINTAGES, details: Sequence[str] = DETAILS) -> pd.DataFrame:
    """One row per shipped layer: units per province, vertices, file size, source and province areas.

    Parameters
    ----------
    vintages, details : sequence of str
        Which layers to summarise.

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    for vintage in vintages:
        for detail in details:
            for level in LEVELS:
                info = layer_info(level, vintage, detail)
                gdf = load_boundaries(level, vintage, detail)
                counts = gdf["province_adcode"].value_counts()
                row = {
                    "vintage": vintage,
                    "detail": detail,
                    "level": level,
                    "units_sichuan": int(counts.get("510000", 0)),
                    "units_chongqing": int(counts.get("500000", 0)),
                    "vertices": info["vertices"],
                    "file_kb": round(info["bytes"] / 1024),
                    "source": info["source"],
                }
                if level == "province":
                    areas = geodesic_area_km2(gdf).set_axis(gdf["adcode"])
                    for code, short in PROVINCE_NAMES.items():
                        row[f"area_km2_{short}"] = round(float(areas[code]))
                rows.append(row)
    table = pd.DataFrame(rows)
    area_cols = [c for c in table.columns if c.startswith("area_km2_")]
    return table.astype({c: "Int64" for c in area_cols})


def _render(table: pd.DataFrame, fmt: str, notes: dict[str, str]) -> str:
    if fmt == "json":
        return json.dumps({"vintages": notes, "crs": "EPSG:4326 (WGS84)", "layers": table.to_dict(orient="records")}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return table.to_csv(index=False)
    lines = [table.astype(object).where(table.notna(), "").to_string(index=False), "", "CRS: EPSG:4326 (WGS84); areas are geodesic on the WGS84 ellipsoid."]
    lines += [f"vintage {v}: {note}" for v, note in notes.items()]
    return "\n".join(lines) + "\n"


def _cmd_layers(args: argparse.Namespace) -> int:
    vintages = [args.vintage] if args.vintage else list(VINTAGES)
    table = layers_summary(vintages)
    text = _render(table, args.format, {v: VINTAGE_NOTES[v] for v in vintages})
    if args.output:
        write_text_atomic(args.output, text)
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chuanyu-geo", description="Boundaries and platforms of the Sichuan–Chongqing region.")
    sub = parser.add_subparsers(dest="command", required=True)
    layers = sub.add_parser("layers", help="summarise the shipped boundary layers")
    layers.add_argument("--format", choices=("table", "json", "csv"), default="table")
    layers.add_argument("--vintage", choices=VINTAGES, help="only this vintage (default: all)")
    layers.add_argument("-o", "--output", help="write to this file instead of standard output")
    layers.set_defaults(func=_cmd_layers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ChuanyuGeoError as exc:
        print(f"chuanyu-geo: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
