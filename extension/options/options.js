/** The options page: every change is saved to storage.local at once and sent with each request. */

import { DEFAULTS, loadSettings, saveSettings } from "../shared/settings.js";
import { localizePage, t, useLanguage } from "../shared/i18n.js";
import { resolveLang } from "../shared/settings.js";

const form = document.getElementById("form");

function fill(settings) {
  for (const [key, def] of Object.entries(DEFAULTS)) {
    const input = form.elements.namedItem(key);
    if (!input) continue;
    if (typeof def === "boolean") input.checked = Boolean(settings[key]);
    else input.value = String(settings[key]);
  }
}

function read() {
  const values = {};
  for (const [key, def] of Object.entries(DEFAULTS)) {
    const input = form.elements.namedItem(key);
    if (!input) continue;
    values[key] = typeof def === "boolean" ? input.checked : input.value;
  }
  return values;
}

async function checkHost() {
  const status = document.getElementById("host-status");
  status.textContent = t("loading");
  const r = await browser.runtime.sendMessage({ type: "hostStatus" });
  status.textContent = r?.ok
    ? t("hostOk", [r.version || "?"])
    : `${t(r?.code === "host_missing" ? "hostMissingText" : "hostBrokenText")} (python3 installer/install.py)`;
}

let lang = "en";

/** The history's first date as the panel writes it: 10 January 2025, 2025年1月10日. */
function longDate(iso) {
  const when = iso ? new Date(iso) : null;
  return when && !Number.isNaN(when.getTime())
    ? new Intl.DateTimeFormat(lang === "ja" ? "ja-JP" : "en-GB", { year: "numeric", month: "long", day: "numeric" })
      .format(when)
    : "?";
}

function showHistory(r) {
  const status = document.getElementById("history-status");
  if (!r?.ok) {
    status.textContent = t("optHistoryUnavailable");
    return;
  }
  const h = r.history || {};
  status.textContent = h.messages
    ? t("optHistoryStats", [String(h.messages), String(h.senders || 0), longDate(h.since),
      String(h.contacts || 0)])
    : t("optHistoryEmpty");
}

async function historyStats() {
  showHistory(await browser.runtime.sendMessage({ type: "historyStats" }));
}

async function clearHistory() {
  const r = await browser.runtime.sendMessage({ type: "historyClear" });
  showHistory(r);
  if (r?.ok) document.getElementById("saved").textContent = t("optHistoryCleared");
}

async function main() {
  const settings = await loadSettings();
  lang = resolveLang(settings);
  await useLanguage(lang);
  localizePage();
  document.title = t("optionsTitle");
  fill(settings);
  form.addEventListener("change", async () => {
    const saved = await saveSettings(read());
    lang = resolveLang(saved);
    await useLanguage(lang);
    localizePage();
    document.title = t("optionsTitle");
    document.getElementById("saved").textContent = t("optSaved");
  });
  document.getElementById("host-check").addEventListener("click", checkHost);
  document.getElementById("history-clear").addEventListener("click", clearHistory);
  checkHost();
  historyStats();
}

main();
