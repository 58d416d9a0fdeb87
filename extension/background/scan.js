/**
 * Folder scans and the "Analyse with Whence" menu action: messages go through the bounded
 * queue, are tagged as they finish, and a small window shows progress with a Cancel button.
 */

import { analyzeQueued, queue } from "./analysis.js";
import { tagMessage } from "./tags.js";
import { levelOf } from "./display.js";

const scans = new Map(); // scanId -> scan state
let nextScan = 1;
const PAGE_BATCH = 50; // messages handed to the queue at once, so memory stays bounded

function snapshot(scan) {
  const { id, folderName, total, done, counts, cancelled, finished, errors } = scan;
  return { id, folderName, total, done, counts: { ...counts }, cancelled, finished, errors };
}

function publish(scan) {
  for (const port of scan.ports) {
    try {
      port.postMessage(snapshot(scan));
    } catch {
      scan.ports.delete(port);
    }
  }
}

async function handle(scan, messageId) {
  if (scan.cancelled) return;
  try {
    const value = await analyzeQueued(messageId, scan.id);
    const level = levelOf(value);
    if (value.state === "error") scan.errors++;
    else await tagMessage(messageId, level);
    scan.counts[level] = (scan.counts[level] || 0) + 1;
  } catch (e) {
    if (String(e?.message) !== "cancelled") scan.errors++;
  }
  scan.done++;
  publish(scan);
}

async function* pages(first) {
  let page = first;
  yield page.messages;
  while (page.id) {
    page = await browser.messages.continueList(page.id);
    yield page.messages;
  }
}

async function runScan(scan, firstPage) {
  try {
    let batch = [];
    for await (const messages of pages(await firstPage)) {
      for (const m of messages) {
        if (scan.cancelled) break;
        batch.push(handle(scan, m.id));
        if (batch.length >= PAGE_BATCH) {
          await Promise.all(batch);
          batch = [];
        }
      }
      if (scan.cancelled) break;
    }
    await Promise.all(batch);
  } catch (e) {
    console.error("whence: scan failed", e);
    scan.errors++;
  }
  scan.finished = true;
  publish(scan);
}

function openProgress(scan) {
  const url = browser.runtime.getURL(`scan/scan.html?scan=${scan.id}`);
  return browser.windows.create({ type: "popup", url, width: 460, height: 300 }).catch(() => null);
}

/** A scan's progress record, registered under a fresh id. */
function newScan(folderName) {
  const scan = {
    id: String(nextScan++),
    folderName,
    total: null,
    done: 0,
    counts: {},
    errors: 0,
    cancelled: false,
    finished: false,
    ports: new Set(),
  };
  scans.set(scan.id, scan);
  return scan;
}

/** Scans every message in a folder; returns the scan id. */
export async function scanFolder(folder) {
  const scan = newScan(folder.name || folder.path || "");
  try {
    const info = await browser.folders.getFolderInfo(folder.id);
    scan.total = info.totalMessageCount ?? null;
  } catch {
    // Unknown total: the progress shows a count only.
  }
  await openProgress(scan);
  runScan(scan, browser.messages.list(folder.id));
  return scan.id;
}

/** Analyses the selected messages (a MessageList, paged). */
export async function analyseSelection(messageList) {
  const scan = newScan("");
  const count = messageList?.messages?.length || 0;
  if (!messageList?.id) scan.total = count;
  if (count > 1 || messageList?.id) await openProgress(scan);
  await runScan(scan, Promise.resolve(messageList || { messages: [] }));
  return scan.id;
}

export function cancelScan(scanId) {
  const scan = scans.get(scanId);
  if (!scan || scan.finished) return;
  scan.cancelled = true;
  queue.clear((task) => task.tag === scanId);
  publish(scan);
}

/** The progress window connects with a port named "scan:<id>". */
export function onConnect(port) {
  const match = /^scan:(\d+)$/.exec(port.name || "");
  if (!match) return;
  const scan = scans.get(match[1]);
  if (!scan) {
    port.postMessage({ id: match[1], missing: true });
    return;
  }
  scan.ports.add(port);
  port.onMessage.addListener((m) => {
    if (m?.cancel) cancelScan(scan.id);
  });
  port.onDisconnect.addListener(() => scan.ports.delete(port));
  port.postMessage(snapshot(scan));
}

export function scanState(scanId) {
  const scan = scans.get(scanId);
  return scan ? snapshot(scan) : null;
}
