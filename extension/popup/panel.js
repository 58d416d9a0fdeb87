/**
 * The details panel: what the host found about the displayed message, in the user's language.
 * Everything derived from the message is inserted as text; nothing here loads remote content.
 */

import { el, clear, short } from "./dom.js";
import { drawRoute } from "./route.js";
import { levelInfo } from "../shared/levels.js";
import { localizePage, pick, t, useLanguage } from "../shared/i18n.js";

const $ = (id) => document.getElementById(id);
const REPORT_ENABLED = true; // the host answers `report` requests (DESIGN §4)
const STALL_MS = 60000; // the panel never spins longer than this

let state = { tabId: null, messageId: null, lang: "en", report: null };
let stallTimer = null;

function show(section) {
  for (const id of ["loading", "problem", "nomessage", "report"]) $(id).hidden = id !== section;
}

function setVerdict(level, summary, stageText) {
  const info = levelInfo(level);
  $("verdict").className = `verdict level-${level}`;
  $("verdict-badge").textContent = info.badge;
  $("verdict-level").textContent = t(info.key);
  $("verdict-summary").textContent = summary || "";
  $("stage").textContent = stageText || "";
  document.title = `Whence: ${t(info.key)}`;
}

function showProblem(error) {
  const code = error?.code || "internal";
  const missing = code === "host_missing";
  const broken = code === "host_broken";
  setVerdict("error", "", "");
  $("problem-title").textContent = t(missing ? "hostMissingTitle" : broken ? "hostBrokenTitle" : "errorTitle");
  $("problem-text").textContent = t(
    missing ? "hostMissingText" : broken ? "hostBrokenText" : code === "timeout" ? "timeoutText" : "errorText",
  );
  $("install-help").hidden = !(missing || broken);
  $("problem-detail").textContent = short(`${code}: ${error?.message || ""}`, 300);
  show("problem");
}

// --- sections --------------------------------------------------------------------------------

function findingTitles(report) {
  const map = new Map();
  for (const f of report.findings || []) map.set(f.id, pick(f.title, state.lang));
  return map;
}

function tags(ids, titles) {
  if (!ids?.length) return "—";
  return ids.map((id) => el("span", { class: "tag", title: id }, titles.get(id) || id));
}

function renderFindings(report) {
  const list = $("findings");
  clear(list);
  const findings = report.findings || [];
  if (!findings.length) list.append(el("li", {}, t("noFindings")));
  for (const f of findings) {
    list.append(
      el(
        "li",
        { "data-id": f.id },
        el("span", { class: `sev sev-${f.severity}` }, t(`sev_${f.severity}`) || f.severity),
        el("strong", {}, pick(f.title, state.lang)),
        el("p", {}, pick(f.detail, state.lang)),
        el("p", { class: "muted" }, el("code", {}, f.id)),
      ),
    );
  }
}

function resultCell(entries) {
  const cell = el("td");
  if (!entries.length) {
    cell.append(el("span", { class: "muted" }, t("notChecked")));
    return cell;
  }
  entries.forEach((r, i) => {
    if (i) cell.append(el("br"));
    const result = String(r.result || "unknown");
    cell.append(el("span", { class: `result-${result}` }, result));
    const extra = [r.domain, r.selector ? `s=${r.selector}` : null, r.policy ? `p=${r.policy}` : null]
      .filter(Boolean)
      .join(" ");
    if (extra) cell.append(" ", el("span", { class: "muted" }, short(extra, 80)));
    if (r.sealers?.length) cell.append(" ", el("span", { class: "muted" }, short(r.sealers.join(" → "), 80)));
  });
  return cell;
}

function renderAuth(report) {
  const auth = report.auth || {};
  const recheck = auth.recheck || {};
  const body = $("auth").tBodies[0];
  clear(body);
  const known = (r) => r && r.result && r.result !== "unknown";
  const dkim = Array.isArray(auth.dkim) ? auth.dkim : [];
  const rows = [
    ["SPF", [auth.spf].filter(known), [recheck.spf].filter(known)],
    ["DKIM", dkim.filter((d) => d.source !== "recheck"), [...dkim.filter((d) => d.source === "recheck"),
      ...(recheck.dkim ? [recheck.dkim] : [])]],
    ["DMARC", [auth.dmarc].filter(known), [recheck.dmarc].filter(known)],
    ["ARC", [auth.arc].filter((a) => known(a) && a.result !== "none"), [recheck.arc].filter(known)],
  ];
  for (const [name, provider, rc] of rows) {
    body.append(el("tr", {}, el("th", { scope: "row" }, name), resultCell(provider), resultCell(rc)));
  }
}

function renderRoute(report) {
  const o = report.origin || {};
  const dl = $("origin");
  clear(dl);
  const rows = [
    ["originIp", o.ip],
    ["originHost", o.hostname],
    ["originHelo", o.helo],
    ["originClient", o.client_ip],
    ["originNetwork", o.asn ? `AS${o.asn}` : null],
    ["originOwner", o.org],
    ["originCountry", o.country],
    ["originKind", o.network_kind],
    ["originWhy", pick(o.reason, state.lang) || null],
  ];
  for (const [key, value] of rows) {
    if (value === null || value === undefined || value === "") continue;
    dl.append(el("dt", {}, t(key)), el("dd", { "data-key": key }, short(value, 200)));
  }
  if (!dl.childNodes.length) dl.append(el("dt", {}, t("originIp")), el("dd", {}, t("unknownValue")));

  drawRoute($("route-picture"), report, {
    title: t("routePicture"),
    origin: t("routeOrigin"),
    recipient: t("routeRecipient"),
  });

  const body = $("hops").tBodies[0];
  clear(body);
  for (const h of (report.hops || []).slice(0, 50)) {
    const from = [h.from_host || h.helo, h.from_ip ? `[${h.from_ip}]` : null].filter(Boolean).join(" ");
    const delay = typeof h.delay_s === "number" ? t("seconds", [String(Math.round(h.delay_s))]) : "—";
    body.append(
      el(
        "tr",
        { class: h.trusted ? "trusted" : "outside", title: h.trusted ? t("hopTrusted") : t("hopOutside") },
        el("td", {}, String(h.index)),
        el("td", {}, short(from || "—", 120)),
        el("td", {}, short(h.by_host || "—", 80)),
        el("td", {}, short(h.with || "—", 20)),
        el("td", {}, delay),
      ),
    );
  }
}

function renderLinks(report, titles) {
  const body = $("links").tBodies[0];
  clear(body);
  const links = report.links || [];
  $("sec-links").hidden = !links.length;
  for (const l of links.slice(0, 100)) {
    const target = el("td", { title: short(l.url, 2000) }, el("code", {}, short(l.host || l.url, 100)));
    if (l.url && l.url !== l.host) target.append(el("br"), el("span", { class: "muted" }, short(l.url, 140)));
    body.append(
      el(
        "tr",
        {},
        el("td", {}, short(l.text ?? "—", 140)),
        target,
        el("td", {}, tags(l.findings, titles)),
      ),
    );
  }
}

function renderAttachments(report, titles) {
  const body = $("attachments").tBodies[0];
  clear(body);
  const list = report.attachments || [];
  $("sec-attachments").hidden = !list.length;
  for (const a of list.slice(0, 100)) {
    const type = [a.content_type, a.sniffed_type && a.sniffed_type !== a.content_type ? `(${a.sniffed_type})` : null]
      .filter(Boolean)
      .join(" ");
    const name = el("td", {}, short(a.filename || "—", 120));
    if (a.members?.length) name.append(el("br"), el("span", { class: "muted" }, short(a.members.join(", "), 200)));
    body.append(
      el(
        "tr",
        {},
        name,
        el("td", {}, short(type, 80)),
        el("td", {}, String(a.size ?? "")),
        el("td", {}, tags(a.findings, titles)),
      ),
    );
  }
}

function renderLookups(report) {
  const list = $("lookups");
  clear(list);
  const lookups = report.lookups || [];
  if (!lookups.length) list.append(el("li", {}, t(report.lookups_done === false ? "lookupsOffline" : "lookupsNone")));
  for (const l of lookups.slice(0, 200)) {
    const answer = l.error ? `✗ ${l.error}` : (l.answer ?? "—");
    list.append(el("li", {}, `${l.kind} ${short(l.query, 120)} → ${short(answer, 160)} (${l.ms} ms)`));
  }
}

function render(value) {
  const report = value?.report;
  if (!report) return;
  state.report = report;
  const level = report.verdict?.level || "unknown";
  let stage = "";
  if (value.state === "offline") stage = t("stageOffline");
  else if (value.error) stage = t("stageFinalFailed", [value.error.code]);
  setVerdict(level, pick(report.verdict?.summary, state.lang), stage);
  const titles = findingTitles(report);
  renderFindings(report);
  renderAuth(report);
  renderRoute(report);
  renderLinks(report, titles);
  renderAttachments(report, titles);
  renderLookups(report);
  show("report");
  if (value.state !== "offline") clearTimeout(stallTimer);
}

function apply(value) {
  if (!value || value.state === "pending") {
    setVerdict("pending", "", "");
    show("loading");
    return;
  }
  if (value.state === "error") {
    clearTimeout(stallTimer);
    showProblem(value.error);
    return;
  }
  render(value);
}

// --- report button ---------------------------------------------------------------------------

function setupReport() {
  const button = $("report-button");
  if (!REPORT_ENABLED) {
    button.disabled = true;
    $("report-note").textContent = t("reportUnavailable");
    return;
  }
  $("report-note").textContent = t("reportIntro");
  const again = $("report-again");
  $("report-again-no").addEventListener("click", () => {
    again.hidden = true;
    button.disabled = false;
  });
  $("report-again-yes").addEventListener("click", () => {
    again.hidden = true;
    prepareReport(button);
  });
  button.addEventListener("click", async () => {
    button.disabled = true;
    $("report-form").hidden = true;
    // Reported before (the background keeps a log)? Ask first, saying when and to whom.
    const previous = await browser.runtime.sendMessage({ type: "reportLogged", messageId: state.messageId });
    if (previous?.when) {
      const when = new Date(previous.when);
      const recipients = (Array.isArray(previous.recipients) ? previous.recipients : []).slice(0, 20);
      $("report-again-text").textContent = t("reportAgainText", [
        Number.isNaN(when.getTime()) ? "?" : when.toLocaleString(state.lang),
        short(recipients.join(", "), 400),
      ]);
      again.hidden = false;
      $("report-again-yes").focus();
      return;
    }
    prepareReport(button);
  });
}

/** Asks the host for the recipients, forms and report, and lets the user choose recipients. */
async function prepareReport(button) {
  button.disabled = true;
  $("report-note").textContent = t("reportPreparing");
  const draft = await browser.runtime.sendMessage({ type: "reportDraft", messageId: state.messageId });
  button.disabled = false;
  if (!draft?.ok) {
    $("report-note").textContent = t("reportFailed", [draft?.code || "internal"]);
    return;
  }
  const box = $("report-recipients");
  clear(box);
  draft.recipients.slice(0, 20).forEach((r, i) => {
    const id = `rcpt-${i}`;
    box.append(
      el(
        "div",
        {},
        el("input", { type: "checkbox", id, value: r.address, checked: "checked" }),
        el("label", { for: id }, `${short(r.address, 100)} (${short(r.role || "", 40)})`),
        el("p", { class: "muted" }, short(pick(r.reason, state.lang), 300)),
      ),
    );
  });
  if (!draft.recipients.length) box.append(el("p", {}, t("reportNoRecipients")));
  const forms = $("report-forms");
  clear(forms);
  for (const f of draft.forms.slice(0, 10)) {
    // Shown as text to copy, never opened by the add-on: the user decides where to go.
    forms.append(el("li", {}, el("code", {}, short(f.url, 200)), " — ", short(pick(f.reason, state.lang), 200)));
  }
  $("report-form").hidden = false;
  $("report-note").textContent = t("reportChoose");
  $("report-form").onsubmit = async (event) => {
    event.preventDefault();
    const addresses = [...box.querySelectorAll("input:checked")].map((x) => x.value);
    const res = await browser.runtime.sendMessage({
      type: "reportSend",
      messageId: state.messageId,
      addresses,
    });
    $("report-note").textContent = res?.ok ? t("reportOpened") : t("reportFailed", [res?.code || "internal"]);
    if (res?.ok) $("report-form").hidden = true;
  };
}

// --- start -----------------------------------------------------------------------------------

async function load(type) {
  clearTimeout(stallTimer);
  stallTimer = setTimeout(
    () => showProblem({ code: "timeout", message: `${STALL_MS / 1000} s` }),
    STALL_MS,
  );
  let reply;
  try {
    reply = await browser.runtime.sendMessage({ type, tabId: state.tabId });
  } catch (e) {
    showProblem({ code: "internal", message: String(e?.message || e) });
    return;
  }
  if (reply?.lang && reply.lang !== state.lang) {
    state.lang = reply.lang;
    await useLanguage(state.lang);
    localizePage();
  }
  if (!reply || reply.messageId === null) {
    clearTimeout(stallTimer);
    setVerdict("unknown", "", "");
    show("nomessage");
    return;
  }
  state.messageId = reply.messageId;
  apply(reply.value);
}

browser.runtime.onMessage.addListener((m) => {
  if (m?.type === "result" && m.messageId === state.messageId) apply(m.value);
});

async function main() {
  // The panel also opens in a tab of its own ("panel.html?tabId=N") for the message in tab N.
  const fromUrl = Number.parseInt(new URLSearchParams(location.search).get("tabId") || "", 10);
  if (Number.isInteger(fromUrl)) state.tabId = fromUrl;
  else {
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    state.tabId = tab?.id ?? null;
  }
  localizePage();
  document.documentElement.lang = state.lang;
  setupReport();
  $("retry").addEventListener("click", () => load("retry"));
  await load("panel");
  document.documentElement.lang = state.lang;
}

main();
