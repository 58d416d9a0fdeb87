/**
 * The toolbar button on the message view: badge text (a symbol, never colour alone), colour and
 * a title screen readers announce, set for the tab showing the message.
 */

import { analyze, getResult, onResult } from "./analysis.js";
import { levelInfo } from "../shared/levels.js";
import { pick, t } from "../shared/i18n.js";
import { loadSettings, resolveLang } from "../shared/settings.js";

const shown = new Map(); // tabId -> messageId displayed there
const painting = new Map(); // tabId -> number of the newest paint: an older one still running stops

export function levelOf(value) {
  if (!value || value.state === "pending") return "pending";
  if (value.state === "error") return "error";
  return value.report?.verdict?.level || "unknown";
}

async function paint(tabId, value) {
  const ticket = (painting.get(tabId) || 0) + 1;
  painting.set(tabId, ticket);
  const level = levelOf(value);
  const info = levelInfo(level);
  const lang = resolveLang(await loadSettings());
  if (painting.get(tabId) !== ticket) return; // the pending state must not land over the verdict
  let title;
  if (level === "pending") title = t("titlePending");
  else if (level === "error") title = t(value.error?.code === "host_missing" ? "titleHostMissing" : "titleError");
  else {
    const summary = pick(value.report?.verdict?.summary, lang);
    title = t("titleVerdict", [t(info.key), summary]).trim();
  }
  const api = browser.messageDisplayAction;
  try {
    // the title first, the badge last: what the badge shows, the title already explains
    const steps = [() => api.setTitle({ tabId, title }),
      () => api.setBadgeBackgroundColor({ tabId, color: info.color }),
      () => api.setBadgeText({ tabId, text: info.badge })];
    for (const step of steps) {
      if (painting.get(tabId) !== ticket) return;
      await step();
    }
  } catch {
    // the tab may have closed meanwhile
  }
}

export async function onDisplayed(tab, displayed) {
  const list = displayed?.messages || (Array.isArray(displayed) ? displayed : []);
  if (list.length !== 1) {
    shown.delete(tab.id);
    await browser.messageDisplayAction.setBadgeText({ tabId: tab.id, text: null }).catch(() => {});
    return;
  }
  const messageId = list[0].id;
  shown.set(tab.id, messageId);
  const cached = getResult(messageId);
  await paint(tab.id, cached || { state: "pending" });
  analyze(messageId);
}

/** Repaints every tab showing a message whose analysis moved on. */
onResult((messageId, value) => {
  for (const [tabId, id] of shown) if (id === messageId) paint(tabId, value);
});

browser.tabs.onRemoved.addListener((tabId) => {
  shown.delete(tabId);
  painting.delete(tabId);
});

export function messageInTab(tabId) {
  return shown.get(tabId) ?? null;
}
