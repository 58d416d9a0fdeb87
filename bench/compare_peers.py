"""Whence beside rspamd and SpamAssassin's spamd on the same messages, in one run.

    .venv/bin/python bench/compare_peers.py [--corpus DIR] [--limit N] [--jobs N] [--slices N] [--no-peers]
                                            [--no-cli] [--cli-rounds N]

Every engine gets the same bytes: the corpus's messages with the provider's own verdict headers
stripped exactly as ../shared/tools/evaluate.py strips them. Whence runs in-process, offline, in one
process (-j 1) and on a process pool (-j N, default one per core); the peers run as daemons with
N workers and are fed by N client threads. Printed per engine: messages/s over the whole run,
median and p99 ms per message (Whence: the analysis; peers: the request's round trip), and the
rate against rspamd's. The engines take turns: the messages are cut into slices (--slices, 8) and
each slice goes through every engine before the next, so that all of them are timed in the same
conditions on a machine whose speed drifts (spamd, which takes minutes, runs once at the end).
Then `whence analyze --json --offline` itself, -j 1 against -j N taking turns (best of --cli-rounds),
on an evaluation copy of the corpus.

The peers (Debian packages `rspamd` and `spamassassin`; see bench/README.md) run with local rules
only: a private rspamd config that turns off every module that queries the network (RBLs, SURBL,
SPF, DKIM, DMARC, ARC, fuzzy, Redis-backed ones) and reads its maps from local files, spamd with
`--local` (no network tests) and a private site config (no Bayes, no auto-learning). Both resolve
through a DNS stub on loopback that answers NXDOMAIN to everything. When this runs as root, the
daemons and the stub live in a fresh network namespace (`unshare --net`) that has nothing but a
loopback interface, so no packet can leave the machine whatever their configuration says, and they
are reached over Unix sockets. A peer that is not installed is left out of the table.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import csv
import http.client
import importlib.util
import json
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DNS_PORT = 5300
WARM = 20  # messages each engine sees before the clock starts

# rspamd modules that query the network (DNS lists, DNS-based authentication, fuzzy storage, HTTP
# services) or need Redis: off, so rspamd runs on its local rules as the other engines do
RSPAMD_OFF = ("antivirus", "arc", "asn", "aws_s3", "bimi", "clickhouse", "dcc", "dkim", "dkim_signing", "dmarc",
              "dynamic_conf", "elastic", "emails", "external_services", "fuzzy_check", "greylist", "history_redis",
              "metadata_exporter", "metric_exporter", "multimap", "mx_check", "neural", "p0f", "ratelimit", "rbl",
              "replies", "reputation", "rspamd_update", "spamassassin", "spamtrap", "spf", "surbl", "url_redirector",
              "whitelist")
# modules kept whose default maps include an https:// URL: local copies only
RSPAMD_LOCAL_MAPS = {
    "mime_types": 'file = ["${CONFDIR}/maps.d/mime_types.inc"];\n',
    "mid": 'source { url = ["${CONFDIR}/maps.d/mid.inc"]; }\n',
    "phishing": ('openphish_enabled = false;\nphishtank_enabled = false;\n'
                 'exceptions { REDIRECTOR_FALSE = ["${CONFDIR}/maps.d/redirectors.inc"]; }\n'),
}
SPAMD_LOCAL_CF = f"""# compare_peers.py: local rules only
use_bayes 0
bayes_auto_learn 0
skip_rbl_checks 1
dns_available no
dns_server 127.0.0.1:{DNS_PORT}
"""


@dataclass
class Run:
    """One engine over the messages: per-message ms and the wall time of the whole run."""

    name: str
    workers: int
    ms: list[float] = field(default_factory=list)
    wall: float = 0.0
    errors: int = 0

    @property
    def rate(self) -> float:
        return len(self.ms) / self.wall if self.wall else 0.0

    def p(self, q: float) -> float:
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


# ---------------------------------------------------------------------------------------------
# Messages


def _evaluate() -> Any:
    spec = importlib.util.spec_from_file_location("evaluate", SHARED / "tools" / "evaluate.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_messages(corpus: Path, limit: int | None) -> list[tuple[str, tuple[str, ...], bytes]]:
    """(file, trusted hosts as evaluate.py sets them, stripped bytes) for every labelled message."""
    ev = _evaluate()
    with open(corpus / "labels.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for row in rows[:limit]:
        sub = row["file"].split("/")[0]
        trust = tuple(ev.TRUST[sub].split(",")) if sub in ev.TRUST else ()
        out.append((row["file"], trust, ev.strip_provider_verdicts((corpus / row["file"]).read_bytes())))
    return out


# ---------------------------------------------------------------------------------------------
# Whence


def _analyse(item: tuple[str, tuple[str, ...], bytes]) -> float:
    """One message offline (in this process or a pool worker); the analysis time in ms."""
    from whence.pipeline import Analysis
    from whence.settings import Settings

    file, trust, raw = item
    started = time.perf_counter()
    Analysis(raw, Settings(offline=True, trust_hosts=trust), file=file).offline_report()
    return (time.perf_counter() - started) * 1000


@contextlib.contextmanager
def whence_engine(messages: list[tuple[str, tuple[str, ...], bytes]], jobs: int):  # -> Iterator[Engine]
    """Whence -j JOBS, warm (imports, tables, patterns: what a long-running process has already)."""
    for item in messages[:WARM]:
        _analyse(item)
    if jobs == 1:
        yield Engine(Run("Whence -j 1", 1), lambda items: [_analyse(item) for item in items])
        return
    context = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
        list(pool.map(_analyse, messages[: WARM * jobs], chunksize=1))  # every worker warm
        yield Engine(Run(f"Whence -j {jobs}", jobs), lambda items: list(pool.map(_analyse, items, chunksize=8)))


def run_cli(corpus: Path, jobs: int, rounds: int) -> list[tuple[int, float, int]]:
    """`whence analyze --json --offline -j J` on an evaluation copy: (J, best seconds, reports) for 1
    and JOBS, the two taking turns for ROUNDS rounds (the best of each: the machine's drift is noise)."""
    copy = _evaluate().evaluation_copy(corpus, Path(tempfile.gettempdir()) / "whence-eval" / corpus.resolve().name)
    whence = shutil.which("whence", path=str(Path(sys.executable).parent)) or "whence"
    best: dict[int, tuple[float, int]] = {}
    order = list(dict.fromkeys((1, jobs)))
    for r in range(rounds):
        for j in order if r % 2 == 0 else order[::-1]:
            started = time.perf_counter()
            result = subprocess.run([whence, "analyze", "--json", "--offline", "-j", str(j), str(copy)],
                                    capture_output=True, check=True, env=dict(os.environ, WHENCE_OFFLINE="1"))
            seconds = time.perf_counter() - started
            if j not in best or seconds < best[j][0]:
                best[j] = (seconds, result.stdout.count(b"\n"))
    return [(j, *best[j]) for j in order]


# ---------------------------------------------------------------------------------------------
# Clients of the peers


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float = 60) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def rspamd_check(path: str, raw: bytes) -> float:
    conn = UnixHTTPConnection(path)
    try:
        conn.request("POST", "/checkv2", body=raw, headers={"Content-Length": str(len(raw))})
        reply = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    return float(reply["score"])


def spamd_call(path: str, command: str, raw: bytes = b"") -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(120)
        sock.connect(path)
        head = f"{command} SPAMC/1.5\r\n" + (f"Content-length: {len(raw)}\r\n" if raw else "") + "\r\n"
        sock.sendall(head.encode() + raw)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def spamd_check(path: str, raw: bytes) -> float:
    reply = spamd_call(path, "CHECK", raw)
    if b" EX_OK" not in reply.split(b"\r\n", 1)[0]:
        raise RuntimeError(reply[:200].decode("latin-1"))
    score = reply.split(b"Spam:", 1)[1].split(b";", 1)[1].split(b"/", 1)[0]
    return float(score)


@contextlib.contextmanager
def peer_engine(name: str, workers: int, check: Any, path: str, messages: list[bytes]):  # -> Iterator[Engine]
    """CHECK(path, raw) from WORKERS client threads, one request at a time each; warm."""
    for raw in messages[:WARM]:
        with contextlib.suppress(Exception):
            check(path, raw)

    def one(item: tuple[str, tuple[str, ...], bytes]) -> float | None:
        started = time.perf_counter()
        try:
            check(path, item[2])
        except Exception:
            return None
        return (time.perf_counter() - started) * 1000

    with concurrent.futures.ThreadPoolExecutor(workers) as clients:
        yield Engine(Run(name, workers), lambda items: list(clients.map(one, items)))


@dataclass
class Engine:
    """A warm engine: its Run, and how it analyses a list of messages (ms each, None for an error)."""

    run: Run
    analyse: Any

    def take(self, items: list[tuple[str, tuple[str, ...], bytes]]) -> None:
        started = time.perf_counter()
        times = self.analyse(items)
        self.run.wall += time.perf_counter() - started
        self.run.ms += [t for t in times if t is not None]
        self.run.errors += sum(t is None for t in times)


def interleave(engines: list[Engine], messages: list[tuple[str, tuple[str, ...], bytes]], slices: int) -> None:
    """Every engine over every message, slice by slice in turn (the order reversed every other
    slice): a shared machine's speed drifts by tens of percent within minutes, and engines timed
    one after the other would each be measured in different weather."""
    size = max(1, -(-len(messages) // slices))
    for k, start in enumerate(range(0, len(messages), size)):
        for engine in engines if k % 2 == 0 else engines[::-1]:
            engine.take(messages[start:start + size])


# ---------------------------------------------------------------------------------------------
# The peers' daemons (in the helper process, inside the network namespace when there is one)


def dns_stub(port: int, stop: threading.Event) -> None:
    """Answers every query NXDOMAIN at once, so that no lookup waits for a timeout."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", port))
        sock.settimeout(0.5)
        while not stop.is_set():
            try:
                query, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            if len(query) < 12:
                continue
            flags = 0x8000 | (query[2] & 0x79) << 8 | 0x80 | 3  # QR, opcode+RD kept, RA, NXDOMAIN
            answer = query[:2] + flags.to_bytes(2, "big") + query[4:6] + b"\0\0\0\0\0\0" + query[12:]
            sock.sendto(answer, peer)


def rspamd_config(work: Path, jobs: int) -> list[str]:
    """A private rspamd configuration over the packaged one; returns the command line."""
    local = work / "rspamd"
    for sub in ("local.d", "override.d", "db", "run", "log"):
        (local / sub).mkdir(parents=True, exist_ok=True)
    for module in RSPAMD_OFF:
        (local / "local.d" / f"{module}.conf").write_text("enabled = false;\n")
    for module, text in RSPAMD_LOCAL_MAPS.items():
        (local / "override.d" / f"{module}.conf").write_text(text)
    (local / "override.d" / "options.inc").write_text(
        f'dns {{ nameserver = ["127.0.0.1:{DNS_PORT}"]; timeout = 0.5s; retransmits = 1; }}\n'
        "disable_monitoring = true;\n")
    (local / "override.d" / "logging.inc").write_text('type = "file";\nlevel = "error";\n')
    for worker, sock in (("worker-normal.inc", "rspamd.sock"), ("worker-controller.inc", "rspamd-controller.sock"),
                         ("worker-proxy.inc", "rspamd-proxy.sock")):
        count = f"count = {jobs};\n" if worker == "worker-normal.inc" else ""
        (local / "override.d" / worker).write_text(f'bind_socket = "{work / sock} mode=0666";\n{count}')
    variables = {"LOCAL_CONFDIR": local, "DBDIR": local / "db", "RUNDIR": local / "run", "LOGDIR": local / "log"}
    cmd = ["rspamd", "-f", "-c", "/etc/rspamd/rspamd.conf"]
    for key, value in variables.items():
        cmd += ["--var", f"{key}={value}"]
    if os.geteuid() == 0:
        cmd += ["-i", "-u", "root", "-g", "root"]
    return cmd


def spamd_config(work: Path, jobs: int) -> list[str]:
    site = work / "spamassassin"
    site.mkdir(parents=True, exist_ok=True)
    for pre in Path("/etc/spamassassin").glob("*.pre"):
        shutil.copy(pre, site / pre.name)  # which plugins load, as packaged
    (site / "local.cf").write_text(SPAMD_LOCAL_CF)
    home = work / "spamd-home"
    home.mkdir(exist_ok=True)
    cmd = ["spamd", "--local", "--nouser-config", f"--siteconfigpath={site}", f"--socketpath={work / 'spamd.sock'}",
           "--socketmode=0666", f"--max-children={jobs}", f"--min-children={jobs}", f"--min-spare={jobs}",
           f"--max-spare={jobs}", "--syslog=stderr", f"--pidfile={work / 'spamd.pid'}"]
    if os.geteuid() == 0:
        shutil.chown(home, "nobody")
        cmd += ["--username=nobody", f"--helper-home-dir={home}"]
    return cmd


def _ready(check: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return True
        time.sleep(0.2)
    return False


def serve_peers(work: Path, jobs: int) -> int:
    """Helper mode: loopback up, DNS stub, both daemons; one JSON line when ready; stop on stdin EOF."""
    if os.environ.get("WHENCE_BENCH_NETNS"):
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    stop = threading.Event()
    threading.Thread(target=dns_stub, args=(DNS_PORT, stop), daemon=True).start()
    procs: list[subprocess.Popen[bytes]] = []
    ready: dict[str, Any] = {"netns": bool(os.environ.get("WHENCE_BENCH_NETNS"))}
    log = (work / "daemons.log").open("wb")
    if shutil.which("rspamd"):
        procs.append(subprocess.Popen(rspamd_config(work, jobs), stdout=log, stderr=log, start_new_session=True))
        path = str(work / "rspamd.sock")

        def pong() -> bool:
            conn = UnixHTTPConnection(path, 2)
            conn.request("GET", "/ping")
            return conn.getresponse().read().strip() == b"pong"

        if _ready(pong, 60):
            version = subprocess.run(["rspamd", "--version"], capture_output=True, text=True).stdout
            ready["rspamd"] = {"socket": path, "version": version.split("version")[-1].strip()}
    if shutil.which("spamd"):
        procs.append(subprocess.Popen(spamd_config(work, jobs), stdout=log, stderr=log, start_new_session=True))
        path = str(work / "spamd.sock")
        if _ready(lambda: b"PONG" in spamd_call(path, "PING"), 120):
            version = subprocess.run(["spamd", "--version"], capture_output=True, text=True).stdout
            ready["spamd"] = {"socket": path, "version": version.splitlines()[0].split("version")[-1].strip()}
    print(json.dumps(ready), flush=True)
    sys.stdin.read()
    stop.set()
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return 0


@contextlib.contextmanager
def peers(jobs: int):  # -> Iterator[dict[str, Any]]
    """The helper process, in its own network namespace when we may create one."""
    with tempfile.TemporaryDirectory(prefix="whence-peers-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o755)
        cmd = [sys.executable, __file__, "--serve-peers", str(work), "--jobs", str(jobs)]
        env = dict(os.environ)
        if os.geteuid() == 0 and shutil.which("unshare") and shutil.which("ip"):
            cmd = ["unshare", "--net", "--", *cmd]
            env["WHENCE_BENCH_NETNS"] = "1"
        helper = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
        try:
            assert helper.stdout is not None
            line = helper.stdout.readline()
            yield json.loads(line) if line else {}
        finally:
            assert helper.stdin is not None
            helper.stdin.close()
            helper.wait(60)


# ---------------------------------------------------------------------------------------------


def table(runs: list[Run], reference: Run | None) -> str:
    lines = [f"{'engine':<26}{'workers':>8}{'messages/s':>12}{'median ms':>11}{'p99 ms':>9}{'vs rspamd':>11}"]
    for run in runs:
        ratio = f"{run.rate / reference.rate:.2f}×" if reference and reference.rate else "—"
        errors = f"  ({run.errors} errors)" if run.errors else ""
        lines.append(f"{run.name:<26}{run.workers:>8}{run.rate:>12.0f}{statistics.median(run.ms):>11.2f}"
                     f"{run.p(0.99):>9.1f}{ratio:>11}{errors}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(SHARED / "corpus"))
    ap.add_argument("--limit", type=int, help="only the first N messages of labels.csv")
    ap.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)), help="workers (default: cores)")
    ap.add_argument("--no-peers", action="store_true", help="Whence only")
    ap.add_argument("--no-cli", action="store_true", help="skip the `whence analyze` -j 1 / -j N runs")
    ap.add_argument("--cli-rounds", type=int, default=3, help="turns of `whence analyze` -j 1 and -j N")
    ap.add_argument("--slices", type=int, default=8, help="alternating slices the timed runs take turns in")
    ap.add_argument("--serve-peers", metavar="DIR", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_peers:
        return serve_peers(Path(args.serve_peers), args.jobs)

    corpus = Path(args.corpus)
    messages = load_messages(corpus, args.limit)
    raws = [raw for _, _, raw in messages]
    print(f"{len(messages)} messages from {corpus} (provider verdicts stripped), {args.jobs} workers, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    with contextlib.ExitStack() as stack:
        engines = [stack.enter_context(whence_engine(messages, 1))]
        if args.jobs > 1:
            engines.append(stack.enter_context(whence_engine(messages, args.jobs)))
        found = {} if args.no_peers else stack.enter_context(peers(args.jobs))
        for name in ("rspamd", "spamd"):
            if name in found:
                info, check = found[name], {"rspamd": rspamd_check, "spamd": spamd_check}[name]
                engines.append(stack.enter_context(
                    peer_engine(f"{name} {info['version']}", args.jobs, check, info["socket"], raws)))
            elif not args.no_peers:
                print(f"{name}: not installed or did not start (see bench/README.md)")
        fast = [e for e in engines if not e.run.name.startswith("spamd")]
        interleave(fast, messages, args.slices)
        for slow in (e for e in engines if e not in fast):  # spamd takes minutes: once, afterwards
            slow.take(messages)
        if found:
            where = "in a network namespace with loopback only" if found.get("netns") else "on loopback"
            print(f"peers: local rules only, {where}; timed in {args.slices} alternating slices")
    runs = [e.run for e in engines]
    reference = next((r for r in runs if r.name.startswith("rspamd")), None)
    print(table(runs, reference))
    if len(runs) > 1 and args.jobs > 1:
        print(f"Whence -j {args.jobs} / -j 1: {runs[1].rate / runs[0].rate:.2f}× the rate")
    if not args.no_cli:
        cli = run_cli(corpus, args.jobs, args.cli_rounds)
        for j, seconds, n in cli:
            print(f"whence analyze --json --offline -j {j}: {n} reports in {seconds:.2f} s, "
                  f"{n / seconds:.0f} messages/s (best of {args.cli_rounds})")
        if len(cli) == 2:
            print(f"whence analyze -j {cli[1][0]} / -j 1: {cli[0][1] / cli[1][1]:.2f}× the rate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
