// page.test.mjs - the web page in a real browser: Debian's chromium,
// headless, driven by puppeteer-core, against a running `opsbox serve`
// (tests/runtime/web_e2e.sh starts it with a test target whose value jumps
// and posts an Alertmanager webhook first).
//   node web/test/page.test.mjs BASE_URL SCREENSHOT_DIR
import puppeteer from "puppeteer-core";
import { mkdirSync } from "node:fs";

const [base, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
let failures = 0;
function check(name, ok, detail = "") {
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok ? "" : " " + detail}`);
  if (!ok) failures++;
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const foreign = [];
  page.on("request", (r) => { if (!r.url().startsWith(base)) foreign.push(r.url()); });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));

  const t0 = Date.now();
  await page.goto(base + "/", { waitUntil: "load" });
  await page.waitForSelector("#series-list li[data-series]", { timeout: 15000 });
  check("first render with data", true, `${Date.now() - t0} ms`);

  await page.waitForSelector("#incident-list li[data-incident]", { timeout: 15000 });
  const incident = await page.$eval("#incident-list li[data-incident]", (li) => li.textContent);
  check("the incident appears", /firing/.test(incident) && /TargetJumped/.test(incident), incident);

  const first = await page.$eval("#series-list li[data-series]", (li) => li.dataset.series);
  check("the jumping series ranks first", first.startsWith("test_gauge{"), first);

  await page.click("#series-list li[data-series]");
  await page.waitForFunction(() => {
    const c = document.getElementById("chart");
    return c.querySelector("canvas") && +c.dataset.points >= 10;
  }, { timeout: 10000 });
  const chart = await page.evaluate(() => {
    const c = window.opsboxChart, d = c.data;
    const n = d[0].length;
    let inside = 0;
    for (let i = 0; i < n; i++) if (d[3][i] <= d[2][i] && d[2][i] <= d[4][i]) inside++;
    return { series: c.series.map((s) => s.label), bands: (c.bands || []).length, n, inside,
             flagged: d[5].filter((v) => v !== null).length, width: c.width };
  });
  check("its chart draws value, forecast and band", chart.series.slice(1).join() === "value,yhat,lower,upper,flagged" && chart.bands === 1,
        JSON.stringify(chart));
  check("the band holds the forecast", chart.inside === chart.n, JSON.stringify(chart));
  check("the jump is marked on the chart", chart.flagged >= 1, JSON.stringify(chart));
  await page.screenshot({ path: `${shots}/page-desktop.png`, fullPage: true });

  const status = await page.$eval("#status-line", (e) => e.textContent);
  check("status line: version, models, targets", /models/.test(status) && /targets up/.test(status), status);
  const targets = await page.$$eval("#targets tbody tr", (rows) => rows.length);
  check("targets listed", targets >= 1, String(targets));
  const logs = await page.$eval("#template-list", (e) => e.textContent);
  check("a log template shows, with its count and an example",
        /2× Received block <\*> of size <\*> from <\*>/.test(logs) && /blk_1/.test(logs), logs);

  const prices = await page.$eval("#prices", (e) => (e.hidden ? "" : e.textContent));
  check("prices: the cheapest fit shows, with its monthly range", /m5\.large\s*us-east-1[a-f]/.test(prices) && /\(\d+\.\d\d–\d+\.\d\d\)/.test(prices), prices);

  await page.click("#template-list li[data-template]");
  await page.waitForFunction(() => document.getElementById("chart-title").textContent.startsWith("opsbox_log_template_lines_total{")
                                    && +document.getElementById("chart").dataset.points >= 1, { timeout: 10000 });
  check("a template's rate charts over time", true);

  await page.type("#filter", "no_such_series_anywhere");
  await page.waitForFunction(() => document.querySelector("#series-list .empty"), { timeout: 5000 });
  check("the filter narrows the list", true);

  // Live: a new incident shows without a reload.
  const before = await page.$$eval("#incident-list li[data-incident]", (l) => l.length);
  await fetch(base + "/v1/receiver", { method: "POST", body: JSON.stringify({
    version: "4", groupKey: "{}:{alertname=\"LiveOne\"}", status: "firing", groupLabels: { alertname: "LiveOne" },
    alerts: [{ status: "firing", labels: { alertname: "LiveOne", instance: "x" } }] }) });
  await page.waitForFunction((n) => document.querySelectorAll("#incident-list li[data-incident]").length > n,
                             { timeout: 15000 }, before);
  check("it refreshes on its own", true);

  await page.setViewport({ width: 390, height: 844, isMobile: true });
  await new Promise((r) => setTimeout(r, 300));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check("readable on a phone: no sideways scroll", overflow <= 1, String(overflow));
  await page.screenshot({ path: `${shots}/page-phone.png`, fullPage: true });

  check("nothing fetched from outside (no CDN)", foreign.length === 0, foreign.join(" "));
  check("no script errors", errors.length === 0, errors.join("; "));
} finally {
  await browser.close();
}
console.log(`${failures} failed`);
process.exit(failures ? 1 : 0);
