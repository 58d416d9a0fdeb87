"""analyze(raw, settings) -> report: the stages of DESIGN §1 in order, one way.

    raw bytes ─► parse ─► facts ─► lookups ─► checks ─► verdict ─► render

`Analysis` exposes the two stages the native host sends: the offline report (no network, at
once) and the final report (after the lookups, under the deadline).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from . import checks, facts, parse, verdict
from .i18n import T
from .model import Context, Facts, Finding, Lookups
from .render.json import report_dict
from .settings import Settings

log = logging.getLogger("whence.pipeline")


class Analysis:
    """One message on its way through the pipeline; facts are built once and shared by both stages."""

    def __init__(self, raw: bytes, settings: Settings, context: Context | None = None,
                 file: str | None = None) -> None:
        self.raw = raw
        self.settings = settings
        self.file = file
        self.started = time.perf_counter()
        self.facts: Facts | None = None
        self.failure: str | None = None
        try:
            message = parse.parse_message(raw)
            self.facts = facts.build(message, settings, context or Context())
        except Exception as exc:
            self.failure = f"{type(exc).__name__}: {exc}"
        self.history = self._history() if settings.history and self.facts is not None and not self.facts.is_list \
            else None

    def _history(self) -> Any:
        """The reader's history for this message (history.py); None when the store cannot be opened."""
        from . import history
        from .checks.history import observation_key

        assert self.facts is not None  # asked for only when the message was parsed
        try:
            store = history.store_for(self.settings.history_path)
            key, address, domain = observation_key(self.facts)
            view = history.View(store, key, address, domain)
            view.used()  # read now: what the checks see is what the report lists
            return view
        except Exception as exc:  # a locked or unwritable store: the analysis goes on without it
            log.warning("history unavailable: %s", exc)
            return None

    def report(self, found: Lookups, stage: str = "final") -> dict[str, Any]:
        """Checks, verdict and render for the lookups at hand. With history on, the final report
        (after the lookups, even failed ones; or the offline one in offline mode) leaves this
        message's facts in the history."""
        if self.facts is None:
            return self._unknown()
        findings, errors = checks.run_checks(self.facts, found, self.history)
        result = verdict.decide(findings)
        report = report_dict(self.facts, found, findings, result, self._elapsed(), self.file)
        if errors:
            report["errors"] = errors
        if self.history is not None:
            report["history"] = self.history.used()
            if stage == "final" or self.settings.offline:
                self._remember(found, result.level)
        return report

    def _remember(self, found: Lookups, level: str) -> None:
        from .checks import CheckContext
        from .checks.history import observation

        assert self.facts is not None and self.history is not None  # report() remembers only then
        try:
            obs = observation(CheckContext(self.facts, found), level)
            if obs is not None:
                self.history.store.record(obs)
        except Exception as exc:
            log.warning("history not recorded: %s", exc)

    def offline_report(self) -> dict[str, Any]:
        return self.report(Lookups(), "offline")

    async def gather(self) -> Lookups:
        """The lookups stage for this message: nothing offline or when the message could not be read;
        a failure of the stage as a whole leaves the offline verdict standing."""
        if self.facts is None or self.settings.offline:
            return Lookups()
        from . import lookups  # DNS, DKIM and RDAP libraries: not loaded for offline work

        try:
            return await lookups.gather(self.facts, self.raw, self.settings)
        except Exception as exc:
            return Lookups(errors=[f"lookups failed: {type(exc).__name__}: {exc}"[:300]])

    async def final_report(self) -> dict[str, Any]:
        return self.report(await self.gather())

    def _elapsed(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 2)

    def _unknown(self) -> dict[str, Any]:
        finding = Finding(
            id="message.unparseable",
            severity="info",
            title=T("The message could not be analysed", "メールを解析できませんでした"),
            detail=T(f"Whence could not read this message ({self.failure}).",
                     f"このメールを読み取れませんでした（{self.failure}）。"),
            evidence={"error": self.failure},
        )
        return report_dict(None, Lookups(), [finding], verdict.unknown(finding), self._elapsed(), self.file)


# analysed once, offline, before real work: loads and compiles what the pipeline loads lazily
# (tables, brand and phrase patterns); its second link is read as a look-alike
WARM_MESSAGE = (
    "Received: from mx.example.org (mx.example.org [192.0.2.1]) by mail.example.net with ESMTPS;"
    " Mon, 1 Jan 2024 00:00:00 +0000\r\n"
    "Authentication-Results: mail.example.net; spf=pass smtp.mailfrom=example.org\r\n"
    "From: Example <news@example.org>\r\nTo: user@example.net\r\nSubject: =?utf-8?b?5qGI5YaF?=\r\n"
    "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/html; charset=utf-8\r\n\r\n"
    '<html><body><p>ご案内</p><a href="https://www.example.org/a">www.example.org</a>'
    '<a href="https://www.example-co-jp.example.net/b">b</a></body></html>\r\n'
).encode()


def warm(settings: Settings) -> None:
    """Analyse WARM_MESSAGE offline, without history: what it loads stays loaded for the messages after."""
    Analysis(WARM_MESSAGE, settings.with_overrides(offline=True, history=False)).offline_report()


def analyze(raw: bytes, settings: Settings, context: Context | None = None, file: str | None = None,
            ) -> dict[str, Any]:
    """The final report for one message (offline when the settings say so)."""
    analysis = Analysis(raw, settings, context, file)
    if settings.offline or analysis.facts is None:
        return analysis.offline_report()
    return asyncio.run(analysis.final_report())
