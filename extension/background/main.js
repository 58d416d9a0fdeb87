/**
 * Wires the add-on's events: message display (badge), new mail (tags), menus (analyse, scan),
 * and the messages the panel, the options page and the scan window send.
 *
 * Listeners are registered synchronously at the top level, as event pages require.
 */

import { analyze, analyzeQueued, forgetResults, getResult, host, onResult, setConcurrency } from "./analysis.js";
import { sendContacts } from "./history.js";
import { levelOf, messageInTab, onDisplayed } from "./display.js";
import { analyseSelection, cancelScan, onConnect, scanFolder, scanState } from "./scan.js";
import { ensureTags, moveToJunk, tagMessage } from "./tags.js";
import { t, useLanguage } from "../shared/i18n.js";
import { hostOptions, loadSettings, resolveLang } from "../shared/settings.js";
import { reportDraft, reportLogged, reportSend } from "./report.js";

const MENU_ANALYSE = "whence-analyse";
const MENU_SCAN = "whence-scan";

// --- message display -------------------------------------------------------------------------
browser.messageDisplay.onMessagesDisplayed.addListener((tab, displayed) => {
  onDisplayed(tab, displayed).catch((e) => console.error("whence: display", e));
});

// --- new mail --------------------------------------------------------------------------------
async function* allMessages(list) {
  let page = list;
  yield* page.messages || [];
  while (page.id) {
    page = await browser.messages.continueList(page.id);
    yield* page.messages;
  }
}

async function onNewMail(folder, messageList) {
  const settings = await loadSettings();
  if (!settings.autoTag) return;
  const jobs = [];
  for await (const m of allMessages(messageList)) {
    jobs.push(
      analyzeQueued(m.id, "newmail").then(async (value) => {
        if (value.state === "error") return;
        const level = levelOf(value);
        await tagMessage(m.id, level);
        if (level === "dangerous" && settings.moveToJunk) await moveToJunk(m.id);
        console.log(`whence: tagged new message ${m.id} as ${level}`);
      }),
    );
  }
  const results = await Promise.allSettled(jobs);
  for (const r of results) if (r.status === "rejected") console.error("whence: new mail", r.reason);
}

browser.messages.onNewMailReceived.addListener((folder, messageList) => {
  onNewMail(folder, messageList).catch((e) => console.error("whence: new mail", e));
});

// --- menus -----------------------------------------------------------------------------------
async function createMenus() {
  await browser.menus.removeAll();
  browser.menus.create({ id: MENU_ANALYSE, title: t("menuAnalyse"), contexts: ["message_list"] });
  browser.menus.create({ id: MENU_SCAN, title: t("menuScan"), contexts: ["folder_pane", "message_list"] });
}

browser.menus.onClicked.addListener((info) => {
  if (info.menuItemId === MENU_ANALYSE) {
    analyseSelection(info.selectedMessages).catch((e) => console.error("whence: analyse", e));
  } else if (info.menuItemId === MENU_SCAN) {
    const folder = info.selectedFolders?.[0] || info.displayedFolder;
    if (folder) scanFolder(folder).catch((e) => console.error("whence: scan", e));
  }
});

// --- pages -----------------------------------------------------------------------------------
// Thunderbird's own answer first: the display event that fills messageInTab may still be on its way
// when the panel opens right after another message was selected
async function displayedIn(tabId) {
  const list = await browser.messageDisplay.getDisplayedMessages(tabId).catch(() => null);
  if (list === null) return messageInTab(tabId);
  const messages = list?.messages || list || [];
  return messages.length === 1 ? messages[0].id : null;
}

async function panelState(tabId, retry) {
  const settings = await loadSettings();
  const messageId = await displayedIn(tabId);
  if (messageId === null) return { messageId: null, lang: resolveLang(settings) };
  let value = getResult(messageId);
  if (retry || !value || value.state === "error") {
    analyze(messageId, { force: Boolean(retry) });
    value = getResult(messageId);
  }
  return { messageId, value, lang: resolveLang(settings) };
}

onResult((messageId, value) => {
  browser.runtime.sendMessage({ type: "result", messageId, value }).catch(() => {});
});

browser.runtime.onMessage.addListener((request) => {
  switch (request?.type) {
    case "panel":
      return panelState(request.tabId, false);
    case "retry":
      return panelState(request.tabId, true);
    case "reportDraft":
      return reportDraft(request.messageId);
    case "reportLogged":
      return reportLogged(request.messageId);
    case "reportSend":
      return reportSend(request.messageId, request.addresses);
    case "scanState":
      return Promise.resolve(scanState(request.scanId));
    case "cancelScan":
      cancelScan(request.scanId);
      return Promise.resolve(true);
    case "analyseNow":
      return analyze(request.messageId, { force: true }).then(async (value) => {
        await tagMessage(request.messageId, levelOf(value));
        return value;
      });
    case "hostStatus":
      return host.ping().then(
        (r) => ({ ok: true, version: r.version || null }),
        (e) => ({ ok: false, code: e.code || "internal", message: String(e.message || e) }),
      );
    case "options":
      return loadSettings().then(hostOptions);
    case "historyStats": // the options page: the contacts are brought up to date first
      return loadSettings()
        .then((s) => (s.history ? sendContacts(host) : 0))
        .catch((e) => console.error("whence: contacts", e))
        .then(() => host.history("stats"))
        .then(
        (history) => ({ ok: true, history }),
        (e) => ({ ok: false, code: e.code || "internal", message: String(e.message || e) }),
      );
    case "historyClear":
      return host.history("clear").then(
        (history) => {
          forgetResults();
          return { ok: true, history };
        },
        (e) => ({ ok: false, code: e.code || "internal", message: String(e.message || e) }),
      );
    default:
      return undefined;
  }
});

browser.runtime.onConnect.addListener(onConnect);

browser.storage.onChanged.addListener((changes, area) => {
  if (area !== "local") return;
  if (changes.concurrency) setConcurrency();
  if (changes.lang) start();
});

// --- start -----------------------------------------------------------------------------------
async function start() {
  const settings = await loadSettings();
  await useLanguage(resolveLang(settings));
  await setConcurrency();
  await createMenus();
  await ensureTags().catch((e) => console.error("whence: tags", e));
  console.log("whence: background ready");
  if (settings.history) sendContacts(host).catch((e) => console.error("whence: contacts", e));
}

start().catch((e) => console.error("whence: start", e));
