/**
 * The one long-lived connection to the native host (DESIGN §4).
 *
 * Requests carry ids and may be in flight together; replies may come in any order and an
 * analysis answers twice (stage "offline", then "final"). Every request has a deadline, so a
 * host that hangs or was never installed always ends in an error the panel can show — never in
 * an endless spinner. A dropped port is reopened on the next request, and the requests that were
 * in flight when a running host died (crashed, killed, out of memory) are sent again on the new
 * one, up to RESENDS times each: a queued tagging job is not lost to a host restart, and a
 * message that kills the host every time still ends in an error rather than a restart loop.
 */

export const HOST_NAME = "whence";

/** Errors the panel explains: host missing/broken, timeout, or an error reply. */
export class HostError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code; // host_missing | host_broken | timeout | bad_request | too_large | internal
  }
}

const TIMEOUTS = { ping: 10000, offline: 20000, final: 45000, report: 30000 };
const RESENDS = 2;
const RESEND_DELAY_MS = 200; // times the attempt: a host that dies at once is not restarted in a busy loop

export class HostConnection {
  constructor(name = HOST_NAME) {
    this.name = name;
    this.port = null;
    this.nextId = 1;
    this.pending = new Map(); // id -> {onReply, onError, timer, stage}
    this.lastError = null;
    this.version = null;
  }

  _connect() {
    if (this.port) return this.port;
    let port;
    try {
      port = browser.runtime.connectNative(this.name);
    } catch (e) {
      throw new HostError("host_missing", String(e?.message || e));
    }
    this.port = port;
    port.onMessage.addListener((reply) => this._onMessage(reply));
    port.onDisconnect.addListener((p) => this._onDisconnect(p));
    return port;
  }

  _onDisconnect(p) {
    const message = p?.error?.message || browser.runtime.lastError?.message || "disconnected";
    // "No such native application" = not installed; anything else = it started and died.
    const code = /no such native application|not found|manifest/i.test(message) ? "host_missing" : "host_broken";
    this.lastError = new HostError(code, message);
    this.port = null;
    const waiting = [...this.pending.entries()];
    this.pending.clear();
    let resent = 0;
    for (const [id, entry] of waiting) {
      clearTimeout(entry.timer);
      if (code === "host_broken" && entry.resends < RESENDS) {
        entry.resends++;
        resent++;
        setTimeout(() => this._send(id, entry), RESEND_DELAY_MS * entry.resends);
      } else {
        entry.onError(this.lastError);
      }
    }
    if (resent) console.warn(`whence: the host stopped (${message}); re-sending ${resent} request(s)`);
  }

  _onMessage(reply) {
    if (!reply || typeof reply !== "object") return;
    const entry = this.pending.get(String(reply.id));
    if (!entry) return;
    if (reply.ok === false) {
      this._finish(reply.id, entry);
      const err = reply.error || {};
      entry.onError(new HostError(String(err.code || "internal"), String(err.message || "error")));
      return;
    }
    this.lastError = null;
    const done = entry.onReply(reply);
    if (done) this._finish(reply.id, entry);
    else this._arm(String(reply.id), entry, TIMEOUTS.final);
  }

  _finish(id, entry) {
    clearTimeout(entry.timer);
    this.pending.delete(String(id));
  }

  _arm(id, entry, ms) {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      this.pending.delete(id);
      entry.onError(new HostError("timeout", `no reply from the host within ${ms / 1000} s`));
    }, ms);
  }

  /**
   * Sends one request; onReply(reply) returns true when it was the last reply expected.
   * Returns a promise that settles when the request is finished or failed.
   */
  request(body, onReply, firstTimeout) {
    return new Promise((resolve, reject) => {
      const id = String(this.nextId++);
      const entry = {
        body,
        firstTimeout,
        resends: 0,
        onReply: (reply) => {
          const done = onReply(reply);
          if (done) resolve(reply);
          return done;
        },
        onError: reject,
        timer: null,
      };
      this._send(id, entry);
    });
  }

  /** Posts a request (again, after a host restart) on the current port, opening one if needed. */
  _send(id, entry) {
    let port;
    try {
      port = this._connect();
    } catch (e) {
      entry.onError(e);
      return;
    }
    this.pending.set(id, entry);
    this._arm(id, entry, entry.firstTimeout);
    try {
      port.postMessage({ ...entry.body, id });
    } catch (e) {
      this._finish(id, entry);
      this.port = null;
      entry.onError(new HostError("host_broken", String(e?.message || e)));
    }
  }

  async ping() {
    const reply = await this.request({ type: "ping" }, () => true, TIMEOUTS.ping);
    this.version = reply.version || null;
    return reply;
  }

  /**
   * Analyses one message: onStage(stage, report) is called for "offline" then "final".
   * Resolves with the last report. A host that sends only one stage ends the request there.
   */
  analyze(rawBase64, context, options, onStage) {
    const body = {
      type: "analyze",
      raw: rawBase64,
      context,
      offline: Boolean(options["network.offline"]),
      options,
    };
    let last = null;
    return this.request(
      body,
      (reply) => {
        last = reply.report || null;
        const stage = reply.stage === "offline" ? "offline" : "final";
        onStage?.(stage, last);
        return stage === "final";
      },
      TIMEOUTS.offline,
    ).then(() => last);
  }

  /** The sender history (docs/history.md): action stats | clear | contacts (with `addresses`). */
  history(action, addresses) {
    const body = { type: "history", action };
    if (Array.isArray(addresses)) body.addresses = addresses;
    return this.request(body, () => true, TIMEOUTS.report).then((reply) => reply.history || {});
  }

  /** The reporting request: recipients, forms and an ARF message (addressed to `recipients` when given). */
  report(rawBase64, options, recipients) {
    const body = { type: "report", raw: rawBase64, options, lang: options["ui.lang"] };
    if (Array.isArray(recipients)) body.recipients = recipients;
    return this.request(body, () => true, TIMEOUTS.report);
  }
}
