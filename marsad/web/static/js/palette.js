/*
 * marsad: what the map (map.js) and the timeline (timeline.js) share: the colours of the
 * event types, the legend, fetching JSON and the "nothing to show" message.
 * Load this file before either of them.
 *
 * Everything that comes from the data (event types, names, places) is attacker-controlled
 * article text: it is only ever put in the page with textContent / createTextNode, never
 * as HTML.
 */
(function () {
  "use strict";

  // ACLED's six event types in codebook order; colours from ColorBrewer/Okabe-Ito hues
  // that stay apart for the common colour-vision deficiencies.
  var EVENT_TYPES = Object.freeze([
    Object.freeze({ name: "Battles", colour: "#c62828" }),
    Object.freeze({ name: "Explosions/Remote violence", colour: "#ef6c00" }),
    Object.freeze({ name: "Violence against civilians", colour: "#6a1b9a" }),
    Object.freeze({ name: "Protests", colour: "#1565c0" }),
    Object.freeze({ name: "Riots", colour: "#8d6e63" }),
    Object.freeze({ name: "Strategic developments", colour: "#00897b" }),
  ]);
  var OTHER_COLOUR = "#616161";
  var OTHER_LABEL = "Other";
  // For series that are not event types (a timeline grouped by country, say): Tableau 10.
  var CATEGORICAL = Object.freeze([
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
  ]);

  var byName = new Map();
  EVENT_TYPES.forEach(function (t, i) {
    byName.set(t.name.toLowerCase(), { name: t.name, colour: t.colour, rank: i });
  });

  /** The palette entry for an event type (matched ignoring case); unknown types share one. */
  function typeInfo(eventType) {
    var key = typeof eventType === "string" ? eventType.trim().toLowerCase() : "";
    return byName.get(key) || { name: OTHER_LABEL, colour: OTHER_COLOUR, rank: EVENT_TYPES.length };
  }

  function colourFor(eventType) {
    return typeInfo(eventType).colour;
  }

  /** The n-th colour of the general categorical palette (repeats after ten). */
  function categoricalColour(index) {
    return CATEGORICAL[index % CATEGORICAL.length];
  }

  /** Sort key names: the six ACLED types in codebook order, then the rest alphabetically. */
  function compareTypes(a, b) {
    var ra = typeInfo(a).rank;
    var rb = typeInfo(b).rank;
    if (ra !== rb) return ra - rb;
    return String(a).localeCompare(String(b));
  }

  /** document.createElement with a class and text (textContent: never parsed as HTML). */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /**
   * A legend: <ul class="marsad-legend"> with one swatch per entry.
   * entries: [{label, colour, count?}]
   */
  function legend(entries, title) {
    var list = el("ul", "marsad-legend");
    if (title) list.setAttribute("aria-label", title);
    entries.forEach(function (entry) {
      var item = el("li", "marsad-legend-item");
      var swatch = el("span", "marsad-legend-swatch");
      swatch.style.backgroundColor = entry.colour;  // CSSOM, allowed under a strict CSP
      swatch.setAttribute("aria-hidden", "true");
      item.appendChild(swatch);
      item.appendChild(el("span", "marsad-legend-label", entry.label));
      if (entry.count !== undefined) {
        item.appendChild(el("span", "marsad-legend-count", entry.count.toLocaleString("en")));
      }
      list.appendChild(item);
    });
    return list;
  }

  /** Replace a container's content with a one-line message (role=status, for screen readers). */
  function showMessage(container, message, kind) {
    var box = el("p", "marsad-message marsad-message-" + (kind || "info"), message);
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    container.appendChild(box);
    return box;
  }

  /** fetch + JSON with an error that says what failed (HTTP status or bad JSON). */
  function fetchJSON(url) {
    if (!url) return Promise.reject(new Error("no data URL given"));
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("the server answered " + response.status + " for " + url);
        }
        return response.json().catch(function () {
          throw new Error("the answer for " + url + " is not JSON");
        });
      });
  }

  window.MarsadViz = Object.freeze({
    EVENT_TYPES: EVENT_TYPES,
    OTHER_COLOUR: OTHER_COLOUR,
    OTHER_LABEL: OTHER_LABEL,
    typeInfo: typeInfo,
    colourFor: colourFor,
    categoricalColour: categoricalColour,
    compareTypes: compareTypes,
    el: el,
    legend: legend,
    showMessage: showMessage,
    fetchJSON: fetchJSON,
  });
})();
