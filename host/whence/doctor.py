"""`whence doctor`: is everything in place for Thunderbird to use Whence? Each problem with its fix.

Checks, in the order a user would fix them: the manifest where Thunderbird looks, the launcher it
names (started exactly as Thunderbird starts it, and pinged), DNS (unless offline), the cache.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__, nmhost
from .i18n import T, Text, pick
from .settings import Settings, cache_dir, load

INSTALL = "python3 installer/install.py"
FIX_INSTALL = T(f"Install the host: {INSTALL}", f"ホストをインストールしてください：{INSTALL}")
FIX_REWRITE = T(f"Rewrite it: {INSTALL}", f"再作成してください：{INSTALL}")


@dataclass
class Result:
    name: Text
    ok: bool
    detail: str  # what was found (paths, versions, errors): not translated
    fix: Text | None = None
    info: bool = False  # shown, but never a failure


# ---------------------------------------------------------------------------------------------
# Finding the manifest


def find_manifest(platform: str, home: str) -> tuple[Path | None, str]:
    """The manifest file Thunderbird would read, and where its location came from."""
    if nmhost.platform_kind(platform) == "win32":
        return _registry_manifest()
    for path in nmhost.manifest_candidates(platform, home):
        if os.path.exists(path):
            return Path(path), "file"
    return None, "none"


def _registry_manifest() -> tuple[Path | None, str]:  # pragma: no cover - Windows only
    try:
        import winreg

        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, nmhost.REGISTRY_KEY) as key:
            value, _kind = winreg.QueryValueEx(key, "")
        return Path(value), "registry"
    except (ImportError, OSError):
        return None, "none"


def check_manifest(platform: str, home: str) -> tuple[Result, dict[str, Any] | None, Path | None]:
    name = T("Native messaging manifest", "ネイティブメッセージングのマニフェスト")
    path, source = find_manifest(platform, home)
    if path is None:
        where = (rf"HKEY_CURRENT_USER\{nmhost.REGISTRY_KEY}" if nmhost.platform_kind(platform) == "win32"
                 else str(nmhost.manifest_candidates(platform, home)[0]))
        return Result(name, False, f"not found ({where})", FIX_INSTALL), None, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return Result(name, False, f"{path}: {exc}", FIX_REWRITE), None, path
    problems = nmhost.validate(path, data)
    if problems:
        return Result(name, False, f"{path}: " + "; ".join(problems), FIX_REWRITE), data, path
    return Result(name, True, f"{path} ({source})"), data, path


# ---------------------------------------------------------------------------------------------
# Starting the launcher


def ping_host(launcher: str, manifest: Path, timeout: float = 20.0) -> dict[str, Any]:
    """Start the launcher as Thunderbird does ([manifest, add-on id], cwd its folder) and ping it."""
    body = json.dumps({"id": "doctor", "type": "ping"}).encode()
    proc = subprocess.run([launcher, str(manifest), nmhost.ADDON_ID], cwd=os.path.dirname(launcher),
                          input=struct.pack("=I", len(body)) + body, capture_output=True, timeout=timeout)
    if len(proc.stdout) < 4:
        raise ValueError(f"no reply (exit status {proc.returncode}; stderr: "
                         f"{proc.stderr.decode('utf-8', 'replace').strip()[-300:]})")
    (n,) = struct.unpack("=I", proc.stdout[:4])
    reply = json.loads(proc.stdout[4:4 + n])
    if not isinstance(reply, dict) or reply.get("id") != "doctor":
        raise ValueError(f"unexpected reply {reply!r}"[:300])
    return reply


def check_launcher(data: dict[str, Any] | None, manifest: Path | None) -> Result:
    name = T("Host answers ping", "ホストの応答（ping）")
    launcher = data.get("path") if data else None
    if not isinstance(launcher, str) or manifest is None or not os.path.isfile(launcher):
        return Result(name, False, "no launcher to start", FIX_INSTALL)
    try:
        reply = ping_host(launcher, manifest)
    except (OSError, ValueError, struct.error, subprocess.SubprocessError) as exc:
        return Result(name, False, f"{launcher}: {exc}",
                      T("Reinstall the host; the log in the log folder tells more: " + INSTALL,
                        "ホストを再インストールしてください（詳細はログフォルダのログ）: " + INSTALL))
    version = reply.get("version")
    if reply.get("ok") is not True:
        return Result(name, False, f"{launcher}: {reply}", FIX_REWRITE)
    if version != __version__:
        return Result(name, False, f"the host is version {version}, this whence is {__version__}",
                      T(f"Update the host: {INSTALL}", f"ホストを更新してください：{INSTALL}"))
    return Result(name, True, f"{launcher} (version {version})")


# ---------------------------------------------------------------------------------------------
# Network and disk


def check_dns(settings: Settings) -> Result:
    name = T("DNS reachable", "DNS への到達")
    if settings.offline:
        return Result(name, True, "offline mode: Whence sends no DNS queries", info=True)
    import dns.exception
    import dns.resolver

    from .lookups.dns import nameservers

    resolver = dns.resolver.Resolver(configure=not settings.nameservers)
    if settings.nameservers:
        resolver.nameservers = nameservers(settings)
    where = ", ".join(settings.nameservers) or "system resolver"
    fix = T("Check the network, or set dns.nameservers (WHENCE_NAMESERVERS) to a working server, "
            "or turn on network.offline (WHENCE_OFFLINE=1) to analyse without lookups.",
            "ネットワークを確認するか、dns.nameservers（WHENCE_NAMESERVERS）に使える DNS サーバーを"
            "設定するか、network.offline（WHENCE_OFFLINE=1）で照会なしの解析にしてください。")
    try:
        resolver.resolve(".", "NS", lifetime=max(1.0, settings.lookup_timeout_ms / 1000 * 2))
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        pass  # an answer all the same: the server is there
    except (dns.exception.DNSException, OSError, ValueError) as exc:
        return Result(name, False, f"{where}: {type(exc).__name__}: {exc}"[:300], fix)
    return Result(name, True, where)


def check_cache() -> Result:
    name = T("Cache writable", "キャッシュへの書き込み")
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Result(name, False, f"{folder}: {exc}",
                      T(f"Make {folder} writable for your user, or remove it so Whence recreates it.",
                        f"{folder} を書き込めるようにするか、削除して再作成させてください。"))
    return Result(name, True, str(folder))


def check_sandbox(home: str) -> Result | None:
    found = nmhost.thunderbird_sandboxes(home)
    if not found:
        return None
    kinds = ", ".join(f"{k} ({v})" for k, v in found.items())
    return Result(T("Sandboxed Thunderbird", "サンドボックス版 Thunderbird"), True, kinds, info=True,
                  fix=T("Snap and Flatpak Thunderbird need extra steps; the installer's summary says which.",
                        "Snap 版・Flatpak 版には追加の手順が必要です（インストーラーの表示を参照）。"))


# ---------------------------------------------------------------------------------------------


def run_checks(platform: str | None = None, home: str | None = None,
               settings: Settings | None = None) -> list[Result]:
    """Every check; the platform and home are injectable for tests."""
    platform = platform or sys.platform
    home = home or str(Path.home())
    settings = settings or load()
    manifest_result, data, manifest = check_manifest(platform, home)
    results = [manifest_result, check_launcher(data, manifest), check_dns(settings), check_cache()]
    sandbox = check_sandbox(home)
    if sandbox:
        results.append(sandbox)
    return results


def main(argv: list[str] | None = None) -> int:
    """Print the checks; exit status 0 when all pass, 1 otherwise."""
    settings = load()
    lang = settings.lang
    results = run_checks(settings=settings)
    for r in results:
        mark = "i" if r.info else ("✓" if r.ok else "✗")
        print(f"{mark} {pick(r.name, lang)}{'：' if lang == 'ja' else ': '}{r.detail}")
        if r.fix and (not r.ok or r.info):
            print(f"    → {pick(r.fix, lang)}")
    failed = [r for r in results if not r.ok and not r.info]
    print()
    print(pick(T("All checks passed.", "すべての確認に合格しました。") if not failed else
               T(f"{len(failed)} problem(s) found.", f"{len(failed)} 件の問題があります。"), lang))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
