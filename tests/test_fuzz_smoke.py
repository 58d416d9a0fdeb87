"""The fuzz targets of bench/fuzz/ in brief: a few hundred deterministic mutations each, and every
saved crash input (tests/data/fuzz/<target>/) replayed through the real code it once broke.

The long coverage-guided runs are `bench/fuzz/run.py` (atheris); docs/robustness.md has their numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.fuzz.targets import TARGETS, mutations

SAVED = Path(__file__).parent / "data" / "fuzz"
SMOKE_RUNS = 300


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_smoke(name: str) -> None:
    target = TARGETS[name]
    for n, data in enumerate(mutations(target, SMOKE_RUNS, seed=12)):
        try:
            target.run(data)
        except Exception as exc:
            raise AssertionError(f"{name} input {n} ({data[:80]!r}): {type(exc).__name__}: {exc}") from exc


def _saved() -> list[tuple[str, Path]]:
    return [(folder.name, path) for folder in sorted(SAVED.iterdir()) if folder.is_dir()
            for path in sorted(folder.iterdir())]


def test_every_saved_input_has_a_target() -> None:
    assert _saved(), "no saved fuzz inputs"
    assert {name for name, _path in _saved()} <= set(TARGETS)


@pytest.mark.parametrize(("name", "path"), _saved(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_saved_crash_inputs_replay(name: str, path: Path) -> None:
    TARGETS[name].run(path.read_bytes())
