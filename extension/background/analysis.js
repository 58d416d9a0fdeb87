/**
 * Analyses messages through the host and remembers the latest result for each message, so the
 * badge, the panel, tagging and folder scans share one analysis per message.
 */

import { HostConnection, HostError } from "./native.js";
import { Queue } from "./queue.js";
import { hostOptions, loadSettings } from "../shared/settings.js";

export const MAX_RAW_BYTES = 32 * 1024 * 1024; // larger messages are not sent to the host
const CACHE_SIZE = 300;

export const host = new HostConnection();
export const queue = new Queue(3);

/** messageId -> {state: pending|offline|final|error, report, error: {code, message}} */
const results = new Map();
const inflight = new Map(); // messageId -> Promise of the final state
const listeners = new Set();

export function onResult(fn) {
  listeners.add(fn);
}

export function getResult(messageId) {
  return results.get(messageId) || null;
}

function setResult(messageId, value) {
  if (typeof value.at !== "number") value.at = Date.now(); // when this answer arrived (the panel shows its age)
  results.delete(messageId);
  results.set(messageId, value);
  while (results.size > CACHE_SIZE) results.delete(results.keys().next().value);
  for (const fn of listeners) {
    try {
      fn(messageId, value);
    } catch (e) {
      console.error("whence: listener failed", e);
    }
  }
}

/** base64 of a binary string, in slices so a large message never builds one huge argument. */
function toBase64(binary) {
  const slice = 3 * 65536;
  const out = [];
  for (let i = 0; i < binary.length; i += slice) out.push(btoa(binary.slice(i, i + slice)));
  return out.join("");
}

async function contextFor(message) {
  const ctx = { account_email: null, account_host: null };
  try {
    const accountId = message?.folder?.accountId;
    if (accountId) {
      const account = await browser.accounts.get(accountId, false);
      ctx.account_email = account?.identities?.[0]?.email || null;
    }
  } catch {
    // The account may be gone; the host copes without context.
  }
  return ctx;
}

async function run(messageId) {
  setResult(messageId, { state: "pending", report: null, error: null });
  try {
    const message = await browser.messages.get(messageId);
    if (message?.size > MAX_RAW_BYTES) throw new HostError("too_large", `${message.size} bytes`);
    const raw = await browser.messages.getRaw(messageId, { data_format: "BinaryString" });
    if (raw.length > MAX_RAW_BYTES) throw new HostError("too_large", `${raw.length} bytes`);
    const settings = await loadSettings();
    const report = await host.analyze(
      toBase64(raw),
      await contextFor(message),
      hostOptions(settings),
      (stage, rep) => setResult(messageId, { state: stage, report: rep, error: null }),
    );
    const value = { state: "final", report, error: null };
    setResult(messageId, value);
    return value;
  } catch (e) {
    const previous = results.get(messageId);
    const error = { code: e?.code || "internal", message: String(e?.message || e) };
    // An offline report already shown stays; the error only says the refinement failed.
    const value = previous?.report
      ? { state: "final", report: previous.report, error, at: previous.at }
      : { state: "error", report: null, error };
    setResult(messageId, value);
    return value;
  }
}

/** Forgets every remembered answer (after the history was cleared, they say what it no longer knows). */
export function forgetResults() {
  results.clear();
}

/** The analysis of one message, started at once (for what the user looks at). */
export function analyze(messageId, { force = false } = {}) {
  if (!force) {
    const done = results.get(messageId);
    if (done && done.state === "final" && !done.error) return Promise.resolve(done);
    if (inflight.has(messageId)) return inflight.get(messageId);
  }
  const p = run(messageId).finally(() => inflight.delete(messageId));
  inflight.set(messageId, p);
  return p;
}

/** The analysis of one message through the bounded queue (background work: new mail, scans). */
export function analyzeQueued(messageId, tag) {
  const task = () => analyze(messageId);
  task.tag = tag;
  return queue.push(task);
}

export async function setConcurrency() {
  const settings = await loadSettings();
  queue.limit = settings.concurrency;
}
