// Build the web app's vendored assets into marsad/web/static from pinned npm packages.
//
//   cd web-src && npm ci && npm run build
//
// * Leaflet and Leaflet.markercluster: their dist files and licences, copied as published.
// * The offline basemap: Natural Earth 1:50m admin-0 countries (world-atlas TopoJSON),
//   converted to GeoJSON with topojson-client, coordinates rounded to COORD_DECIMALS places.
// The output is committed so the Python package works without node.

import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { feature } from "topojson-client";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const staticDir = join(here, "..", "marsad", "web", "static");

// 0.01 degree is about 1.1 km: invisible at the zooms a country-level basemap is read at
// (boundaries are 1:50m, i.e. already generalised to a few km), and it keeps the file
// under ~1.5 MB where three decimals would double it.
const COORD_DECIMALS = 2;
const BASEMAP_SOURCE = "countries-50m.json";
// Square degrees below which a ring is a line, not land (float error on a ring along a
// pole); the smallest island left after rounding is about 1e-4.
const MIN_RING_AREA = 1e-6;

function copyAll(fromDir, toDir, names) {
  mkdirSync(toDir, { recursive: true });
  for (const [from, to] of names) {
    copyFileSync(join(fromDir, from), join(toDir, to ?? from));
    chmodSync(join(toDir, to ?? from), 0o644);  // some packages publish their files executable
  }
}

// The published bundles end with a source-map comment; the maps are not vendored, so the
// comment would only make a browser's developer tools ask for a file that is not there.
function dropSourceMapComment(file) {
  const text = readFileSync(file, "utf8");
  writeFileSync(file, text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n"));
}

function version(pkg) {
  return JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8")).version;
}

function vendor() {
  const leafletOut = join(staticDir, "vendor", "leaflet");
  rmSync(leafletOut, { recursive: true, force: true });
  copyAll(join(modules, "leaflet"), leafletOut, [["dist/leaflet.js", "leaflet.js"],
    ["dist/leaflet.css", "leaflet.css"], ["LICENSE"]]);
  copyAll(join(modules, "leaflet", "dist", "images"), join(leafletOut, "images"), [
    ["layers.png"], ["layers-2x.png"], ["marker-icon.png"], ["marker-icon-2x.png"],
    ["marker-shadow.png"]]);
  dropSourceMapComment(join(leafletOut, "leaflet.js"));
  writeFileSync(join(leafletOut, "VERSION"), `leaflet ${version("leaflet")}\n`);

  const clusterOut = join(staticDir, "vendor", "leaflet.markercluster");
  rmSync(clusterOut, { recursive: true, force: true });
  copyAll(join(modules, "leaflet.markercluster"), clusterOut, [
    ["dist/leaflet.markercluster.js", "leaflet.markercluster.js"],
    ["dist/MarkerCluster.css", "MarkerCluster.css"],
    ["dist/MarkerCluster.Default.css", "MarkerCluster.Default.css"],
    ["MIT-LICENCE.txt", "LICENSE"]]);
  dropSourceMapComment(join(clusterOut, "leaflet.markercluster.js"));
  writeFileSync(join(clusterOut, "VERSION"),
    `leaflet.markercluster ${version("leaflet.markercluster")}\n`);
}

function roundRing(ring) {
  const factor = 10 ** COORD_DECIMALS;
  const out = [];
  for (const [x, y] of ring) {
    const point = [Math.round(x * factor) / factor, Math.round(y * factor) / factor];
    const last = out[out.length - 1];
    if (!last || last[0] !== point[0] || last[1] !== point[1]) out.push(point);
  }
  return out;
}

function area(ring) {
  let twice = 0;
  for (let i = 0; i + 1 < ring.length; i += 1) {
    twice += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  }
  return Math.abs(twice) / 2;
}

// Leaflet draws on a flat plane: a ring that steps across the antimeridian (179.9 -> -180)
// would be drawn as a stroke across the whole world. Such a ring is made continuous
// ("unwrapped"), closed through the South Pole if it goes round it (Antarctica), then cut
// at +-180 into pieces that each lie inside [-180, 180].
function unwrap(ring) {
  const out = [ring[0].slice()];
  for (let i = 1; i < ring.length; i += 1) {
    const previous = out[i - 1][0];
    let x = ring[i][0];
    while (x - previous > 180) x -= 360;
    while (x - previous < -180) x += 360;
    out.push([x, ring[i][1]]);
  }
  return out;
}

/** Sutherland-Hodgman clip of a closed ring to the half-plane side * (x - edge) <= 0. */
function clip(ring, edge, side) {
  const inside = (p) => side * (p[0] - edge) <= 1e-9;
  const out = [];
  for (let i = 0; i + 1 < ring.length; i += 1) {
    const a = ring[i];
    const b = ring[i + 1];
    if (inside(a)) out.push(a);
    if (inside(a) !== inside(b)) {
      const t = (edge - a[0]) / (b[0] - a[0]);
      out.push([edge, a[1] + t * (b[1] - a[1])]);
    }
  }
  if (out.length) out.push(out[0]);
  return out;
}

function shift(ring, dx) {
  return ring.map(([x, y]) => [Math.round((x + dx) * 1e6) / 1e6, y]);
}

function splitAtAntimeridian(ring) {
  const crosses = ring.some((p, i) => i > 0 && Math.abs(p[0] - ring[i - 1][0]) > 180);
  if (!crosses) return [ring];
  let flat = unwrap(ring);
  const first = flat[0];
  const last = flat[flat.length - 1];
  if (Math.abs(last[0] - first[0]) > 180) {  // goes round a pole: close it along the pole
    const pole = first[1] + last[1] < 0 ? -90 : 90;
    flat = [...flat, [last[0], pole], [first[0], pole], first];
  }
  const xs = flat.map((p) => p[0]);
  const edge = Math.max(...xs) > 180 ? 180 : Math.min(...xs) < -180 ? -180 : null;
  if (edge === null) return [flat];
  const side = Math.sign(edge);
  return [clip(flat, edge, side), shift(clip(flat, edge, -side), -2 * edge)];
}

function cleanPolygon(rings) {
  const kept = [];
  for (const raw of rings) {
    for (const ring of splitAtAntimeridian(roundRing(raw))) {
      // A ring needs four positions (closed) and some area; one that collapsed under
      // rounding, or a line along a pole, is dropped.
      if (ring.length >= 4 && area(ring) > MIN_RING_AREA) kept.push(ring);
    }
  }
  return kept;
}

function cleanGeometry(geometry) {
  if (geometry === null) return null;
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates]
    : geometry.type === "MultiPolygon" ? geometry.coordinates : null;
  if (polygons === null) throw new Error(`unexpected geometry type ${geometry.type}`);
  // Rings are drawn with the even-odd rule, so a hole only has to come after its outer
  // ring; pieces cut off at the antimeridian become polygons of their own.
  const out = [];
  for (const polygon of polygons) {
    const rings = cleanPolygon(polygon);
    if (rings.length === 0) continue;
    const outerPieces = cleanPolygon([polygon[0]]).length;
    rings.slice(0, outerPieces).forEach((outer, i) => {
      out.push(i === 0 ? [outer, ...rings.slice(outerPieces)] : [outer]);
    });
  }
  if (out.length === 0) return null;
  return out.length === 1 ? { type: "Polygon", coordinates: out[0] }
    : { type: "MultiPolygon", coordinates: out };
}

function basemap() {
  const topology = JSON.parse(readFileSync(join(modules, "world-atlas", BASEMAP_SOURCE), "utf8"));
  const countries = feature(topology, topology.objects.countries);
  const features = [];
  for (const country of countries.features) {
    const geometry = cleanGeometry(country.geometry);
    if (geometry === null) continue;
    features.push({
      type: "Feature",
      id: country.id ?? null,
      properties: { name: country.properties.name, iso_n3: country.id ?? null },
      geometry,
    });
  }
  features.sort((a, b) => a.properties.name.localeCompare(b.properties.name, "en"));
  const out = join(staticDir, "data");
  mkdirSync(out, { recursive: true });
  const collection = {
    type: "FeatureCollection",
    // Not a GeoJSON member; read by nobody but people: where the shapes come from.
    source: `Natural Earth 1:50m admin-0 countries via world-atlas ${version("world-atlas")}`
      + ` (topojson-client ${version("topojson-client")}), coordinates rounded to`
      + ` ${COORD_DECIMALS} decimals; public domain`,
    features,
  };
  writeFileSync(join(out, "countries.geojson"), JSON.stringify(collection) + "\n");
  return features.length;
}

vendor();
const count = basemap();
console.log(`vendored leaflet ${version("leaflet")}, leaflet.markercluster`
  + ` ${version("leaflet.markercluster")}; basemap: ${count} countries`);
