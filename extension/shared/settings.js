/**
 * The add-on's settings: defaults, storage.local, and the dotted keys the host understands.
 *
 * One place for every option so the options page, the background and the request to the host
 * never disagree about names or defaults.
 */

export const DEFAULTS = Object.freeze({
  offline: false, // network.offline: the host makes no network lookups
  deepLookups: false, // lookups.deep: RDAP and feeds beyond the fast DNS checks
  dnsbls: "", // lookups.dnsbls: DNS blocklist zones for the origin address, one a line
  domainBlocklists: "", // lookups.domain_blocklists: domain blocklist zones for sender and links
  feeds: "", // lookups.feeds: phishing feeds the host uses from its local cache, one a line
  autoTag: true, // tag incoming mail
  moveToJunk: false, // move dangerous incoming mail to Junk (off by default)
  trustedHosts: "", // trust.hosts: one host suffix or network a line
  lang: "auto", // ui.lang: auto | en | ja
  concurrency: 3, // analyses in flight at once (queue)
  history: true, // history.enabled: the host keeps and uses a local sender history (docs/history.md)
});

export const KEYS = Object.keys(DEFAULTS);

/** The stored settings merged over the defaults. */
export async function loadSettings() {
  const stored = await browser.storage.local.get(KEYS);
  return { ...DEFAULTS, ...stored };
}

/** Saves the given keys (only known ones, coerced to the default's type). */
export async function saveSettings(values) {
  const clean = {};
  for (const key of KEYS) {
    if (!(key in values)) continue;
    const def = DEFAULTS[key];
    const v = values[key];
    if (typeof def === "boolean") clean[key] = Boolean(v);
    else if (typeof def === "number") clean[key] = Math.max(1, Math.min(8, Number(v) || def));
    else clean[key] = String(v ?? "");
  }
  await browser.storage.local.set(clean);
  return clean;
}

/** Splits a textarea value into trimmed, non-empty lines (commas also separate). */
export function lines(text) {
  return String(text || "")
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, 200);
}

/** The language the user reads: the setting, else the UI language when it is Japanese. */
export function resolveLang(settings) {
  if (settings && (settings.lang === "en" || settings.lang === "ja")) return settings.lang;
  const ui = (browser.i18n.getUILanguage() || "en").toLowerCase();
  return ui.startsWith("ja") ? "ja" : "en";
}

/**
 * The `options` object of an analyze request (DESIGN §4), with the host's dotted keys.
 *
 * Only what the user turned on or filled in is sent: an option left at its default keeps the
 * host's own setting (its settings file or environment), so the add-on never switches off an
 * offline mode or a blocklist configured for the host.
 */
export function hostOptions(settings) {
  const options = { "ui.lang": resolveLang(settings) };
  if (settings.offline) options["network.offline"] = true;
  if (settings.deepLookups) options["lookups.deep"] = true;
  if (settings.history) options["history.enabled"] = true; // the host's own default is off (whence analyze)
  const lists = {
    "lookups.dnsbls": settings.dnsbls,
    "lookups.domain_blocklists": settings.domainBlocklists,
    "lookups.feeds": settings.feeds,
    "trust.hosts": settings.trustedHosts,
  };
  for (const [key, value] of Object.entries(lists)) {
    const list = lines(value);
    if (list.length) options[key] = list;
  }
  return options;
}
