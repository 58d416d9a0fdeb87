"""What makes the native host's first reply fast: derived tables and compiled patterns kept in the
cache dir (tables.py, regexcache.py), filled by `whence-host --prime`, never changing a result."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from whence import tables

CASES = Path(__file__).parent / "data" / "cases"


def python(code: str, cache: Path) -> subprocess.CompletedProcess[str]:
    """CODE in a fresh interpreter (the regex cache patches `re` for the whole process)."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "XDG_CACHE_HOME": str(cache), "WHENCE_OFFLINE": "1"})


def test_a_table_is_built_once_and_rebuilt_when_its_source_changes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "list.txt"
    source.write_text("a\nb\n")
    builds = []

    def build() -> dict[str, int]:
        builds.append(1)
        return {line: n for n, line in enumerate(source.read_text().split())}

    assert tables.cached("test-list", 1, [source], build) == {"a": 0, "b": 1}
    assert tables.cached("test-list", 1, [source], build) == {"a": 0, "b": 1}
    assert len(builds) == 1  # the second answer came from the cache file
    source.write_text("c\n")
    os.utime(source, ns=(1, 1))
    assert tables.cached("test-list", 1, [source], build) == {"c": 0}
    assert len(builds) == 2


def test_a_hashed_table_answers_as_the_set_and_dict_it_was_packed_from(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "ranks.csv"
    source.write_text("".join(f"{n},domain{n}.example\n" for n in range(1, 5001)))
    ranks = {line.split(",")[1]: int(line.split(",")[0]) for line in source.read_text().split()}
    build = lambda: tables.HashedTable.pack(ranks)  # noqa: E731
    tables.cached("test-ranks", 1, [source], build)
    table = tables.HashedTable(tables.cached("test-ranks", 1, [source], build))  # as loaded from the file
    assert len(table) == 5000
    assert all(table.get(domain) == rank and domain in table for domain, rank in ranks.items())
    assert all(table.get(f"domain{n}.example") is None for n in (0, 5001, 10**9))
    assert "" not in table and "domain1.example." not in table and 1 not in table
    names = tables.HashedTable(tables.HashedTable.pack(["ä.example", "b.example", "b.example"]))
    assert len(names) == 2 and "ä.example" in names and names.get("b.example") == 0 and "c.example" not in names


def test_patterns_served_from_the_cache_equal_freshly_compiled_ones(tmp_path: Path) -> None:
    record = python("""
        import re
        from whence import regexcache
        assert regexcache.install()
        with regexcache.recording():
            re.compile(r"(?P<user>[\\w.]+)@(?P<host>[^\\s>]+)", re.I)
            re.compile(rb"^From [^\\n]*$", re.M)
        re.compile(r"not recorded outside recording()")
        print(regexcache.save())
    """, tmp_path)
    assert record.returncode == 0, record.stderr
    assert record.stdout.split() == ["2"]
    serve = python("""
        import re
        from whence import regexcache
        assert regexcache.install()
        patterns = [(r"(?P<user>[\\w.]+)@(?P<host>[^\\s>]+)", re.I), (rb"^From [^\\n]*$", re.M)]
        assert all((p, int(f)) in regexcache._table for p, f in patterns)
        assert (r"not recorded outside recording()", 0) not in regexcache._table
        for p, f in patterns:
            served = re.compile(p, f)
            assert served == regexcache._original(p, f)  # Pattern equality compares the engine code
            assert served.groupindex == regexcache._original(p, f).groupindex
        assert re.compile(r"(?P<user>[\\w.]+)@(?P<host>[^\\s>]+)", re.I).match("Ann@Example.org").group("host")
        print("ok")
    """, tmp_path)
    assert serve.returncode == 0, serve.stderr
    assert serve.stdout.strip() == "ok"


def test_prime_fills_the_caches_and_changes_no_report(tmp_path: Path) -> None:
    prime = subprocess.run([sys.executable, "-m", "whence.native", "--prime"], capture_output=True, timeout=120,
                           env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)})
    assert prime.returncode == 0, prime.stderr
    names = {p.name.split("-")[0] for p in (tmp_path / "whence" / "tables").iterdir()}
    assert {"psl", "brands", "regex", "trigrams", "ranks", "free_email"} <= names
    report = """
        import json, sys
        from pathlib import Path
        from whence import native
        from whence.settings import Settings
        pipeline = native._import_pipeline()  # patterns from the cache, as in the host
        for path in sorted(Path(sys.argv[1]).glob("*.eml")):
            r = pipeline.Analysis(path.read_bytes(), Settings(offline=True)).offline_report()
            r.pop("elapsed_ms")
            print(json.dumps(r, sort_keys=True, ensure_ascii=False))
    """
    cached = subprocess.run([sys.executable, "-c", textwrap.dedent(report), str(CASES)], capture_output=True,
                            text=True, timeout=300, env={**os.environ, "XDG_CACHE_HOME": str(tmp_path),
                                                         "PYTHONHASHSEED": "0"})
    fresh = subprocess.run([sys.executable, "-c", textwrap.dedent(report), str(CASES)], capture_output=True,
                           text=True, timeout=300, env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "empty"),
                                                        "PYTHONHASHSEED": "0"})
    assert cached.returncode == fresh.returncode == 0, cached.stderr + fresh.stderr
    assert cached.stdout == fresh.stdout and cached.stdout.count("\n") >= 10
