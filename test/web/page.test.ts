// The browser page (web/) in real headless Chromium: built by Vite as a user would build it, served
// from 127.0.0.1, driven with playwright-core. Every number the page shows is checked against the
// same computation in this Node process (bit for bit) or against the closed form.
// Chromium comes from the system (/usr/bin/chromium, or KINDLING_CHROMIUM): playwright-core never
// downloads one. Without it the tests skip with a message, or fail under CI=true.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as torch from "../../src/index.js";
import { nn } from "../../src/index.js";
import { makePassFail, toCsv } from "../../src/datasets/index.js";
import { evaluate } from "../../src/cli/tour/activations.js";
import { CHAPTER_EXAMPLE, forwardBackwardSteps, type WorkedExample } from "../../src/cli/tour/forward-backward.js";
import { assess, PassFailTrainer } from "../../src/cli/tour/pass-fail-training.js";
import { MultiLayer, SingleLayer, trainXor, XOR_EPOCHS, xorDataset } from "../../src/cli/tour/xor-training.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const CHROMIUM = process.env.KINDLING_CHROMIUM ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const MISSING = `${CHROMIUM} not found: the browser tests need Chromium (apt-get install -y chromium, or set KINDLING_CHROMIUM)`;
/** kindling's own bundle (src/index.ts and what it imports, minified, gzipped): it must stay below this. */
const BUNDLE_BUDGET_GZIP = 192 * 1024;

const inCi = process.env.CI !== undefined && !["", "0", "false"].includes(process.env.CI);
if (!haveChromium && inCi) {
  test("the browser tests have a Chromium to run in", () => assert.fail(MISSING));
}
const skip = haveChromium ? false : MISSING;

type Browser = import("playwright-core").Browser;
type Page = import("playwright-core").Page;

let outDir = "";
let server: Server | undefined;
let baseUrl = "";
let browser: Browser | undefined;
let page: Page;
const consoleErrors: string[] = [];
const started = performance.now();
/** Screenshots of each section, kept for a look after a failure. */
const shots = join(tmpdir(), "kindling-web-screenshots");

const MIME: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png" };

/** A static file server for the built site, on 127.0.0.1 only. */
function serve(dir: string): Promise<Server> {
  const s = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(dir, path.endsWith("/") ? `${path}index.html` : path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve(s)));
}

before(async () => {
  if (!haveChromium) return;
  const { build } = await import("vite");
  outDir = mkdtempSync(join(tmpdir(), "kindling-web-"));
  await build({ configFile: join(root, "web/vite.config.ts"), logLevel: "warn", build: { outDir, emptyOutDir: true } });
  server = await serve(outDir);
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const { chromium } = await import("playwright-core");
  // --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(String(error)));
  await page.goto(baseUrl);
  await page.waitForSelector("body[data-ready='true']");
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (outDir) rmSync(outDir, { recursive: true, force: true });
  if (haveChromium) console.log(`# web: the browser tests took ${((performance.now() - started) / 1000).toFixed(1)} s; screenshots in ${shots}`);
});

/** The chart in `selector` is drawn: an SVG with both axes and at least one mark. */
async function assertChart(selector: string): Promise<void> {
  await page.waitForSelector(`${selector} svg .role-axis`);
  const counts = await page.$eval(selector, (el) => ({
    axes: el.querySelectorAll("svg .role-axis").length,
    marks: el.querySelectorAll("svg .role-mark path, svg .role-mark rect, svg .role-mark text").length,
    width: el.querySelector("svg")?.getBoundingClientRect().width ?? 0,
  }));
  assert.ok(counts.axes >= 2, `${selector}: ${counts.axes} axes`);
  assert.ok(counts.marks > 0, `${selector}: no marks`);
  assert.ok(counts.width > 100, `${selector}: ${counts.width}px wide`);
}

async function screenshot(section: string): Promise<void> {
  const png = await page.locator(`#${section}`).screenshot({ path: join(shots, `${section}.png`) });
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
  assert.ok(png.length > 5000, `${section}: a ${png.length}-byte screenshot is too small to show anything`);
}

test("activation explorer: the page's values and autograd derivatives are Node's, bit for bit, as the slider moves", { skip }, async () => {
  await assertChart("#activation-chart");
  await page.selectOption("#activation-select", { label: "ELU" });
  // keyboard only: the slider moves by its step with the arrow keys
  await page.focus("#activation-coefficient");
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => document.querySelector<HTMLElement>("#activation-chart")?.dataset.drawn === "ELU@1.5");
  const cells = await page.$$eval("#activation-table tbody tr", (rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => Number(td.dataset.value))));
  const elu = new nn.ELU({ alpha: 1.5 });
  const expected = evaluate((x) => elu.forward(x) as torch.Tensor, [-2, -0.5, 0, 0.5, 2]);
  assert.deepEqual(cells, [expected.y, expected.dy]);
  assert.equal(expected.y[0], 1.5 * Math.expm1(-2));
  await assertChart("#activation-chart");
  await screenshot("activations");
});

/** The worked example by hand: the chapter's formulas in doubles, from the float32 weights. */
function closedForm(e: WorkedExample): Record<string, number> {
  const f = Math.fround;
  const [[w1, w2], [w3, w4]] = e.W1.map((r) => r.map(f));
  const [b1, b2] = e.B1.map(f);
  const [[w5, w6]] = e.W2.map((r) => r.map(f));
  const b3 = f(e.B2[0]);
  const [x1, x2] = e.X;
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const s1 = sigmoid(w1 * x1 + w2 * x2 + b1);
  const s2 = sigmoid(w3 * x1 + w4 * x2 + b2);
  const s3 = sigmoid(w5 * s1 + w6 * s2 + b3);
  const dz3 = s3 - e.Y;
  const dz1 = dz3 * w5 * s1 * (1 - s1);
  return {
    σ1: s1,
    σ3: s3,
    L: -(e.Y * Math.log(s3) + (1 - e.Y) * Math.log(1 - s3)),
    "∂L/∂z3": dz3,
    "∂L/∂w5": dz3 * s1,
    "∂L/∂w1": dz1 * x1,
    "w5 ←": w5 - e.LR * dz3 * s1,
    "w1 ←": w1 - e.LR * dz1 * x1,
  };
}

async function workedRows(): Promise<Map<string, { closed: number; autograd: number }>> {
  const rows = await page.$$eval("#worked-table tbody tr[data-step]", (trs) =>
    trs.map((tr) => [tr.getAttribute("data-step")!, Number(tr.getAttribute("data-closed")), Number(tr.getAttribute("data-autograd"))] as const),
  );
  return new Map(rows.map(([name, closed, autograd]) => [name, { closed, autograd }]));
}

async function assertWorked(example: WorkedExample): Promise<void> {
  const rows = await workedRows();
  assert.equal(rows.size, 31);
  const node = forwardBackwardSteps(example).steps;
  for (const step of node) assert.equal(rows.get(step.name)?.autograd, step.autograd, `${step.name}: the page's autograd against Node's`);
  for (const [name, value] of Object.entries(closedForm(example))) {
    const row = rows.get(name)!;
    assert.ok(Math.abs(row.closed - value) <= 1e-12, `${name}: the page's closed form ${row.closed}, by hand ${value}`);
    // autograd runs in float32: it meets the closed form to float32's precision
    assert.ok(Math.abs(row.autograd - value) <= 2e-6 * Math.max(1, Math.abs(value)), `${name}: autograd ${row.autograd}, closed form ${value}`);
  }
  assert.equal(await page.getAttribute("#worked-summary", "data-agree"), "31");
}

test("worked example: every value equals the closed form, before and after editing a weight", { skip }, async () => {
  await assertWorked(CHAPTER_EXAMPLE as WorkedExample);
  assert.match((await page.textContent("#worked-summary")) ?? "", /tensor\(\[\[0\.4154\]\], grad_fn=<SigmoidBackward0>\)/);
  // fill fires the input event, and the page recomputes synchronously in its handler
  await page.fill("#worked-w5", "0.3");
  await page.fill("#worked-x2", "-2");
  const edited: WorkedExample = { ...structuredClone(CHAPTER_EXAMPLE as WorkedExample), W2: [[0.3, 0.1129]], X: [1, -2] };
  await assertWorked(edited);
  await screenshot("worked");
});

test("XOR in a Web Worker: final costs and predictions equal Node's kindling run bit for bit", { skip }, async () => {
  // started from the keyboard, as a user without a mouse would
  await page.focus("#xor-train");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#xor-status[data-state='done']", { timeout: 180_000 });
  const status = await page.$eval("#xor-status", (el) => ({ ...(el as HTMLElement).dataset }));
  const outputs = await page.$$eval("#xor-table td[data-model]", (tds) => tds.map((td) => [td.getAttribute("data-model"), Number(td.getAttribute("data-value"))] as const));
  const dataset = xorDataset();
  const single = trainXor("single", () => new SingleLayer(), dataset, XOR_EPOCHS);
  const two = trainXor("two", () => new MultiLayer(), dataset, XOR_EPOCHS);
  assert.equal(Number(status.singleCost), single.costs.at(-1)![1]);
  assert.equal(Number(status.twoCost), two.costs.at(-1)![1]);
  assert.deepEqual(outputs.filter(([m]) => m === "single").map(([, v]) => v), single.outputs);
  assert.deepEqual(outputs.filter(([m]) => m === "two").map(([, v]) => v), two.outputs);
  // the chapter's point: one layer stalls near log 2, two layers learn
  assert.ok(!single.learned && two.learned);
  assert.ok(Math.abs(single.costs.at(-1)![1] - Math.log(2)) < 0.01);
  for (const chart of ["#xor-cost-chart", "#xor-boundary-single", "#xor-boundary-two"]) await assertChart(chart);
  assert.match((await page.getAttribute("#xor-boundary-two", "aria-label")) ?? "", /two layers: learned/);
  console.log(`# web: XOR (2 × ${XOR_EPOCHS} epochs) trained in the worker in ${(Number(status.ms) / 1000).toFixed(1)} s`);
  await screenshot("xor");
});

/** The tour's pass/fail training, as the page runs it (validation assessments included: they draw shuffles). */
function nodePassFail(x: torch.Tensor, y: torch.Tensor, epochs: number) {
  const trainer = new PassFailTrainer(x, y);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    trainer.epoch();
    if (epoch % Math.max(1, Math.floor(epochs / 8)) === 0 || epoch === 1 || epoch === epochs) assess(trainer.model, trainer.validationLoader);
  }
  const test = assess(trainer.model, trainer.testLoader);
  return { trainer, accuracy: test.correct / test.total };
}

test("pass/fail: trains as Node does, saves a .pt that loads back (in Node and in the page), and reads a dropped CSV", { skip }, async () => {
  const table = makePassFail({ n: 1000, generator: new torch.Generator().manualSeed(0) });
  const node = nodePassFail(table.x, table.y, 40);
  await page.click("#pass-fail-train");
  await page.waitForSelector("#pass-fail-status[data-state='done']", { timeout: 180_000 });
  const trained = await page.$eval("#pass-fail-status", (el) => ({ ...(el as HTMLElement).dataset }));
  assert.equal(Number(trained.cost), node.trainer.training.at(-1)![1]);
  assert.equal(Number(trained.accuracy), node.accuracy);
  assert.ok(node.accuracy >= 0.85, `test accuracy ${node.accuracy}`);
  assert.deepEqual(JSON.parse(trained.weights!), node.trainer.weights());
  await assertChart("#pass-fail-cost-chart");
  await assertChart("#pass-fail-confusion-chart");
  await screenshot("pass-fail");

  // torch.saveBuffer in the page → a download → torch.loadBuffer in Node: the trained weights
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#pass-fail-save")]);
  assert.equal(download.suggestedFilename(), "pass-fail.pt");
  const saved = await download.path();
  const state = torch.loadBuffer(readFileSync(saved)) as Record<string, torch.Tensor>;
  const nodeState = node.trainer.model.stateDict();
  assert.deepEqual(Object.keys(state), Object.keys(nodeState));
  for (const key of Object.keys(state)) assert.deepEqual(state[key].tolist(), nodeState[key].tolist(), key);

  // and back into the page through the file input
  await page.setInputFiles("#pass-fail-load", saved);
  await page.waitForSelector("#pass-fail-status[data-state='loaded']");
  assert.equal(Number(await page.getAttribute("#pass-fail-status", "data-accuracy")), node.accuracy);

  // the same table as a CSV file: the page parses it into the same marks, so training gives the same numbers
  const csv = join(outDir, "pass-fail.csv");
  writeFileSync(csv, toCsv(table));
  await page.setInputFiles("#pass-fail-file", csv);
  await page.waitForFunction(() => document.querySelector("#pass-fail-data")?.textContent?.includes("pass-fail.csv (1000 rows"));
  await page.fill("#pass-fail-epochs", "5");
  await page.click("#pass-fail-train");
  await page.waitForSelector("#pass-fail-status[data-state='done']");
  assert.equal(Number(await page.getAttribute("#pass-fail-status", "data-accuracy")), nodePassFail(table.x, table.y, 5).accuracy);
});

/** Drops a file with `text` on the page's drop zone, as dragging one from the desktop does. */
async function dropFile(name: string, text: string): Promise<void> {
  const transfer = await page.evaluateHandle(([n, t]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], n, { type: "text/csv" }));
    return dt;
  }, [name, text] as const);
  await page.dispatchEvent("#pass-fail-drop", "drop", { dataTransfer: transfer });
}

test("pass/fail drop zone: a dropped CSV is read, and a target that is not 0/1 is refused with the row named", { skip }, async () => {
  await dropFile("words.csv", "x,y,z,pass\n50,60,70,True\n10,20,30,maybe\n");
  await page.waitForSelector("#pass-fail-status[data-state='error']");
  assert.equal(await page.textContent("#pass-fail-status"), `words.csv: line 3, column 'pass': "maybe" is not a number`);
  await dropFile("twos.csv", "x,y,z,pass\n50,60,70,1\n10,20,30,2\n");
  await page.waitForFunction(() => document.querySelector("#pass-fail-status")?.textContent?.startsWith("twos.csv"));
  assert.equal(await page.textContent("#pass-fail-status"), "twos.csv: row 2 of column 'pass' is 2, not True/False or 0/1");
  const rows = Array.from({ length: 20 }, (_, i) => `${40 + i},${50 + i},${60 + i},${i % 2 === 0 ? 1 : 0}`);
  await dropFile("marks.csv", ["a,b,pass", ...rows.map((r) => r.split(",").slice(1).join(","))].join("\n"));
  await page.waitForFunction(() => document.querySelector("#pass-fail-data")?.textContent?.includes("marks.csv (20 rows; inputs a, b; target 'pass')"));
  assert.equal(await page.getAttribute("#pass-fail-status", "data-state"), "idle");
});

test("accessible: every control has a label, and text meets WCAG AA contrast (4.5:1)", { skip }, async () => {
  const unlabelled = await page.$$eval("input, select, button", (controls) =>
    controls
      .filter((c) => {
        const labels = (c as HTMLInputElement).labels;
        return !(labels && labels.length > 0) && !c.getAttribute("aria-label") && !(c.tagName === "BUTTON" && c.textContent?.trim());
      })
      .map((c) => c.outerHTML),
  );
  assert.deepEqual(unlabelled, []);
  // tsx compiles this file with esbuild's keepNames, which wraps the named helpers below in a
  // __name(...) call; the page has no such function, so give it one that does nothing
  await page.evaluate("globalThis.__name = (f) => f");
  const lowContrast = await page.evaluate(() => {
    const rgb = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const lin = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const background = (el: Element | null): number[] => {
      for (; el; el = el.parentElement) {
        const c = rgb(getComputedStyle(el).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const bad: string[] = [];
    for (const el of document.querySelectorAll("h1, h2, p, label, th, td, button, caption, a, output, li, code")) {
      if (!el.textContent?.trim() || (el as HTMLButtonElement).disabled) continue;
      const [a, b] = [luminance(rgb(getComputedStyle(el).color).slice(0, 3)), luminance(background(el))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 4.5) bad.push(`${el.tagName} "${el.textContent.trim().slice(0, 30)}": ${ratio.toFixed(2)}`);
    }
    return bad;
  });
  assert.deepEqual(lowContrast, []);
});

test("no errors in the browser console", { skip }, () => {
  assert.deepEqual(consoleErrors, []);
});

test("kindling's browser bundle stays within its size budget", { skip }, async () => {
  const { build } = await import("vite");
  // the library alone, as an app's bundler would include it: src/index.ts and everything it imports, minified
  const result = await build({
    configFile: false,
    logLevel: "silent",
    root,
    build: { write: false, minify: true, target: "es2022", lib: { entry: join(root, "src/index.ts"), formats: ["es"], fileName: "kindling" } },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Array<{ output: Array<{ type: string; code?: string }> }>;
  const code = outputs.flatMap((r) => r.output).filter((o) => o.type === "chunk").map((o) => o.code ?? "").join("");
  const gzip = gzipSync(code).length;
  console.log(`# web: kindling bundle ${(code.length / 1024).toFixed(0)} KiB minified, ${(gzip / 1024).toFixed(0)} KiB gzipped (budget ${BUNDLE_BUDGET_GZIP / 1024} KiB)`);
  assert.ok(gzip <= BUNDLE_BUDGET_GZIP, `kindling is ${gzip} bytes gzipped, over its budget of ${BUNDLE_BUDGET_GZIP}`);
});
