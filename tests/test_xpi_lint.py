"""Mozilla's addons-linter on the add-on exactly as the installer builds it.

The linter knows Firefox's APIs, not Thunderbird's, so Thunderbird-only permissions and APIs come
back as warnings; those are expected. Every error fails, and so does any other warning (unsafe
DOM assignments, bad locales, manifest mistakes), so the add-on stays clean for review.

The linter is installed by scripts/tools.sh (npm, into .tools/); a missing linter fails the test.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from installer.build_xpi import build_xpi

REPO = Path(__file__).resolve().parents[1]
LINTER = REPO / ".tools" / "node_modules" / ".bin" / "addons-linter"
VERSION = "10.13.0"

# Thunderbird's own WebExtension namespaces and permissions, unknown to the Firefox-based linter.
THUNDERBIRD_NAMESPACES = {"accounts", "addressBooks", "browserAction", "cloudFile", "compose", "composeAction",
                          "composeScripts", "contacts", "folders", "identities", "mailingLists", "mailTabs",
                          "menus", "messageDisplay", "messageDisplayAction", "messageDisplayScripts",
                          "messages", "spaces", "spacesToolbar", "tabs", "theme", "windows"}
THUNDERBIRD_PERMISSIONS = re.compile(
    r'Invalid permissions "(accountsFolders|accountsIdentities|accountsRead|addressBooks|compose'
    r'|compose\.save|compose\.send|messagesDelete|messagesImport|messagesModify|messagesModifyPermanent'
    r'|messagesMove|messagesRead|messagesTags|messagesTagsList|messagesUpdate|sensitiveDataUpload)" at \d+\.$')
# manifest keys newer than the strict_min_version of Firefox (the linter compares against Firefox)
MIN_VERSION_CODES = {"KEY_FIREFOX_UNSUPPORTED_BY_MIN_VERSION", "KEY_FIREFOX_ANDROID_UNSUPPORTED_BY_MIN_VERSION"}


def run_linter(xpi: Path) -> dict[str, Any]:
    assert LINTER.exists(), (
        f"addons-linter is not installed ({LINTER} is missing): run scripts/tools.sh "
        "(part of scripts/setup.sh) to install it with npm")
    version = subprocess.run([str(LINTER), "--version"], capture_output=True, text=True, timeout=60)
    assert version.stdout.strip() == VERSION, f"expected addons-linter {VERSION}, got {version.stdout!r}: " \
        "run scripts/tools.sh"
    done = subprocess.run([str(LINTER), "--output", "json", "--boring", str(xpi)], capture_output=True,
                          text=True, timeout=180)
    try:
        return json.loads(done.stdout)
    except ValueError:
        raise AssertionError(f"addons-linter gave no JSON (exit {done.returncode}):\n"
                             f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}") from None


def thunderbird_only(warning: dict[str, Any]) -> bool:
    """A warning only because the linter judges the add-on as a Firefox one."""
    code, message = warning.get("code"), warning.get("message", "")
    if code == "MANIFEST_PERMISSIONS":
        return bool(THUNDERBIRD_PERMISSIONS.search(message))
    if code == "UNSUPPORTED_API":
        return message.split(".", 1)[0] in THUNDERBIRD_NAMESPACES
    return code in MIN_VERSION_CODES and warning.get("file") == "manifest.json"


def test_built_xpi_passes_addons_linter(tmp_path: Path) -> None:
    xpi = build_xpi(REPO, tmp_path / "dist" / "whence.xpi")
    result = run_linter(xpi)
    assert result["metadata"]["id"] == "whence@whence.example"
    assert result["summary"]["errors"] == 0, json.dumps(result["errors"], indent=1)
    assert not result["errors"]
    others = [w for w in result["warnings"] if not thunderbird_only(w)]
    assert not others, "warnings beyond Thunderbird-only APIs:\n" + json.dumps(others, indent=1)
    # the linter really read the add-on: it saw our scripts and the Thunderbird APIs they call
    assert result["metadata"]["totalScannedFileSize"] > 10_000
    assert any(w["code"] == "UNSUPPORTED_API" and w["message"].startswith("compose.beginNew")
               for w in result["warnings"])
