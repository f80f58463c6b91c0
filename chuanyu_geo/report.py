"""The cross-border adjacency report: tables -> Markdown, CSV, JSON, self-contained HTML.

Every output states the vintage, source and detail of the boundaries, and that shared
lengths depend on the boundary resolution. Files are written atomically.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import pandas as pd

from . import __version__
from ._errors import InvalidArgumentError
from ._io import (
    remove_stale_staging,
    staging_dir,
    swap_directory,
    write_text_atomic,
)
from ._safe import csv_text, inert, safe_link
from .adjacency import (
    RESOLUTION_NOTE,
    adjacency_graph,
    border_length_by_unit,
    border_totals,
    cross_border_pairs,
)
from .boundaries import DEFAULT_DETAIL, DETAILS, MEMBER_LEVELS, check_choice, check_vintage, vintage_registry
from .metrics import border_coverage, cluster_metrics, platform_metrics, platform_pairs
from .platforms import check_plan, plan_facts
from .report_html import (  # noqa: F401  (_md_cell, LONG_TEXT: importable from here as before)
    LONG_TEXT,
    TABLE_TITLES,
    _glossary,
    _md_cell,
    _text,
    cluster_names,
    column_label,
    glossary_key,
    html_page,
    html_table,
    label_text,
    markdown_table,
)

__all__ = ["AdjacencyReport", "adjacency_report", "REPORT_MARKER", "prepare_output_dir"]

REPORT_LEVELS = MEMBER_LEVELS
# A file every report directory carries, so a later run knows it may replace the directory.
REPORT_MARKER = ".chuanyu-geo-report"


def glossary(tables: dict[str, pd.DataFrame]) -> dict[str, dict[str, str]]:
    """The meaning of every column of ``tables``, in English and Chinese, with its label and unit.

    Raises
    ------
    KeyError
        A column has no entry in ``glossary.toml`` (a test keeps them complete).

    Notes
    -----
    Keys are column names, or ``table.column`` where a table gives a column its own meaning.
    """
    entries = _glossary()["columns"]
    out: dict[str, dict[str, str]] = {}
    for key, table in tables.items():
        for column in table.columns:
            # A table may give a column its own meaning (platforms.cross_border_km).
            name = glossary_key(key, column)
            if name in entries:  # a table built by hand may carry columns of its own
                out.setdefault(name, dict(entries[name]))
    return out


def _entry_heading(entry: dict, name: str) -> str:
    """The heading a glossary entry gives its column in the report (the name if it has none)."""
    if "label_zh" not in entry:
        return name
    unit = f" ({entry['unit']})" if entry.get("unit") else ""
    return f"{entry['label_zh']} {entry['label_en']}{unit}"


REPORT_FORMATS = ("md", "json", "html", "csv", "map")
# Table names become file names (pairs.csv): a letter or underscore, then letters, digits,
# "_" or "-" (any script), nothing that could name another directory or a device.
_TABLE_NAME = re.compile(r"[^\W\d][\w-]{0,63}")
# Windows device names, with the superscript digits Windows also treats as device numbers.
_DEVICE_NAMES = re.compile(r"(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])", re.IGNORECASE)


def check_table_names(tables: dict) -> None:
    """Refuse table names that cannot be plain file names (``../x``, ``/etc/x``, ``nul``).

    Raises
    ------
    InvalidArgumentError
        Naming the table and the names that are accepted.

    Examples
    --------
    >>> check_table_names({"pairs": None, "单元_2": None})
    >>> check_table_names({"../x": None})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    chuanyu_geo._errors.InvalidArgumentError: report table name '../x' is not allowed; ...
    """
    for name in tables:
        if not isinstance(name, str) or not _TABLE_NAME.fullmatch(name) or _DEVICE_NAMES.fullmatch(name):
            shown = repr(name) if len(repr(name)) <= 80 else repr(name)[:77] + "…"
            raise InvalidArgumentError(
                f"report table name {shown} is not allowed; a table name becomes a file name, so it must "
                "start with a letter or '_' and hold only letters, digits, '_' and '-' (at most 64)"
            )


def _check_formats(formats) -> tuple[str, ...]:
    chosen = (formats,) if isinstance(formats, str) else tuple(formats)
    unknown = [f for f in chosen if f not in REPORT_FORMATS]
    if unknown or not chosen:
        raise InvalidArgumentError(
            f"formats={formats!r} is not valid; expected one or more of: {', '.join(REPORT_FORMATS)}"
        )
    return chosen


@dataclass
class AdjacencyReport:
    """Tables of a cross-border adjacency report and the facts about their boundaries.

    Attributes
    ----------
    meta : dict
        ``plan`` (title, document number, date, source), ``level``, ``vintage``,
        ``vintage_note``, ``detail``, ``source``, ``resolution_note``, ``coverage`` (see
        :func:`chuanyu_geo.metrics.border_coverage`), ``glossary`` (every column, en and zh),
        ``generator``, ``date``.
    tables : dict of str -> pandas.DataFrame
        ``pairs``, ``units``, ``totals``, ``platforms``, ``platform_pairs``, ``clusters``.
    """

    meta: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_table_names(self.tables)

    # ------------------------------------------------------------------ text forms

    def _meta_lines(self) -> list[tuple[str, str]]:
        m, c = self.meta, self.meta["coverage"]
        plan = m.get("plan") or {}
        lines = (
            [
                (
                    "Plan 方案",
                    f"{plan['title']} ({plan['document']}, {plan['date']}; plan id {plan['id']}) — "
                    f"{plan['title_en']}",
                )
            ]
            if plan
            else []
        )
        return lines + [
            ("Level 层级", m["level"]),
            ("Vintage 区划版本", f"{m['vintage']} — {m['vintage_note']}"),
            ("Boundaries 边界来源", f"{m['source']} ({m['detail']} detail), WGS84"),
            ("Sichuan–Chongqing border 川渝省界", f"{c['border_km']:.2f} km on this layer"),
            (
                "Inside a platform on both sides 两侧同属一平台",
                f"{c['covered_km']:.2f} km (share {c['share']:.4f} = {c['share']:.1%}); "
                f"both sides in platforms, not necessarily the same one: {c['both_sides_in_any_km']:.2f} km",
            ),
            ("Caveat 说明", m["resolution_note"]),
            ("Generated 生成", f"{m['generator']}, {m['date']}"),
        ]

    def to_markdown(self, map_link: str | None = None) -> str:
        """The report as Markdown (GitHub tables), with a glossary of every column.

        Parameters
        ----------
        map_link : str, optional
            Relative link to the interactive map written beside the report.

        Examples
        --------
        >>> import chuanyu_geo as cg
        >>> "合川区" in cg.adjacency_report().to_markdown()
        True
        """
        check_table_names(self.tables)
        lines = [
            f"# 川渝跨省界相邻报告 Sichuan–Chongqing cross-border adjacency ({_md_cell(self.meta['level'])}, "
            f"{_md_cell(self.meta['vintage'])})",
            "",
        ]
        lines += [f"- **{k}**: {_md_cell(v)}" for k, v in self._meta_lines()]
        if map_link:
            link = safe_link(map_link)
            lines.append(f"- **Map 地图**: [{_md_cell(link)}](<{link}>) (interactive, offline)")
        clusters = cluster_names(self.tables)
        for key, table in self.tables.items():
            lines += [
                "",
                f"## {_md_cell(TABLE_TITLES.get(key, key))}",
                "",
                markdown_table(key, table, clusters),
            ]
        lines += [
            "",
            "## Glossary 术语表",
            "",
            "| column | heading 列名 | meaning | 含义 |",
            "|---|---|---|---|",
        ]
        lines += [
            "| "
            + " | ".join(_md_cell(cell) for cell in (name, _entry_heading(e, name), e["en"], e["zh"]))
            + " |"
            for name, e in glossary(self.tables).items()
        ]
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """The report as one JSON document: ``meta`` and ``tables`` (lists of records).

        Examples
        --------
        >>> import json, chuanyu_geo as cg
        >>> data = json.loads(cg.adjacency_report().to_json())
        >>> data["meta"]["vintage"]
        '2024'
        """
        payload = {
            "meta": {**self.meta, "glossary": glossary(self.tables)},
            "tables": {k: _records(t) for k, t in self.tables.items()},
        }
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"

    def to_html(
        self, path: str | os.PathLike | None = None, map_link: str | None = None, figure: bool = True
    ) -> str:
        """One self-contained HTML page (a map figure, sortable tables, a glossary; no network access).

        Column headings are labels in Chinese and English with their units, codes read as
        words; secondary columns fold behind "show all columns" on screen and are all printed
        (A4 portrait); headings stay at the top of the window while a table scrolls by.

        Parameters
        ----------
        path : path-like, optional
            Also write the page there (atomically).
        map_link : str, optional
            Relative link to the interactive map written beside the report.
        figure : bool, default True
            Draw the platforms as an inline SVG map (for a report of a known level, vintage
            and plan).

        Returns
        -------
        str
            The page.

        Examples
        --------
        >>> import chuanyu_geo as cg
        >>> cg.adjacency_report().to_html().startswith("<!DOCTYPE html>")
        True
        """
        esc = inert
        meta = "".join(f"<tr><th>{esc(k)}</th><td>{esc(str(v))}</td></tr>" for k, v in self._meta_lines())
        if map_link:
            link = esc(safe_link(map_link))
            meta += f'<tr><th>Map 地图</th><td><a href="{link}">{link}</a> (interactive, offline)</td></tr>'
        clusters = cluster_names(self.tables)
        sections = "".join(
            f'<section><h2 id="{esc(key)}">{esc(TABLE_TITLES.get(key, key))}</h2>'
            f"{html_table(key, table, clusters)}</section>"
            for key, table in self.tables.items()
        )
        terms = "".join(
            f"<tr><th>{esc(_entry_heading(e, name))}</th><td><code>{esc(name)}</code></td>"
            f"<td>{esc(e['en'])}</td><td>{esc(e['zh'])}</td></tr>"
            for name, e in glossary(self.tables).items()
        )
        glossary_table = f'<table class="meta glossary">{terms}</table>'
        sections += f'<section><h2 id="glossary">Glossary 术语表</h2>{glossary_table}</section>'
        title = esc(
            f"川渝跨省界相邻报告 Sichuan–Chongqing cross-border adjacency ({self.meta['level']}, "
            f"{self.meta['vintage']})"
        )
        drawing = self._figure(map_link) if figure else ""
        page = html_page(title, meta, drawing, sections)
        if path is not None:
            write_text_atomic(path, page)
        return page

    def _figure(self, map_link: str | None) -> str:
        """The platform map section, or nothing for a report whose layer is not a shipped one."""
        level, vintage = self.meta.get("level"), self.meta.get("vintage")
        if level not in REPORT_LEVELS or vintage not in vintage_registry().ids:
            return ""
        from .report_figure import platform_figure

        plan = (self.meta.get("plan") or {}).get("id")
        drawing = platform_figure(
            level if level in ("county", "partner") else "county",
            vintage,
            plan,
            safe_link(map_link) if map_link else None,
        )
        return (
            f'<section class="figure"><h2 id="map-figure">Platform map 功能平台地图</h2>{drawing}</section>'
        )

    def to_csv(self, directory: str | os.PathLike, force: bool = False, escape_formulas: bool = True) -> Path:
        """Write one CSV per table plus ``meta.json`` into ``directory``.

        Parameters
        ----------
        directory : path-like
            Created if missing; replaced if it holds an earlier report.
        force : bool
            Replace a non-empty directory that is not an earlier report.
        escape_formulas : bool, default True
            Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
            ``-``, ``@``, a tab or a carriage return, and not a number) get a leading ``'``;
            pass False for machine pipelines that need the text unchanged.

        Returns
        -------
        pathlib.Path

        Examples
        --------
        >>> import tempfile, chuanyu_geo as cg
        >>> folder = cg.adjacency_report().to_csv(tempfile.mkdtemp() + "/tables")
        >>> (folder / "pairs.csv").exists()
        True
        """
        return self.write(directory, formats=("csv",), force=force, escape_formulas=escape_formulas)

    def _file_names(self, formats: tuple[str, ...]) -> set[str]:
        names = {
            name
            for fmt, name in (
                ("md", "report.md"),
                ("json", "report.json"),
                ("html", "report.html"),
                ("map", "map.html"),
            )
            if fmt in formats
        }
        if "csv" in formats:
            names |= {f"{key}.csv" for key in self.tables} | {"meta.json"}
        return names

    def write(
        self,
        directory: str | os.PathLike,
        formats: tuple[str, ...] = ("md", "json", "html", "csv"),
        force: bool = False,
        escape_formulas: bool = True,
    ) -> Path:
        """Write the report in several formats into one directory, atomically.

        Everything is written into a temporary sibling directory first and moved into
        place at the end, so a crash never leaves a half-written report.

        Parameters
        ----------
        directory : path-like
        formats : tuple of {"md", "json", "html", "csv", "map"}
            ``map`` adds the offline platform map (``map.html``); another name is an error.
        force : bool
            Replace a non-empty directory that is not an earlier report.
        escape_formulas : bool, default True
            In the CSVs, text cells that a spreadsheet would run as a formula get a leading
            ``'`` (see :meth:`to_csv`).

        Returns
        -------
        pathlib.Path

        Examples
        --------
        >>> import tempfile, chuanyu_geo as cg
        >>> folder = cg.adjacency_report().write(tempfile.mkdtemp() + "/report", formats=("md",))
        >>> (folder / "report.md").exists()
        True
        """
        formats = _check_formats(formats)
        check_table_names(self.tables)
        target = Path(directory)
        with prepare_output_dir(target, force, self._file_names(formats)) as staging:
            map_link = "map.html" if "map" in formats else None
            if "md" in formats:
                (staging / "report.md").write_text(self.to_markdown(map_link), encoding="utf-8")
            if "json" in formats:
                (staging / "report.json").write_text(self.to_json(), encoding="utf-8")
            if "html" in formats:
                (staging / "report.html").write_text(self.to_html(map_link=map_link), encoding="utf-8")
            if "map" in formats:
                from .maps import platform_map, save_map

                level = self.meta["level"] if self.meta["level"] in ("county", "partner") else "county"
                title = f"川渝毗邻地区功能平台 Cross-border platforms ({level}, {self.meta['vintage']})"
                plan = (self.meta.get("plan") or {}).get("id")
                save_map(
                    platform_map(
                        level, self.meta["vintage"], tiles=None, offline=True, title=title, plan=plan
                    ),
                    staging / "map.html",
                )
            if "csv" in formats:
                for key, table in self.tables.items():
                    path = staging / f"{key}.csv"
                    if path.resolve().parent != staging.resolve():  # names are checked; this is a backstop
                        raise InvalidArgumentError(f"report table name {key!r} leads out of {target}")
                    # A BOM lets Excel open the Chinese text correctly; pandas and R skip it.
                    path.write_text("\ufeff" + csv_text(table, escape_formulas), encoding="utf-8", newline="")
                meta = {**self.meta, "glossary": glossary(self.tables)}
                (staging / "meta.json").write_text(
                    json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
                )
        return target


class prepare_output_dir:
    """Context manager: a staging directory that replaces ``target`` atomically on success.

    ``target`` may be missing, empty, or an earlier report (it holds ``REPORT_MARKER``);
    anything else is refused unless ``force`` is set, and so is an earlier report holding
    files the new one would not write (``expected``: the new file names). On error the
    staging directory is removed and ``target`` is left as it was; a killed run leaves at
    worst a staging directory, which the next run removes.
    """

    def __init__(self, target: Path, force: bool = False, expected: set[str] | None = None):
        target = Path(os.path.abspath(target))
        # Through symlinks too: the directory that would be replaced is the real one.
        real, here = Path(os.path.realpath(target)), Path(os.path.realpath(os.getcwd()))
        if real == here or real in here.parents or target.parent == target:
            raise InvalidArgumentError(
                f"{target} is the current directory or one of its parents; a report is written into a "
                f"directory of "
                f"its own that it can replace, e.g. {target / 'chuanyu-report'}"
            )
        self.target = target
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            raise InvalidArgumentError(f"{target} exists and is not a directory; choose another output path")
        if target.exists():
            present = {p.name for p in target.iterdir()} - {REPORT_MARKER}
            earlier = (target / REPORT_MARKER).exists()
            if present and not earlier and not force:
                raise InvalidArgumentError(
                    f"{target} is a non-empty directory that is not an earlier chuanyu-geo output; "
                    "choose another path or pass force=True to replace it",
                    cli=f"{target} is a non-empty directory that is not an earlier chuanyu-geo report; "
                    "choose another directory, or add --force to replace it",
                )
            dropped = sorted(present - expected) if earlier and expected is not None else []
            if dropped and not force:
                raise InvalidArgumentError(
                    f"{target} holds an earlier report with {', '.join(dropped)}, which this one would "
                    f"not write; "
                    "pass force=True to replace it anyway, or choose another directory",
                    cli=f"{target} holds an earlier report with {', '.join(dropped)}, which this one "
                    f"would not write; "
                    "add --force to replace it anyway, or choose another directory",
                )
        remove_stale_staging(target)

    def __enter__(self) -> Path:
        self.staging = staging_dir(self.target)
        (self.staging / REPORT_MARKER).write_text(
            "written by chuanyu-geo; safe to replace\n", encoding="utf-8"
        )
        return self.staging

    def __exit__(self, exc_type, exc, tb) -> Literal[False]:
        if exc_type is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            return False
        try:
            swap_directory(self.staging, self.target)
        except BaseException:
            shutil.rmtree(self.staging, ignore_errors=True)
            raise
        return False


def adjacency_report(
    level: str = "county",
    vintage: str | None = None,
    detail: str = DEFAULT_DETAIL,
    plan: str | None = None,
) -> AdjacencyReport:
    """Build the cross-border adjacency report for one layer.

    Parameters
    ----------
    level : {"county", "partner", "prefecture"}
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
    detail : {"standard", "fine"}
    plan : str, optional
        Which plan's platforms (see :func:`chuanyu_geo.plans`); default the 2020 plan.

    Returns
    -------
    AdjacencyReport
        With ``to_markdown()``, ``to_csv(directory)``, ``to_json()``, ``to_html(path)`` and
        ``write(directory)``.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> report = cg.adjacency_report(vintage="2025")
    >>> report.to_markdown().splitlines()[0].startswith("#")
    True
    """
    level = check_choice("level", level, REPORT_LEVELS)
    vintage = check_vintage(vintage)
    detail = check_choice("detail", detail, DETAILS)
    graph = adjacency_graph(level=level, vintage=vintage, detail=detail)
    pairs = cross_border_pairs(graph=graph)
    plan = check_plan(plan)
    meta = {
        "plan": plan_facts(plan),
        "level": level,
        "vintage": vintage,
        "vintage_note": vintage_registry().notes[vintage],
        "detail": detail,
        "source": graph.graph["source"],
        "crs": "EPSG:4326 (WGS84); lengths and areas on the WGS84 ellipsoid",
        "resolution_note": RESOLUTION_NOTE,
        "coverage": border_coverage(graph=graph, plan=plan),
        "generator": f"chuanyu-geo {__version__}",
        "date": date.today().isoformat(),
    }
    tables = {
        "pairs": pairs.round({"shared_km": 2}),
        "units": border_length_by_unit(pairs).round({"cross_border_km": 2}),
        "totals": border_totals(pairs).round({"shared_km": 2}),
        "platforms": platform_metrics(graph=graph, plan=plan),
        "platform_pairs": platform_pairs(graph=graph, plan=plan).round({"shared_km": 2}),
        "clusters": cluster_metrics(graph=graph, plan=plan),
    }
    return AdjacencyReport(meta, tables)


# ---------------------------------------------------------------------- rendering helpers


def _records(table: pd.DataFrame) -> list[dict]:
    out = []
    for row in table.to_dict(orient="records"):
        out.append({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()})
    return out
