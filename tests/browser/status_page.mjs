// The admin server's status page in a real browser (Debian's Chromium,
// headless, driven by playwright-core), against real `ferry` processes:
//
//   1. `ferry run --admin` with a token, its sink parked on its first write
//      (the scenario fixture waits for a file): the page asks for the token,
//      shows the run and its progress; Pause and Resume change the
//      pipeline's state as the API reports it.
//   2. `ferry serve --admin` over the DLQ the run left: the page shows the
//      counts and entries the API has, an entry's error and record; Discard
//      and Replay act on the entries, checked through the API.
//
//   node status_page.mjs FERRY_BINARY FIXTURE_PLUGIN_DIR
//
// Exits 0 when every check holds, 1 naming the first that does not.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [ferry, fixtures] = process.argv.slice(2);
if (!ferry || !fixtures) {
  console.error("usage: node status_page.mjs FERRY_BINARY FIXTURE_PLUGIN_DIR");
  process.exit(2);
}
const CHROMIUM = "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing: scripts/install-deps.sh installs Debian's chromium`);
  process.exit(1);
}

const TOKEN = "browser-test-token-3141";
const dir = mkdtempSync(join(tmpdir(), "ferry-browser-"));
const children = [];
let failures = 0;

function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
  return ok;
}

// Waits for `ready` (polled); a deadline only matters when a check fails.
async function until(ready, what, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await ready();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function pipeline(maxAmount, blockFile) {
  return JSON.stringify({
    name: "web",
    state: { type: "sqlite", path: "state.db" },
    source: { plugin: "generator", config: { count: 200, partitions: 2 } },
    // amount = id * 0.25: ids above 100 are refused while the limit is 25.
    transforms: [{ name: "check", plugin: "validate", config: { rules: { amount: { max: maxAmount } } } }],
    batch: { max_records: 10 },
    sinks: [{ name: "s0", plugin: "scenario", config: { dir: ".", block_file: blockFile } }],
  });
}

// Starts `ferry ARGS` and resolves with {child, base} once its admin API listens.
async function start(args) {
  const child = spawn(ferry, ["--plugin-path", fixtures, ...args], {
    env: { ...process.env, ADMIN_TOKEN: TOKEN },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  child.stdout.on("data", (d) => (err += d));
  child.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  const port = await until(() => {
    const m = err.match(/admin API on http:\/\/127\.0\.0\.1:(\d+)/);
    if (m) return Number(m[1]);
    if (child.exitCode !== null) throw new Error(`ferry ${args[0]} exited early: ${err}`);
    return null;
  }, `ferry ${args[0]} to listen`);
  child.log = () => err;
  return { child, base: `http://127.0.0.1:${port}` };
}

async function api(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

async function openPage(browser, base) {
  const page = await browser.newPage();
  page.on("dialog", (d) => d.accept());  // the discard confirmation
  await page.goto(base + "/");
  // The server wants a token: the page asks for it, and only then loads.
  await page.waitForSelector("#token-form:not([hidden])");
  await page.fill("#token", TOKEN);
  await page.click("#token-form button[type=submit]");
  await page.waitForSelector("body[data-loaded=true]");
  return page;
}

async function liveRun(browser) {
  writeFileSync(join(dir, "p.json"), pipeline(25, join(dir, "go")));
  const { child, base } = await start(["run", "--no-progress", "--admin", "127.0.0.1:0", "--admin-token-env",
                                       "ADMIN_TOKEN", join(dir, "p.json")]);
  await until(() => existsSync(join(dir, "go.waiting")), "the sink to park its first write");
  const page = await openPage(browser, base);
  check((await page.textContent("#pipeline")) === "web", "the page names the pipeline");
  await until(async () => (await page.textContent("#state")) === "running", "the page to say running");
  check(true, "the page shows the run as running");
  const summary = await until(async () => {
    const t = await page.textContent("#progress-summary");
    return t.includes("of ~200 records") ? t : null;
  }, "progress against the generator's 200 records");
  check(/partitions \d of 2 done/.test(summary), `progress counts partitions: "${summary}"`);

  await page.click("#pause");
  await until(async () => (await api(base, "GET", "/pipelines/web")).state === "paused", "the API to say paused");
  await until(async () => (await page.textContent("#state")) === "paused", "the page to say paused");
  check(true, "Pause paused the pipeline (API and page agree)");
  check(!(await page.isDisabled("#resume")) && (await page.isDisabled("#pause")), "only Resume is offered while paused");
  await page.click("#resume");
  await until(async () => (await api(base, "GET", "/pipelines/web")).state === "running", "the API to say running");
  check(true, "Resume resumed it");

  writeFileSync(join(dir, "go"), "");
  const code = await child.exited;
  check(code === 0, `the run ended with exit 0 (got ${code}): ${code === 0 ? "" : child.log()}`);
  await page.close();
}

async function dlqAndReplay(browser) {
  // The rule fixed: a replay now delivers what the run refused.
  writeFileSync(join(dir, "p.json"), pipeline(1000, ""));
  const { child, base } = await start(["serve", "--admin", "127.0.0.1:0", "--admin-token-env", "ADMIN_TOKEN",
                                       join(dir, "p.json")]);
  const page = await openPage(browser, base);
  const report = await api(base, "GET", "/pipelines/web");
  check(report.dlq.pending === 100, `the run left 100 pending entries (API: ${report.dlq.pending})`);
  const shown = await page.textContent('#dlq-counts [data-status="pending"]');
  check(shown === `pending: ${report.dlq.pending}  `, `the page shows the API's pending count ("${shown}")`);
  const rows = await page.$$eval("#dlq tbody tr", (trs) => trs.map((tr) => Number(tr.dataset.id)));
  const listed = await api(base, "GET", "/pipelines/web/dlq?status=pending&limit=200");
  check(JSON.stringify(rows) === JSON.stringify(listed.entries.map((e) => e.id)),
        `the table lists the API's entries (${rows.length} rows)`);

  // An entry's error and record.
  const first = listed.entries[0];
  await page.click(`#dlq tbody tr[data-id="${first.id}"] td:nth-child(3)`);
  await page.waitForSelector("#dlq-detail:not([hidden])");
  check((await page.textContent("#detail-error")).includes(first.message), "the detail shows the entry's error");
  const entry = await api(base, "GET", `/pipelines/web/dlq/${first.id}`);
  const shownRecord = JSON.parse(await page.textContent("#detail-record"));
  check(JSON.stringify(shownRecord) === JSON.stringify(entry.record), "the detail shows the entry's record");

  // Discard two, then replay the rest.
  const [a, b] = [listed.entries[0].id, listed.entries[1].id];
  await page.check(`#dlq tbody tr[data-id="${a}"] input[type=checkbox]`);
  await page.check(`#dlq tbody tr[data-id="${b}"] input[type=checkbox]`);
  await page.click("#discard-selected");
  await until(async () => (await api(base, "GET", "/pipelines/web")).dlq.discarded === 2, "two entries discarded");
  check((await api(base, "GET", `/pipelines/web/dlq/${a}`)).status === "discarded", "Discard discarded the ticked entries");

  await page.click("#replay-all");
  const after = await until(async () => {
    const r = await api(base, "GET", "/pipelines/web");
    return r.state === "idle" && r.dlq.pending === 0 && r.last_replay ? r : null;
  }, "the replay to end");
  check(after.dlq.resolved === 98, `Replay resolved the 98 others (resolved: ${after.dlq.resolved})`);
  await until(async () => (await page.textContent("#last-replay")).includes("resolved 98"), "the page to show the replay");
  check(true, "the page shows the replay's result");
  check((await page.textContent('#dlq-counts [data-status="resolved"]')) === "resolved: 98  ", "the page's counts follow");
  child.kill("SIGTERM");
  await child.exited;
  await page.close();
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
try {
  await liveRun(browser);
  await dlqAndReplay(browser);
} catch (e) {
  check(false, e.message);
} finally {
  await browser.close();
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  if (failures === 0) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir} for inspection`);
}
console.log(failures === 0 ? "status page: all checks passed" : `status page: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
