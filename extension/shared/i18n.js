/**
 * Texts for the add-on's pages: browser.i18n for our own strings, `pick` for the host's
 * {en, ja} texts. Everything is inserted with textContent — never as markup.
 */

export function msg(key, subs) {
  return browser.i18n.getMessage(key, subs) || key;
}

/** Our own strings in the chosen language (the i18n API follows the UI language only). */
let overrides = null;

export async function useLanguage(lang) {
  const ui = (browser.i18n.getUILanguage() || "en").toLowerCase().startsWith("ja") ? "ja" : "en";
  if (lang === ui) {
    overrides = null;
    return;
  }
  try {
    const res = await fetch(browser.runtime.getURL(`_locales/${lang}/messages.json`));
    const data = await res.json();
    overrides = {};
    for (const [k, v] of Object.entries(data)) overrides[k.toLowerCase()] = v.message;
  } catch {
    overrides = null;
  }
}

/** A message in the chosen language; `$1`-style placeholders are filled from subs. */
export function t(key, subs) {
  const raw = overrides?.[key.toLowerCase()];
  if (raw === undefined) return msg(key, subs);
  const list = subs === undefined ? [] : Array.isArray(subs) ? subs : [subs];
  return raw.replace(/\$(\d)/g, (_, n) => String(list[Number(n) - 1] ?? ""));
}

/** One language out of a host text {en, ja}. */
export function pick(text, lang) {
  if (!text) return "";
  if (typeof text === "string") return text;
  return String(text[lang] || text.en || "");
}

/** Fills elements marked data-i18n (text) and data-i18n-title / data-i18n-placeholder. */
export function localizePage(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
}
