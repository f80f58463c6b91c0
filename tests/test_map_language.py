"""One language per web map, all the way down (issue 24): every text a reader can see, in a browser.

The walk reads every text node of the page (legend, controls, labels, attribution) and the
content of every tooltip and popup bound to a layer (what a hover or a click shows), on each
kind of map. An English map shows no Chinese character; a Chinese map shows Latin words only
from a short list of proper nouns, sources and units.
"""

from __future__ import annotations

import re

import pytest
from test_map_ui import _page

import chuanyu_geo as cg
from chuanyu_geo import maps

CJK = re.compile(r"[\u3400-\u9fff]")
# Latin a Chinese map may show: sources and software named as they are, units, method names
# (Moran's I), and the user's own column name (population).
ZH_LATIN = {
    "leaflet", "tianditu", "frykit", "data", "amap", "osm", "openstreetmap", "carto", "km", "lisa",
    "wgs84", "gcj", "fdr", "bonferroni", "p", "k", "n", "geojson", "v", "mi", "i", "population",
}  # fmt: skip

# Every text node outside scripts and styles, then each layer's tooltip and popup as shown.
TEXTS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: n => ['SCRIPT', 'STYLE'].includes(n.parentElement.tagName) ? NodeFilter.FILTER_REJECT
                                                                           : NodeFilter.FILTER_ACCEPT});
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.textContent.trim()) out.push(n.textContent);
  for (const m of Object.values(window).filter(v => v instanceof L.Map)) {
    m.eachLayer(layer => {
      for (const bound of [layer.getTooltip && layer.getTooltip(), layer.getPopup && layer.getPopup()]) {
        if (!bound) continue;
        // A function bound on a GeoJSON group is called with each of its features.
        const targets = typeof bound._content === 'function' && layer.getLayers ? layer.getLayers() : [layer];
        for (const target of targets) {
          let content = bound._content;
          if (typeof content === 'function') content = content(target);
          if (content instanceof HTMLElement) content = content.innerText;
          if (typeof content === 'string') {
            const div = document.createElement('div'); div.innerHTML = content; out.push(div.innerText);
          }
        }
      }
    });
  }
  return out;
}"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("language")
    census = cg.load_census(2020)[["adcode", "population"]]
    units = cg.unit_table("county")[["adcode", "label_lat"]]
    local = cg.lisa(units, "label_lat", "adcode", permutations=99, seed=1)
    made = {}
    for lang in ("zh", "en"):
        made[("platform", lang)] = cg.platform_map(tiles=None, offline=True, lang=lang, plan="2023")
        made[("adjacency", lang)] = cg.adjacency_map(tiles=None, offline=True, lang=lang)
        made[("choropleth", lang)] = cg.choropleth(
            census, "population", "adcode", year=2020, allow_partial=True, tiles=None, offline=True, lang=lang
        )
        made[("lisa", lang)] = cg.lisa_map(local, tiles=None, offline=True, lang=lang)
    return {key: maps.save_map(m, folder / f"{key[0]}-{key[1]}.html") for key, m in made.items()}


def _texts(browser, path) -> list[str]:
    page, events = _page(browser, path)
    texts = page.evaluate(TEXTS)
    page.close()
    assert events["errors"] == []
    return texts


@pytest.mark.parametrize("kind", ["platform", "adjacency", "choropleth", "lisa"])
def test_an_english_map_shows_no_chinese(browser, pages, kind):
    texts = _texts(browser, pages[(kind, "en")])
    assert len(texts) > 20  # the walk reached the page and its layers
    chinese = [t for t in texts if CJK.search(t)]
    assert chinese == [], chinese[:10]


@pytest.mark.parametrize("kind", ["platform", "adjacency", "choropleth", "lisa"])
def test_a_chinese_map_shows_latin_only_for_names_sources_and_units(browser, pages, kind):
    texts = _texts(browser, pages[(kind, "zh")])
    assert sum(bool(CJK.search(t)) for t in texts) > 20
    words = {w.lower() for t in texts for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", t)}
    assert words - ZH_LATIN == set(), sorted(words - ZH_LATIN)


def test_the_walk_finds_a_stray_word(browser, tmp_path):
    # The check can fail: an English word in a Chinese legend is found.
    m = cg.platform_map(tiles=None, offline=True, lang="zh", title="功能平台 platforms")
    texts = _texts(browser, maps.save_map(m, tmp_path / "stray.html"))
    assert "platforms" in {w.lower() for t in texts for w in re.findall(r"[A-Za-z]+", t)}
