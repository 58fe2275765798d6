// Retakes docs/web.png, the README's picture of the browser page: builds web/, serves it on
// 127.0.0.1, trains XOR in headless Chromium and photographs the page.
// Usage: npx tsx scripts/web-screenshot.ts   (Chromium from /usr/bin/chromium or KINDLING_CHROMIUM)
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build, preview } from "vite";

const root = fileURLToPath(new URL("..", import.meta.url));
const configFile = `${root}web/vite.config.ts`;
await build({ configFile, logLevel: "warn" });
const server = await preview({ configFile, preview: { port: 0, strictPort: false } });
const url = server.resolvedUrls?.local[0];
if (!url) throw new Error("vite preview did not report its address");
const browser = await chromium.launch({ executablePath: process.env.KINDLING_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  await page.goto(url);
  await page.waitForSelector("body[data-ready='true'] #activation-chart svg");
  await page.click("#xor-train");
  await page.waitForSelector("#xor-status[data-state='done']", { timeout: 120_000 });
  await page.evaluate(() => document.querySelector("#xor")?.scrollIntoView({ block: "start" }));
  await page.screenshot({ path: `${root}docs/web.png` });
  console.log(`wrote ${root}docs/web.png`);
} finally {
  await browser.close();
  await new Promise<void>((resolve, reject) => server.httpServer.close((error) => (error ? reject(error) : resolve())));
}
