/**
 * Reporting abuse: the host proposes recipients (with reasons), web forms and an ARF message
 * (RFC 5965); the user picks recipients in the panel and a compose window opens with the ARF
 * attached. Nothing is ever sent without the user pressing Send.
 *
 * A log in storage.local (Message-ID → when and to whom) lets the panel ask before the same
 * message is reported twice.
 */

import { host } from "./analysis.js";
import { hostOptions, loadSettings } from "../shared/settings.js";
import { t } from "../shared/i18n.js";

function toBase64(binary) {
  const slice = 3 * 65536;
  const out = [];
  for (let i = 0; i < binary.length; i += slice) out.push(btoa(binary.slice(i, i + slice)));
  return out.join("");
}

/** Asks the host for recipients, forms and the ARF message; errors come back as data. */
export async function reportDraft(messageId) {
  try {
    const raw = await browser.messages.getRaw(messageId, { data_format: "BinaryString" });
    const reply = await host.report(toBase64(raw), hostOptions(await loadSettings()));
    return {
      ok: true,
      recipients: Array.isArray(reply.recipients) ? reply.recipients : [],
      forms: Array.isArray(reply.forms) ? reply.forms : [],
    };
  } catch (e) {
    return { ok: false, code: e?.code || "internal", message: String(e?.message || e) };
  }
}

const LOG_KEY = "reportLog";
const LOG_MAX = 500; // entries kept, newest first: the log must not grow without bound

/** The log's key for a message: its Message-ID (stable across folders and restarts). */
async function logKey(messageId) {
  const message = await browser.messages.get(messageId).catch(() => null);
  return message?.headerMessageId ? `<${message.headerMessageId}>` : null;
}

async function readLog() {
  const { [LOG_KEY]: log } = await browser.storage.local.get(LOG_KEY);
  return log && typeof log === "object" ? log : {};
}

/** The earlier report of this message ({when, recipients}), or null. */
export async function reportLogged(messageId) {
  const key = await logKey(messageId);
  if (!key) return null;
  const entry = (await readLog())[key];
  return entry && typeof entry.when === "string" ? entry : null;
}

async function logReport(messageId, recipients) {
  const key = await logKey(messageId);
  if (!key) return;
  const log = await readLog();
  log[key] = { when: new Date().toISOString(), recipients };
  const kept = Object.entries(log)
    .sort((a, b) => String(b[1]?.when).localeCompare(String(a[1]?.when)))
    .slice(0, LOG_MAX);
  await browser.storage.local.set({ [LOG_KEY]: Object.fromEntries(kept) });
}

const ADDRESS = /^[^\s<>@,;"]+@[^\s<>@,;"]+$/;

/**
 * Opens a compose window to the chosen recipients with the ARF report attached. The host builds the
 * report again for exactly these recipients, so it never names a bystander the user unticked.
 */
export async function reportSend(messageId, addresses) {
  const to = (addresses || []).filter((a) => ADDRESS.test(String(a))).slice(0, 20);
  if (!to.length) return { ok: false, code: "bad_request", message: "no recipients" };
  let arf;
  try {
    const raw = await browser.messages.getRaw(messageId, { data_format: "BinaryString" });
    const reply = await host.report(toBase64(raw), hostOptions(await loadSettings()), to);
    // arf_base64 carries the exact bytes when the original is not UTF-8 (raw Shift_JIS, say)
    arf = typeof reply.arf_base64 === "string"
      ? Uint8Array.from(atob(reply.arf_base64), (c) => c.charCodeAt(0))
      : reply.arf;
  } catch (e) {
    return { ok: false, code: e?.code || "internal", message: String(e?.message || e) };
  }
  if (!arf || !arf.length) return { ok: false, code: "internal", message: "no report" };
  const message = await browser.messages.get(messageId).catch(() => null);
  const file = new File([arf], "report.eml", { type: "message/rfc822" });
  await browser.compose.beginNew({
    to,
    subject: t("reportSubject", [message?.subject || ""]).slice(0, 200),
    plainTextBody: t("reportBody"),
    isPlainText: true,
    attachments: [{ file, name: "report.eml" }],
  });
  await logReport(messageId, to);
  return { ok: true };
}
