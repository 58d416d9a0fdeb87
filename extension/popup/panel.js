/**
 * The details panel: what the host found about the displayed message, in the user's language.
 * Everything derived from the message is inserted as text; nothing here loads remote content.
 */

import { append, el, clear, short } from "./dom.js";
import { drawRoute } from "./route.js";
import { countryName, drawMap } from "./map.js";
import { Answers } from "./answers.js";
import { levelInfo } from "../shared/levels.js";
import { localizePage, pick, t, useLanguage } from "../shared/i18n.js";

const $ = (id) => document.getElementById(id);
const REPORT_ENABLED = true; // the host answers `report` requests (DESIGN §4)
const STALL_MS = 60000; // the panel never spins longer than this
const LOOKUP_DEADLINE_MS = 3000; // the host's default lookups.deadline_ms: the live stage ends by then

let state = { tabId: null, messageId: null, lang: "en", report: null, inTab: false };
let stallTimer = null;
let stageTimer = null;
const answers = new Answers(apply); // the panel's message's newest answer, however the two routes interleave

/** A delay as a person says it: `+2 s`, `+3 min`, `−3 h (clock skew)`. */
function humanDelay(s) {
  if (typeof s !== "number" || !Number.isFinite(s)) return "—";
  const a = Math.abs(s);
  let amount;
  if (a < 90) amount = t("unitSeconds", [String(Math.round(a))]);
  else if (a < 90 * 60) amount = t("unitMinutes", [String(Math.round(a / 60))]);
  else if (a < 36 * 3600) amount = t("unitHours", [String(Math.round(a / 3600))]);
  else amount = t("unitDays", [String(Math.round(a / 86400))]);
  return s < 0 && Math.round(a) > 0 ? t("delaySkew", [`−${amount}`]) : `+${amount}`;
}

/** A hop's time, short, in the reader's time zone and language, with the offset: a date part
 * ("1月2日", "2 Jan") and a time part ("07:22:02 +09:00"), each never wrapped. */
function hopTime(iso) {
  const d = new Date(String(iso || ""));
  if (!iso || Number.isNaN(d.getTime())) return ["—"];
  const date = new Intl.DateTimeFormat(state.lang === "ja" ? "ja-JP" : "en-GB", { month: "short", day: "numeric" })
    .format(d);
  const pad = (n) => String(n).padStart(2, "0");
  const off = -d.getTimezoneOffset();
  const zone = `${off < 0 ? "−" : "+"}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return [date, `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${zone}`];
}

/** How long ago, in words of the reader's language ("5 minutes ago", "5 分前"). */
function ago(ms) {
  const rtf = new Intl.RelativeTimeFormat(state.lang, { numeric: "auto" });
  const s = Math.round((Date.now() - ms) / 1000);
  if (s < 60) return t("agoNow");
  if (s < 3600) return rtf.format(-Math.round(s / 60), "minute");
  if (s < 86400) return rtf.format(-Math.round(s / 3600), "hour");
  return rtf.format(-Math.round(s / 86400), "day");
}

/** The stage line: the live stage's time left, or how old the answer shown is. */
function stageLine(value) {
  clearInterval(stageTimer);
  const at = typeof value.at === "number" ? value.at : Date.now();
  if (value.state === "offline") {
    const tick = () => {
      const left = Math.ceil((at + LOOKUP_DEADLINE_MS - Date.now()) / 1000);
      $("stage").textContent = left > 0 ? t("stageLive", [String(left)]) : t("stageLiveLate");
    };
    tick();
    stageTimer = setInterval(tick, 500);
    return;
  }
  if (value.error) {
    $("stage").textContent = t("stageFinalFailed", [ownWords("errorCode_", value.error.code)]);
    return;
  }
  const tick = () => {
    $("stage").textContent = t(value.report?.lookups_done === false ? "stageAgeOffline" : "stageAge", [ago(at)]);
  };
  tick();
  stageTimer = setInterval(tick, 15000);
}

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
  document.title = t("pageTitle", [t(info.key)]);
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
        { "data-id": f.id, title: f.id },
        el("span", { class: `sev sev-${f.severity}` }, t(`sev_${f.severity}`) || f.severity),
        el("strong", {}, pick(f.title, state.lang)),
        el("p", {}, pick(f.detail, state.lang)),
        state.lang === "ja" ? null : el("p", { class: "muted" }, el("code", {}, f.id)), // ja: the id is the tooltip
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
    const named = t(`result_${result}`);
    cell.append(el("span", { class: `result-${result}`, title: result }, named === `result_${result}` ? result : named));
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

/** An address that never wraps inside a number: IPv4 not at all, IPv6 only after a colon. */
function ipNode(ip) {
  const text = `[${short(ip, 45)}]`;
  if (!text.includes(":")) return el("span", { class: "ip" }, text);
  const node = el("span", { class: "ip ip6" });
  text.split(":").forEach((part, i, all) => {
    node.append(i < all.length - 1 ? `${part}:` : part);
    if (i < all.length - 1) node.append(el("wbr"));
  });
  return node;
}

/** A code or word of the host's own (an error code, a lookup's kind) in the reader's language, if known. */
function ownWords(prefix, value) {
  const key = `${prefix}${String(value ?? "").replace(/[^A-Za-z0-9]/g, "_")}`;
  const text = t(key);
  return text === key ? short(String(value ?? ""), 80) : text;
}

/** A recipient's role in the reader's language ("origin-network" -> "sending network's abuse desk"). */
function roleName(role) {
  return ownWords("role_", role);
}

function kindName(kind) {
  const key = `kind_${String(kind)}`;
  const name = t(key);
  return name === key ? String(kind) : name;
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
    ["originCountry", o.country ? t("mapCountry", [countryName(String(o.country), state.lang, ""), o.country]) : null],
    ["originKind", o.network_kind ? kindName(o.network_kind) : null],
    ["originWhy", pick(o.reason, state.lang) || null],
  ];
  for (const [key, value] of rows) {
    if (value === null || value === undefined || value === "") continue;
    dl.append(el("dt", {}, t(key)), el("dd", { "data-key": key }, short(value, 200)));
  }
  if (!dl.childNodes.length) dl.append(el("dt", {}, t("originIp")), el("dd", {}, t("unknownValue")));

  drawMap($("route-map"), report, { lang: state.lang, t, level: report.verdict?.level || "unknown" })
    .catch((e) => console.error("whence: map failed", e));
  drawRoute($("route-picture"), report, {
    title: t("routePicture"),
    origin: t("routeOrigin"),
    recipient: t("routeRecipient"),
    delay: humanDelay,
  });

  const body = $("hops").tBodies[0];
  clear(body);
  for (const h of (report.hops || []).slice(0, 50)) {
    const from = el("td", {}, short(h.from_host || h.helo || (h.from_ip ? "" : "—"), 120));
    if (h.from_ip) {
      if (h.from_host || h.helo) from.append(" ");
      from.append(ipNode(h.from_ip)); // never wrapped mid-number
    }
    body.append(
      el(
        "tr",
        { class: h.trusted ? "trusted" : "outside", title: h.trusted ? t("hopTrusted") : t("hopOutside") },
        el("td", {}, String(h.index)),
        from,
        el("td", {}, short(h.by_host || "—", 80)),
        el("td", {}, short(h.with || "—", 20)),
        el("td", {}, hopTime(h.time).map((part, i) => [i ? " " : null, el("span", { class: "nowrap" }, part)])),
        el("td", { class: h.delay_s < 0 ? "nowrap skew" : "nowrap" }, humanDelay(h.delay_s)),
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
    let answer = String(l.answer ?? "—");
    const cached = answer.endsWith(" (cached)");
    if (cached) answer = answer.slice(0, -" (cached)".length);
    answer = l.error ? `✗ ${ownWords("lookupError_", l.error)}`
      : cached ? t("lookupCachedAnswer", [short(answer, 160)]) : short(answer, 160);
    list.append(el("li", {}, `${ownWords("lookupKind_", l.kind)} ${short(l.query, 120)} → ${answer} (${l.ms} ms)`));
  }
}

/** What the reader's own mail knows of the sender (the report's `history`, docs/history.md). */
function renderHistory(report) {
  const line = $("history-line");
  const sender = report.history?.sender;
  line.hidden = !sender;
  if (!sender) return;
  const count = Number(sender.count) || 0;
  const first = sender.first ? new Date(sender.first) : null;
  const date = first && !Number.isNaN(first.getTime())
    ? new Intl.DateTimeFormat(state.lang === "ja" ? "ja-JP" : "en-GB", { year: "numeric", month: "long", day: "numeric" })
      .format(first)
    : "?";
  line.textContent = count === 0 ? t("historyFirst")
    : count === 1 ? t("historyReceivedOne", [date]) : t("historyReceived", [String(count), date]);
}

/** In a tab of its own the panel no longer sits beside its message: it names it. */
function renderSubject(report) {
  const line = $("subject-line");
  const subject = report.message?.subject;
  line.hidden = !state.inTab || typeof subject !== "string";
  if (line.hidden) return;
  // the sender's text in a <bdi>: right-to-left marks in it cannot turn the label around
  const [before, after = ""] = t("subjectLine", ["\u0000"]).split("\u0000");
  clear(line);
  append(line, [before, el("bdi", {}, short(subject.trim() || "—", 120)), after]);
}

function render(value) {
  const report = value?.report;
  if (!report) return;
  state.report = report;
  const level = report.verdict?.level || "unknown";
  setVerdict(level, pick(report.verdict?.summary, state.lang), "");
  stageLine(value);
  const titles = findingTitles(report);
  renderHistory(report);
  renderSubject(report);
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
    clearInterval(stageTimer);
    setVerdict("pending", "", "");
    show("loading");
    return;
  }
  if (value.state === "error") {
    clearTimeout(stallTimer);
    clearInterval(stageTimer);
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
        Number.isNaN(when.getTime()) ? "?" : when.toLocaleString(state.lang === "ja" ? "ja-JP" : "en-GB",
          { dateStyle: "long", timeStyle: "short" }), // 2026年12月3日 13:22 · 3 December 2026 at 13:22
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
        el("label", { for: id }, t("mapCountry", [short(r.address, 100), roleName(r.role)])),
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
  answers.ask();
  try {
    reply = await browser.runtime.sendMessage({ type, tabId: state.tabId });
  } catch (e) {
    answers.replied(null);
    showProblem({ code: "internal", message: String(e?.message || e) });
    return;
  }
  if (reply?.lang && reply.lang !== state.lang) {
    state.lang = reply.lang;
    await useLanguage(state.lang);
    localizePage();
  }
  if (!reply || reply.messageId === null) {
    answers.replied(null);
    clearTimeout(stallTimer);
    setVerdict("unknown", "", "");
    show("nomessage");
    return;
  }
  state.messageId = reply.messageId;
  answers.replied(reply.messageId, reply.value);
}

browser.runtime.onMessage.addListener((m) => {
  if (m?.type === "result") answers.broadcast(m.messageId, m.value);
});

async function main() {
  // The panel also opens in a tab of its own ("panel.html?tabId=N") for the message in tab N.
  const fromUrl = Number.parseInt(new URLSearchParams(location.search).get("tabId") || "", 10);
  if (Number.isInteger(fromUrl)) {
    state.tabId = fromUrl;
    state.inTab = true;
  } else {
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
