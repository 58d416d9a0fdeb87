"""Where Thunderbird looks for the native messaging manifest, and what the manifest says.

The one place for the host name and the add-on id. Standard library only and free of package
imports, because the installer loads this file by path before any virtual environment exists;
`whence doctor` imports it normally.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

HOST_NAME = "whence"  # runtime.connectNative("whence"); also the manifest's file name
ADDON_ID = "whence@whence.example"  # browser_specific_settings.gecko.id of the add-on
NAME_RE = re.compile(r"^\w+(\.\w+)*$")
REGISTRY_KEY = rf"Software\Mozilla\NativeMessagingHosts\{HOST_NAME}"  # under HKEY_CURRENT_USER
FLATPAK_APP = "org.mozilla.Thunderbird"
LAUNCHER = "whence-host"


def platform_kind(platform: str) -> str:
    """'linux', 'darwin' or 'win32' from a sys.platform value (other Unixes behave like Linux)."""
    if platform.startswith("win"):
        return "win32"
    if platform == "darwin":
        return "darwin"
    return "linux"


def _path(kind: str, *parts: str) -> PurePath:
    return PureWindowsPath(*parts) if kind == "win32" else PurePosixPath(*parts)


@dataclass(frozen=True)
class Layout:
    """Every path the installer writes and the doctor reads, for one platform and one home."""

    kind: str  # linux | darwin | win32
    home: PurePath
    data_dir: PurePath  # ours: venv, launcher, (Windows) manifest
    venv: PurePath
    launcher: PurePath
    manifest: PurePath  # the manifest file the installer writes
    registry: tuple[str, str, str] | None = None  # (hive, key, default value) on Windows
    system: bool = False
    extra: list[PurePath] = field(default_factory=list)  # other places Thunderbird may read

    @property
    def python(self) -> PurePath:
        if self.kind == "win32":
            return self.venv / "Scripts" / "python.exe"
        return self.venv / "bin" / "python"


def data_dir(kind: str, home: str, environ: dict[str, str]) -> PurePath:
    """The user data dir as platformdirs computes it, without importing platformdirs."""
    if kind == "win32":
        base = environ.get("LOCALAPPDATA") or str(PureWindowsPath(home, "AppData", "Local"))
        return PureWindowsPath(base, HOST_NAME)
    if kind == "darwin":
        return PurePosixPath(home, "Library", "Application Support", HOST_NAME)
    base = environ.get("XDG_DATA_HOME") or str(PurePosixPath(home, ".local", "share"))
    return PurePosixPath(base, HOST_NAME)


def layout(platform: str, home: str, environ: dict[str, str] | None = None, *, system: bool = False,
           prefix: str | None = None) -> Layout:
    """Compute where things go. `platform` is injectable so every platform's logic is testable."""
    environ = dict(os.environ) if environ is None else environ
    kind = platform_kind(platform)
    base = _path(kind, prefix) if prefix else data_dir(kind, home, environ)
    if system and not prefix and kind != "win32":  # somewhere every user can read
        base = PurePosixPath("/opt", HOST_NAME) if kind == "linux" else \
            PurePosixPath("/Library/Application Support", HOST_NAME)
    venv = base / "venv"
    launcher = base / (LAUNCHER + ".cmd" if kind == "win32" else LAUNCHER)
    registry = None
    if kind == "win32":
        manifest = base / f"{HOST_NAME}.json"
        registry = ("HKEY_CURRENT_USER", REGISTRY_KEY, str(manifest))
    elif kind == "darwin":
        root = PurePosixPath("/Library") if system else PurePosixPath(home, "Library")
        manifest = root / "Mozilla" / "NativeMessagingHosts" / f"{HOST_NAME}.json"
    else:
        root = PurePosixPath("/usr/lib/mozilla") if system else PurePosixPath(home, ".mozilla")
        manifest = root / "native-messaging-hosts" / f"{HOST_NAME}.json"
    return Layout(kind, _path(kind, home), base, venv, launcher, manifest, registry, system)


def manifest_candidates(platform: str, home: str) -> list[PurePath]:
    """Every file Thunderbird may read the manifest from (user first), for the doctor."""
    kind = platform_kind(platform)
    name = f"{HOST_NAME}.json"
    if kind == "darwin":
        return [PurePosixPath(home, "Library/Mozilla/NativeMessagingHosts", name),
                PurePosixPath("/Library/Mozilla/NativeMessagingHosts", name)]
    if kind == "linux":
        return [PurePosixPath(home, ".mozilla/native-messaging-hosts", name),
                PurePosixPath("/usr/lib/mozilla/native-messaging-hosts", name),
                PurePosixPath("/usr/lib64/mozilla/native-messaging-hosts", name)]
    return []  # Windows: the registry names the file


def manifest_dict(launcher: str, addon_id: str = ADDON_ID, template: dict | None = None) -> dict:
    """The manifest's content: the template with the launcher's absolute path and the add-on id."""
    out = dict(template or {"name": HOST_NAME, "description": "Whence mail analysis host",
                            "path": "@PATH@", "type": "stdio", "allowed_extensions": ["@ADDON_ID@"]})
    out["path"] = launcher
    out["allowed_extensions"] = [addon_id if x == "@ADDON_ID@" else x
                                 for x in out.get("allowed_extensions", [])]
    return out


def validate(manifest_file: Path, data: dict | None = None) -> list[str]:
    """Problems with an installed manifest, as short English phrases; empty when it is valid."""
    problems: list[str] = []
    if data is None:
        try:
            data = json.loads(manifest_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return [f"cannot read {manifest_file}: {exc}"]
    if not isinstance(data, dict):
        return ["the manifest is not a JSON object"]
    name = data.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        problems.append(f"name {name!r} does not match ^\\w+(\\.\\w+)*$")
    elif name != manifest_file.stem:
        problems.append(f"name {name!r} differs from the file name {manifest_file.name}")
    elif name != HOST_NAME:
        problems.append(f"name {name!r} is not {HOST_NAME!r}, the name the add-on connects to")
    if data.get("type") != "stdio":
        problems.append("type is not 'stdio'")
    path = data.get("path")
    if not isinstance(path, str) or not os.path.isabs(path):
        problems.append(f"path {path!r} is not absolute")
    elif not os.path.isfile(path):
        problems.append(f"the launcher {path} does not exist")
    elif os.name != "nt" and not os.access(path, os.X_OK):
        problems.append(f"the launcher {path} is not executable")
    allowed = data.get("allowed_extensions")
    if not isinstance(allowed, list) or ADDON_ID not in allowed:
        problems.append(f"allowed_extensions does not list the add-on id {ADDON_ID}")
    return problems


def thunderbird_sandboxes(home: str) -> dict[str, str]:
    """Sandboxed Thunderbird installs found on this machine: 'snap' / 'flatpak' -> evidence."""
    found: dict[str, str] = {}
    for path in ("/snap/bin/thunderbird", str(Path(home, "snap", "thunderbird"))):
        if os.path.exists(path):
            found["snap"] = path
            break
    for path in (str(Path(home, ".var", "app", FLATPAK_APP)),
                 f"/var/lib/flatpak/app/{FLATPAK_APP}",
                 str(Path(home, ".local/share/flatpak/app", FLATPAK_APP))):
        if os.path.exists(path):
            found["flatpak"] = path
            break
    return found
