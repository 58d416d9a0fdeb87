/**
 * Reporting abuse: the host proposes recipients (with reasons), web forms and an ARF message
 * (RFC 5965); the user picks recipients in the panel and a compose window opens with the ARF
 * attached. Nothing is ever sent without the user pressing Send.
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
      arf: typeof reply.arf === "string" ? reply.arf : "",
    };
  } catch (e) {
    return { ok: false, code: e?.code || "internal", message: String(e?.message || e) };
  }
}

const ADDRESS = /^[^\s<>@,;"]+@[^\s<>@,;"]+$/;

/** Opens a compose window to the chosen recipients with the ARF report attached. */
export async function reportSend(messageId, addresses, arf) {
  const to = (addresses || []).filter((a) => ADDRESS.test(String(a))).slice(0, 20);
  if (!to.length || !arf) return { ok: false, code: "bad_request", message: "no recipients" };
  const message = await browser.messages.get(messageId).catch(() => null);
  const file = new File([arf], "report.eml", { type: "message/rfc822" });
  await browser.compose.beginNew({
    to,
    subject: t("reportSubject", [message?.subject || ""]).slice(0, 200),
    plainTextBody: t("reportBody"),
    isPlainText: true,
    attachments: [{ file, name: "report.eml" }],
  });
  return { ok: true };
}
