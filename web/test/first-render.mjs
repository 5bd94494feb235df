// first-render.mjs - loads the page N times in headless chromium and prints
// the median time from navigation to the ranked series list drawn, and the
// bytes the page transferred (what bench/web_load.sh reports).
//   node web/test/first-render.mjs BASE_URL [RUNS]
import puppeteer from "puppeteer-core";

const [base, runsArg] = process.argv.slice(2);
const runs = +(runsArg || 7);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});
const times = [];
try {
  for (let i = 0; i < runs; i++) {
    const page = await browser.newPage();
    await page.setCacheEnabled(false);
    await page.setViewport({ width: 1280, height: 900 });
    const t0 = Date.now();
    await page.goto(base + "/", { waitUntil: "domcontentloaded" });
    await page.waitForSelector("#series-list li[data-series]", { timeout: 30000 });
    times.push(Date.now() - t0);
    await page.close();
  }
} finally {
  await browser.close();
}
times.sort((a, b) => a - b);
console.log(`web_first_render_ms_median ${times[Math.floor(times.length / 2)]}`);
console.log(`web_first_render_ms_max ${times[times.length - 1]}`);
