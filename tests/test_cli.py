"""The `whence` command as a user runs it (DESIGN §2), and the settings it reads (DESIGN §5)."""

from __future__ import annotations

import json
import mailbox
import os
import re
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


PROGRESS = re.compile(r"\d+ messages")  # the bar's counter
HIDE_CURSOR = "\x1b[?25l"  # what rich's live display writes first on a terminal


def _without_timing(out: str) -> list[dict]:
    reports = lines(out)
    for report in reports:
        report.pop("elapsed_ms", None)
    return reports


def _many(tmp_path: Path) -> Path:
    """More messages than one job holds, in nested folders, so several workers share the work."""
    folder = tmp_path / "mail"
    for n, source in enumerate(sorted(CASES.glob("*.eml")) * 2):
        target = folder / f"d{n % 3}" / f"{n:02d}-{source.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    return folder


def test_two_workers_give_the_output_of_one_in_the_same_order(tmp_path: Path) -> None:
    folder = _many(tmp_path)
    one = whence("analyze", "--json", "--offline", "-j", "1", str(folder))
    two = whence("analyze", "--json", "--offline", "-j", "2", str(folder))
    assert one.returncode == two.returncode == 0
    expected = sorted(str(p) for p in folder.rglob("*.eml"))
    assert [r["file"] for r in lines(two.stdout)] == expected
    assert _without_timing(two.stdout) == _without_timing(one.stdout)


def test_an_mbox_on_two_workers_keeps_its_order(tmp_path: Path) -> None:
    box = mailbox.mbox(tmp_path / "inbox")
    names = [p.name for p in sorted(CASES.glob("*.eml"))] * 2
    for name in names:
        box.add(mailbox.mboxMessage((CASES / name).read_bytes()))
    box.flush()
    one = whence("analyze", "--json", "-j", "1", str(tmp_path / "inbox"))
    two = whence("analyze", "--json", "-j", "2", str(tmp_path / "inbox"))
    reports = lines(two.stdout)
    assert [r["index"] for r in reports] == list(range(len(names)))
    assert _without_timing(two.stdout) == _without_timing(one.stdout)
    singles = lines(whence("analyze", "--json", str(CASES)).stdout)
    by_file = {Path(r["file"]).name: r["verdict"]["level"] for r in singles}
    assert [r["verdict"]["level"] for r in reports] == [by_file[name] for name in names]


def test_a_file_that_cannot_be_read_stops_the_batch_in_order(tmp_path: Path) -> None:
    folder = _many(tmp_path)
    files = sorted(str(p) for p in folder.rglob("*.eml"))
    run = whence("analyze", "--json", "--offline", "-j", "2", *files[:10], str(tmp_path / "missing.eml"), *files[10:])
    assert run.returncode == 2 and "missing.eml" in run.stderr
    assert [r["file"] for r in lines(run.stdout)] == files[:10]


def test_no_progress_bar_when_stdout_is_not_a_terminal(tmp_path: Path) -> None:
    run = whence("analyze", "--offline", "-j", "2", str(_many(tmp_path)), env={"COLUMNS": "120"})
    assert run.returncode == 0 and not PROGRESS.search(run.stdout) and HIDE_CURSOR not in run.stdout
    assert run.stdout.count("analysed in") == 2 * len(list(CASES.glob("*.eml")))


def test_a_progress_bar_on_a_terminal_but_never_in_json(tmp_path: Path) -> None:
    folder = _many(tmp_path)

    def on_a_terminal(*args: str) -> str:
        import pty

        leader, follower = pty.openpty()
        proc = subprocess.Popen([sys.executable, "-m", "whence.cli", "analyze", "--offline", *args, str(folder)],
                                stdout=follower, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                env={**os.environ, "COLUMNS": "120", "TERM": "xterm"})
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        os.close(leader)
        assert proc.wait(120) == 0
        return b"".join(chunks).decode("utf-8", "replace")

    shown = on_a_terminal("-j", "2")
    assert PROGRESS.search(shown) and HIDE_CURSOR in shown
    json_out = on_a_terminal("--json", "-j", "2")
    assert not PROGRESS.search(json_out) and HIDE_CURSOR not in json_out
    assert all(json.loads(line) for line in json_out.splitlines() if line.strip())
