"""extension/background/native.js under node with a fake `browser.runtime`: requests in flight when
the host dies are sent again on a fresh port (a queued tagging job survives a host restart), up to
a limit (a message that kills the host every time ends in an error, not a restart loop), and a
missing host is never retried. The real-Thunderbird version is tests/e2e/test_robustness.py."""

from __future__ import annotations

from pathlib import Path

from tests.nodejs import run_module

SCRIPT = r"""
const ports = [];
let mode = "ok";  // ok | die-once | die-always | missing
let killed = 0;
globalThis.browser = { runtime: { lastError: null, connectNative(name) {
  const port = { sent: [], msg: [], disc: [],
    onMessage: { addListener: (f) => port.msg.push(f) },
    onDisconnect: { addListener: (f) => port.disc.push(f) },
    postMessage(body) {
      port.sent.push(body);
      setTimeout(() => {
        const missing = { error: { message: "No such native application whence" } };
        if (mode === "missing") return port.disc.forEach((f) => f(missing));
        if (mode === "die-always" || (mode === "die-once" && killed === 0 && body.type === "analyze")) {
          killed++;
          return port.disc.forEach((f) => f({ error: null }));
        }
        if (body.type === "ping") return port.msg.forEach((f) => f({ id: body.id, ok: true, version: "t" }));
        port.msg.forEach((f) => f({ id: body.id, ok: true, stage: "offline", report: { n: body.raw } }));
        port.msg.forEach((f) => f({ id: body.id, ok: true, stage: "final", report: { n: body.raw } }));
      }, 5);
    } };
  ports.push(port);
  return port;
} } };
const { HostConnection } = await import(process.argv[2]);
const out = {};
const host = new HostConnection();
mode = "die-once";
const jobs = [1, 2, 3, 4, 5].map((n) => host.analyze(String(n), {}, {}, null));
out.dieOnce = (await Promise.allSettled(jobs)).map((r) => r.status === "fulfilled" ? r.value.n : r.reason.code);
out.portsAfterDieOnce = ports.length;
mode = "die-always";
out.dieAlways = await host.analyze("x", {}, {}, null).then((r) => r.n, (e) => e.code);
out.sendsOfX = ports.flatMap((p) => p.sent).filter((b) => b.raw === "x").length;
mode = "missing";
const before = ports.length;
out.missing = await host.ping().then(() => "ok", (e) => e.code);
out.missingPorts = ports.length - before;
mode = "ok";
out.after = await host.ping().then((r) => r.version, (e) => e.code);
console.log(JSON.stringify(out));
"""


def test_requests_in_flight_are_sent_again_when_the_host_dies(tmp_path: Path) -> None:
    out = run_module(tmp_path, "background/native.js", SCRIPT)
    assert out["dieOnce"] == ["1", "2", "3", "4", "5"], out  # every job answered after the restart
    assert out["portsAfterDieOnce"] == 2, out
    assert out["dieAlways"] == "host_broken", out
    assert out["sendsOfX"] == 3, out  # the first try and two re-sends, then the error
    assert out["missing"] == "host_missing" and out["missingPorts"] == 1, out
    assert out["after"] == "t", out
