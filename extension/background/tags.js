/**
 * Whence's tags: created once with colours, then merged into a message's own tags (the API
 * replaces the whole set, so the other tags are carried over explicitly).
 */

import { TAGS } from "../shared/levels.js";
import { t } from "../shared/i18n.js";

const OURS = new Set(Object.values(TAGS).map((x) => x.key));

function tagsApi() {
  const m = browser.messages;
  return {
    list: () => (m.tags?.list ? m.tags.list() : m.listTags()),
    create: (key, name, color) => (m.tags?.create ? m.tags.create(key, name, color) : m.createTag(key, name, color)),
  };
}

let ensured = null;

/** Creates the Whence tags that do not exist yet (once per background start). */
export function ensureTags() {
  ensured ||= (async () => {
    const api = tagsApi();
    const existing = new Set((await api.list()).map((x) => x.key));
    for (const tag of Object.values(TAGS)) {
      if (existing.has(tag.key)) continue;
      try {
        await api.create(tag.key, t(tag.nameKey), tag.color);
      } catch (e) {
        console.error("whence: cannot create tag", tag.key, e);
      }
    }
  })().catch((e) => {
    ensured = null;
    throw e;
  });
  return ensured;
}

/** The message's tags with ours replaced by the one for this level (or none). */
export function mergeTags(current, level) {
  const kept = (current || []).filter((k) => !OURS.has(k));
  const ours = TAGS[level]?.key;
  return ours ? [...kept, ours] : kept;
}

/** Tags one message for its verdict level; returns the new tag list. */
export async function tagMessage(messageId, level) {
  await ensureTags();
  const message = await browser.messages.get(messageId);
  const tags = mergeTags(message.tags, level);
  const same = tags.length === message.tags.length && tags.every((k) => message.tags.includes(k));
  if (!same) await browser.messages.update(messageId, { tags });
  return tags;
}

/** Moves a message to its account's Junk folder; false when there is none. */
export async function moveToJunk(messageId) {
  const message = await browser.messages.get(messageId);
  const accountId = message?.folder?.accountId;
  if (!accountId) return false;
  const junk = await browser.folders.query({ accountId, specialUse: ["junk"] });
  if (!junk.length || junk[0].id === message.folder.id) return false;
  await browser.messages.move([messageId], junk[0].id);
  return true;
}
