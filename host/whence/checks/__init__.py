"""The checks catalogue: importing a module registers its checks (see registry.py)."""

from importlib import import_module

from .registry import CATALOGUE, Check, CheckContext, Hit, check, run_checks

for _module in ("brand", "sender", "route", "auth", "links", "hosts", "attachments", "content", "scam", "network",
                "limits", "history"):
    try:
        import_module(f"{__name__}.{_module}")
    except ModuleNotFoundError as exc:  # a module still being written; the rest of the catalogue stands
        if exc.name != f"{__name__}.{_module}":
            raise

__all__ = ["CATALOGUE", "Check", "CheckContext", "Hit", "check", "run_checks"]
