/*
 * marsad: the timeline, a stacked bar chart of event counts per period. Needs js/palette.js
 * loaded before it; no library, no inline script (strict CSP):
 *
 *   <div data-marsad-timeline data-url="/api/events/aggregate?by=month&group=event_type"></div>
 *
 * data-url answers {"by": "month", "group": "event_type",
 *                   "buckets": [{"period": "2022-01", "key": "Battles", "count": 3}, ...]}.
 * The chart is SVG built with DOM calls; every string from the data goes in with textContent.
 */
(function () {
  "use strict";

  var viz = window.MarsadViz;
  var SVG_NS = "http://www.w3.org/2000/svg";

  var HEIGHT = 300;
  var DEFAULT_WIDTH = 720;
  var MARGIN = { top: 16, right: 16, bottom: 56, left: 56 };
  // Horizontal room one period label needs ("2022-01" at 11px, with a gap).
  var LABEL_SPACING_PX = 64;
  // Above this many periods the gaps between them are not filled with zero bars
  // (a day-by-day chart over decades would be tens of thousands of empty slots).
  var MAX_FILLED_PERIODS = 2000;
  var Y_TICKS = 5;
  var PERIOD_WORDS = { day: "day", week: "week", month: "month", year: "year" };

  var instances = 0;

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, String(attrs[name])); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** Clean buckets: period and key strings, finite non-negative counts; the rest is dropped. */
  function readBuckets(payload) {
    var raw = payload && Array.isArray(payload.buckets) ? payload.buckets : [];
    return raw.filter(function (b) {
      return b && typeof b.period === "string" && b.period !== ""
        && Number.isFinite(Number(b.count)) && Number(b.count) > 0;
    }).map(function (b) {
      return { period: b.period, key: b.key === null || b.key === undefined ? "" : String(b.key), count: Number(b.count) };
    });
  }

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) s = "0" + s;
    return s;
  }

  /** The next period after ``period`` for month/year/day buckets, or null if unknown. */
  function nextPeriod(period, by) {
    var m;
    if (by === "year" && (m = /^(\d{4})$/.exec(period))) return pad(Number(m[1]) + 1, 4);
    if (by === "month" && (m = /^(\d{4})-(\d{2})$/.exec(period))) {
      var y = Number(m[1]), mo = Number(m[2]) + 1;
      return mo > 12 ? pad(y + 1, 4) + "-01" : pad(y, 4) + "-" + pad(mo, 2);
    }
    if (by === "day" && /^\d{4}-\d{2}-\d{2}$/.test(period)) {
      var d = new Date(period + "T00:00:00Z");
      if (Number.isNaN(d.getTime())) return null;
      d.setUTCDate(d.getUTCDate() + 1);
      return d.toISOString().slice(0, 10);
    }
    return null;
  }

  /** Sorted periods, with empty ones between first and last filled in when ``by`` allows. */
  function periodsOf(buckets, by) {
    var seen = Array.from(new Set(buckets.map(function (b) { return b.period; }))).sort();
    if (seen.length < 2) return seen;
    var filled = [seen[0]];
    var last = seen[seen.length - 1];
    while (filled[filled.length - 1] < last) {
      var next = nextPeriod(filled[filled.length - 1], by);
      if (next === null || filled.length > MAX_FILLED_PERIODS) return seen;
      filled.push(next);
    }
    return filled;
  }

  /** Series (stack layers) with their colours; unknown event types fold into "Other". */
  function seriesOf(buckets, group) {
    var byEventType = group === "event_type";
    var names = new Set();
    buckets.forEach(function (b) {
      if (byEventType) b.key = viz.typeInfo(b.key).name;
      names.add(b.key);
    });
    var ordered = Array.from(names).sort(byEventType ? viz.compareTypes : undefined);
    return ordered.map(function (name, i) {
      return {
        name: name,
        label: name === "" ? "(none)" : name,
        colour: byEventType ? viz.typeInfo(name).colour : viz.categoricalColour(i),
      };
    });
  }

  /** A round step for about ``ticks`` gridlines up to ``max`` (1, 2, 5 x 10^n). */
  function niceStep(max, ticks) {
    var raw = Math.max(max / ticks, 1);
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * power >= raw) return steps[i] * power;
    }
    return 10 * power;
  }

  function drawYAxis(root, yMax, step, scaleY, plotWidth) {
    var axis = svg("g", { "class": "marsad-axis marsad-axis-y" });
    for (var v = 0; v <= yMax; v += step) {
      var y = scaleY(v);
      axis.appendChild(svg("line", {
        x1: MARGIN.left, x2: MARGIN.left + plotWidth, y1: y, y2: y,
        "class": v === 0 ? "marsad-axis-line" : "marsad-gridline",
      }));
      axis.appendChild(svg("text", {
        x: MARGIN.left - 6, y: y, "text-anchor": "end", "dominant-baseline": "middle",
      }, v.toLocaleString("en")));
    }
    var midY = MARGIN.top + (scaleY(0) - MARGIN.top) / 2;
    axis.appendChild(svg("text", {
      "class": "marsad-axis-title", x: 14, y: midY, "text-anchor": "middle",
      transform: "rotate(-90 14 " + midY + ")",
    }, "Events"));
    root.appendChild(axis);
  }

  function drawXAxis(root, periods, slot, baseline, plotWidth, by) {
    var axis = svg("g", { "class": "marsad-axis marsad-axis-x" });
    var every = Math.max(1, Math.ceil(periods.length / Math.max(1, Math.floor(plotWidth / LABEL_SPACING_PX))));
    periods.forEach(function (period, i) {
      if (i % every !== 0) return;
      var x = MARGIN.left + slot * (i + 0.5);
      axis.appendChild(svg("line", { x1: x, x2: x, y1: baseline, y2: baseline + 4, "class": "marsad-axis-line" }));
      axis.appendChild(svg("text", { x: x, y: baseline + 16, "text-anchor": "middle" }, period));
    });
    axis.appendChild(svg("text", {
      "class": "marsad-axis-title", x: MARGIN.left + plotWidth / 2, y: baseline + 42, "text-anchor": "middle",
    }, PERIOD_WORDS[by] ? "Period (" + PERIOD_WORDS[by] + ")" : "Period"));
    root.appendChild(axis);
  }

  function drawBars(root, periods, series, counts, slot, scaleY) {
    var bars = svg("g", { "class": "marsad-bars" });
    var barWidth = Math.max(1, slot * 0.8);
    periods.forEach(function (period, i) {
      var x = MARGIN.left + slot * i + (slot - barWidth) / 2;
      var below = 0;
      series.forEach(function (s) {
        var n = counts.get(period + "\u0000" + s.name) || 0;
        if (n === 0) return;
        var top = scaleY(below + n);
        var rect = svg("rect", {
          "class": "marsad-bar", x: x, y: top, width: barWidth, height: scaleY(below) - top, fill: s.colour,
        });
        rect.appendChild(svg("title", null, period + " \u2014 " + s.label + ": " + n.toLocaleString("en")));
        bars.appendChild(rect);
        below += n;
      });
    });
    root.appendChild(bars);
  }

  function chart(container, payload) {
    var by = typeof payload.by === "string" ? payload.by : "";
    var group = typeof payload.group === "string" ? payload.group : "";
    var buckets = readBuckets(payload);
    if (buckets.length === 0) {
      viz.showMessage(container, "No events match these filters, so there is no timeline to draw.");
      container.setAttribute("data-marsad-state", "empty");
      return;
    }
    var series = seriesOf(buckets, group);
    var periods = periodsOf(buckets, by);
    var counts = new Map();
    var totals = new Map();
    buckets.forEach(function (b) {
      var k = b.period + "\u0000" + b.key;
      counts.set(k, (counts.get(k) || 0) + b.count);
      totals.set(b.period, (totals.get(b.period) || 0) + b.count);
    });
    var total = 0;
    var peak = 0;
    totals.forEach(function (n) { total += n; peak = Math.max(peak, n); });

    var width = Math.max(320, container.clientWidth || DEFAULT_WIDTH);
    var plotWidth = width - MARGIN.left - MARGIN.right;
    var plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
    var step = niceStep(peak, Y_TICKS);
    var yMax = Math.ceil(peak / step) * step;
    var scaleY = function (v) { return MARGIN.top + plotHeight - (v / yMax) * plotHeight; };
    var slot = plotWidth / periods.length;

    instances += 1;
    var id = "marsad-timeline-" + instances;
    var what = PERIOD_WORDS[by] ? "Events per " + PERIOD_WORDS[by] : "Events per period";
    var root = svg("svg", {
      "class": "marsad-timeline-chart", viewBox: "0 0 " + width + " " + HEIGHT,
      width: "100%", role: "img", "aria-labelledby": id + "-title " + id + "-desc",
      preserveAspectRatio: "xMidYMid meet",
    });
    root.appendChild(svg("title", { id: id + "-title" },
      what + (group ? " by " + group.replace(/_/g, " ") : "")));
    root.appendChild(svg("desc", { id: id + "-desc" },
      total.toLocaleString("en") + " events from " + periods[0] + " to " + periods[periods.length - 1]
      + "; the busiest " + (PERIOD_WORDS[by] || "period") + " has " + peak.toLocaleString("en") + "."));
    drawYAxis(root, yMax, step, scaleY, plotWidth);
    drawBars(root, periods, series, counts, slot, scaleY);
    drawXAxis(root, periods, slot, scaleY(0), plotWidth, by);

    container.classList.add("marsad-timeline");
    container.appendChild(root);
    container.appendChild(viz.legend(series.map(function (s) {
      var n = 0;
      buckets.forEach(function (b) { if (b.key === s.name) n += b.count; });
      return { label: s.label, colour: s.colour, count: n };
    }), "Legend of the timeline"));
    container.setAttribute("data-marsad-state", "ready");
  }

  function init(container) {
    var loading = viz.showMessage(container, "Loading the timeline\u2026");
    viz.fetchJSON(container.getAttribute("data-url")).then(
      function (payload) {
        loading.remove();
        chart(container, payload || {});
      },
      function (err) {
        loading.remove();
        viz.showMessage(container, "The timeline could not be loaded: " + err.message, "error");
        container.setAttribute("data-marsad-state", "error");
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-marsad-timeline]").forEach(init);
  });
})();
