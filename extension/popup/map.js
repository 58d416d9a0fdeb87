/**
 * The route on a world map, drawn locally: bundled Natural Earth outlines (map/countries.json, built
 * by scripts/build_map.py), each hop's country marked in the order the message travelled, the path
 * between them, the origin in the verdict's colour, a legend (owner, kind of network) and a text
 * alternative listing every hop for screen readers. Hops whose country is unknown (offline, private
 * addresses, the recipient's own servers) are named as such; nothing is placed by guess.
 *
 * Every value from the message goes in through createElementNS/textContent, never as markup.
 */

import { el, short } from "./dom.js";

const NS = "http://www.w3.org/2000/svg";
const MAX_HOPS = 30;
let world = null;

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

async function loadWorld() {
  if (!world) {
    const res = await fetch(browser.runtime.getURL("map/countries.json"));
    const data = await res.json();
    world = { ...data, byCode: new Map(data.countries.map((c) => [c.code, c])) };
  }
  return world;
}

const CODE = /^[A-Z]{2}$/;

/** A country's name in the reader's language (Intl), else the outline's English name, else the code. */
export function countryName(code, lang, fallback) {
  try {
    const name = new Intl.DisplayNames([lang], { type: "region" }).of(code);
    if (name && name !== code) return name;
  } catch {
    // an unusual code: fall through
  }
  return fallback || code;
}

/** The hops oldest first, each with its country code when the report knows it. */
export function routeHops(report) {
  const hops = Array.isArray(report.hops) ? report.hops.slice(0, MAX_HOPS) : [];
  const originIndex = report.origin?.hop_index;
  const originCountry = String(report.origin?.country || "").toUpperCase();
  return [...hops].reverse().map((h) => {
    const origin = originIndex !== null && originIndex !== undefined && h.index === originIndex;
    let country = String(h.country || (origin ? originCountry : "") || "").toUpperCase();
    if (!CODE.test(country)) country = "";
    return {
      index: h.index,
      name: short(h.from_host || h.helo || h.from_ip || "?", 60),
      ip: h.from_ip ? short(h.from_ip, 45) : "",
      by: h.by_host ? short(h.by_host, 60) : "",
      trusted: Boolean(h.trusted),
      origin,
      country,
      org: !origin && h.org ? short(h.org, 80) : "",
      asn: !origin && Number.isInteger(h.asn) ? h.asn : null,
      kind: !origin && typeof h.network_kind === "string" && h.network_kind !== "unknown" ? h.network_kind : "",
    };
  });
}

/** Consecutive hops in one country make one stop on the map. */
function stops(hops, byCode) {
  const out = [];
  for (const h of hops) {
    if (!h.country || !byCode.has(h.country)) continue;
    const last = out[out.length - 1];
    if (last && last.country === h.country) last.hops.push(h);
    else out.push({ country: h.country, hops: [h], origin: false });
  }
  for (const s of out) s.origin = s.hops.some((h) => h.origin);
  return out;
}

/** A kind of network in the reader's language ("hosting provider", "ホスティング事業者"). */
function kindName(kind, t) {
  const key = `kind_${kind}`;
  const name = t(key);
  return name === key ? kind : name;
}

function hopText(h, t) {
  let s = h.name;
  if (h.ip && h.ip !== h.name) s += ` [${h.ip}]`;
  if (h.origin) s = t("mapHopRole", [s, t("routeOrigin")]);
  else if (h.trusted) s = t("mapHopRole", [s, t("hopTrusted")]);
  return s;
}

/**
 * Draws the map into `box` (a container element): the SVG, its legend and its text alternative.
 * `t` localises our own strings; `level` is the verdict level (its colour marks the origin).
 */
export async function drawMap(box, report, { lang, t, level }) {
  const hops = routeHops(report);
  let data = null;
  try {
    data = await loadWorld();
  } catch {
    data = null;
  }
  const byCode = data ? data.byCode : new Map();
  const known = stops(hops, byCode);
  const nameOf = (code) => countryName(code, lang, byCode.get(code)?.name);
  const parts = [];

  // the text alternative: every hop, oldest first, with its country or "country unknown"
  const alt = el("ol", { id: "map-alt", class: "sr-only", "aria-label": t("mapAltTitle") });
  for (const h of hops) {
    const where = h.country ? nameOf(h.country) : t("mapCountryUnknown");
    alt.append(el("li", { "data-country": h.country || "" }, t("labelValue", [hopText(h, t), where])));
  }
  const last = hops[hops.length - 1];
  if (last?.by) {
    alt.append(el("li", { "data-country": "" },
      t("labelValue", [t("mapHopRole", [last.by, t("routeRecipient")]), t("mapCountryUnknown")])));
  }

  if (!known.length || !data) {
    parts.push(el("p", { id: "map-unknown", class: "muted map-note" },
      report.lookups_done === false ? t("mapUnknownOffline") : t("mapUnknown")));
    parts.push(alt);
    box.replaceChildren(...parts);
    return { markers: 0, countries: [] };
  }

  const root = svg("svg", {
    viewBox: `0 0 ${data.width} ${data.height}`, class: "world", role: "img",
    "aria-labelledby": "map-title", "aria-describedby": "map-alt",
  });
  root.appendChild(svg("title", { id: "map-title" }, t("mapTitle")));
  root.appendChild(svg("rect", { x: 0, y: 0, width: data.width, height: data.height, class: "sea" }));
  const marked = new Map(known.map((s) => [s.country, s]));
  const land = svg("g", { class: "land", "aria-hidden": "true" });
  for (const c of data.countries) {
    const stop = marked.get(c.code);
    const cls = stop ? (stop.origin ? `country hop origin level-${level}` : "country hop") : "country";
    land.appendChild(svg("path", { d: c.d, class: cls, "data-code": c.code }));
  }
  root.appendChild(land);

  // the path between stops, in travel order
  const points = known.map((s) => byCode.get(s.country));
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    const mx = (a.x + b.x) / 2;
    const my = (a.y + b.y) / 2 - Math.min(40, Math.hypot(b.x - a.x, b.y - a.y) / 4);
    root.appendChild(svg("path", { d: `M${a.x} ${a.y}Q${mx} ${my} ${b.x} ${b.y}`, class: "route-line" }));
  }
  known.forEach((s, i) => {
    const p = byCode.get(s.country);
    const g = svg("g", {
      class: `hop-marker${s.origin ? ` origin level-${level}` : ""}`,
      "data-country": s.country,
      "data-hops": s.hops.map((h) => h.index).join(","),
    });
    g.appendChild(svg("circle", { cx: p.x, cy: p.y, r: 7 }));
    g.appendChild(svg("text", { x: p.x, y: p.y + 3.5, "text-anchor": "middle" }, String(i + 1)));
    root.appendChild(g);
  });
  parts.push(root);

  // legend: one entry per stop (owner and network kind where the lookups found them)
  const o = report.origin || {};
  const legend = el("ol", { id: "map-legend", class: "map-legend" });
  known.forEach((s, i) => {
    const item = el("li", { "data-country": s.country },
      el("span", { class: `swatch${s.origin ? ` origin level-${level}` : ""}`, "aria-hidden": "true" },
        String(i + 1)),
      el("strong", {}, t("mapCountry", [nameOf(s.country), s.country])), " ",
      s.hops.map((h) => hopText(h, t)).join(", "));
    // owner and kind of network: the origin's from the report's origin, the others' from their hops
    const nets = s.origin
      ? [{ org: o.org ? short(String(o.org), 80) : "", asn: Number.isInteger(o.asn) ? o.asn : null,
        kind: o.network_kind && o.network_kind !== "unknown" ? String(o.network_kind) : "" }]
      : s.hops;
    const owners = [...new Set(nets.filter((h) => h.org).map((h) =>
      (h.asn ? t("mapCountry", [h.org, `AS${h.asn}`]) : h.org)))];
    const kinds = [...new Set(nets.filter((h) => h.kind).map((h) => kindName(h.kind, t)))];
    const facts = [];
    if (owners.length) facts.push(t("labelValue", [t("originOwner"), owners.join(", ")]));
    if (kinds.length) facts.push(t("labelValue", [t("originKind"), kinds.join(", ")]));
    if (facts.length) item.append(el("br"), el("span", { class: "muted" }, facts.join(" · ")));
    legend.append(item);
  });
  const unknown = hops.filter((h) => !h.country || !byCode.has(h.country));
  const unknownNames = unknown.map((h) => h.name);
  if (last?.by) unknownNames.push(t("mapHopRole", [last.by, t("routeRecipient")]));
  if (unknownNames.length) {
    legend.append(el("li", { class: "muted", "data-country": "" },
      t("mapSomeUnknown", [short(unknownNames.join(", "), 300)])));
  }
  parts.push(legend, alt);
  box.replaceChildren(...parts);
  return { markers: known.length, countries: known.map((s) => s.country) };
}
