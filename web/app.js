// app.js - opsbox's page. Reads only the daemon's JSON API (the same one
// scripts use), polls it every few seconds, and draws with uPlot.
"use strict";

const REFRESH_MS = 5000;
const state = { series: null, incident: null, filter: "", chart: null };

async function api(path) {
  const r = await fetch("api/v1/" + path, { cache: "no-store" });
  const body = await r.json().catch(() => ({}));
  if (!r.ok || body.status !== "success") throw new Error(body.error || r.statusText);
  return body.data;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const fmtTime = (t) => (t > 0 ? new Date(t * 1000).toLocaleString() : "–");
const fmtNum = (v) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-2) ? v.toExponential(2) : +v.toFixed(3));

function fill(list, items, render, empty) {
  list.replaceChildren(...(items.length ? items.map(render) : [el("li", { class: "empty" }, empty)]));
}

// ---- incidents ----

async function refreshIncidents() {
  const incidents = await api("incidents?limit=30");
  fill(document.getElementById("incident-list"), incidents, (inc) => {
    const title = Object.entries(inc.labels).map(([k, v]) => (k === "alertname" ? v : `${k}=${v}`)).join(" ");
    return el("li", { "data-incident": inc.id, class: inc.id === state.incident ? "selected" : "", onclick: () => showIncident(inc.id) },
      el("span", { class: inc.state }, inc.state), " ", `#${inc.id} ${title} `,
      el("span", { class: "muted" }, `${inc.severity} · ${inc.members} members · since ${fmtTime(inc.started)}`));
  }, "No incidents. Point Alertmanager's webhook at /v1/receiver.");
  if (state.incident) await showIncident(state.incident, false);
}

async function showIncident(id, select = true) {
  state.incident = id;
  const d = await api(`incidents/${id}`);
  const box = document.getElementById("incident-detail");
  const issue = d.issue_url ? el("a", { href: d.issue_url, target: "_blank", rel: "noopener" }, `issue #${d.issue_number}`) : el("span", { class: "muted" }, "no tracker issue");
  box.replaceChildren(
    el("h3", {}, `Incident ${d.id}: `, el("span", { class: d.state }, d.state), " · ", issue),
    el("ol", {}, ...d.timeline.map((t) => el("li", {}, `${fmtTime(t.at)} ${t.event} `, el("span", { class: "muted" }, t.detail || t.member || "")))));
  box.hidden = false;
  if (select) refreshIncidents().catch(report);
}

// ---- what changed ----

async function refreshSeries() {
  const q = new URLSearchParams({ limit: "50" });
  if (state.filter) q.set("match", state.filter);
  const series = await api("series?" + q);
  fill(document.getElementById("series-list"), series, (s) =>
    el("li", { "data-series": s.series, class: s.series === state.series ? "selected" : "", onclick: () => showSeries(s.series) },
      el("span", { class: "score" + (s.anomaly ? " flag" : "") }, s.anomaly_score.toFixed(2)), " ", s.series),
    state.filter ? "No series match the filter." : "No series yet: opsbox is scraping.");
  if (state.series) await showSeries(state.series, false);
}

async function showSeries(key, select = true) {
  state.series = key;
  const d = await api("series/history?" + new URLSearchParams({ series: key }));
  const p = d.points;
  const data = [p.map((x) => x[0]), p.map((x) => x[1]), p.map((x) => x[2]), p.map((x) => x[3]), p.map((x) => x[4]), p.map((x) => (x[5] ? x[1] : null))];
  const box = document.getElementById("chart-box");
  box.hidden = false;
  document.getElementById("chart-title").textContent = key;
  const target = document.getElementById("chart");
  target.dataset.points = String(p.length);
  target.dataset.flagged = String(p.filter((x) => x[5]).length);
  if (state.chart && state.chart.key === key) {
    state.chart.setData(data);
  } else {
    if (state.chart) state.chart.destroy();
    state.chart = new uPlot(chartOptions(target.clientWidth || 600), data, target);
    state.chart.key = key;
  }
  window.opsboxChart = state.chart; // for tests and the curious
  if (select) refreshSeries().catch(report);
}

function chartOptions(width) {
  const none = () => null;
  return {
    width, height: 260,
    series: [
      {},
      { label: "value", stroke: "#263238", width: 1.5 },
      { label: "yhat", stroke: "#1565c0", dash: [6, 4], width: 1 },
      { label: "lower", stroke: "#90caf9", width: 1 },
      { label: "upper", stroke: "#90caf9", width: 1 },
      { label: "flagged", stroke: "#c62828", fill: "#c62828", paths: none, points: { show: true, size: 9, fill: "#c62828" } },
    ],
    bands: [{ series: [4, 3], fill: "rgba(144, 202, 249, 0.3)" }],
    axes: [{}, { values: (u, ticks) => ticks.map(fmtNum) }],
  };
}

// ---- logs, status ----

async function refreshLogs() {
  let templates = [];
  try {
    templates = await api("templates");
  } catch (e) {
    fill(document.getElementById("template-list"), [], null, "No log source is configured.");
    return;
  }
  // A click charts the template's rate (lines/s), modelled like any series.
  fill(document.getElementById("template-list"), templates, (t) =>
    el("li", { "data-template": t.id, title: "rate over time", onclick: () => showSeries(`opsbox_log_template_lines_total{template_id="${t.id}"}`) },
      t.new ? el("span", { class: "new" }, "new ") : "", `${t.count}× `, t.template,
      el("div", { class: "muted" }, t.example || "")), "No templates yet.");
}

// Shown only when the daemon has a prices: section (it has read once).
async function refreshPrices() {
  const p = await api("prices");
  const box = document.getElementById("prices");
  box.hidden = !p.read_at;
  if (box.hidden) return;
  document.querySelector("#price-fit tbody").replaceChildren(...p.fit.map((o) =>
    el("tr", { title: o.sku }, el("td", {}, o.label), el("td", {}, o.region), el("td", {}, fmtNum(o.hourly)),
      el("td", {}, `${o.monthly.toFixed(2)} (${o.monthly_lo.toFixed(2)}–${o.monthly_hi.toFixed(2)})`))));
  const recent = [...p.findings].sort((a, b) => b.ts - a.ts).slice(0, 20);
  fill(document.getElementById("price-findings"), recent, (f) =>
    el("li", {}, `${fmtTime(f.ts)} · ${f.kind} ${f.percent >= 0 ? "+" : ""}${f.percent.toFixed(1)} % · ${f.sku} · ${f.region}`),
    p.error ? "Last read failed: " + p.error : "No price spikes or level shifts.");
}

async function refreshStatus() {
  const [targets, st] = await Promise.all([api("targets"), api("status")]);
  document.querySelector("#targets tbody").replaceChildren(...targets.map((t) =>
    el("tr", {}, el("td", {}, t.job), el("td", {}, t.instance), el("td", { class: t.up ? "up" : "down" }, t.up ? "up" : "down"),
      el("td", {}, fmtTime(t.last_scrape)), el("td", {}, t.samples))));
  const about = { version: st.version, models: st.models, "points ingested": st.points, "open incidents": st.incidents_open, store: `${st.store} (${(st.store_bytes / 1048576).toFixed(1)} MiB)`, "up since": fmtTime(st.started) };
  document.getElementById("about").replaceChildren(...Object.entries(about).flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  const up = targets.filter((t) => t.up).length;
  document.getElementById("status-line").textContent = `${st.version} · ${st.models} models · ${up}/${targets.length} targets up · ${st.incidents_open} open incidents`;
}

function report(e) {
  document.getElementById("status-line").textContent = "cannot reach opsbox: " + e.message;
}

async function refresh() {
  await Promise.all([refreshStatus(), refreshIncidents(), refreshSeries(), refreshLogs(), refreshPrices()]).catch(report);
}

document.getElementById("filter").addEventListener("input", (e) => {
  state.filter = e.target.value.trim();
  refreshSeries().catch(report);
});
refresh();
setInterval(refresh, REFRESH_MS);
