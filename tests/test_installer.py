"""installer/install.py and `whence doctor`: the Linux layout for real, macOS and Windows by their logic.

The platform decision is injectable (`nmhost.layout(platform, home, environ)`), so the macOS and
Windows paths and the registry entry are checked on any machine; the registry itself is written
only when the tests run on Windows.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath, PureWindowsPath
from types import ModuleType
from typing import Any

import pytest
import whence
from whence import doctor, nmhost
from whence.settings import Settings

from tests.test_native import REPO, clean_env, installed_home, run_installer


def _installer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("whence_install", REPO / "installer" / "install.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


install = _installer()


@pytest.fixture(scope="session")
def home() -> Path:
    return installed_home()


# ---------------------------------------------------------------------------------------------
# The real Linux install


def test_linux_install_layout(home: Path) -> None:
    manifests = list((home / ".mozilla" / "native-messaging-hosts").iterdir())
    assert [m.name for m in manifests] == ["whence.json"]
    data = json.loads(manifests[0].read_text(encoding="utf-8"))
    launcher = Path(data["path"])
    assert launcher == home / ".local" / "share" / "whence" / "whence-host"
    assert os.access(launcher, os.X_OK) and launcher.read_text().startswith("#!/bin/sh")
    venv_python = home / ".local" / "share" / "whence" / "venv" / "bin" / "python"
    assert str(venv_python) in launcher.read_text()
    version = subprocess.run([str(venv_python), "-c", "import whence; print(whence.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version == whence.__version__  # installed from this repository


def test_reinstall_uninstall_and_flatpak(tmp_path_factory: pytest.TempPathFactory) -> None:
    home = Path(tempfile.mkdtemp(prefix="whence-home2-"))
    try:
        flatpak = home / ".var" / "app" / nmhost.FLATPAK_APP
        flatpak.mkdir(parents=True)
        first = run_installer(home, "--xpi", str(home / "whence.xpi"))
        assert zipfile.ZipFile(home / "whence.xpi").read("manifest.json")
        assert "Install Add-on From File" in first.stdout and str(home / "whence.xpi") in first.stdout
        manifest = home / ".mozilla" / "native-messaging-hosts" / "whence.json"
        before = manifest.read_text(encoding="utf-8")
        assert "the host answers ping" in first.stdout
        assert "flatpak override --user --talk-name=org.freedesktop.Flatpak" in first.stdout
        fp_manifest = flatpak / ".mozilla" / "native-messaging-hosts" / "whence.json"
        fp_data = json.loads(fp_manifest.read_text(encoding="utf-8"))
        assert nmhost.validate(fp_manifest, fp_data) == []
        assert "flatpak-spawn --host" in Path(fp_data["path"]).read_text()

        second = run_installer(home)  # idempotent: same files, venv kept
        assert "kept the virtual environment" in second.stdout
        assert manifest.read_text(encoding="utf-8") == before
        assert len(list(manifest.parent.iterdir())) == 1

        gone = run_installer(home, "--uninstall")
        assert "removed the virtual environment" in gone.stdout
        assert not manifest.exists() and not fp_manifest.exists()
        assert not (home / ".local" / "share" / "whence").exists()
        again = run_installer(home, "--uninstall")
        assert "nothing to remove" in again.stdout
    finally:
        shutil.rmtree(home, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# macOS and Windows by their logic


def test_macos_layout() -> None:
    user = nmhost.layout("darwin", "/Users/kumi", {})
    assert user.manifest == PurePosixPath("/Users/kumi/Library/Mozilla/NativeMessagingHosts/whence.json")
    assert user.venv == PurePosixPath("/Users/kumi/Library/Application Support/whence/venv")
    assert user.python == user.venv / "bin" / "python" and user.registry is None
    system = nmhost.layout("darwin", "/Users/kumi", {}, system=True)
    assert system.manifest == PurePosixPath("/Library/Mozilla/NativeMessagingHosts/whence.json")
    assert system.venv == PurePosixPath("/Library/Application Support/whence/venv")


def test_windows_layout_and_registry_entry() -> None:
    env = {"LOCALAPPDATA": r"C:\Users\kumi\AppData\Local"}
    lay = nmhost.layout("win32", r"C:\Users\kumi", env)
    assert lay.manifest == PureWindowsPath(r"C:\Users\kumi\AppData\Local\whence\whence.json")
    assert lay.launcher == PureWindowsPath(r"C:\Users\kumi\AppData\Local\whence\whence-host.cmd")
    assert lay.python == PureWindowsPath(r"C:\Users\kumi\AppData\Local\whence\venv\Scripts\python.exe")
    assert install.registry_values(lay) == (
        "HKEY_CURRENT_USER", r"Software\Mozilla\NativeMessagingHosts\whence",
        r"C:\Users\kumi\AppData\Local\whence\whence.json")
    text = install.launcher_text("win32", lay.python)
    assert text == ('@echo off\r\n"C:\\Users\\kumi\\AppData\\Local\\whence\\venv\\Scripts\\python.exe" '
                    "-I -m whence.native %*\r\n")
    manifest = json.loads(install.manifest_text(Path(str(lay.launcher))))
    assert manifest["path"] == str(lay.launcher) and manifest["allowed_extensions"] == [nmhost.ADDON_ID]
    if sys.platform == "win32":  # the real registry, under a key of the test's own
        import winreg

        key = lay.registry[1] + "-test"
        test_lay = dataclasses.replace(lay, registry=(lay.registry[0], key, lay.registry[2]))
        install.write_registry(test_lay, winreg)
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as handle:
            assert winreg.QueryValueEx(handle, "")[0] == lay.registry[2]
        assert install.delete_registry(test_lay, winreg) is True
    else:  # without a registry the layout still tells the doctor there is no file to look for
        assert nmhost.manifest_candidates("win32", r"C:\Users\kumi") == []


def test_linux_system_layout_and_xdg() -> None:
    system = nmhost.layout("linux", "/home/kumi", {}, system=True)
    assert system.manifest == PurePosixPath("/usr/lib/mozilla/native-messaging-hosts/whence.json")
    assert system.launcher == PurePosixPath("/opt/whence/whence-host")
    xdg = nmhost.layout("linux", "/home/kumi", {"XDG_DATA_HOME": "/data/kumi"})
    assert xdg.venv == PurePosixPath("/data/kumi/whence/venv")
    assert xdg.manifest == PurePosixPath("/home/kumi/.mozilla/native-messaging-hosts/whence.json")
    prefixed = nmhost.layout("linux", "/home/kumi", {}, prefix="/opt/w")
    assert prefixed.launcher == PurePosixPath("/opt/w/whence-host")


def test_template_and_addon_agree() -> None:
    template = json.loads((REPO / "manifests" / "whence.json").read_text(encoding="utf-8"))
    assert template["name"] == nmhost.HOST_NAME and nmhost.NAME_RE.match(template["name"])
    assert template["type"] == "stdio"
    addon = json.loads((REPO / "extension" / "manifest.json").read_text(encoding="utf-8"))
    assert addon["browser_specific_settings"]["gecko"]["id"] == nmhost.ADDON_ID
    native_js = (REPO / "extension" / "background" / "native.js").read_text(encoding="utf-8")
    assert f'HOST_NAME = "{nmhost.HOST_NAME}"' in native_js


def test_validate_names_each_problem(tmp_path: Path) -> None:
    path = tmp_path / "whence.json"
    bad = {"name": "other", "path": "relative/host", "type": "pipe", "allowed_extensions": []}
    problems = " | ".join(nmhost.validate(path, bad))
    for words in ("differs from the file name", "not absolute", "not 'stdio'", "allowed_extensions"):
        assert words in problems
    renamed = nmhost.validate(path, {**bad, "name": "bad name!"})
    assert renamed[0].startswith("name 'bad name!' does not match")
    path.write_text("{not json", encoding="utf-8")
    assert nmhost.validate(path)[0].startswith("cannot read")


# ---------------------------------------------------------------------------------------------
# whence doctor


def test_doctor_on_a_good_install(home: Path, cases_network: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    dns, _rdap = cases_network
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CACHE_HOME")
    results = doctor.run_checks("linux", str(home), Settings(nameservers=(dns.address,)))
    assert [r.ok for r in results[:4]] == [True] * 4, [(r.name["en"], r.detail) for r in results]
    assert str(home / ".cache" / "whence") == results[3].detail


def test_doctor_command_exit_status(home: Path, cases_network: Any) -> None:
    dns, _rdap = cases_network
    whence_cmd = str(home / ".local" / "share" / "whence" / "venv" / "bin" / "whence")
    ok = subprocess.run([whence_cmd, "doctor"], capture_output=True, text=True, timeout=60,
                        env=clean_env(home, WHENCE_NAMESERVERS=dns.address))
    assert ok.returncode == 0, ok.stdout
    assert "✓ Host answers ping" in ok.stdout and "All checks passed." in ok.stdout
    assert "i Sender history: " in ok.stdout and "whence history clear" in ok.stdout
    ja = subprocess.run([whence_cmd, "doctor"], capture_output=True, text=True, timeout=60,
                        env=clean_env(home, WHENCE_OFFLINE="1", WHENCE_LANG="ja"))
    assert ja.returncode == 0 and "すべての確認に合格しました" in ja.stdout
    assert "✓ ホストの応答（ping）：" in ja.stdout and "）: " not in ja.stdout  # Japanese colons


def test_doctor_names_each_problem_with_its_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty_home = tmp_path / "nobody"
    empty_home.mkdir()
    monkeypatch.setenv("HOME", str(empty_home))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:  # a port nobody answers on
        sock.bind(("127.0.0.1", 0))
        silent = f"127.0.0.1:{sock.getsockname()[1]}"
        results = doctor.run_checks("linux", str(empty_home),
                                    Settings(nameservers=(silent,), lookup_timeout_ms=200))
    manifest, launcher, dns_result, cache = results[:4]
    assert not manifest.ok and "not found" in manifest.detail and "installer/install.py" in manifest.fix["en"]
    assert not launcher.ok and launcher.fix is not None
    assert not dns_result.ok and "WHENCE_NAMESERVERS" in dns_result.fix["en"] and dns_result.fix["ja"]
    assert cache.ok


def test_doctor_finds_a_broken_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / ".mozilla" / "native-messaging-hosts"
    folder.mkdir(parents=True)
    (folder / "whence.json").write_text(json.dumps(
        {"name": "whence", "path": str(tmp_path / "missing"), "type": "stdio",
         "allowed_extensions": [nmhost.ADDON_ID]}), encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path))
    results = doctor.run_checks("linux", str(tmp_path), Settings(offline=True))
    assert not results[0].ok and "does not exist" in results[0].detail
    assert results[2].ok and results[2].info  # offline: no DNS check to fail


def test_doctor_reports_the_sender_history(tmp_path: Path) -> None:
    """Where the history is, whether it is used, how big it is, whether it opens, how to clear it —
    read without changing it (a damaged file is reported, not moved aside)."""
    from whence.history import Observation, Store, message_key

    path = tmp_path / "data" / "history.sqlite3"
    settings = Settings(offline=True, history_path=str(path))
    empty = doctor.check_history(settings)
    assert empty.ok and empty.info and str(path) in empty.detail["en"] and "not created yet" in empty.detail["en"]
    assert "off for whence analyze unless --history" in empty.detail["en"]
    assert "whence history clear" in empty.fix["en"] and "options page" in empty.fix["en"]
    assert "履歴を消去" in empty.fix["ja"] and "まだ作成されていません" in empty.detail["ja"]
    assert not path.exists()  # the doctor creates nothing

    store = Store(path)
    for i, address in enumerate(["a@example.org", "a@example.org", "b@example.net"]):
        store.record(Observation(key=message_key(f"<{i}@x>", address, None), date=1_700_000_000 + i * 86400,
                                 address=address, domain=address.split("@")[1], authenticated=True),
                     now=1_700_000_000 + 10 * 86400)
    store.add_contacts(["hanako@friend.example.org"])
    store.close()
    before = path.read_bytes()
    held = doctor.check_history(Settings(offline=True, history=True, history_path=str(path)))
    assert held.ok and held.info, held.detail
    en, ja = held.detail["en"], held.detail["ja"]
    assert en.startswith(f"{path}: 3 messages from 2 senders since 2023-11-1"), en  # local date of 14 Nov 22:13 UTC
    assert "1 address you wrote to" in en and " kB" in en and "opens" in en and "on for whence analyze" in en
    assert ja.startswith(f"{path}：2023年11月1") and "2 件の送信元から 3 通" in ja and "正常に開けます" in ja, ja
    assert path.read_bytes() == before

    path.write_bytes(b"not a database " * 200)  # damaged
    broken = doctor.check_history(settings)
    assert not broken.ok and not broken.info and "damaged" in broken.detail["en"], broken.detail
    assert "history.sqlite3.corrupt" in broken.fix["en"] and "whence history clear" in broken.fix["en"]
    assert path.read_bytes() == b"not a database " * 200 and not Path(f"{path}.corrupt").exists()
    Store(path).stats()  # the host's next opening sets it aside and starts afresh
    healed = doctor.check_history(settings)
    assert healed.ok and "0 messages" in healed.detail["en"] and "a damaged copy was set aside" in healed.detail["en"]

    for part in path.parent.iterdir():
        part.unlink()
    path.mkdir()  # not a file at all: the analyses go on without history
    odd = doctor.check_history(settings)
    assert not odd.ok and "cannot be opened" in odd.detail["en"] and "is not a file" in odd.fix["en"]


def test_doctor_command_shows_the_history_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    env = {**os.environ, "HOME": str(tmp_path), "TZ": "UTC", "WHENCE_OFFLINE": "1", "WHENCE_HISTORY_PATH": str(path)}
    subprocess.run([sys.executable, "-m", "whence.cli", "analyze", "--history", "-j", "1",
                    str(REPO / "samples" / "etc-phish.eml")], capture_output=True, timeout=120, env=env, check=True)
    en = subprocess.run([sys.executable, "-m", "whence.cli", "doctor"], capture_output=True, text=True,
                        timeout=120, env=env)
    assert f"i Sender history: {path}: 1 message from 1 sender since 2023-01-01" in en.stdout, en.stdout
    assert "    → Clear it from the add-on's options page" in en.stdout
    ja = subprocess.run([sys.executable, "-m", "whence.cli", "doctor"], capture_output=True, text=True,
                        timeout=120, env={**env, "WHENCE_LANG": "ja"})
    assert f"i 送信元の履歴：{path}：2023年1月1日以降、1 件の送信元から 1 通" in ja.stdout, ja.stdout
