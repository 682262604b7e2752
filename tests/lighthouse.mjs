// Lighthouse (performance and accessibility) on each given page, in one headless Chromium session.
//
//     node tests/lighthouse.mjs BASE_URL OUT_DIR PATH...
//
// Writes OUT_DIR/<page>.json (Lighthouse's full report) and prints one JSON line per page on stdout:
// {path, report, seconds, performance, accessibility, bytes, requests, failing}. Used by
// tests/browser.py run_lighthouse (test_quality.py and tools/bench.py).
//
// Settings: Lighthouse's desktop preset (1350x940 screen, simulated throttling at 40 ms RTT, 10 Mbit/s, no CPU
// slow-down). Simulated throttling computes the timings from one unthrottled load, so a busy machine moves the
// scores less than with real throttling. Chromium may reach 127.0.0.1 only: any other host name fails to resolve.
import fs from "node:fs";
import path from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";

const [baseUrl, outDir, ...pages] = process.argv.slice(2);
if (!baseUrl || !outDir || pages.length === 0) {
  console.error("usage: node tests/lighthouse.mjs BASE_URL OUT_DIR PATH...");
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
});
const flags = {
  port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance", "accessibility"],
  disableFullPageScreenshot: true, // a few seconds a page, and the reports stay small
};

try {
  for (const page of pages) {
    const url = new URL(page, baseUrl).href;
    const name = page.replace(/\/$/, "").replaceAll("/", "-") || "index";
    const start = performance.now();
    const result = await lighthouse(url, flags, desktopConfig);
    const seconds = (performance.now() - start) / 1000;
    const { lhr } = result;
    const report = path.join(outDir, `${name}.json`);
    fs.writeFileSync(report, result.report);
    const requests = lhr.audits["network-requests"]?.details?.items ?? [];
    // The audits that cost points: score below 1 in a category where they have weight.
    const failing = [];
    for (const [id, category] of Object.entries(lhr.categories)) {
      for (const ref of category.auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
          failing.push({ category: id, id: ref.id, score: audit.score, value: audit.displayValue ?? "" });
        }
      }
    }
    console.log(JSON.stringify({
      path: page,
      report,
      seconds,
      error: lhr.runtimeError?.message ?? null,
      performance: lhr.categories.performance.score,
      accessibility: lhr.categories.accessibility.score,
      bytes: lhr.audits["total-byte-weight"].numericValue,
      requests: requests.map((r) => r.url),
      failing,
    }));
  }
} finally {
  chrome.kill();
}
