"""The `whence` command as a user runs it (DESIGN §2), and the settings it reads (DESIGN §5)."""

from __future__ import annotations

import json
import mailbox
import os
import shutil
import subprocess
import sys
from pathlib import Path

from whence.settings import Settings, from_dict, load

CASES = Path(__file__).parent / "data" / "cases"


def whence(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "whence.cli", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "WHENCE_OFFLINE": "1", **(env or {})})


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_json_lines_for_a_directory(tmp_path: Path) -> None:
    for name in ("etc-phish.eml", "amazon-jp-legit.eml"):
        shutil.copy(CASES / name, tmp_path / name)
    (tmp_path / "notes.txt").write_text("not a message")
    run = whence("analyze", "--json", "--offline", str(tmp_path))
    assert run.returncode == 0
    reports = lines(run.stdout)
    assert sorted(Path(r["file"]).name for r in reports) == ["amazon-jp-legit.eml", "etc-phish.eml"]
    levels = {Path(r["file"]).name: r["verdict"]["level"] for r in reports}
    assert levels == {"etc-phish.eml": "dangerous", "amazon-jp-legit.eml": "safe"}


def test_mbox_messages_carry_their_index(tmp_path: Path) -> None:
    box = mailbox.mbox(tmp_path / "inbox")
    for name in ("sextortion.eml", "personal-iso2022jp.eml"):
        box.add(mailbox.mboxMessage((CASES / name).read_bytes()))
    box.flush()
    reports = lines(whence("analyze", "--json", str(tmp_path / "inbox")).stdout)
    assert [r["index"] for r in reports] == [0, 1]
    assert [r["verdict"]["level"] for r in reports] == ["dangerous", "safe"]


def test_unreadable_message_still_gives_a_report_and_exit_zero(tmp_path: Path) -> None:
    junk = tmp_path / "junk.eml"
    junk.write_bytes(bytes(range(256)) * 50)
    run = whence("analyze", "--json", str(junk))
    assert run.returncode == 0
    [report] = lines(run.stdout)
    assert report["verdict"]["level"] in ("unknown", "safe", "caution", "suspicious", "dangerous")
    assert report["verdict"]["summary"]["en"]


def test_terminal_report_in_japanese_treats_message_text_as_text(tmp_path: Path) -> None:
    raw = (CASES / "etc-phish.eml").read_bytes().replace(
        b"Subject: =?utf-8?b?", b"Subject: [red]\x1b[31m<script>x</script>[/red] =?utf-8?b?", 1)
    path = tmp_path / "m.eml"
    path.write_bytes(raw)
    run = whence("analyze", "--lang", "ja", str(path), env={"COLUMNS": "120"})
    assert run.returncode == 0
    assert "危険" in run.stdout and "経路" in run.stdout
    assert "[red]" in run.stdout  # rich markup in a subject is shown, not interpreted
    assert "\x1b[31m" not in run.stdout  # a raw escape sequence from the message never reaches the terminal


def test_settings_file_then_environment(tmp_path: Path) -> None:
    config = tmp_path / "settings.toml"
    config.write_text('[network]\noffline = true\n[trust]\nhosts = ["sourceforge.net", "192.0.2.0/24"]\n'
                      '[lookups]\ndeadline_ms = 900\n')
    settings = load(config, environ={"WHENCE_DEADLINE_MS": "1200"})
    assert settings.offline is True and settings.deadline_ms == 1200  # the environment wins
    assert settings.trusted_names() == ["sourceforge.net"]
    assert [str(n) for n in settings.trusted_networks()] == ["192.0.2.0/24"]
    assert load(tmp_path / "missing.toml", environ={}) == Settings()
    broken = tmp_path / "broken.toml"
    broken.write_text("this is = = not toml")
    assert load(broken, environ={}) == Settings()  # a broken file is ignored, not fatal


def test_options_from_the_add_on() -> None:
    settings = from_dict(Settings(), {"network.offline": True, "trust.hosts": "lists.example.net",
                                      "lookups.deep": "1", "unknown.key": 5})
    assert settings.offline and settings.deep_lookups and settings.trust_hosts == ("lists.example.net",)
