// The status page: polls the admin API every two seconds and shows what an
// operator asks first. It holds no data of its own: everything comes from
// the API, with the bearer token the page asks for when the server wants
// one (kept in this tab's sessionStorage only).
"use strict";

const POLL_MS = 2000;
const CHART_SECONDS = 300;
let pipeline = null;
let history = [];          // [{t: ms, done: records}] for the chart
let chosen = new Set();    // DLQ entry ids ticked
let detailId = null;

const $ = (id) => document.getElementById(id);

function token() { return sessionStorage.getItem("ferry-token") || ""; }

async function api(method, path, body) {
  const headers = {};
  if (token()) headers["Authorization"] = "Bearer " + token();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401) {
    $("token-form").hidden = false;
    $("token-error").textContent = token() ? "that token was refused" : "";
    throw new Error("unauthorized");
  }
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (!res.ok) throw new Error(json.error || ("HTTP " + res.status));
  return json;
}

function notice(text) { $("notice").textContent = text; }

function cell(row, value, className) {
  const td = row.insertCell();
  td.textContent = value === null || value === undefined ? "–" : String(value);
  if (className) td.className = className;
  return td;
}

function grouped(n) { return n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"); }

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return s + "s";
  if (s < 3600) return Math.floor(s / 60) + "m " + String(s % 60).padStart(2, "0") + "s";
  return Math.floor(s / 3600) + "h " + String(Math.floor(s / 60) % 60).padStart(2, "0") + "m";
}

function fill(tableId, rows, render) {
  const body = $(tableId).tBodies[0];
  body.replaceChildren();
  for (const r of rows) render(body.insertRow(), r);
}

function showProgress(report) {
  const p = report.progress;
  const ages = {};
  for (const c of report.checkpoints || []) ages[c.partition] = c.age_seconds;
  if (!p) {
    $("progress-summary").textContent = report.state === "idle" ? "No run in progress." : "Starting…";
    $("progress-bar").style.width = "0";
    fill("partitions", (report.checkpoints || []).map((c) => ({ partition: c.partition, state: "idle", done: c.records })),
      (row, part) => {
        row.dataset.partition = part.partition;
        cell(row, part.partition); cell(row, part.state); cell(row, grouped(part.done), "num");
        cell(row, null); cell(row, null); cell(row, duration(ages[part.partition]) + " ago");
      });
    return;
  }
  const pct = p.percent;
  $("progress-summary").textContent =
    (pct === null ? "" : pct + "% · ") + grouped(p.done) +
    (p.estimated_total === null ? "" : " of ~" + grouped(p.estimated_total)) + " records" +
    " · " + grouped(Math.round(p.records_per_second)) + " records/s" +
    (p.eta_seconds === null ? "" : " · ETA " + duration(p.eta_seconds)) +
    " · partitions " + p.partitions_done + " of " + p.partitions.length + " done";
  $("progress-summary").dataset.done = p.done;
  $("progress-bar").style.width = (pct === null ? 0 : pct) + "%";
  fill("partitions", p.partitions, (row, part) => {
    row.dataset.partition = part.partition;
    cell(row, part.partition); cell(row, part.state); cell(row, grouped(part.done), "num");
    cell(row, grouped(part.estimated_total), "num"); cell(row, part.percent === null ? null : part.percent + "%", "num");
    cell(row, part.partition in ages ? duration(ages[part.partition]) + " ago" : null);
  });
  const now = Date.now();
  history.push({ t: now, done: p.done });
  history = history.filter((h) => now - h.t <= CHART_SECONDS * 1000);
}

function drawChart() {
  const canvas = $("chart");
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, pad = 28;
  ctx.clearRect(0, 0, w, h);
  const rates = [];
  for (let i = 1; i < history.length; i++) {
    const dt = (history[i].t - history[i - 1].t) / 1000;
    if (dt > 0) rates.push({ t: history[i].t, r: Math.max(0, (history[i].done - history[i - 1].done) / dt) });
  }
  ctx.strokeStyle = "#d8dde3";
  ctx.strokeRect(pad, 4, w - pad - 4, h - pad);
  if (rates.length === 0) { $("rate").textContent = "no records moving"; return; }
  const max = Math.max(1, ...rates.map((x) => x.r));
  const now = Date.now();
  ctx.fillStyle = "#57606a";
  ctx.font = "11px system-ui";
  ctx.fillText(grouped(Math.round(max)) + "/s", 2, 12);
  ctx.fillText("−5 min", pad, h - 8);
  ctx.fillText("now", w - 30, h - 8);
  ctx.strokeStyle = "#2da44e";
  ctx.beginPath();
  rates.forEach((x, i) => {
    const px = pad + (w - pad - 4) * (1 - (now - x.t) / (CHART_SECONDS * 1000));
    const py = 4 + (h - pad) * (1 - x.r / max);
    if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
  });
  ctx.stroke();
  $("rate").textContent = grouped(Math.round(rates[rates.length - 1].r)) + " records/s now";
}

function showReport(report) {
  $("state").textContent = report.state;
  $("state").className = "badge " + report.state;
  $("pause").disabled = report.state !== "running";
  $("resume").disabled = report.state !== "paused";
  showProgress(report);
  drawChart();
  fill("checkpoints", report.checkpoints || [], (row, c) => {
    cell(row, c.partition); cell(row, c.position); cell(row, grouped(c.records), "num");
    cell(row, duration(c.age_seconds)); cell(row, c.run_id);
  });
  const counts = report.dlq || {};
  const names = ["pending", "failed_again", "resolved", "discarded"];
  const p = $("dlq-counts");
  p.replaceChildren();
  for (const s of names) {
    const span = document.createElement("span");
    span.dataset.status = s;
    span.textContent = s.replace("_", " ") + ": " + (counts[s] || 0) + "  ";
    p.appendChild(span);
  }
  fill("runs", report.runs || [], (row, r) => {
    cell(row, r.kind); cell(row, r.status); cell(row, new Date(r.started_at_ms).toISOString());
    cell(row, grouped(r.read), "num"); cell(row, grouped(r.written), "num"); cell(row, grouped(r.rejected), "num");
    cell(row, r.message);
  });
  $("last-replay").textContent = report.last_replay ? "Last replay: " + report.last_replay : "";
  fill("backfill", report.backfill || [], (row, w) => {
    cell(row, w.window); cell(row, w.status); cell(row, grouped(w.records), "num"); cell(row, w.attempts, "num");
    cell(row, w.message);
  });
}

async function showDlq() {
  const status = $("dlq-status").value;
  const query = new URLSearchParams({ limit: "200" });
  if (status) query.set("status", status);
  const dlq = await api("GET", "/pipelines/" + encodeURIComponent(pipeline) + "/dlq?" + query);
  const sink = $("dlq-sink").value.trim();
  const entries = dlq.entries.filter((e) => !sink || e.sink === sink);
  for (const id of [...chosen]) if (!entries.some((e) => e.id === id)) chosen.delete(id);
  fill("dlq", entries, (row, e) => {
    row.dataset.id = e.id;
    if (chosen.has(e.id)) row.classList.add("chosen");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = chosen.has(e.id);
    box.addEventListener("click", (ev) => {
      ev.stopPropagation();
      if (box.checked) chosen.add(e.id); else chosen.delete(e.id);
      row.classList.toggle("chosen", box.checked);
      updateButtons();
    });
    row.insertCell().appendChild(box);
    cell(row, e.id, "num"); cell(row, e.status); cell(row, e.stage); cell(row, e.sink); cell(row, e.error_class);
    cell(row, e.message);
    row.addEventListener("click", () => showEntry(e.id));
  });
  updateButtons();
}

function updateButtons() {
  $("replay-selected").disabled = chosen.size === 0;
  $("discard-selected").disabled = chosen.size === 0;
}

async function showEntry(id) {
  const e = await api("GET", "/pipelines/" + encodeURIComponent(pipeline) + "/dlq/" + id);
  detailId = id;
  $("dlq-detail").hidden = false;
  $("detail-id").textContent = e.id + " (" + e.status + ", partition " + e.partition + ", position " + e.position + ")";
  $("detail-error").textContent = e.error_class + ": " + e.message;
  $("detail-record").textContent = JSON.stringify(e.record, null, 2);
}

async function act(label, method, path, body) {
  try {
    const res = await api(method, "/pipelines/" + encodeURIComponent(pipeline) + path, body);
    notice(label + ": " + JSON.stringify(res));
  } catch (err) {
    notice(label + " refused: " + err.message);
  }
  await refresh();
}

async function refresh() {
  try {
    if (!pipeline) {
      const list = await api("GET", "/pipelines");
      pipeline = list.pipelines[0].name;
      $("pipeline").textContent = pipeline;
      document.title = "Ferry · " + pipeline;
    }
    showReport(await api("GET", "/pipelines/" + encodeURIComponent(pipeline)));
    await showDlq();
    if (detailId !== null) await showEntry(detailId);
    $("token-form").hidden = true;
    document.body.dataset.loaded = "true";
  } catch (err) {
    if (err.message !== "unauthorized") notice("cannot reach the admin API: " + err.message);
  }
}

$("token-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  sessionStorage.setItem("ferry-token", $("token").value);
  refresh();
});
$("pause").addEventListener("click", () => act("pause", "POST", "/pause"));
$("resume").addEventListener("click", () => act("resume", "POST", "/resume"));
$("replay-all").addEventListener("click", () => act("replay", "POST", "/replay", {}));
$("replay-selected").addEventListener("click", () => {
  const ids = [...chosen];
  chosen.clear();
  act("replay", "POST", "/replay", { ids });
});
$("discard-selected").addEventListener("click", () => {
  const ids = [...chosen];
  if (!confirm("Discard " + ids.length + " entr" + (ids.length === 1 ? "y" : "ies") + "? They will not be replayed.")) return;
  chosen.clear();
  act("discard", "POST", "/dlq/discard", { ids });
});
$("dlq-status").addEventListener("change", () => showDlq());
$("dlq-sink").addEventListener("change", () => showDlq());

refresh();
setInterval(refresh, POLL_MS);
