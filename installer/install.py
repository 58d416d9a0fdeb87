#!/usr/bin/env python3
"""Install (or remove) the Whence host for Thunderbird: venv, launcher, manifest, add-on (DESIGN §6).

Standard library only, Python 3.10+. Follows $HOME, so a test can install into a temporary home.
Re-running is safe: everything is rewritten in place and the package reinstalled.

    python3 installer/install.py                 # install for this user
    python3 installer/install.py --uninstall     # remove what the install wrote
    python3 installer/install.py --system        # Linux/macOS, as root: for every user
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "manifests" / "whence.json"
XPI = REPO / "dist" / "whence.xpi"
MIN_PYTHON = (3, 10)


def _load(path: Path, name: str) -> ModuleType:
    """A module loaded by file path: the installer runs before the package is installed anywhere."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


nmhost = _load(REPO / "host" / "whence" / "nmhost.py", "whence_nmhost")


class Report:
    """What the installer did, printed at the end in the user's language (en or ja)."""

    def __init__(self, lang: str, quiet: bool = False) -> None:
        self.lang = lang
        self.quiet = quiet
        self.done: list[str] = []
        self.notes: list[str] = []

    def t(self, en: str, ja: str) -> str:
        return ja if self.lang == "ja" else en

    def did(self, en: str, ja: str) -> None:
        self.done.append(self.t(en, ja))
        if not self.quiet:
            print("  ✓", self.done[-1], flush=True)

    def note(self, en: str, ja: str) -> None:
        self.notes.append(self.t(en, ja))

    def print(self, title: str) -> None:
        print()
        print(title)
        for line in self.done:
            print("  -", line)
        for line in self.notes:
            print()
            print(line)


# ---------------------------------------------------------------------------------------------
# Steps


def make_venv(python_exe: Path, venv: Path, base_python: str | None, rep: Report) -> None:
    """A virtual environment for the host; an existing working one is kept."""
    if python_exe.exists() and _runs(python_exe):
        rep.did(f"kept the virtual environment {venv}", f"仮想環境 {venv} をそのまま使用")
        return
    if venv.exists():
        shutil.rmtree(venv)
    cmd = [base_python or sys.executable, "-m", "venv", str(venv)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    rep.did(f"created the virtual environment {venv}", f"仮想環境 {venv} を作成")


def _runs(python_exe: Path) -> bool:
    try:
        out = subprocess.run([str(python_exe), "-c", "import sys; print(sys.version_info[:2] >= (3, 10))"],
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and out.stdout.strip() == "True"


def pip_install(python_exe: Path, rep: Report) -> None:
    """Install this repository (and its dependencies) with the pip configured on this machine."""
    cmd = [str(python_exe), "-m", "pip", "install", "--disable-pip-version-check", "--quiet", str(REPO)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(rep.t("pip could not install Whence (output above). Check the network or the "
                               "package index settings (pip config list) and run the installer again.",
                               "pip で Whence をインストールできませんでした（上の出力を参照）。"
                               "ネットワークかパッケージインデックスの設定（pip config list）を確認し、"
                               "再実行してください。"))
    version = subprocess.run([str(python_exe), "-c", "import whence; print(whence.__version__)"],
                             capture_output=True, text=True).stdout.strip()
    rep.did(f"installed whence {version} into it", f"whence {version} をインストール")


def launcher_text(kind: str, python_exe: Path) -> str:
    """The script Thunderbird starts: the venv's Python in isolated mode running the host."""
    if kind == "win32":
        exe = str(python_exe).replace("%", "%%")
        return f'@echo off\r\n"{exe}" -I -m whence.native %*\r\n'
    return ("#!/bin/sh\n# Whence native messaging host (written by installer/install.py)\n"
            f'exec {shlex.quote(str(python_exe))} -I -m whence.native "$@"\n')


def write_file(path: Path, text: str, mode: int | None = None) -> None:
    """Write atomically, so Thunderbird never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    if mode is not None:
        os.chmod(tmp, mode)
    os.replace(tmp, path)


def manifest_text(launcher: Path) -> str:
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    if template.get("name") != nmhost.HOST_NAME:
        raise SystemExit(f"{TEMPLATE}: name must be {nmhost.HOST_NAME!r}")
    return json.dumps(nmhost.manifest_dict(str(launcher), nmhost.ADDON_ID, template), indent=2) + "\n"


def check_addon_id(rep: Report) -> None:
    """The add-on's id must be the one the manifest allows, or Thunderbird refuses the connection."""
    path = REPO / "extension" / "manifest.json"
    try:
        gecko = json.loads(path.read_text(encoding="utf-8"))["browser_specific_settings"]["gecko"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    if gecko.get("id") != nmhost.ADDON_ID:
        rep.note(f"Warning: the add-on's id {gecko.get('id')!r} is not {nmhost.ADDON_ID!r}; "
                 "Thunderbird will refuse the connection.",
                 f"警告: アドオンの ID {gecko.get('id')!r} が {nmhost.ADDON_ID!r} と異なるため、"
                 "接続できません。")


def registry_values(layout: Any) -> tuple[str, str, str]:
    """(hive, key, value) for Windows: the key's default value names the manifest file."""
    assert layout.registry is not None
    return layout.registry


def write_registry(layout: Any, winreg: Any) -> None:  # exercised on Windows only
    _hive, key, value = registry_values(layout)
    with winreg.CreateKey(winreg.HKEY_CURRENT_USER, key) as handle:
        winreg.SetValueEx(handle, "", 0, winreg.REG_SZ, value)


def delete_registry(layout: Any, winreg: Any) -> bool:  # exercised on Windows only
    _hive, key, _value = registry_values(layout)
    try:
        winreg.DeleteKey(winreg.HKEY_CURRENT_USER, key)
    except FileNotFoundError:
        return False
    return True


def self_test(launcher: Path, manifest: Path, rep: Report) -> bool:
    """Start the host as Thunderbird would and ping it."""
    import struct

    body = json.dumps({"id": "install", "type": "ping"}).encode()
    try:
        proc = subprocess.run([str(launcher), str(manifest), nmhost.ADDON_ID], cwd=launcher.parent,
                              input=struct.pack("=I", len(body)) + body, capture_output=True, timeout=60)
        (n,) = struct.unpack("=I", proc.stdout[:4])
        reply = json.loads(proc.stdout[4:4 + n])
        ok = reply.get("ok") is True
    except (OSError, ValueError, struct.error, subprocess.SubprocessError) as exc:
        reply, ok = {"error": str(exc)}, False
    if ok:
        rep.did(f"the host answers ping (version {reply.get('version')})",
                f"ホストが ping に応答（バージョン {reply.get('version')}）")
    else:
        rep.note(f"Warning: the host did not answer ping: {reply}. Run `whence doctor` for details.",
                 f"警告: ホストが ping に応答しません: {reply}。`whence doctor` で詳細を確認してください。")
    return ok


def prime(launcher: Path, rep: Report) -> None:
    """Let the host fill its caches (tables, compiled patterns) now, so its first reply in Thunderbird
    is fast too; a failure only costs that first reply some time."""
    try:
        ok = subprocess.run([str(launcher), "--prime"], cwd=launcher.parent, capture_output=True,
                            timeout=120).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    if ok:
        rep.did("prepared the host's caches for a fast first reply", "初回応答を速くするためホストのキャッシュを準備")


def build_addon(rep: Report, out: Path = XPI) -> Path | None:
    script = REPO / "installer" / "build_xpi.py"
    if not script.exists():
        rep.note("The add-on is not built yet (installer/build_xpi.py does not exist).",
                 "アドオンはまだビルドされていません（installer/build_xpi.py がありません）。")
        return None
    build: Callable[[Path, Path], Path] = _load(script, "whence_build_xpi").build_xpi
    try:
        out = Path(build(REPO, out))
    except (OSError, ValueError) as exc:
        rep.note(f"Warning: the add-on could not be built: {exc}",
                 f"警告: アドオンをビルドできませんでした: {exc}")
        return None
    rep.did(f"built the add-on {out}", f"アドオン {out} をビルド")
    return out


def sandbox_notes(home: Path, launcher: Path, kind: str, rep: Report, uninstall: bool = False) -> None:
    """Snap and Flatpak Thunderbird cannot simply start a program from the host: say what to do."""
    if kind != "linux":
        return
    found = nmhost.thunderbird_sandboxes(str(home))
    if "flatpak" in found:
        app = home / ".var" / "app" / nmhost.FLATPAK_APP
        manifest = app / ".mozilla" / "native-messaging-hosts" / f"{nmhost.HOST_NAME}.json"
        wrapper = app / "data" / "whence" / "whence-host-flatpak"
        if uninstall:
            for path in (manifest, wrapper):
                path.unlink(missing_ok=True)
            return
        spawn = f'exec flatpak-spawn --host {shlex.quote(str(launcher))} "$@"'
        write_file(wrapper, f"#!/bin/sh\n{spawn}\n", 0o755)
        write_file(manifest, manifest_text(wrapper))
        rep.did(f"wrote the manifest for Flatpak Thunderbird {manifest}",
                f"Flatpak 版 Thunderbird 用マニフェスト {manifest} を書き込み")
        rep.note(
            "Flatpak Thunderbird found. It runs in a sandbox and reaches the host through "
            "flatpak-spawn; allow that once with:\n"
            f"    flatpak override --user --talk-name=org.freedesktop.Flatpak {nmhost.FLATPAK_APP}\n"
            "then restart Thunderbird.",
            "Flatpak 版 Thunderbird が見つかりました。サンドボックス内から flatpak-spawn で"
            "ホストを起動するため、一度だけ次を実行して許可し、Thunderbird を再起動してください:\n"
            f"    flatpak override --user --talk-name=org.freedesktop.Flatpak {nmhost.FLATPAK_APP}")
    if "snap" in found and not uninstall:
        rep.note(
            f"Snap Thunderbird found ({found['snap']}). A snap reaches native hosts only through the "
            "WebExtensions portal of xdg-desktop-portal (version 1.19 or newer), which asks you once "
            "for permission. If the add-on says the host is missing, install Thunderbird from your "
            "distribution's package or from thunderbird.net instead of the snap.",
            f"Snap 版 Thunderbird が見つかりました（{found['snap']}）。Snap はネイティブホストを "
            "xdg-desktop-portal（1.19 以降）の WebExtensions ポータル経由でしか起動できず、"
            "初回に許可を求められます。"
            "アドオンがホストを見つけられない場合は、Snap ではなくディストリビューションのパッケージか "
            "thunderbird.net 版の Thunderbird をお使いください。")


# ---------------------------------------------------------------------------------------------


def install(args: argparse.Namespace, rep: Report) -> int:
    layout = _layout(args)
    venv, launcher, manifest = Path(layout.venv), Path(layout.launcher), Path(layout.manifest)
    python_exe = Path(layout.python)
    make_venv(python_exe, venv, args.python, rep)
    pip_install(python_exe, rep)
    write_file(launcher, launcher_text(layout.kind, python_exe), 0o755)
    rep.did(f"wrote the launcher {launcher}", f"起動スクリプト {launcher} を書き込み")
    write_file(manifest, manifest_text(launcher))
    rep.did(f"wrote the manifest {manifest}", f"マニフェスト {manifest} を書き込み")
    if layout.kind == "win32":  # pragma: no cover - Windows only
        import winreg

        write_registry(layout, winreg)
        rep.did(rf"registered it under HKEY_CURRENT_USER\{layout.registry[1]}",
                rf"HKEY_CURRENT_USER\{layout.registry[1]} に登録")
    check_addon_id(rep)
    sandbox_notes(Path(layout.home), launcher, layout.kind, rep)
    if not args.no_self_test:
        self_test(launcher, manifest, rep)
        prime(launcher, rep)
    xpi = None if args.no_xpi else build_addon(rep, Path(args.xpi))
    if xpi:
        rep.note(
            "To add the add-on to Thunderbird: menu ≡ → Add-ons and Themes → gear icon ⚙ → "
            f"Install Add-on From File… → choose\n    {xpi}",
            "Thunderbird への追加方法: メニュー ≡ → アドオンとテーマ → 歯車アイコン ⚙ → "
            f"ファイルからアドオンをインストール… → 次のファイルを選択\n    {xpi}")
    rep.note("Check the installation at any time with `whence doctor` "
             f"({Path(layout.venv) / ('Scripts' if layout.kind == 'win32' else 'bin') / 'whence'} doctor).",
             "インストール状態はいつでも `whence doctor` で確認できます。")
    rep.print(rep.t("Whence is installed:", "Whence をインストールしました:"))
    return 0


def uninstall(args: argparse.Namespace, rep: Report) -> int:
    layout = _layout(args)
    manifest, launcher, venv = Path(layout.manifest), Path(layout.launcher), Path(layout.venv)
    if layout.kind == "win32":  # pragma: no cover - Windows only
        import winreg

        if delete_registry(layout, winreg):
            rep.did(rf"removed HKEY_CURRENT_USER\{layout.registry[1]}",
                    rf"HKEY_CURRENT_USER\{layout.registry[1]} を削除")
    for path in (manifest, launcher):
        if path.exists():
            path.unlink()
            rep.did(f"removed {path}", f"{path} を削除")
    if venv.exists():
        shutil.rmtree(venv)
        rep.did(f"removed the virtual environment {venv}", f"仮想環境 {venv} を削除")
    sandbox_notes(Path(layout.home), launcher, layout.kind, rep, uninstall=True)
    for folder in (Path(layout.data_dir), manifest.parent):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty: never remove what others put there
    if not rep.done:
        rep.did("nothing to remove: Whence was not installed", "削除するものはありません（未インストール）")
    rep.note("Remove the add-on itself in Thunderbird's Add-ons Manager.",
             "アドオン本体は Thunderbird のアドオンマネージャーから削除してください。")
    rep.print(rep.t("Whence is uninstalled:", "Whence をアンインストールしました:"))
    return 0


def _layout(args: argparse.Namespace) -> Any:
    home = os.path.expanduser("~")
    layout = nmhost.layout(sys.platform, home, dict(os.environ), system=args.system, prefix=args.prefix)
    if args.system and layout.kind != "win32" and hasattr(os, "geteuid") and os.geteuid() != 0:
        raise SystemExit(f"--system writes {layout.manifest} and {layout.data_dir}: run it as root (sudo).")
    if args.system and layout.kind == "win32":
        raise SystemExit("--system is not supported on Windows; install per user.")
    return layout


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Install the Whence host and add-on for Thunderbird.")
    p.add_argument("--uninstall", action="store_true", help="remove what the installer wrote")
    p.add_argument("--system", action="store_true",
                   help="install for every user (as root; Linux /usr/lib/mozilla, macOS /Library)")
    p.add_argument("--prefix", help="folder for the virtual environment and launcher "
                                    "(default: the user data dir, e.g. ~/.local/share/whence)")
    p.add_argument("--python", help="the Python (3.10+) to create the virtual environment with "
                                    "(default: the one running this script)")
    p.add_argument("--no-xpi", action="store_true", help="do not build dist/whence.xpi")
    p.add_argument("--xpi", default=str(XPI), help="where to write the add-on (default: dist/whence.xpi)")
    p.add_argument("--no-self-test", action="store_true", help="do not start the host to ping it")
    p.add_argument("--lang", choices=("en", "ja"),
                   default="ja" if os.environ.get("LANG", "").startswith("ja") else "en")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    if sys.version_info < MIN_PYTHON:
        raise SystemExit("Whence needs Python 3.10 or newer.")
    args = parse_args(argv)
    rep = Report(args.lang, args.quiet)
    return uninstall(args, rep) if args.uninstall else install(args, rep)


if __name__ == "__main__":
    sys.exit(main())
