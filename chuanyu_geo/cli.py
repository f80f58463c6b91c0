"""The ``chuanyu-geo`` command."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence

import pandas as pd

from . import __version__
from ._errors import ChuanyuGeoError, InvalidArgumentError
from ._io import DATA_ENV, write_text_atomic
from ._safe import csv_text
from .boundaries import (
    DEFAULT_DETAIL,
    DETAILS,
    LEVELS,
    _package_registry,
    check_vintage,
    layer_info,
    load_boundaries,
    unit_table,
    vintage_registry,
)
from .coords import geodesic_area_km2

__all__ = ["main", "build_parser", "layers_summary", "platforms_summary"]

PROVINCE_NAMES = {"510000": "四川", "500000": "重庆"}


def layers_summary(vintages: Sequence[str] | None = None, details: Sequence[str] = DETAILS) -> pd.DataFrame:
    """One row per shipped layer: units per province, vertices, file size, source and province areas.

    Parameters
    ----------
    vintages, details : sequence of str
        Which layers to summarise (vintages: every one of the registry by default).

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    for vintage in vintage_registry().ids if vintages is None else vintages:
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


def _render(table: pd.DataFrame, fmt: str, notes: dict[str, str], raw_csv: bool = False) -> str:
    if fmt == "json":
        return (
            json.dumps(
                {"vintages": notes, "crs": "EPSG:4326 (WGS84)", "layers": table.to_dict(orient="records")},
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    if fmt == "csv":
        return csv_text(table, escape_formulas=not raw_csv)
    lines = [
        table.astype(object).where(table.notna(), "").to_string(index=False),
        "",
        "CRS: EPSG:4326 (WGS84); areas are geodesic on the WGS84 ellipsoid.",
    ]
    lines += [f"vintage {v}: {note}" for v, note in notes.items()]
    return "\n".join(lines) + "\n"


def _cmd_layers(args: argparse.Namespace) -> int:
    vintages = [args.vintage] if args.vintage else list(vintage_registry().ids)
    table = layers_summary(vintages)
    _emit(
        _render(table, args.format, {v: vintage_registry().notes[v] for v in vintages}, args.raw_csv),
        args.output,
        csv=args.format == "csv",
    )
    return 0


def platforms_summary(
    level: str = "county",
    vintage: str | None = None,
    detail: str = DEFAULT_DETAIL,
    platform_set=None,
    plan: str | None = None,
) -> pd.DataFrame:
    """One row per platform: partners as named, member units at ``level``, footprint area and precision.

    Parameters
    ----------
    level : {"county", "partner"}
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
    detail : {"standard", "fine"}
        Boundary detail the footprint areas are measured on.
    platform_set : list of Platform, optional
    plan : str, optional
        Which plan's platforms (see :func:`chuanyu_geo.plans`).

    Returns
    -------
    pandas.DataFrame
    """
    from .platforms import platform_set_of

    vintage = check_vintage(vintage)
    units = unit_table(level, vintage).set_index("adcode")["name"]
    rows = []
    for platform in platform_set_of(platform_set, plan):
        footprint = platform.footprint(level, vintage, detail).iloc[0]
        members = platform.member_adcodes(level, vintage)
        rows.append(
            {
                "id": platform.id,
                "platform": platform.short_name,
                "name": platform.name,
                "cluster": f"{platform.cluster_name} ({platform.cluster})",
                "partners": "、".join(f"{p.name}[{p.level}]" for p in platform.partners),
                "n_members": len(members),
                "members": "、".join(units[c] for c in members),
                "footprint_area_km2": round(float(footprint["area_km2"]), 1),
                "precision": footprint["precision"],
                "plan_area_km2": platform.plan_area_km2,
                "area_note": platform.area_note(
                    footprint["precision"], round(float(footprint["area_km2"]), 1)
                ),
                "footprint_units": footprint["units"],
                "note": footprint["note"],
                "vintage": vintage,
                "plan": platform.plan,
                "designated": platform.designated.date if platform.designated else None,
                "overall_plan": (platform.overall_plan.document or platform.overall_plan.status)
                if platform.overall_plan
                else "not found",
                "overall_plan_date": platform.overall_plan.date if platform.overall_plan else None,
                "source": footprint["source"],
            }
        )
    return pd.DataFrame(rows)


def _cmd_platforms(args: argparse.Namespace) -> int:
    from .platforms import load_platforms

    if args.file is not None and args.plan:
        raise InvalidArgumentError("give either --file or --plan, not both")
    platform_set = load_platforms(args.file) if args.file is not None else None
    table = platforms_summary(args.level, args.vintage, args.detail, platform_set, args.plan)
    if args.format == "json":
        records = table.astype(object).where(table.notna(), None).to_dict(orient="records")  # NaN is not JSON
        text = (
            json.dumps(
                {
                    "plan": table["plan"].iloc[0],
                    "level": args.level,
                    "vintage": args.vintage,
                    "vintage_note": vintage_registry().notes[args.vintage],
                    "detail": args.detail,
                    "platforms": records,
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    elif args.format == "csv":
        text = csv_text(table, escape_formulas=not args.raw_csv)
    else:
        shown = table[
            [
                "id",
                "platform",
                "cluster",
                "partners",
                "n_members",
                "footprint_area_km2",
                "precision",
                "plan_area_km2",
            ]
        ]
        shown = shown.astype(object).where(shown.notna(), "")
        lines = [shown.to_string(index=False), ""]
        lines += [
            f"{row.platform} ({row.precision}): {row.note}"
            for row in table.itertuples()
            if isinstance(row.note, str)
        ]
        lines += [
            "",
            f"plan {table['plan'].iloc[0]}; level {args.level}, vintage {args.vintage}: "
            f"{vintage_registry().notes[args.vintage]}",
            f"areas: geodesic km² of the footprint on {table['source'].iloc[0]} ({args.detail} detail); "
            "plan_area_km2: the area an approved overall plan states, for comparison",
        ]
        text = "\n".join(lines) + "\n"
    _emit(text, args.output, csv=args.format == "csv")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import adjacency_report

    if args.format in ("all", "csv") and not args.output:
        raise InvalidArgumentError(f"--format {args.format} writes a directory: give it with -o DIR")
    if args.format == "html" and not args.output:
        raise InvalidArgumentError("--format html writes a file: give it with -o FILE")
    report = adjacency_report(args.level, args.vintage, args.detail, plan=args.plan)
    if args.format in ("all", "csv"):
        formats = ("md", "json", "html", "csv", "map") if args.format == "all" else ("csv",)
        target = report.write(
            args.output, formats=formats, force=args.force, escape_formulas=not args.raw_csv
        )
        _say(
            f"wrote {target}/ "
            f"({', '.join(sorted(p.name for p in target.iterdir() if not p.name.startswith('.')))})"
        )
        return 0
    text = {"md": report.to_markdown, "json": report.to_json, "html": report.to_html}[args.format]()
    _emit(text, args.output)
    return 0


def _cmd_map(args: argparse.Namespace) -> int:
    from .maps import platform_map, save_map

    if args.tiles is None:  # default: OpenStreetMap online, no basemap offline
        tiles = None if args.offline else "osm"
    else:
        tiles = None if args.tiles == "none" else args.tiles
    if args.offline and tiles is not None:
        raise InvalidArgumentError(
            f"--offline makes no network request, so it cannot load {tiles} tiles; use --tiles none"
        )
    m = platform_map(
        level=args.level,
        vintage=args.vintage,
        tiles=tiles,
        lang=args.lang,
        offline=args.offline,
        title=args.title,
        plan=args.plan,
    )
    path = save_map(m, args.output)
    _say(f"wrote {path}")
    return 0


def _emit(text: str, output: str | None, csv: bool = False) -> None:
    if output:
        # A BOM lets Excel open Chinese CSV text correctly; pandas and R skip it.
        write_text_atomic(output, ("\ufeff" + text) if csv else text)
        _say(f"wrote {output}")
    else:
        # print, not sys.stdout.write: a closed stdout (None) writes nothing
        print(_no_control(text), end="")


# Control characters a terminal acts on (ESC sequences can retitle it, move the cursor or
# set the clipboard); tabs and newlines are layout and stay.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _no_control(text: str) -> str:
    r"""``text`` for a terminal: control characters from data shown as ``\x1b`` instead of acted on.

    Examples
    --------
    >>> print(_no_control("万州区\x1b]0;pwned\x07 ok"))
    万州区\x1b]0;pwned\x07 ok
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _printable(text: str, stream) -> str:
    """``text`` as ``stream`` can encode it.

    A path from os.fsdecode holds undecodable bytes as lone surrogates, which a strict
    encoding refuses after the file was written: they are shown as ``\\xff``.
    """
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        pass
    encoding = getattr(stream, "encoding", None) or "utf-8"
    return text.encode(encoding, "backslashreplace").decode(encoding)


def _say(text: str, error: bool = False) -> None:
    """Print a status line (an error line: on standard error), whatever the stream encodes."""
    stream = sys.stderr if error else sys.stdout
    if stream is not None:  # None: the stream was closed when the command started
        print(_printable(_no_control(text), stream), file=stream)


def build_parser() -> argparse.ArgumentParser:
    from .platforms import plan_ids as registry_plan_ids

    try:  # the registries only: parsing platform files is not start-up work
        registry = vintage_registry()
        plan_ids = list(registry_plan_ids())
    except ChuanyuGeoError as exc:  # a bad data directory: --help and --version still work,
        _REGISTRY_ERROR[:] = [str(exc)]  # and every command reports it (its first data call)
        registry, plan_ids = _package_registry(), None
    parser = _Parser(
        prog="chuanyu-geo",
        description="Boundaries and platforms of the Sichuan–Chongqing region.",
        epilog=f"Data directories: {DATA_ENV} (separated by {os.pathsep!r}) adds vintages, plans and layers.",
    )
    parser.add_argument("--version", action="version", version=f"chuanyu-geo {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    layers = sub.add_parser("layers", help="summarise the shipped boundary layers")
    layers.add_argument(
        "--format", choices=("table", "json", "csv"), default="table", help="output format (default: table)"
    )
    layers.add_argument("--vintage", choices=registry.ids, help="only this vintage (default: all)")
    layers.add_argument("-o", "--output", help="write to this file instead of standard output")
    _add_raw_csv(layers)
    layers.set_defaults(func=_cmd_layers)
    plat = sub.add_parser(
        "platforms", help="the platforms of a plan: partners, members, footprint areas, dates"
    )
    plat.add_argument(
        "--format", choices=("table", "json", "csv"), default="table", help="output format (default: table)"
    )
    plat.add_argument(
        "--level",
        choices=("county", "partner"),
        default="county",
        help="level of the member units (default: county)",
    )
    plat.add_argument("--vintage", choices=registry.ids, default=registry.default, help=_VINTAGE_HELP)
    plat.add_argument("--detail", choices=DETAILS, default="standard", help=_DETAIL_HELP)
    plat.add_argument(
        "--file", help="a platform set in TOML (schema of platforms.toml) instead of the built-in one"
    )
    plat.add_argument("--plan", choices=plan_ids, help="which plan's platforms (default: the 2020 plan)")
    plat.add_argument("-o", "--output", help="write to this file instead of standard output")
    _add_raw_csv(plat)
    plat.set_defaults(func=_cmd_platforms)
    rep = sub.add_parser("report", help="the cross-border adjacency report (the main job)")
    rep.add_argument(
        "--level",
        choices=("county", "partner", "prefecture"),
        default="county",
        help="level of the units paired across the border (default: county)",
    )
    rep.add_argument("--vintage", choices=registry.ids, default=registry.default, help=_VINTAGE_HELP)
    rep.add_argument("--detail", choices=DETAILS, default="standard", help=_DETAIL_HELP)
    rep.add_argument(
        "--format",
        choices=("all", "md", "csv", "json", "html"),
        default="all",
        help="all: md, json, html, csv and an offline map.html into the directory -o",
    )
    rep.add_argument(
        "-o",
        "--output",
        help="output file (md, json, html) or directory (all, csv); md and json go to standard output "
        "without it",
    )
    rep.add_argument(
        "--force", action="store_true", help="replace a non-empty directory that is not an earlier report"
    )
    rep.add_argument("--plan", choices=plan_ids, help="which plan's platforms (default: the 2020 plan)")
    _add_raw_csv(rep)
    rep.set_defaults(func=_cmd_report)
    mp = sub.add_parser("map", help="the interactive platform map as one HTML file")
    mp.add_argument("-o", "--output", required=True, help="HTML file to write")
    mp.add_argument(
        "--offline",
        action="store_true",
        help="inline Leaflet: the file makes no network request (no basemap)",
    )
    mp.add_argument(
        "--tiles",
        choices=("osm", "cartodb", "gaode", "none"),
        default=None,
        help="basemap (default osm; none when --offline)",
    )
    mp.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the labels (default: zh)")
    mp.add_argument("--vintage", choices=registry.ids, default=registry.default, help=_VINTAGE_HELP)
    mp.add_argument(
        "--level",
        choices=("county", "partner"),
        default="county",
        help="level of the units drawn (default: county)",
    )
    mp.add_argument("--title", help="title shown on the map")
    mp.add_argument("--plan", choices=plan_ids, help="which plan's platforms (default: the 2020 plan)")
    mp.set_defaults(func=_cmd_map)
    return parser


_VINTAGE_HELP = "division vintage (default: the registry's default, before the 2025 Chongqing reform)"
_DETAIL_HELP = "boundary detail that lengths and areas are measured on (default: standard)"


def _add_raw_csv(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--raw-csv",
        action="store_true",
        help="CSV output: write cells as they are; by default a text cell that starts with = + - @, "
        "a tab or a carriage return gets a leading ' so that a spreadsheet shows it instead of running it "
        "as a formula",
    )


# The error of a data directory found while the parser was built (its choices are then the
# package's alone), for usage errors to mention.
_REGISTRY_ERROR: list[str] = []


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line, like every other user error, exit status 2."""

    def error(self, message: str):
        kept = " ".join(_REGISTRY_ERROR[0].split()) if _REGISTRY_ERROR else None  # choices lack its vintages
        note = f" ({DATA_ENV} was not loaded: {kept})" if kept else ""
        _say(f"chuanyu-geo: error: {_one_line(message)}{note}; see {self.prog} --help", error=True)
        self.exit(2)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


# Exit status after standard output was closed early (`chuanyu-geo layers | head -0`): what
# shells report for a command that SIGPIPE ended.
EXIT_BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; user errors print one line on standard error and return 2."""
    try:
        return _run(argv)
    except BrokenPipeError:
        # The reader went away: stop quietly. Standard output is pointed at /dev/null so that
        # the interpreter's final flush does not report the pipe again.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, AttributeError, ValueError):  # no stdout to redirect
            pass
        return EXIT_BROKEN_PIPE


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        for option in ("output", "file"):
            if getattr(args, option, None) == "":
                raise InvalidArgumentError(f"--{option} is empty; give a file path")
        status = args.func(args)
        if sys.stdout is not None:
            sys.stdout.flush()  # a closed pipe shows here, inside the handlers, not at exit
        return status
    except BrokenPipeError:
        raise
    except ChuanyuGeoError as exc:
        message = exc.for_cli()
    except UnicodeEncodeError as exc:  # e.g. PYTHONIOENCODING=ascii and Chinese names
        message = (
            f"standard output cannot encode the result ({exc.encoding}); write it with -o FILE or set "
            f"PYTHONIOENCODING=utf-8"
        )
    except OSError as exc:  # the file system refused: name the path and the reason, not the stack
        path = exc.filename if exc.filename is not None else ""
        message = f"cannot write {path}: {exc.strerror or exc}" if path else f"{exc.strerror or exc}"
    except KeyboardInterrupt:
        _say("chuanyu-geo: interrupted", error=True)
        return 130
    _say(f"chuanyu-geo: error: {_one_line(message)}", error=True)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
