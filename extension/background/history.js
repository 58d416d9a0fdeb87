/**
 * The sender history's contacts (docs/history.md): the addresses the reader wrote to (the
 * recipients of their sent folders) and keeps in address books go to the host at start and when
 * the options page shows the history, so
 * that a first message from someone the reader already wrote to is not "a stranger". Addresses
 * only: nothing of the messages themselves.
 */

const MAX_SENT = 2000; // sent messages read per folder, newest pages first as listed
const MAX_ADDRESSES = 20000;
const ADDRESS = /[^\s<>,;:"'()[\]]+@[^\s<>,;:"'()[\]]+\.[^\s<>,;:"'()[\]]+/g;

function addAll(out, values) {
  for (const value of values || []) {
    for (const m of String(value).matchAll(ADDRESS)) {
      if (out.size >= MAX_ADDRESSES) return;
      out.add(m[0].toLowerCase());
    }
  }
}

async function sentFolders() {
  try {
    return await browser.folders.query({ specialUse: ["sent"] });
  } catch {
    return [];
  }
}

async function fromSentFolders(out) {
  for (const folder of await sentFolders()) {
    let page = await browser.messages.list(folder.id);
    let seen = 0;
    for (;;) {
      for (const m of page.messages || []) {
        addAll(out, [...(m.recipients || []), ...(m.ccList || []), ...(m.bccList || [])]);
        seen += 1;
      }
      if (!page.id || seen >= MAX_SENT || out.size >= MAX_ADDRESSES) break;
      page = await browser.messages.continueList(page.id);
    }
    if (page.id) await browser.messages.abortList(page.id).catch(() => {});
  }
}

async function fromAddressBooks(out) {
  if (!browser.addressBooks?.list) return;
  try {
    for (const book of await browser.addressBooks.list(true)) {
      for (const contact of book.contacts || []) {
        const card = String(contact.vCard || "");
        addAll(out, card.split(/\r?\n/).filter((line) => /^(item\d+\.)?EMAIL[;:]/i.test(line)));
      }
    }
  } catch {
    // no address books to read: the sent folders still count
  }
}

/** Collects the reader's correspondents and hands them to the host; returns how many it now knows. */
export async function sendContacts(host) {
  const out = new Set();
  await fromSentFolders(out);
  await fromAddressBooks(out);
  if (!out.size) return 0;
  const stats = await host.history("contacts", [...out]);
  console.log(`whence: ${out.size} contacts for the sender history`);
  return stats.contacts || 0;
}
