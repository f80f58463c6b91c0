// Map tools of chuanyu-geo: a fullscreen button, a unit search box and a download of the
// units in view. Written for this package (no plugin is fetched: offline files stay offline).
// The Python side replaces __MAP__, __UNITS__ and __TEXT__ with two variable names and a
// JSON object of interface strings; unit names arrive HTML-escaped in `find` or `label` and are
// decoded with DOMParser (which runs no script) and only ever set as text or values.
function chuanyuTools(map, units, T) {
  "use strict";
  var decoder = new DOMParser();

  // A unit's name: `find` on a two-language map, else the tooltip's `label`.
  function nameOf(properties) {
    return properties.find !== undefined ? properties.find : properties.label;
  }

  function plain(html) {
    return decoder.parseFromString(String(html || ""), "text/html").documentElement.textContent.trim();
  }

  function toggleFullscreen() {
    var box = map.getContainer();
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (box.requestFullscreen && document.fullscreenEnabled) {
      box.requestFullscreen().catch(function () { fillWindow(box); });
    } else {
      fillWindow(box);  // in a frame that may not go fullscreen: fill the page instead
    }
  }

  function fillWindow(box) {
    box.classList.toggle("chuanyu-fill-window");
    map.invalidateSize();
  }

  document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });

  function inView() {
    var view = map.getBounds();
    var features = [];
    units.eachLayer(function (layer) {
      if (!layer.getBounds || !view.intersects(layer.getBounds())) {
        return;
      }
      var feature = layer.toGeoJSON();
      var p = layer.feature.properties;
      feature.properties = {
        adcode: p.adcode,
        name: plain(nameOf(p)),
        details: plain(String(p.extra || "").replace(/<br>/g, "; ")).replace(/^; /, "")
      };
      features.push(feature);
    });
    return features;
  }

  function download() {
    var collection = {type: "FeatureCollection", coordinates_note: T.datum, features: inView()};
    var blob = new Blob([JSON.stringify(collection)], {type: "application/geo+json"});
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = T.file;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  // Icons drawn as SVG strokes: glyphs such as U+26F6 are missing from many fonts.
  function icon(path) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    var line = document.createElementNS(ns, "path");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    line.setAttribute("d", path);
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", "#333");
    line.setAttribute("stroke-width", "2");
    svg.appendChild(line);
    return svg;
  }

  var Tools = L.Control.extend({
    options: {position: "topleft"},
    onAdd: function () {
      var bar = L.DomUtil.create("div", "leaflet-bar chuanyu-tools");
      function button(path, title, name, action) {
        var a = L.DomUtil.create("a", name, bar);
        a.href = "#";
        a.setAttribute("role", "button");
        a.title = title;
        a.setAttribute("aria-label", title);
        a.appendChild(icon(path));
        L.DomEvent.on(a, "click", function (event) {
          L.DomEvent.preventDefault(event);
          action();
        });
      }
      button("M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5", T.fullscreen, "chuanyu-fullscreen", toggleFullscreen);
      button("M8 1v9M4 6l4 4 4-4M2 14h12", T.download, "chuanyu-download", download);
      L.DomEvent.disableClickPropagation(bar);
      return bar;
    }
  });

  var Search = L.Control.extend({
    options: {position: "topleft"},
    onAdd: function () {
      var box = L.DomUtil.create("div", "leaflet-bar chuanyu-search");
      var input = L.DomUtil.create("input", "", box);
      var list = L.DomUtil.create("datalist", "", box);
      var found = new Map();
      var marked = null;
      list.id = "chuanyu-units-" + L.stamp(box);
      input.type = "search";
      input.placeholder = T.search;
      input.setAttribute("aria-label", T.search);
      input.setAttribute("list", list.id);
      units.eachLayer(function (layer) {
        var name = plain(nameOf(layer.feature.properties));
        var option = document.createElement("option");
        option.value = name;
        list.appendChild(option);
        found.set(name.toLowerCase(), layer);
        found.set(String(layer.feature.properties.adcode), layer);
        // Other names (short, pinyin, English, the other language's), unless another unit
        // already answers to them.
        plain(layer.feature.properties.keys).split("|").forEach(function (key) {
          if (key && !found.has(key)) {
            found.set(key, layer);
          }
        });
      });

      function lookUp(text) {
        var key = text.trim().toLowerCase();
        return found.get(key) || found.get(key.replace(/[\s'’-]+/g, "")) || null;
      }

      function go() {
        var layer = lookUp(input.value);
        input.classList.toggle("chuanyu-miss", !layer && input.value.trim() !== "");
        if (!layer) {
          return;
        }
        if (marked) {
          units.resetStyle(marked);
        }
        marked = layer;
        layer.setStyle({weight: 3, color: "#000"});
        layer.bringToFront();
        map.fitBounds(layer.getBounds(), {maxZoom: 9, animate: false});
        // As if the pointer came over the unit: the layer's own tooltip (bound on the
        // group, so it knows which unit) opens, and highlighting follows.
        layer.fire("mouseover", {latlng: layer.getBounds().getCenter()}, true);
      }

      L.DomEvent.on(input, "change", go);
      L.DomEvent.on(input, "keydown", function (event) {
        if (event.key === "Enter") {
          go();
        }
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
  });

  new Tools().addTo(map);
  new Search().addTo(map);

  // The legend folds to one button (folded from the start on a phone), so it never hides
  // the map it explains.
  var legend = document.querySelector(".chuanyu-legend");
  if (legend && !legend.querySelector(".chuanyu-legend-toggle")) {
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "chuanyu-legend-toggle";
    var setFolded = function (folded) {
      legend.classList.toggle("chuanyu-folded", folded);
      toggle.textContent = T.legend + (folded ? " \u25b8" : " \u25be");
      toggle.setAttribute("aria-expanded", String(!folded));
    };
    toggle.addEventListener("click", function () {
      setFolded(!legend.classList.contains("chuanyu-folded"));
    });
    legend.insertBefore(toggle, legend.firstChild);
    setFolded(chuanyuSmallScreen());
  }

  // On a phone the attribution is one line (CSS); a tap shows it whole.
  var attribution = map.attributionControl && map.attributionControl.getContainer();
  if (attribution) {
    attribution.addEventListener("click", function (event) {
      if (event.target.tagName !== "A") {
        attribution.classList.toggle("chuanyu-open");
      }
    });
  }
}

function chuanyuSmallScreen() {
  return window.innerWidth <= 600 || window.innerHeight <= 500;
}

// A tooltip stays inside the map: Leaflet places it beside the pointer, which on a phone
// (a tap near the edge) puts it partly off screen. After Leaflet positions it, shift it
// back in by what overflows.
(function () {
  var place = L.Tooltip.prototype._setPosition;
  L.Tooltip.prototype._setPosition = function (pos) {
    place.call(this, pos);
    var box = this._container, map = this._map;
    if (!box || !map) {
      return;
    }
    var inner = box.getBoundingClientRect(), outer = map.getContainer().getBoundingClientRect();
    var margin = 4, dx = 0, dy = 0;
    if (inner.right > outer.right - margin) dx = outer.right - margin - inner.right;
    if (inner.left + dx < outer.left + margin) dx = outer.left + margin - inner.left;
    if (inner.bottom > outer.bottom - margin) dy = outer.bottom - margin - inner.bottom;
    if (inner.top + dy < outer.top + margin) dy = outer.top + margin - inner.top;
    if (dx || dy) {
      L.DomUtil.setPosition(box, L.DomUtil.getPosition(box).add([Math.round(dx), Math.round(dy)]));
    }
  };
})();

// Fixed labels (platform and province names) added to `group`: [lat, lon, name, CSS class,
// border colour or null]; names arrive HTML-escaped and are set as text.
function chuanyuLabels(group, labels) {
  "use strict";
  var decoder = new DOMParser();
  labels.forEach(function (l) {
    var text = document.createElement("div");
    text.className = l[3];
    text.textContent = decoder.parseFromString(String(l[2]), "text/html").documentElement.textContent;
    if (l[4]) {
      text.style.borderColor = l[4];
    }
    L.marker([l[0], l[1]], {
      icon: L.divIcon({html: text, className: "chuanyu-label-icon", iconSize: [0, 0], iconAnchor: [0, 0]}),
      interactive: false,
      keyboard: false
    }).addTo(group);
  });
}

// Prefecture names below `countyZoom`, county names from it on. `places` is a list of
// [lat, lon, name, kind (0 prefecture, 1 county)] in order of priority; names arrive
// HTML-escaped and are set as text. Names that would overlap a name of higher priority, a
// platform or province label, or run off the map are hidden (recomputed on every view).
function chuanyuPlaceNames(map, places, countyZoom) {
  "use strict";
  var decoder = new DOMParser();
  var pane = map.getPane("chuanyuPlaces") || map.createPane("chuanyuPlaces");
  pane.style.zIndex = 620;  // above the shapes and platform outlines, below tooltips
  pane.style.pointerEvents = "none";
  var names = places.map(function (p) {
    var text = document.createElement("div");
    text.className = "chuanyu-place " + (p[3] === 0 ? "chuanyu-place-prefecture" : "chuanyu-place-county");
    text.textContent = decoder.parseFromString(String(p[2]), "text/html").documentElement.textContent;
    var marker = L.marker([p[0], p[1]], {
      icon: L.divIcon({html: text, className: "chuanyu-label-icon", iconSize: [0, 0], iconAnchor: [0, 0]}),
      interactive: false,
      keyboard: false,
      pane: "chuanyuPlaces"
    }).addTo(map);
    return {kind: p[3], text: text, marker: marker};
  });

  function overlaps(a, b) {
    return a.left < b.right + 3 && b.left < a.right + 3 && a.top < b.bottom + 1 && b.top < a.bottom + 1;
  }

  function update() {
    var county = map.getZoom() >= countyZoom;
    var frame = map.getContainer().getBoundingClientRect();
    var taken = [];
    // Platform and province labels, the legend and the controls stay clear of place names.
    document.querySelectorAll(".chuanyu-label, .chuanyu-province, .chuanyu-legend, .leaflet-control").forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (r.width) taken.push(r);
    });
    // Show every candidate, then measure them all in one layout pass.
    names.forEach(function (n) {
      n.text.style.display = (n.kind === 1) === county ? "" : "none";
    });
    var boxes = names.map(function (n) {
      return n.text.style.display === "none" ? null : n.text.getBoundingClientRect();
    });
    names.forEach(function (n, i) {
      var r = boxes[i];
      if (!r) return;
      var inside = r.left >= frame.left && r.right <= frame.right && r.top >= frame.top && r.bottom <= frame.bottom;
      var free = inside && !taken.some(function (t) { return overlaps(r, t); });
      n.text.style.display = free ? "" : "none";
      if (free) taken.push(r);
    });
  }

  map.on("zoomend moveend resize overlayadd overlayremove", update);
  update();
}

// This script sits before the one that makes the map: run once the page has parsed.
document.addEventListener("DOMContentLoaded", function () {
  chuanyuTools(__MAP__, __UNITS__, __TEXT__);
});
