"""`whence doctor`: is everything in place for Thunderbird to use Whence? Each problem with its fix.

Checks, in the order a user would fix them: the manifest where Thunderbird looks, the launcher it
names (started exactly as Thunderbird starts it, and pinged), DNS (unless offline), the cache, the
sender history (docs/history.md: where it is, how big, whether it opens, how to clear it).
"""

from __future__ import annotations

import json
import os
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
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
    detail: str | Text  # what was found (paths, versions, errors): not translated, but for words of our own
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
    if sys.platform != "win32":  # no winreg to import
        return None, "none"
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


def _size(n: int) -> str:
    return f"{n} B" if n < 1000 else f"{n / 1000:.1f} kB" if n < 1_000_000 else f"{n / 1_000_000:.1f} MB"


HISTORY_CLEAR = T("Clear it from the add-on's options page (Clear the history) or with: whence history clear. "
                  "The option 'Learn from the mail I receive' turns it off in Thunderbird.",
                  "消去は、アドオンのオプション画面の「履歴を消去」か、whence history clear で行えます。"
                  "Thunderbird では「受け取ったメールから学ぶ」のオプションで止められます。")


def check_history(settings: Settings) -> Result:
    """The sender history (history.py), read without changing it: a damaged file is reported here,
    not moved aside (the host does that when it next opens it)."""
    from .history import MAX_MESSAGES, SCHEMA_VERSION, _damaged, default_path

    name = T("Sender history", "送信元の履歴")
    path = Path(settings.history_path) if settings.history_path else default_path()
    use = (T("on for whence analyze (history.enabled)", "whence analyze でも使用（history.enabled）")
           if settings.history else
           T("used by the add-on when its option is on; off for whence analyze unless --history",
             "アドオンはオプションが有効なら使用、whence analyze は --history のときのみ"))
    aside = Path(f"{path}.corrupt")
    note = (T(f"; a damaged copy was set aside: {aside} ({_size(aside.stat().st_size)}), safe to delete",
              f"。壊れていた履歴が {aside}（{_size(aside.stat().st_size)}）に退避されています（削除して構いません）")
            if aside.is_file() else T("", ""))

    def said(en: str, ja: str) -> Text:
        return {"en": f"{path}: {en} · {use['en']}{note['en']}", "ja": f"{path}：{ja} · {use['ja']}{note['ja']}"}

    if not path.exists():
        return Result(name, True, said("not created yet (no message analysed with history on)",
                                       "まだ作成されていません（履歴を使った解析がまだありません）"),
                      HISTORY_CLEAR, info=True)
    damaged = T(f"The host moves a damaged file aside ({aside.name}) and starts the history afresh the next "
                "time it opens it; whence history clear does it now.",
                f"ホストは次に開くときに壊れたファイルを退避（{aside.name}）し、履歴を空から始めます。"
                "すぐに行うには whence history clear を実行してください。")
    fix = (T(f"Check the permissions of {path} (and its -wal, -shm files) or remove them; until then messages "
             "are analysed without the history.",
             f"{path}（と -wal・-shm ファイル）の権限を確認するか、削除してください。"
             "それまでは履歴なしで解析されます。") if path.is_file() else
           T(f"{path} is not a file: remove it (or set history.path elsewhere); until then messages are "
             "analysed without the history.",
             f"{path} はファイルではありません。削除するか、history.path で別の場所を指定してください。"
             "それまでは履歴なしで解析されます。"))
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2.0)
        try:
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check failed")
            version = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if version is None or version[0] != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"schema {version[0] if version else '?'}, expected {SCHEMA_VERSION}")
            messages, senders, first = db.execute(
                "SELECT count(*), count(DISTINCT address), min(date) FROM messages").fetchone()
            contacts = db.execute("SELECT count(*) FROM contacts").fetchone()[0]
        finally:
            db.close()
    except (sqlite3.Error, OSError) as exc:
        broken = path.is_file() and isinstance(exc, sqlite3.Error) and _damaged(exc)
        return Result(name, False, said(f"{'damaged' if broken else 'cannot be opened'} ({exc})",
                                        f"{'壊れています' if broken else '開けません'}（{exc}）"),
                      damaged if broken else fix)
    size = sum(os.path.getsize(p) for p in (path, Path(f"{path}-wal")) if p.is_file())
    day = time.localtime(first) if first is not None else None
    def n(count: int, word: str, many: str) -> str:
        return f"{count:,} {word if count == 1 else many}"

    held = said(f"{n(messages, 'message', 'messages')} from {n(senders, 'sender', 'senders')}" +
                (f" since {time.strftime('%Y-%m-%d', day)}" if day else "") +
                f", {n(contacts, 'address', 'addresses')} you wrote to, {_size(size)} "
                f"(at most {MAX_MESSAGES:,} messages); opens",
                (f"{day.tm_year}年{day.tm_mon}月{day.tm_mday}日以降、" if day else "") +
                f"{senders:,} 件の送信元から {messages:,} 通、あなたが送信した宛先 {contacts:,} 件、"
                f"{_size(size)}（最大 {MAX_MESSAGES:,} 通）。正常に開けます")
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return Result(name, False, held, T(f"Make {path} and its folder writable for your user: "
                                           "until then nothing new is learnt.",
                                           f"{path} とそのフォルダーを書き込めるようにしてください。"
                                           "それまでは新しい履歴が記録されません。"))
    return Result(name, True, held, HISTORY_CLEAR, info=True)


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
    results = [manifest_result, check_launcher(data, manifest), check_dns(settings), check_cache(),
               check_history(settings)]
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
        detail = pick(r.detail, lang) if isinstance(r.detail, dict) else r.detail
        print(f"{mark} {pick(r.name, lang)}{'：' if lang == 'ja' else ': '}{detail}")
        if r.fix and (not r.ok or r.info):
            print(f"    → {pick(r.fix, lang)}")
    failed = [r for r in results if not r.ok and not r.info]
    print()
    print(pick(T("All checks passed.", "すべての確認に合格しました。") if not failed else
               T(f"{len(failed)} problem(s) found.", f"{len(failed)} 件の問題があります。"), lang))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
