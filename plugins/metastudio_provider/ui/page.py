"""The MetaStudio view's page: one HTML document with its CSS and JavaScript inline (no build step, nothing
loaded from the internet). It polls ``api/summary`` every 10 s and draws its charts as inline SVG."""

from __future__ import annotations

import html

REFRESH_SECONDS = 10

_CSS = """
:root { color-scheme: light dark; --fg:#1a202c; --muted:#64748b; --line:#e2e8f0; --card:#fff; --bg:#f8fafc;
  --accent:#0ea5e9; --live:#16a34a; --warn:#d97706; --bad:#dc2626; --video:#6366f1; }
@media (prefers-color-scheme: dark) { :root { --fg:#e2e8f0; --muted:#94a3b8; --line:#334155; --card:#1e293b;
  --bg:#0f172a; } }
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
.legend span { display:inline-block; width:10px; height:10px; margin:0 4px 0 10px; border-radius:2px; }
svg text { fill:var(--muted); font-size:10px; }
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
function spark(series, limit) {
  const w = 180, h = 36, max = Math.max(limit || 0, ...series, 0.001), step = w / Math.max(series.length - 1, 1);
  const pts = series.map((v, i) => `${(i * step).toFixed(1)},${(h - v / max * (h - 2)).toFixed(1)}`).join(" ");
  const y = limit ? (h - limit / max * (h - 2)).toFixed(1) : null;
  return `<svg width="${w}" height="${h}" role="img" aria-label="admitted calls per second, last 15 minutes">` +
    (y ? `<line x1="0" x2="${w}" y1="${y}" y2="${y}" stroke="var(--bad)" stroke-dasharray="3 3" stroke-width="1"/>`
       : "") +
    `<polyline fill="none" stroke="var(--accent)" stroke-width="1.5" points="${pts}"/></svg>`;
}
function bars(usage) {
  const n = usage.days.length, w = 560, h = 120, bw = w / n, totals = usage.days.map((_, i) => {
    let v = 0, l = 0; for (const d of Object.values(usage.dags)) { v += d.video[i]; l += d.live[i]; } return [v, l]; });
  const max = Math.max(1, ...totals.map(([v, l]) => v + l));
  let out = `<svg width="100%" viewBox="0 0 ${w} ${h + 14}" role="img" aria-label="minutes per day, last 30 days">`;
  totals.forEach(([v, l], i) => {
    const hv = v / max * h, hl = l / max * h, x = i * bw + 1;
    out += `<rect x="${x}" y="${h - hv}" width="${bw - 2}" height="${hv}" fill="var(--video)">` +
      `<title>${usage.days[i]}: ${num(v)} video min</title></rect>`;
    out += `<rect x="${x}" y="${h - hv - hl}" width="${bw - 2}" height="${hl}" fill="var(--live)">` +
      `<title>${usage.days[i]}: ${num(l)} livestream min</title></rect>`;
  });
  out += `<text x="0" y="${h + 12}">${usage.days[0]}</text>` +
    `<text x="${w}" y="${h + 12}" text-anchor="end">${usage.days[n - 1]}</text>`;
  return out + `<text x="0" y="10">${num(max, 1)} min</text></svg>`;
}
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
    <td class="n">${r.in_flight}</td><td>${r.estimated_finish ? when(r.estimated_finish) : "—"}</td></tr>`);
  const fails = p.failures.map(f => `<tr><td>${when(f.at)}</td><td>${link(f.task_link, f.dag_id + " ▸ " + f.task_id)}` +
    `<br><small>${esc(f.row || f.job_id || "")}</small></td>
    <td><code>${esc(f.error_code || "")}</code></td><td>${esc(f.error_msg)}</td></tr>`);
  return table(["DAG run", "Run", "Jobs by state", "#In flight", "Estimated finish"], runs, "No video job in flight.") +
    (p.render_seconds != null
      ? `<div class="note">Render time learned from the latest jobs: ${num(p.render_seconds, 1)} s</div>` : "") +
    `<h3 style="font-size:13px;margin:12px 0 4px">Latest failures</h3>` +
    table(["When", "Task", "Code", "Message"], fails, "No recent failure.");
}
function renderLimits(p) {
  const rows = p.apis.map(a => `<tr><td>${esc(a.api)}</td><td class="n">${a.table}</td>` +
    `<td class="n">${num(a.learned)}</td>
    <td class="n">${a.calls_last_minute}</td><td class="n">${a.throttled_last_hour}</td>` +
    `<td>${spark(a.series, a.table)}</td></tr>`);
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
  return `<div class="legend"><span style="background:var(--video)"></span>video minutes` +
    `<span style="background:var(--live)"></span>livestream minutes</div>` +
    bars(p) +
    `<div class="note">Last 30 days: ${num(p.video_minutes)} video min, ${num(p.live_minutes)} livestream min` +
    (p.estimated_cost != null
      ? `, estimated cost ${num(p.estimated_cost)} (at ${num(p.price_per_minute)} per minute)` : "") + "</div>" +
    table(head, rows, "No rendered or livestream minutes in the last 30 days.");
}
function panel(id, title, count, body, error) {
  const badge = count != null ? ` <span class="count">${count}</span>` : "";
  document.getElementById(id).innerHTML = `<h2>${esc(title)}${badge}</h2>` +
    (error ? `<div class="error">MetaStudio: ${esc(error)}</div>` : "") + body;
}
function render() {
  panel("live", "Live now", data.live.rooms.length, renderLive(data.live), data.live.error);
  const inFlight = data.rendering.runs.reduce((n, r) => n + r.in_flight, 0);
  panel("rendering", "Rendering", inFlight, renderRendering(data.rendering), data.rendering.error);
  panel("limits", "Limits (" + (data.limits.region || "") + ")", null, renderLimits(data.limits));
  panel("usage", "Usage", null, renderUsage(data.usage));
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
load(); setInterval(load, REFRESH * 1000);
"""


def page_html(api_url: str) -> str:
    """The page, its summary fetched from ``api_url``."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MetaStudio</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>
<body data-api="{html.escape(api_url)}">
<header><h1>MetaStudio</h1><span class="meta" id="meta">loading…</span></header>
<div class="grid"><section id="live"></section><section id="rendering"></section>
<section id="limits"></section><section id="usage"></section></div>
<script>const REFRESH = {REFRESH_SECONDS};{_JS}</script></body></html>"""


def refused_html(status: int, detail: str) -> str:
    """What a signed-out (401) or unauthorised (403) visitor sees instead of the page."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>MetaStudio</title>
<style>{_CSS}</style></head><body><section><h2>MetaStudio view: {status}</h2>
<p>{html.escape(detail)}. Sign in to Airflow, then open <b>MetaStudio</b> from its menu.</p>
<p><a href="/" target="_top">Sign in</a></p></section></body></html>"""
