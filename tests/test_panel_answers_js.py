"""extension/popup/answers.js under node: the panel shows its message's newest answer however the
background's reply and its broadcasts interleave. A final answer broadcast while the panel still
asked which message it shows (it was loading its language) is not lost to the older reply, which
held the panel at "analysing…" for good (CI caught it once, in tests/e2e/test_history.py)."""

from __future__ import annotations

from pathlib import Path

from tests.nodejs import run_module

SCRIPT = r"""
const { Answers } = await import(process.argv[2]);
const run = (steps) => {
  const shown = [];
  const a = new Answers((v) => shown.push(v.state));
  for (const [what, ...args] of steps) a[what](...args);
  return shown;
};
const pending = { state: "pending", at: 5 }, offline = { state: "offline", at: 10 }, final = { state: "final", at: 20 };
const late = { state: "pending", at: 40 };
const out = {
  // the final answer is broadcast while the panel waits for the reply that still says offline
  raced: run([["ask"], ["broadcast", 7, final], ["broadcast", 8, { state: "final", at: 30 }], ["replied", 7, offline]]),
  // the usual order: reply, then the later stages
  usual: run([["ask"], ["replied", 7, pending], ["broadcast", 7, offline], ["broadcast", 7, final]]),
  // once known, only the panel's own message counts, and an old answer never undoes a newer one
  known: run([["ask"], ["replied", 7, final], ["broadcast", 8, late], ["broadcast", 7, offline]]),
  // "retry": asking again for a known message, the new analysis' answers come through
  retry: run([["ask"], ["replied", 7, final], ["ask"], ["broadcast", 7, { state: "pending", at: 50 }],
              ["replied", 7, { state: "pending", at: 50 }], ["broadcast", 7, { state: "final", at: 60 }]]),
  // no message displayed: nothing is shown, and what was kept meanwhile is dropped
  none: run([["ask"], ["broadcast", 7, final], ["replied", null], ["broadcast", 7, final]]),
};
console.log(JSON.stringify(out));
"""


def test_the_panel_shows_the_newest_answer_however_reply_and_broadcasts_interleave(tmp_path: Path) -> None:
    out = run_module(tmp_path, "popup/answers.js", SCRIPT)
    assert out["raced"] == ["offline", "final"], out  # the final answer kept while asking ends it
    assert out["usual"] == ["pending", "offline", "final"], out
    assert out["known"] == ["final"], out
    assert out["retry"] == ["final", "pending", "pending", "final"], out
    assert out["none"] == [], out
