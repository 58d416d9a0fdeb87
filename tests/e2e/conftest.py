"""Fixtures for the end-to-end tests: the built add-on, the host installed by the real installer
into a temporary $HOME, loopback DNS/RDAP for the host's lookups, and Thunderbird itself.

Missing Thunderbird, Xvfb or dovecot fails these tests: CI installs them, nothing is skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

from installer.build_xpi import build_xpi
from tests.e2e.harness import Thunderbird, Xvfb, free_port, make_profile

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "data" / "cases"
E2E_DATA = Path(__file__).parent / "data"
ARTIFACTS = Path(__file__).parent / "artifacts"  # logs of the last run (ignored by git)
# screenshots go with the run's artifacts; WHENCE_UPDATE_SCREENSHOTS=1 refreshes the ones README shows
SCREENSHOTS = (REPO / "docs" / "screenshots" if os.environ.get("WHENCE_UPDATE_SCREENSHOTS")
               else ARTIFACTS / "screenshots")


@pytest.fixture(scope="session")
def xpi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_xpi(REPO, tmp_path_factory.mktemp("xpi") / "whence.xpi")


@pytest.fixture(scope="session")
def display() -> Iterator[Xvfb]:
    x = Xvfb()
    try:
        yield x
    finally:
        x.stop()


def install_host(home: Path) -> Path:
    """Runs installer/install.py for `home`, offline: the venv it keeps reaches the test
    environment's packages through a .pth file, and pip builds the package locally."""
    venv = home / ".local" / "share" / "whence" / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c",
                              "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "whence-e2e-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", "utf-8")
    env = dict(os.environ, HOME=str(home), PIP_NO_INDEX="1", PIP_NO_BUILD_ISOLATION="0",
               XDG_DATA_HOME=str(home / ".local" / "share"))
    done = subprocess.run([sys.executable, str(REPO / "installer" / "install.py"), "--no-xpi", "--quiet"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (
        "installer/install.py failed. Offline, pip builds Whence with the test environment's setuptools, "
        "which needs bdist_wheel (setuptools>=70.1, in the [test] extra):\n" + done.stdout + done.stderr)
    manifest = home / ".mozilla" / "native-messaging-hosts" / "whence.json"
    assert manifest.exists(), done.stdout
    return manifest


@pytest.fixture(scope="session")
def host_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    install_host(home)
    return home


@pytest.fixture(scope="session")
def network(cases_network):  # type: ignore[no-untyped-def]
    """Loopback DNS and RDAP serving the cases' data (from tests/conftest.py)."""
    return cases_network


def tb_env(home: Path, display: Xvfb, dns_address: str | None, rdap_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WHENCE_", "MOZ_", "XDG_"))}
    env.update(HOME=str(home), DISPLAY=display.display, MOZ_CRASHREPORTER_DISABLE="1",
               MOZ_DISABLE_AUTO_SAFE_MODE="1", XDG_CONFIG_HOME=str(home / ".config"),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local" / "share"),
               LANG="C.UTF-8", NO_AT_BRIDGE="1")
    if dns_address:
        env["WHENCE_NAMESERVERS"] = dns_address
    if rdap_url:
        env["WHENCE_RDAP_BASE"] = rdap_url
    else:
        env["WHENCE_OFFLINE"] = "1"
    return env


def case(name: str) -> bytes:
    return (CASES / name).read_bytes()


def start_thunderbird(tmp: Path, home: Path, display: Xvfb, xpi: Path, folders: dict[str, list[bytes]],
                      dns_address: str | None, rdap_url: str | None,
                      extra_prefs: dict | None = None) -> Thunderbird:
    port = free_port()
    profile = make_profile(tmp, xpi, port, folders, extra_prefs)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tb = Thunderbird(profile, tb_env(home, display, dns_address, rdap_url), port,
                     ARTIFACTS / f"thunderbird-{tmp.name}.log")
    tb.wait_ready()
    return tb
