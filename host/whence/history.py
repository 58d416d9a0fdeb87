"""The reader's own mail as evidence: a local store of who has written before, and how.

For each message analysed with history on (the add-on's default; `whence analyze --history`), the
store keeps one row of facts — never content: a key derived from the Message-ID, the message's date,
the From address and its registrable domain, whether the From domain was authenticated, the domains
SPF/DKIM passed for, the origin network (ASN and owner, after the live lookups), the brands the
message claimed, and the verdict's level. Addresses the reader wrote to (sent folders, address
books, sent by the add-on) are kept as contacts.

Aggregates per sender address, per registrable domain and per claimed brand are computed from these
rows when a message is analysed, leaving the message itself out (an analysis repeated on the same
message sees the same history). One SQLite file in the platformdirs data dir (WAL, a busy timeout:
several hosts and `whence analyze -j N` workers share it), bounded (the oldest rows are evicted),
rebuilt empty when it is found corrupt, cleared on request (the add-on's options page).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import platformdirs

log = logging.getLogger("whence.history")

SCHEMA_VERSION = "2"
MAX_MESSAGES = 20_000  # rows kept; beyond this the oldest (by when they were recorded) go
MAX_CONTACTS = 5_000
EVICT_SLACK = 200  # evict in batches: a full store does not pay a delete per message
MAX_ITEMS = 20  # domains / networks listed per aggregate
RECENT = 500  # the latest messages an aggregate's lists (and a brand's habit) are drawn from

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,      -- hash of the Message-ID (or of From and Date without one)
    recorded REAL NOT NULL,        -- when it was recorded: eviction order
    date REAL NOT NULL,            -- the message's date (clamped to the recording time)
    address TEXT NOT NULL,         -- From address, lower-cased
    domain TEXT NOT NULL,          -- its registrable domain
    authenticated INTEGER NOT NULL,-- the From domain was authenticated (DMARC or an aligned pass)
    auth_domains TEXT NOT NULL,    -- registrable domains SPF/DKIM passed for, space-separated
    asn INTEGER,                   -- origin network, when the live lookups found it
    org TEXT,
    level TEXT NOT NULL            -- the verdict's level
);
CREATE INDEX IF NOT EXISTS messages_address ON messages (address);
CREATE INDEX IF NOT EXISTS messages_domain ON messages (domain);
CREATE INDEX IF NOT EXISTS messages_recorded ON messages (recorded);
CREATE TABLE IF NOT EXISTS claims (
    brand TEXT NOT NULL,           -- a brand key, or "name:" and the sender name
    msg INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    PRIMARY KEY (brand, msg)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS claims_msg ON claims (msg);
CREATE TABLE IF NOT EXISTS contacts (address TEXT PRIMARY KEY, recorded REAL NOT NULL);
"""


def default_path() -> Path:
    return Path(platformdirs.user_data_dir("whence")) / "history.sqlite3"


# ---------------------------------------------------------------------------------------------
# What is recorded and what is read back


@dataclass
class Observation:
    """The facts one message leaves in the history (no content)."""

    key: str
    date: float
    address: str
    domain: str
    authenticated: bool
    auth_domains: list[str] = field(default_factory=list)
    asn: int | None = None
    org: str | None = None
    brands: list[str] = field(default_factory=list)
    level: str = "unknown"


@dataclass
class Aggregate:
    """What the history holds for one sender address, domain or brand (other messages only)."""

    count: int = 0
    first: float | None = None
    last: float | None = None
    authenticated: int = 0  # of `count`, how many had the From domain authenticated
    trusted: int = 0  # of `count`, how many were authenticated and judged safe or caution
    domains: list[str] = field(default_factory=list)  # From domains, most frequent first
    auth_domains: list[str] = field(default_factory=list)  # domains SPF/DKIM passed for
    networks: list[tuple[int, str | None]] = field(default_factory=list)  # (asn, org), most frequent first
    with_network: int = 0  # of `count`, how many had a known origin network

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "first": _iso(self.first), "last": _iso(self.last),
                "authenticated": self.authenticated, "trusted": self.trusted, "domains": self.domains,
                "auth_domains": self.auth_domains,
                "networks": [{"asn": asn, "org": org} for asn, org in self.networks],
                "with_network": self.with_network}


def message_key(message_id: str | None, address: str, date: str | None) -> str:
    """A stable key for a message without keeping anything readable of it."""
    basis = (message_id or "").strip().strip("<>").lower() or f"{address}\n{date or ''}"
    return hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()[:32]


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------
# The store


WAL_ATTEMPTS, WAL_PAUSE = 100, 0.05  # up to 5 s, as long as a busy write may make us wait


def _set_wal(db: sqlite3.Connection) -> None:
    """Switch the file to WAL. The switch needs the file to itself and SQLite answers "locked" at once,
    without its busy timeout, while another process opens the new file too (two `whence analyze -j 2`
    workers on a first run): retried for a bounded while. Once switched, the file stays in WAL."""
    for attempt in range(WAL_ATTEMPTS):
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == WAL_ATTEMPTS - 1:
                raise
            time.sleep(WAL_PAUSE)


class Store:
    """The SQLite file; thread-safe (one connection behind a lock), shared by processes."""

    def __init__(self, path: Path | str | None = None, max_messages: int = MAX_MESSAGES,
                 max_contacts: int = MAX_CONTACTS) -> None:
        self.path = Path(path) if path else default_path()
        self.max_messages = max_messages
        self.max_contacts = max_contacts
        self.lock = threading.RLock()
        self.db: sqlite3.Connection | None = None
        self.rebuilt = False  # the file was found corrupt and started afresh

    # -- opening, and starting afresh when the file is damaged --------------------------------

    def _open(self) -> sqlite3.Connection:
        if self.db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.db = self._connect()
            except sqlite3.DatabaseError as exc:
                if not _damaged(exc):
                    raise
                self._rebuild(exc)
                self.db = self._connect()
        return self.db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA busy_timeout = 10000")
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check failed")
            _set_wal(db)
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            db.executescript(_SCHEMA)
            version = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if version is None:
                db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            elif version[0] != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"foreign store (schema {version[0]}, expected {SCHEMA_VERSION})")
        except BaseException:
            db.close()
            raise
        return db

    def _rebuild(self, exc: BaseException) -> None:
        """A damaged (or foreign) file is moved aside and the history starts empty: it is evidence
        that helps, never something the analysis depends on."""
        log.warning("history %s unreadable (%s): starting afresh", self.path, exc)
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{self.path}{suffix}")
            with contextlib.suppress(OSError):
                if suffix:
                    part.unlink()
                else:
                    os.replace(part, f"{self.path}.corrupt")
        self.rebuilt = True

    def _run(self, work: Any) -> Any:
        """WORK(db) under the lock; a database found damaged on the way is rebuilt and WORK retried once."""
        with self.lock:
            try:
                return work(self._open())
            except sqlite3.DatabaseError as exc:
                if not _damaged(exc):  # locked, read-only, disk full: the caller goes without history
                    raise
                self._rebuild(exc)
                return work(self._open())

    def close(self) -> None:
        with self.lock:
            if self.db is not None:
                self.db.close()
                self.db = None

    # -- writing ------------------------------------------------------------------------------

    def record(self, obs: Observation, now: float | None = None) -> None:
        now = time.time() if now is None else now

        def work(db: sqlite3.Connection) -> None:
            with _transaction(db):
                db.execute("DELETE FROM messages WHERE key = ?", (obs.key,))
                row = db.execute("INSERT INTO messages VALUES (NULL,?,?,?,?,?,?,?,?,?,?)",
                                 (obs.key, now, min(obs.date, now), obs.address, obs.domain, int(obs.authenticated),
                                  " ".join(obs.auth_domains[:MAX_ITEMS]), obs.asn, obs.org, obs.level)).lastrowid
                db.executemany("INSERT OR IGNORE INTO claims VALUES (?, ?)",
                               [(b, row) for b in obs.brands[:MAX_ITEMS]])
                self._evict(db, "messages", self.max_messages)
        self._run(work)

    def add_contacts(self, addresses: list[str], now: float | None = None) -> int:
        """Addresses the reader wrote to or keeps in an address book; returns how many are known now."""
        now = time.time() if now is None else now
        clean = sorted({a.strip().lower() for a in addresses if isinstance(a, str) and "@" in a and len(a) <= 320})

        def work(db: sqlite3.Connection) -> int:
            with _transaction(db):
                db.executemany("INSERT OR REPLACE INTO contacts VALUES (?, ?)", [(a, now) for a in clean])
                self._evict(db, "contacts", self.max_contacts)
            return db.execute("SELECT count(*) FROM contacts").fetchone()[0]
        return self._run(work)

    @staticmethod
    def _evict(db: sqlite3.Connection, table: str, bound: int) -> None:
        count = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        if count > bound:
            excess = count - bound + min(EVICT_SLACK, bound // 10)
            db.execute(f"DELETE FROM {table} WHERE rowid IN "  # messages: rowid is id; claims cascade
                       f"(SELECT rowid FROM {table} ORDER BY recorded LIMIT ?)", (excess,))

    def clear(self) -> None:
        def work(db: sqlite3.Connection) -> None:
            with _transaction(db):
                db.execute("DELETE FROM claims")
                db.execute("DELETE FROM messages")
                db.execute("DELETE FROM contacts")
        self._run(work)
        with self.lock, contextlib.suppress(sqlite3.Error):
            self._open().execute("VACUUM")

    # -- reading ------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        def work(db: sqlite3.Connection) -> dict[str, Any]:
            n, first = db.execute("SELECT count(*), min(date) FROM messages").fetchone()
            return {"messages": n, "senders": db.execute("SELECT count(DISTINCT address) FROM messages").fetchone()[0],
                    "domains": db.execute("SELECT count(DISTINCT domain) FROM messages").fetchone()[0],
                    "contacts": db.execute("SELECT count(*) FROM contacts").fetchone()[0],
                    "since": _iso(first), "max_messages": self.max_messages, "path": str(self.path)}
        return self._run(work)

    def total(self, exclude: str = "") -> int:
        def work(db: sqlite3.Connection) -> int:
            n = db.execute("SELECT count(*) FROM messages").fetchone()[0]
            return n - (db.execute("SELECT 1 FROM messages WHERE key = ?", (exclude,)).fetchone() is not None)
        return self._run(work)

    def is_contact(self, address: str) -> bool:
        return self._run(lambda db: db.execute("SELECT 1 FROM contacts WHERE address = ?",
                                               (address,)).fetchone() is not None)

    def by_address(self, address: str, exclude: str = "") -> Aggregate:
        return self._aggregate("address = ?", (address,), exclude)

    def by_domain(self, domain: str, exclude: str = "") -> Aggregate:
        return self._aggregate("domain = ?", (domain,), exclude)

    def by_brand(self, brand: str, exclude: str = "") -> Aggregate:
        """The habit of a name or brand: only messages that were authenticated and not flagged (an
        impersonation the reader received must not teach where the brand's mail comes from)."""
        return self._aggregate("authenticated = 1 AND level IN ('safe', 'caution') AND "
                               f"id IN (SELECT msg FROM claims WHERE brand = ? ORDER BY msg DESC LIMIT {RECENT})",
                               (brand,), exclude)

    def _aggregate(self, where: str, args: tuple[Any, ...], exclude: str) -> Aggregate:
        """Counts over every matching message; domains and networks from the latest RECENT of them."""
        base = f"FROM messages WHERE {where} AND key != ?"
        params = (*args, exclude)

        def work(db: sqlite3.Connection) -> Aggregate:
            count, first, last, authenticated, trusted, with_network = db.execute(
                "SELECT count(*), min(date), max(date), total(authenticated), "
                f"total(authenticated = 1 AND level IN ('safe', 'caution')), count(asn) {base}", params).fetchone()
            agg = Aggregate(count=count, first=first, last=last, authenticated=int(authenticated),
                            trusted=int(trusted), with_network=with_network)
            if count:
                rows = db.execute(f"SELECT domain, auth_domains, asn, org {base} ORDER BY id DESC LIMIT {RECENT}",
                                  params).fetchall()
                _lists(agg, rows)
            return agg
        return self._run(work)


def _lists(agg: Aggregate, rows: list[tuple[Any, ...]]) -> None:
    """The most frequent domains, authenticated domains and networks among ROWS, into AGG."""
    domains: dict[str, int] = {}
    auth: dict[str, int] = {}
    nets: dict[int, list[Any]] = {}
    for domain, auth_domains, asn, org in rows:
        domains[domain] = domains.get(domain, 0) + 1
        for d in auth_domains.split():
            auth[d] = auth.get(d, 0) + 1
        if asn is not None:
            entry = nets.setdefault(asn, [0, org])
            entry[0] += 1
            entry[1] = entry[1] or org

    def top(counts: dict[Any, int]) -> list[Any]:
        return [k for k, _n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))][:MAX_ITEMS]

    agg.domains = top(domains)
    agg.auth_domains = top(auth)
    agg.networks = [(asn, nets[asn][1]) for asn in top({a: e[0] for a, e in nets.items()})]


_DAMAGE = ("not a database", "malformed", "corrupt", "quick_check", "foreign store", "no such table",
           "no such column", "has no column")


def _damaged(exc: BaseException) -> bool:
    """Whether an SQLite error means the file itself is damaged or not ours (then it is rebuilt)."""
    text = str(exc).lower()
    return any(word in text for word in _DAMAGE) or \
        (isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError))


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Any:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


_STORES: dict[tuple[str, int], Store] = {}
_STORES_LOCK = threading.Lock()


def store_for(path: Path | str | None = None) -> Store:
    """One store per file and process (a forked worker opens its own connection)."""
    resolved = str(Path(path) if path else default_path())
    with _STORES_LOCK:
        key = (resolved, os.getpid())
        if key not in _STORES:
            _STORES[key] = Store(resolved)
        return _STORES[key]


# ---------------------------------------------------------------------------------------------
# The history as one message's checks see it


class View:
    """The history for one message, queried on first use and memoised (the offline and the final
    stage see the same answers); `used()` is what the report lists."""

    def __init__(self, store: Store, key: str, address: str, domain: str) -> None:
        self.store = store
        self.key = key
        self.address = address
        self.domain = domain
        self._memo: dict[str, Any] = {}
        self._brands: dict[str, Aggregate] = {}

    def _get(self, name: str, compute: Any) -> Any:
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]

    def total(self) -> int:
        return self._get("total", lambda: self.store.total(self.key))

    def sender(self) -> Aggregate:
        return self._get("sender", lambda: self.store.by_address(self.address, self.key))

    def sender_domain(self) -> Aggregate:
        return self._get("domain", lambda: self.store.by_domain(self.domain, self.key))

    def contact(self) -> bool:
        return self._get("contact", lambda: bool(self.address) and self.store.is_contact(self.address))

    def brand(self, key: str) -> Aggregate:
        if key not in self._brands:
            self._brands[key] = self.store.by_brand(key, self.key)
        return self._brands[key]

    def used(self) -> dict[str, Any]:
        """The report's `history` field: what the history held for this message."""
        return {
            "messages": self.total(),
            "sender": {"address": self.address, **self.sender().as_dict(), "contact": self.contact()},
            "domain": {"domain": self.domain, **self.sender_domain().as_dict()},
            "brands": {k: v.as_dict() for k, v in self._brands.items()},
        }
