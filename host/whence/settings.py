"""Settings from the TOML file in the platformdirs config dir, each key overridable by environment.

DESIGN §5: the environment wins over the file, the file over the defaults.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

APP = "whence"


def config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP)) / "settings.toml"


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP))


@dataclass(frozen=True)
class Settings:
    offline: bool = False
    nameservers: tuple[str, ...] = ()  # "host:port"; empty = the system's resolver
    rdap_base_url: str | None = None
    trust_hosts: tuple[str, ...] = ()  # host-name suffixes or networks (CIDR)
    deadline_ms: int = 3000
    lookup_timeout_ms: int = 1500
    deep_lookups: bool = False  # opt-in: may query unique link hostnames
    dnsbls: tuple[str, ...] = ()
    domain_blocklists: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()  # opt-in phishing feeds, used from the local cache
    max_message_bytes: int = 50 * 1024 * 1024
    report_recipients: tuple[str, ...] = ()  # user-configured extra report recipients
    redact_recipient: bool = False
    lang: str = "en"
    history: bool = False  # history.enabled: use and grow the local sender history (history.py)
    history_path: str | None = None  # history.path: its SQLite file; default in the platformdirs data dir

    def with_overrides(self, **changes: Any) -> Settings:
        known = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in changes.items() if k in known and v is not None})

    def trusted_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        nets = []
        for item in self.trust_hosts:
            try:
                nets.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                continue
        return nets

    def trusted_names(self) -> list[str]:
        names = []
        for item in self.trust_hosts:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                names.append(item.lower().strip(".").strip())
        return [n for n in names if n]


# TOML key -> (attribute, environment variable)
_KEYS: dict[str, tuple[str, str | None]] = {
    "network.offline": ("offline", "WHENCE_OFFLINE"),
    "dns.nameservers": ("nameservers", "WHENCE_NAMESERVERS"),
    "rdap.base_url": ("rdap_base_url", "WHENCE_RDAP_BASE"),
    "trust.hosts": ("trust_hosts", "WHENCE_TRUST_HOSTS"),
    "lookups.deadline_ms": ("deadline_ms", "WHENCE_DEADLINE_MS"),
    "lookups.timeout_ms": ("lookup_timeout_ms", "WHENCE_LOOKUP_TIMEOUT_MS"),
    "lookups.deep": ("deep_lookups", "WHENCE_DEEP_LOOKUPS"),
    "lookups.dnsbls": ("dnsbls", "WHENCE_DNSBLS"),
    "lookups.domain_blocklists": ("domain_blocklists", "WHENCE_DOMAIN_BLOCKLISTS"),
    "lookups.feeds": ("feeds", "WHENCE_FEEDS"),
    "limits.max_message_bytes": ("max_message_bytes", "WHENCE_MAX_MESSAGE_BYTES"),
    "report.recipients": ("report_recipients", "WHENCE_REPORT_RECIPIENTS"),
    "report.redact_recipient": ("redact_recipient", "WHENCE_REDACT_RECIPIENT"),
    "ui.lang": ("lang", "WHENCE_LANG"),
    "history.enabled": ("history", "WHENCE_HISTORY"),
    "history.path": ("history_path", "WHENCE_HISTORY_PATH"),
}


def _coerce(attr: str, value: Any) -> Any:
    default = getattr(Settings(), attr)
    if isinstance(default, bool):
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        return bool(value)
    if isinstance(default, int):
        return int(value)
    if isinstance(default, tuple):
        if isinstance(value, str):
            value = value.split(",")
        return tuple(str(v).strip() for v in value if str(v).strip())
    return None if value in ("", None) else str(value)


def _lookup(table: dict[str, Any], dotted: str) -> Any:
    node: Any = table
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def load(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults ← settings file ← environment. A broken file is ignored rather than fatal."""
    environ = os.environ if environ is None else environ
    table: dict[str, Any] = {}
    path = path or config_path()
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        table = {}
    values: dict[str, Any] = {}
    for key, (attr, env) in _KEYS.items():
        raw = _lookup(table, key)
        if env and environ.get(env) not in (None, ""):
            raw = environ[env]
        if raw is not None:
            try:
                values[attr] = _coerce(attr, raw)
            except (TypeError, ValueError):
                continue
    return Settings(**values)


def from_dict(base: Settings, options: dict[str, Any]) -> Settings:
    """Apply settings sent by the add-on (keys as in the TOML file, dotted), keeping the rest."""
    changes = {}
    for key, (attr, _env) in _KEYS.items():
        if key in options:
            try:
                changes[attr] = _coerce(attr, options[key])
            except (TypeError, ValueError):
                continue
    return base.with_overrides(**changes)
