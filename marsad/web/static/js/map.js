/*
 * marsad: the events map. Needs vendor/leaflet, vendor/leaflet.markercluster and
 * js/palette.js loaded before it. No inline script is needed (strict CSP):
 *
 *   <div data-marsad-map
 *        data-geojson="/api/events.geojson?country=Syria"   FeatureCollection of Point events
 *        data-basemap="/static/data/countries.geojson"      offline country boundaries
 *        data-tiles=""                                      optional tile URL template
 *        data-tiles-attribution=""></div>                   optional, plain text
 *
 * With data-tiles empty nothing but the two URLs above is fetched: the map works offline.
 * Every string from the events is shown with textContent only.
 */
(function () {
  "use strict";

  var viz = window.MarsadViz;

  // Closest zoom fitBounds may choose: one event (or a few in one town) would otherwise
  // zoom to street level, where the 1:50m basemap shows nothing but one flat shape.
  var MAX_FIT_ZOOM = 8;
  // Deepest zoom: with the basemap alone, beyond this there is nothing left to see but
  // points; with tiles, as deep as tile servers usually go. (Markercluster needs a maxZoom.)
  var MAX_ZOOM_OFFLINE = 12;
  var MAX_ZOOM_TILES = 18;
  // Markers closer than this many pixels are drawn as one cluster.
  var CLUSTER_RADIUS_PX = 45;
  // Only links into the app's own event pages are followed; anything else (javascript:,
  // data:, other sites) is shown as text at most.
  var EVENT_LINK_PREFIX = "/events/";
  // Longest note shown in a popup (the event page has the whole of it).
  var MAX_NOTES_CHARS = 280;
  // The view when there is nothing to fit: the whole world.
  var WORLD_CENTER = [20, 10];
  var WORLD_ZOOM = 2;

  var BASEMAP_STYLE = {
    color: "#9e9e9e", weight: 0.7, fillColor: "#f5f3ee", fillOpacity: 1, interactive: false,
  };

  function isPoint(feature) {
    var g = feature && feature.geometry;
    return Boolean(g && g.type === "Point" && Array.isArray(g.coordinates)
      && Number.isFinite(g.coordinates[0]) && Number.isFinite(g.coordinates[1])
      && Math.abs(g.coordinates[1]) <= 90 && Math.abs(g.coordinates[0]) <= 180);
  }

  function str(value) {
    return value === undefined || value === null ? "" : String(value);
  }

  function joinParts(parts, separator) {
    return parts.map(str).filter(function (p) { return p.trim() !== ""; }).join(separator);
  }

  /** The popup of one event, built from DOM nodes (no HTML parsing of any value). */
  function popupContent(props) {
    var box = viz.el("div", "marsad-popup");
    var type = viz.el("div", "marsad-popup-type");
    var swatch = viz.el("span", "marsad-legend-swatch");
    swatch.style.backgroundColor = viz.colourFor(props.event_type);
    swatch.setAttribute("aria-hidden", "true");
    type.appendChild(swatch);
    type.appendChild(document.createTextNode(
      joinParts([props.event_type, props.sub_event_type], " — ") || "Event"));
    box.appendChild(type);

    var rows = [
      ["Date", props.event_date],
      ["Place", joinParts([props.location, props.admin1, props.country], ", ")],
      ["Actors", joinParts([props.actor1, props.actor2], " — ")],
      ["Fatalities", props.fatalities],
    ];
    var list = viz.el("dl", "marsad-popup-fields");
    rows.forEach(function (row) {
      if (str(row[1]).trim() === "") return;
      list.appendChild(viz.el("dt", null, row[0]));
      list.appendChild(viz.el("dd", null, row[1]));
    });
    box.appendChild(list);

    var notes = str(props.notes).trim();
    if (notes) {
      box.appendChild(viz.el("p", "marsad-popup-notes", notes.length > MAX_NOTES_CHARS
        ? notes.slice(0, MAX_NOTES_CHARS - 1) + "\u2026" : notes));
    }

    var url = str(props.url);
    if (url.indexOf(EVENT_LINK_PREFIX) === 0) {
      var link = viz.el("a", "marsad-popup-link", "Details of the event");
      link.setAttribute("href", url);
      box.appendChild(link);
    }
    return box;
  }

  function pointLayer(feature) {
    var props = feature.properties || {};
    var coords = feature.geometry.coordinates;
    var marker = L.circleMarker([coords[1], coords[0]], {
      radius: 6, weight: 1.5, color: "#ffffff", fillColor: viz.colourFor(props.event_type),
      fillOpacity: 0.9, className: "marsad-point",
    });
    marker.marsadEventId = str(props.event_id);
    marker.marsadType = viz.typeInfo(props.event_type);
    marker.bindPopup(function () { return popupContent(props); }, { maxWidth: 320 });
    return marker;
  }

  function mapLegend(points) {
    var counts = new Map();
    points.forEach(function (f) {
      var info = viz.typeInfo((f.properties || {}).event_type);
      var entry = counts.get(info.name) || { label: info.name, colour: info.colour, count: 0, rank: info.rank };
      entry.count += 1;
      counts.set(info.name, entry);
    });
    var entries = Array.from(counts.values()).sort(function (a, b) { return a.rank - b.rank; });
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = viz.el("div", "marsad-map-legend leaflet-bar");
      box.appendChild(viz.el("div", "marsad-legend-title", "Event type"));
      box.appendChild(viz.legend(entries, "Event types on the map"));
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    return control;
  }

  function notice(map, message) {
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var box = viz.el("div", "marsad-map-notice leaflet-bar", message);
      box.setAttribute("role", "status");
      return box;
    };
    control.addTo(map);
  }

  function addTiles(map, container) {
    var template = str(container.getAttribute("data-tiles")).trim();
    if (!template) return false;
    // Leaflet renders attributions as HTML: pass the operator's text escaped.
    var attribution = viz.el("span", null, str(container.getAttribute("data-tiles-attribution")));
    L.tileLayer(template, { attribution: attribution.innerHTML, maxZoom: MAX_ZOOM_TILES }).addTo(map);
    return true;
  }

  function addBasemap(map, basemap, overTiles) {
    // Over a tile layer only the outlines are drawn, or the fill would hide the tiles.
    var style = overTiles ? Object.assign({}, BASEMAP_STYLE, { fillOpacity: 0 }) : BASEMAP_STYLE;
    L.geoJSON(basemap, { style: style, interactive: false }).addTo(map);
    map.attributionControl.addAttribution("Boundaries: Natural Earth");
  }

  /** Diameter (px) of a cluster disc: grows with the count so dense areas stand out. */
  function clusterSize(count) {
    return count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 44 : 52;
  }

  /**
   * A cluster: a disc whose ring shows the share of each event type (a conic gradient set
   * through the CSSOM, which a strict CSP allows) around the number of events.
   */
  function clusterIcon(cluster) {
    var byType = new Map();
    cluster.getAllChildMarkers().forEach(function (m) {
      var entry = byType.get(m.marsadType.name) || { info: m.marsadType, count: 0 };
      entry.count += 1;
      byType.set(m.marsadType.name, entry);
    });
    var entries = Array.from(byType.values()).sort(function (a, b) { return a.info.rank - b.info.rank; });
    var total = cluster.getChildCount();
    var stops = [];
    var done = 0;
    entries.forEach(function (e) {
      var from = (100 * done / total).toFixed(2);
      done += e.count;
      stops.push(e.info.colour + " " + from + "% " + (100 * done / total).toFixed(2) + "%");
    });
    var size = clusterSize(total);
    var disc = viz.el("div", "marsad-cluster-ring");
    disc.style.background = "conic-gradient(" + stops.join(", ") + ")";
    disc.appendChild(viz.el("span", "marsad-cluster-count", total.toLocaleString("en")));
    disc.setAttribute("title", total.toLocaleString("en") + " events: " + entries.map(function (e) {
      return e.info.name + " " + e.count.toLocaleString("en");
    }).join(", "));
    return L.divIcon({ html: disc, className: "marsad-cluster", iconSize: L.point(size, size) });
  }

  function addPoints(map, features) {
    var points = features.filter(isPoint);
    var cluster = L.markerClusterGroup({
      chunkedLoading: true, maxClusterRadius: CLUSTER_RADIUS_PX, showCoverageOnHover: false,
      iconCreateFunction: clusterIcon,
    });
    var markers = points.map(pointLayer);
    cluster.addLayers(markers);
    map.addLayer(cluster);
    var bounds = L.latLngBounds(markers.map(function (m) { return m.getLatLng(); }));
    return { points: points, cluster: cluster, bounds: bounds };
  }

  function draw(container, basemap, events, basemapError) {
    container.classList.add("marsad-map");
    var map = L.map(container, { worldCopyJump: true, minZoom: 1, maxZoom: MAX_ZOOM_OFFLINE });
    container.marsadMap = map;  // for other scripts and the browser tests
    var tiles = addTiles(map, container);
    if (tiles) map.setMaxZoom(MAX_ZOOM_TILES);
    if (basemap) addBasemap(map, basemap, tiles);
    var features = events && Array.isArray(events.features) ? events.features : [];
    var drawn = addPoints(map, features);
    container.marsadCluster = drawn.cluster;
    if (basemapError && !tiles) {
      notice(map, "The country boundaries could not be loaded (" + basemapError.message + ").");
    }
    if (drawn.points.length === 0) {
      map.setView(WORLD_CENTER, WORLD_ZOOM);
      notice(map, "No events with coordinates match these filters.");
      container.setAttribute("data-marsad-state", "empty");
      return;
    }
    mapLegend(drawn.points).addTo(map);
    // The legend sits above the popups (Leaflet's controls do); it steps back while one is open.
    map.on("popupopen", function () { container.classList.add("marsad-popup-open"); });
    map.on("popupclose", function () { container.classList.remove("marsad-popup-open"); });
    // The first view is set without animation: nothing moves while the page settles.
    map.fitBounds(drawn.bounds, { padding: [24, 24], maxZoom: MAX_FIT_ZOOM, animate: false });
    container.setAttribute("data-marsad-points", String(drawn.points.length));
    container.setAttribute("data-marsad-state", "ready");
  }

  function init(container) {
    if (typeof L === "undefined" || typeof L.markerClusterGroup !== "function") {
      viz.showMessage(container, "The map library did not load, so the map cannot be shown.", "error");
      container.setAttribute("data-marsad-state", "error");
      return;
    }
    var loading = viz.showMessage(container, "Loading the map\u2026");
    var basemapUrl = container.getAttribute("data-basemap");
    var basemapError = null;
    var basemap = basemapUrl
      ? viz.fetchJSON(basemapUrl).catch(function (err) { basemapError = err; return null; })
      : Promise.resolve(null);
    Promise.all([basemap, viz.fetchJSON(container.getAttribute("data-geojson"))]).then(
      function (loaded) {
        loading.remove();
        draw(container, loaded[0], loaded[1], basemapError);
      },
      function (err) {
        container.textContent = "";
        viz.showMessage(container, "The events could not be loaded for the map: " + err.message, "error");
        container.setAttribute("data-marsad-state", "error");
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-marsad-map]").forEach(init);
  });
})();
