/** Progress of a folder scan, with Cancel; the scan itself runs in the background. */

import { localizePage, t, useLanguage } from "../shared/i18n.js";
import { loadSettings, resolveLang } from "../shared/settings.js";
import { levelInfo } from "../shared/levels.js";

const $ = (id) => document.getElementById(id);
const scanId = new URLSearchParams(location.search).get("scan") || "";

function update(s) {
  if (s.missing) {
    $("count").textContent = t("scanMissing");
    return;
  }
  $("folder").textContent = s.folderName || "";
  const total = s.total ?? 0;
  $("progress").max = Math.max(1, total || s.done);
  $("progress").value = s.done;
  $("count").textContent = total ? t("scanCount", [String(s.done), String(total)]) : t("scanCountOnly", [String(s.done)]);
  $("levels").textContent = Object.entries(s.counts)
    .map(([level, n]) => `${levelInfo(level).badge} ${t("labelValue", [t(levelInfo(level).key), String(n)])}`)
    .join("  ·  ");
  if (s.cancelled) $("count").textContent += ` — ${t("scanCancelled")}`;
  else if (s.finished) $("count").textContent += ` — ${t("scanDone")}`;
  if (s.finished || s.cancelled) {
    $("cancel").hidden = true;
    $("close").hidden = false;
    document.body.dataset.state = s.cancelled ? "cancelled" : "finished";
  }
}

async function main() {
  await useLanguage(resolveLang(await loadSettings()));
  localizePage();
  document.title = t("scanTitle");
  const port = browser.runtime.connect({ name: `scan:${scanId}` });
  port.onMessage.addListener(update);
  $("cancel").addEventListener("click", () => port.postMessage({ cancel: true }));
  $("close").addEventListener("click", () => window.close());
}

main();
