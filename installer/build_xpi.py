"""Build dist/whence.xpi from extension/: a plain zip with manifest.json at its root.

Standard library only, because installer/install.py runs it before any environment exists.
The archive is reproducible (sorted entries, fixed timestamps) so two builds of the same tree
are byte-identical.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

FIXED_TIME = (2024, 1, 1, 0, 0, 0)
SKIP_NAMES = {".DS_Store", "Thumbs.db"}
SKIP_SUFFIXES = (".map", "~", ".swp", ".orig")


def _included(path: Path, root: Path) -> bool:
    rel = path.relative_to(root)
    if any(part.startswith(".") for part in rel.parts):
        return False
    return path.is_file() and path.name not in SKIP_NAMES and not path.name.endswith(SKIP_SUFFIXES)


def build_xpi(repo: Path, out: Path) -> Path:
    """Zip `repo/extension` into `out` (parents created); returns `out`.

    Raises ValueError when the extension's manifest.json is missing or not JSON, so a broken
    tree never produces an add-on that Thunderbird silently refuses.
    """
    src = Path(repo) / "extension"
    manifest = src / "manifest.json"
    try:
        json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{manifest}: {exc}") from exc
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in src.rglob("*") if _included(p, src))
    tmp = out.with_suffix(out.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(src).as_posix(), FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    tmp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    repo = Path(__file__).resolve().parent.parent
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else repo / "dist" / "whence.xpi"
    path = build_xpi(repo, out)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
