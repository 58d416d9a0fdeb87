/**
 * A picture of the route, drawn locally as SVG from the report's hops (oldest at the top):
 * the origin, each relay outside the recipient's provider, then the provider's own servers.
 * Built with createElementNS and textContent only; no remote resources.
 */

import { short } from "./dom.js";

const NS = "http://www.w3.org/2000/svg";
const MAX_NODES = 24;
const ROW = 34;

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

/**
 * Draws the route into `container`. `labels` = {title, origin, recipient} (already localised) and
 * `delay`, a function that says a delay in seconds in the reader's language.
 */
export function drawRoute(container, report, labels) {
  const hops = Array.isArray(report.hops) ? report.hops.slice(0, MAX_NODES) : [];
  const chronological = [...hops].reverse();
  const originIndex = report.origin?.hop_index;
  const nodes = chronological.map((h) => ({
    name: short(h.from_host || h.helo || h.from_ip || "?", 48),
    ip: h.from_ip || "",
    trusted: Boolean(h.trusted),
    origin: originIndex !== null && originIndex !== undefined && h.index === originIndex,
    delay: h.delay_s,
    by: h.by_host || "",
  }));
  const last = chronological[chronological.length - 1];
  if (last?.by_host) nodes.push({ name: short(last.by_host, 48), ip: "", trusted: true, origin: false, final: true });

  const height = Math.max(1, nodes.length) * ROW + 10;
  const root = svg("svg", { viewBox: `0 0 600 ${height}`, width: "600", height: String(height) });
  root.appendChild(svg("title", {}, labels.title));
  nodes.forEach((n, i) => {
    const y = 18 + i * ROW;
    if (i > 0) {
      root.appendChild(svg("line", { x1: 20, y1: y - ROW + 8, x2: 20, y2: y - 8 }));
      const d = typeof n.delay === "number" && Number.isFinite(n.delay) ? labels.delay(n.delay) : "";
      if (d) root.appendChild(svg("text", { x: 40, y: y - ROW / 2 + 4, class: "delay" }, d));
    }
    const cls = `${n.trusted ? "node-trusted" : "node-outside"}${n.origin ? " node-origin" : ""}`;
    root.appendChild(svg("circle", { cx: 20, cy: y, r: 7, class: cls }));
    let label = n.name;
    if (n.ip && n.ip !== n.name) label += `  [${n.ip}]`;
    if (n.origin) label += `  ← ${labels.origin}`;
    else if (n.final) label += `  ← ${labels.recipient}`;
    root.appendChild(svg("text", { x: 40, y: y + 4 }, short(label, 100)));
  });
  container.replaceChildren(root);
  container.setAttribute("aria-label", labels.title);
}
