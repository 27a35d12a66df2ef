"""The MetaStudio view's page: one HTML document with its CSS and JavaScript inline. It polls ``api/summary``
every 10 s and draws its charts with Chart.js, served by the app itself from ``ui/static`` (vendored by
``make ui-vendor``): nothing is loaded from outside the Airflow origin."""

from __future__ import annotations

import html

REFRESH_SECONDS = 10

_CSS = """
:root { color-scheme: light dark; --fg:#1a202c; --muted:#64748b; --line:#e2e8f0; --card:#fff; --bg:#f8fafc;
  --accent:#0ea5e9; --live:#16a34a; --warn:#d97706; --bad:#dc2626;
  --series:#6366f1,#0ea5e9,#16a34a,#d97706,#db2777,#0d9488,#7c3aed,#dc2626; }
@media (prefers-color-scheme: dark) { :root { --fg:#e2e8f0; --muted:#94a3b8; --line:#334155; --card:#1e293b;
  --bg:#0f172a; --bad:#f87171; --series:#818cf8,#38bdf8,#4ade80,#fbbf24,#f472b6,#2dd4bf,#a78bfa,#f87171; } }
* { box-sizing: border-box; }
body { margin:0; padding:16px; font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
  color:var(--fg); background:var(--bg); }
header { display:flex; align-items:baseline; gap:12px; margin-bottom:12px; }
header h1 { font-size:20px; margin:0; } header .meta { color:var(--muted); font-size:12px; }
.grid { display:grid; grid-template-columns:1fr 1fr; gap:16px; align-items:start; }
#live { grid-column:1 / -1; }
@media (max-width: 1100px) { .grid { grid-template-columns:1fr; } }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; min-width:0; }
section h2 { font-size:15px; margin:0 0 8px; display:flex; gap:8px; align-items:center; }
.count { background:var(--line); border-radius:10px; padding:0 8px; font-size:12px; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:4px 6px; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:600; font-size:12px; } td.n, th.n { text-align:right; }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
.state { font-weight:600; font-size:12px; padding:1px 6px; border-radius:4px; background:var(--line); }
.PROCESSING, .live { color:#fff; background:var(--live); } .WAITING { color:#fff; background:var(--warn); }
.FAILED, .BLOCKED { color:#fff; background:var(--bad); } .SUCCEED { color:#fff; background:#0d9488; }
.empty { color:var(--muted); font-style:italic; padding:6px 0; }
.error { color:var(--bad); font-size:12px; margin:4px 0; } .note { color:var(--muted); font-size:12px; }
.left { font-variant-numeric:tabular-nums; font-weight:600; } small { color:var(--muted); }
.spark { position:relative; width:180px; height:40px; }
.usage-chart { position:relative; height:240px; margin-bottom:4px; }
"""

_JS = r"""
const API = document.body.dataset.api;
let data = null;
const esc = s => String(s ?? "").replace(/[&<>"']/g,
  c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));
const when = iso => iso ? new Date(iso).toLocaleString(
  [], {month:"short", day:"numeric", hour:"2-digit", minute:"2-digit", second:"2-digit"}) : "—";
const link = (href, text) => `<a href="${esc(href)}" target="_top">${esc(text)}</a>`;
const num = (v, d=2) => v == null ? "—" : String(parseFloat((+v).toFixed(d)));
function left(seconds) {
  if (seconds == null) return "—";
  const s = Math.max(0, Math.round(seconds)), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
  return (h ? `${h} h ` : "") + `${m} min ${s % 60} s` + (seconds <= 0 ? " (ending)" : "");
}
function table(head, rows, empty) {
  if (!rows.length) return `<div class="empty">${esc(empty)}</div>`;
  const ths = head.map(h => `<th${h.startsWith("#") ? ' class="n"' : ""}>${esc(h.replace(/^#/, ""))}</th>`);
  return `<table><thead><tr>${ths.join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}
// Charts: Chart.js (ui/static, `make ui-vendor`), drawn into the canvases a panel's HTML holds. A panel's
// charts are destroyed before its HTML is replaced (every refresh), so none is left holding a detached canvas.
const css = name => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const charted = () => typeof Chart !== "undefined";
const hiddenDags = new Set();  // DAGs switched off in the usage chart's legend, kept across refreshes
function theme() {
  Chart.defaults.animation = false;
  Chart.defaults.color = css("--muted");
  Chart.defaults.borderColor = css("--line");
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 11;
}
function hatch(color) {  // livestream bars: the DAG's colour, striped
  const tile = document.createElement("canvas"), g = tile.getContext("2d");
  tile.width = tile.height = 6;
  g.strokeStyle = color; g.lineWidth = 2;
  g.beginPath(); g.moveTo(-1, 7); g.lineTo(7, -1); g.moveTo(5, 7); g.lineTo(7, 5); g.stroke();
  return g.createPattern(tile, "repeat");
}
const clock = ms => new Date(ms).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", second: "2-digit"});
function spark(canvas, a, p) {  // admitted calls/s per bucket over 15 min, the table's limit dashed
  const bucket = p.bucket_seconds || 10, n = a.series.length;
  const first = Date.parse(data.generated_at) - (n * bucket - 1) * 1000;  // the oldest bucket's first second
  const labels = a.series.map((_, i) => clock(first + i * bucket * 1000));
  const datasets = [{label: "admitted/s", data: a.series, borderColor: css("--accent"), borderWidth: 1.5,
    pointRadius: 0, pointHitRadius: 4, tension: 0}];
  if (a.table != null) {
    datasets.push({label: "table limit/s", data: a.series.map(() => a.table), borderColor: css("--bad"),
      borderWidth: 1, borderDash: [3, 3], pointRadius: 0, pointHitRadius: 0});
  }
  return new Chart(canvas, {type: "line", data: {labels, datasets}, options: {
    responsive: true, maintainAspectRatio: false, interaction: {mode: "index", intersect: false},
    scales: {x: {display: false}, y: {display: false, beginAtZero: true,
      suggestedMax: Math.max(a.table || 0, ...a.series) * 1.1 || 1}},
    plugins: {legend: {display: false}, tooltip: {filter: item => item.datasetIndex === 0, callbacks: {
      title: items => items.length ? `${items[0].label}, ${bucket}-s bucket` : "",
      label: c => `${c.raw} admitted/s` + (a.table != null ? ` (table limit ${a.table}/s)` : "")}}}}});
}
function usageChart(canvas, p) {  // minutes per day and DAG: two stacks a day (video, livestream), one colour a DAG
  const palette = css("--series").split(",").map(c => c.trim());
  const datasets = [];
  Object.entries(p.dags).forEach(([dag, k], j) => {
    const color = palette[j % palette.length];
    datasets.push({label: dag, dag, kind: "video", stack: "video", data: k.video, backgroundColor: color,
      borderColor: color, borderWidth: 0, hidden: hiddenDags.has(dag)});
    datasets.push({label: dag, dag, kind: "livestream", stack: "livestream", data: k.live,
      backgroundColor: hatch(color), borderColor: color, borderWidth: 1, hidden: hiddenDags.has(dag)});
  });
  const legendClick = (e, item, legend) => {
    const chart = legend.chart, dag = chart.data.datasets[item.datasetIndex].dag;
    const show = !chart.isDatasetVisible(item.datasetIndex);
    if (show) hiddenDags.delete(dag); else hiddenDags.add(dag);
    chart.data.datasets.forEach((ds, i) => { if (ds.dag === dag) chart.setDatasetVisibility(i, show); });
    chart.update();
  };
  const legendLabels = chart => chart.data.datasets.map((ds, i) => ds.kind !== "video" ? null : {
    text: ds.dag, fillStyle: ds.backgroundColor, strokeStyle: ds.borderColor, lineWidth: 0,
    fontColor: Chart.defaults.color, hidden: !chart.isDatasetVisible(i), datasetIndex: i}).filter(Boolean);
  const dayTotal = (i, kind) => datasets.filter(ds => ds.kind === kind).reduce((t, ds) => t + ds.data[i], 0);
  return new Chart(canvas, {type: "bar", data: {labels: p.days, datasets}, options: {
    responsive: true, maintainAspectRatio: false, interaction: {mode: "index", intersect: false},
    datasets: {bar: {barPercentage: 0.9, categoryPercentage: 0.8}},
    scales: {
      x: {stacked: true, grid: {display: false}, ticks: {maxRotation: 0, autoSkipPadding: 12,
        callback: (v, i) => p.days[i].slice(5)}},
      y: {stacked: true, beginAtZero: true, title: {display: true, text: "minutes"}}},
    plugins: {
      legend: {position: "bottom", labels: {boxWidth: 12, generateLabels: legendLabels}, onClick: legendClick},
      tooltip: {filter: item => item.raw > 0, callbacks: {
        title: items => items.length ? `${items[0].label} (UTC)` : "",
        label: c => `${c.dataset.dag} · ${c.dataset.kind}: ${c.raw} min`,
        footer: items => items.length ? `all DAGs: ${num(dayTotal(items[0].dataIndex, "video"))} video min, ` +
          `${num(dayTotal(items[0].dataIndex, "livestream"))} livestream min` : ""}}}}});
}
const drawers = {limits: (el, p) => el.querySelectorAll("canvas[data-api]")
                   .forEach(c => spark(c, p.apis[+c.dataset.api], p)),
                 usage: (el, p) => el.querySelectorAll("canvas[data-usage]").forEach(c => usageChart(c, p))};
const stoppedBy = s => s.by === "watcher" ? `watcher at ${when(s.at)}`
  : `MetaStudio after ${s.hours} h live${s.at ? " (" + when(s.at) + ")" : ""}`;
function renderLive(p) {
  const rows = p.rooms.map(r => `<tr data-room="${esc(r.room_id)}"><td><b>${esc(r.room_name || r.room_id)}</b>` +
    `<br><small>${esc(r.room_id)}</small></td>
    <td>${link(r.run_link, r.dag_id)}<br><small>${link(r.task_link, r.run_id)}</small></td>
    <td><span class="state ${esc(r.metastudio_state)}">${esc(r.metastudio_state)}</span></td>
    <td>${when(r.live_since)}</td><td>${when(r.planned_end)}</td>
    <td class="left" data-left="${r.seconds_left ?? ""}">${left(r.seconds_left)}</td>
    <td class="n">${r.restarts}${r.max_restarts != null ? " / " + r.max_restarts : ""}</td>
    <td>${r.stopped_by.map(stoppedBy).join("<br>")}</td></tr>`);
  const head = ["Room", "DAG run", "MetaStudio", "Live since", "Planned end", "Time left", "#Restarts", "Stopped by"];
  return table(head, rows, "No livestream is live.");
}
const badges = states => Object.entries(states)
  .map(([s, c]) => `<span class="state ${esc(s)}">${esc(s)} ${c}</span>`).join(" ");
function renderRendering(p) {
  const runs = p.runs.map(r => `<tr><td>${link(r.run_link, r.dag_id)}<br><small>${esc(r.run_id)}</small></td>
    <td>${esc(r.run_state || "")}</td><td>${badges(r.states)}</td>
    <td class="n">${r.to_submit || 0}</td><td class="n">${r.in_flight}</td>
    <td>${r.estimated_finish ? when(r.estimated_finish) : "—"}</td></tr>`);
  const fails = p.failures.map(f => `<tr><td>${when(f.at)}</td><td>${link(f.task_link, f.dag_id + " ▸ " + f.task_id)}` +
    `<br><small>${esc(f.row || f.job_id || "")}</small></td>
    <td><code>${esc(f.error_code || "")}</code></td><td>${esc(f.error_msg)}</td></tr>`);
  const head = ["DAG run", "Run", "Jobs by state", "#To submit", "#In flight", "Estimated finish"];
  const submitting = p.submit_rate && p.runs.some(r => r.to_submit);
  const learned = [p.render_seconds != null ? `Render time learned from the latest jobs: ${num(p.render_seconds, 1)} s`
    : "", submitting ? `Rows submitted at ${num(p.submit_rate)}/s` : ""].filter(Boolean).join(" · ");
  return table(head, runs, "No video job in flight.") +
    (learned ? `<div class="note">${esc(learned)}</div>` : "") +
    `<h3 style="font-size:13px;margin:12px 0 4px">Latest failures</h3>` +
    table(["When", "Task", "Code", "Message"], fails, "No recent failure.");
}
function renderLimits(p) {
  const rows = p.apis.map((a, i) => `<tr><td>${esc(a.api)}</td><td class="n">${a.table}</td>` +
    `<td class="n">${num(a.learned)}</td>
    <td class="n">${a.calls_last_minute}</td><td class="n">${a.throttled_last_hour}</td>` +
    `<td><div class="spark"><canvas data-api="${i}" role="img"` +
    ` aria-label="${esc(a.api)}: admitted calls per second, last 15 minutes"></canvas></div></td></tr>`);
  const head = ["API", "#table/s", "#learned/s", "#calls (1 min)", "#429s (1 h)", "admitted/s, 15 min"];
  return table(head, rows, "No API called in the last hour.") +
    (p.note ? `<div class="note">${esc(p.note)}</div>` : "");
}
function renderUsage(p) {
  const rows = [];
  p.days.slice().reverse().forEach(day => { const i = p.days.indexOf(day);
    for (const [dag, k] of Object.entries(p.dags)) { const v = k.video[i], l = k.live[i]; if (!v && !l) continue;
      rows.push(`<tr><td>${esc(day)}</td><td>${esc(dag)}</td><td class="n">${num(v)}</td><td class="n">${num(l)}</td>` +
        (p.price_per_minute != null ? `<td class="n">${num((v + l) * p.price_per_minute)}</td>` : "") + "</tr>"); } });
  const head = ["Day (UTC)", "DAG", "#video min", "#livestream min"]
    .concat(p.price_per_minute != null ? ["#est. cost"] : []);
  const chart = Object.keys(p.dags).length ? `<div class="usage-chart"><canvas data-usage role="img"` +
    ` aria-label="minutes per day and DAG, last 30 days"></canvas></div><div class="note">Each day: video` +
    ` minutes (solid) and livestream minutes (striped), stacked by DAG; the legend switches a DAG off.</div>` : "";
  return chart +
    `<div class="note">Last 30 days: ${num(p.video_minutes)} video min, ${num(p.live_minutes)} livestream min` +
    (p.estimated_cost != null
      ? `, estimated cost ${num(p.estimated_cost)} (at ${num(p.price_per_minute)} per minute)` : "") + "</div>" +
    table(head, rows, "No rendered or livestream minutes in the last 30 days.");
}
function panel(id, title, count, body, error, p) {
  const el = document.getElementById(id), badge = count != null ? ` <span class="count">${count}</span>` : "";
  if (charted()) el.querySelectorAll("canvas").forEach(c => Chart.getChart(c)?.destroy());
  el.innerHTML = `<h2>${esc(title)}${badge}</h2>` +
    (error ? `<div class="error">MetaStudio: ${esc(error)}</div>` : "") + body;
  if (!drawers[id] || !el.querySelector("canvas")) return;
  if (charted()) drawers[id](el, p);
  else el.insertAdjacentHTML("beforeend", `<div class="error">The chart library did not load.</div>`);
}
function render() {
  if (charted()) theme();
  panel("live", "Live now", data.live.rooms.length, renderLive(data.live), data.live.error);
  const inFlight = data.rendering.runs.reduce((n, r) => n + r.in_flight, 0);
  panel("rendering", "Rendering", inFlight, renderRendering(data.rendering), data.rendering.error);
  panel("limits", "Limits (" + (data.limits.region || "") + ")", null, renderLimits(data.limits), null, data.limits);
  panel("usage", "Usage", null, renderUsage(data.usage), null, data.usage);
  document.getElementById("meta").textContent =
    `as of ${when(data.generated_at)} · signed in as ${data.user || "?"} · refreshes every ${REFRESH} s`;
}
async function load() {
  try {
    const r = await fetch(API, {credentials: "same-origin", headers: {Accept: "application/json"}});
    if (!r.ok) { document.getElementById("meta").textContent = `refused: ${r.status}`; return; }
    data = await r.json(); render();
  } catch (e) { document.getElementById("meta").textContent = `could not load: ${e}`; }
}
setInterval(() => document.querySelectorAll("[data-left]").forEach(td => {
  if (td.dataset.left === "") return;
  td.dataset.left = +td.dataset.left - 1;
  td.textContent = left(+td.dataset.left);
}), 1000);
matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => data && render());
load(); setInterval(load, REFRESH * 1000);
"""


def page_html(api_url: str, chart_js_url: str) -> str:
    """The page, its summary fetched from ``api_url``, Chart.js from ``chart_js_url`` (the app's static file)."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MetaStudio</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>
<body data-api="{html.escape(api_url)}">
<header><h1>MetaStudio</h1><span class="meta" id="meta">loading…</span></header>
<div class="grid"><section id="live"></section><section id="rendering"></section>
<section id="limits"></section><section id="usage"></section></div>
<script src="{html.escape(chart_js_url)}"></script>
<script>const REFRESH = {REFRESH_SECONDS};{_JS}</script></body></html>"""


def refused_html(status: int, detail: str) -> str:
    """What a signed-out (401) or unauthorised (403) visitor sees instead of the page."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>MetaStudio</title>
<style>{_CSS}</style></head><body><section><h2>MetaStudio view: {status}</h2>
<p>{html.escape(detail)}. Sign in to Airflow, then open <b>MetaStudio</b> from its menu.</p>
<p><a href="/" target="_top">Sign in</a></p></section></body></html>"""
