"""Runs one of the add-on's ES modules under node with a test script, for the logic that needs no
Thunderbird (the real-Thunderbird versions are in tests/e2e/)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

EXTENSION = Path(__file__).resolve().parent.parent / "extension"


def run_module(tmp_path: Path, module: str, script: str) -> dict[str, Any]:
    """Copies extension/MODULE beside SCRIPT (which imports it from process.argv[2]) and returns the
    JSON object SCRIPT prints last."""
    node = shutil.which("node")
    assert node, "node is needed to run the add-on's code"
    copy = tmp_path / (Path(module).stem + ".mjs")
    shutil.copy(EXTENSION / module, copy)
    runner = tmp_path / "run.mjs"
    runner.write_text(script, encoding="utf-8")
    done = subprocess.run([node, str(runner), str(copy)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
