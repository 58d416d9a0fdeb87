"""Build extension/map/countries.json: simplified country outlines as SVG path data for the panel's map.

Source: Natural Earth 1:110m admin-0 countries (public domain) as TopoJSON from the npm package
world-atlas 2.0.2 (ISC). The script decodes the topology, drops Antarctica, projects to an
equirectangular 720-unit-wide plane (latitudes 84° N to 58° S), simplifies each ring
(Douglas–Peucker, 0.35 units) and writes one path and one label point per ISO 3166-1 alpha-2 code.

    .venv/bin/pip install pycountry     # numeric → alpha-2 codes, at build time only
    .venv/bin/python scripts/build_map.py [countries-110m.json]

Without an argument it fetches the package with `npm pack world-atlas@2.0.2` into a temporary
directory. The output is deterministic.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "extension" / "map" / "countries.json"
PACKAGE = "world-atlas@2.0.2"
SCALE = 2.0  # units per degree
TOP, BOTTOM = 84.0, -58.0
TOLERANCE = 0.35
MIN_AREA = 0.6  # square units; smaller islands are dropped (their country keeps its other rings)
# Natural Earth features without an ISO numeric code in world-atlas
NAMED = {"Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO"}
SKIP = {"010"}  # Antarctica


def source(arg: str | None) -> dict[str, Any]:
    if arg:
        return json.loads(Path(arg).read_text("utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True, capture_output=True)
        [tgz] = Path(tmp).glob("world-atlas-*.tgz")
        with tarfile.open(tgz) as tar:
            member = tar.extractfile("package/countries-110m.json")
            assert member is not None
            return json.loads(member.read().decode("utf-8"))


def decode_arcs(topo: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def unwrap(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A ring that crosses the antimeridian (Russia, Fiji) kept on the side where most of it lies;
    the part beyond ±180° falls outside the map's edge instead of striping across the map."""
    lons = [lon for lon, _ in points]
    if max(lons) - min(lons) <= 180:
        return points
    east = sum(lons) / len(lons) > 0
    return [(lon + 360 if east and lon < 0 else lon - 360 if not east and lon > 0 else lon, lat)
            for lon, lat in points]


def project(lon: float, lat: float) -> tuple[float, float]:
    lat = max(BOTTOM, min(TOP, lat))
    return (lon + 180.0) * SCALE, (TOP - lat) * SCALE


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        length = (dx * dx + dy * dy) ** 0.5
        best, at = 0.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            d = abs(dy * (px - ax) - dx * (py - ay)) / length if length else ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            if d > best:
                best, at = d, i
        if best > tolerance and at > 0:
            keep[at] = True
            stack += [(a, at), (at, b)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def area_centroid(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    a /= 2
    if abs(a) < 1e-9:
        xs, ys = zip(*points, strict=True)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(a), cx / (6 * a), cy / (6 * a)


def path(rings: list[list[tuple[float, float]]]) -> str:
    parts = []
    for r in rings:
        coords = [f"{x:.1f} {y:.1f}".replace(".0 ", " ").removesuffix(".0") for x, y in r]
        parts.append("M" + "L".join(coords) + "Z")
    return "".join(parts)


def alpha2(numeric: str | None, name: str) -> str | None:
    import pycountry

    if name in NAMED:
        return NAMED[name]
    if not numeric:
        return None
    country = pycountry.countries.get(numeric=numeric)
    return country.alpha_2 if country else None


def build(topo: dict[str, Any]) -> dict[str, Any]:
    arcs = decode_arcs(topo)
    countries: dict[str, dict[str, Any]] = {}
    for geometry in topo["objects"]["countries"]["geometries"]:
        numeric, name = geometry.get("id"), geometry["properties"]["name"]
        code = alpha2(numeric, name)
        if numeric in SKIP or code is None or not geometry.get("arcs"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        entry = countries.setdefault(code, {"code": code, "name": name, "rings": [], "label": (0.0, 0.0, 0.0)})
        for polygon in polygons:
            for k, indexes in enumerate(polygon):
                points = [project(lon, lat) for lon, lat in unwrap(ring(arcs, indexes))]
                area, x, y = area_centroid(points)
                if area < MIN_AREA:
                    continue
                simple = simplify(points, TOLERANCE)
                if len(simple) >= 4:
                    entry["rings"].append(simple[:-1] if simple[0] == simple[-1] else simple)
                if k == 0 and area > entry["label"][0]:  # label at the largest outer ring's centroid
                    entry["label"] = (area, x, y)
    out = []
    for code in sorted(countries):
        c = countries[code]
        if not c["rings"]:
            continue
        out.append({"code": code, "name": c["name"], "d": path(c["rings"]),
                    "x": round(c["label"][1], 1), "y": round(c["label"][2], 1)})
    return {
        "source": "Natural Earth 1:110m Cultural Vectors, Admin 0 – Countries (public domain), "
                  f"via the npm package {PACKAGE} (ISC); built by scripts/build_map.py",
        "projection": f"equirectangular, x = (lon + 180) * {SCALE}, y = ({TOP} - lat) * {SCALE}",
        "width": round(360 * SCALE), "height": round((TOP - BOTTOM) * SCALE),
        "countries": out,
    }


def main(argv: list[str]) -> int:
    data = build(source(argv[0] if argv else None))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    print(f"{OUT}: {len(data['countries'])} countries, {OUT.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
