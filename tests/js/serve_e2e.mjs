// Drive `pmipviz serve` in headless Debian chromium: wait for the app to draw, press `n`,
// see the event counter advance, export a screenshot (a download), close the tab on request.
// Usage: node serve_e2e.mjs URL
// Talks in JSON lines on stdout: {"stage": "drawn" | "stepped" | "screenshot" | "closed" |
// "error", ...}; "drawn" and "closed" carry every URL the browser asked for (requests and
// websockets, all pages); reads commands on stdin: "close" (close the tab), "quit" (close
// the browser and exit).
//
// The page's terminal (xterm.js, drawn on a canvas) is reached through a setter that
// catches textual.js's `this.terminal = new Terminal(...)`, so the screen is read from
// xterm's own buffer, exactly as displayed.
import { createInterface } from "node:readline";
import { launch } from "./browser.mjs";

const url = process.argv[2];
const STEP_TIMEOUT_MS = 30000;

function emit(stage, extra = {}) {
  process.stdout.write(JSON.stringify({ stage, ...extra }) + "\n");
}

// runs in the page before its scripts
function instrument() {
  Object.defineProperty(Object.prototype, "terminal", {
    configurable: true,
    set(value) {
      Object.defineProperty(this, "terminal", { value, writable: true, configurable: true, enumerable: true });
      if (value && typeof value.write === "function" && value.buffer) window.__pmipvizTerminal = value;
    },
    get() {
      return undefined;
    },
  });
  window.__pmipvizScreen = () => {
    const term = window.__pmipvizTerminal;
    if (!term) return "";
    const buffer = term.buffer.active;
    const lines = [];
    for (let y = 0; y < term.rows; y++) {
      const line = buffer.getLine(buffer.viewportY + y);
      lines.push(line ? line.translateToString(true) : "");
    }
    return lines.join("\n");
  };
}

const screenText = () => window.__pmipvizScreen();

const commands = createInterface({ input: process.stdin });
const lines = commands[Symbol.asyncIterator]();

const browser = await launch();
let page = null;
let code = 0;
try {
  const requested = [];
  browser.context.on("request", (request) => requested.push(request.url()));
  // a download is caught on its way to the browser: what the server sent, as sent
  const downloads = [];
  await browser.context.route(/\/download\//, async (route) => {
    // fetched with the context's own request client, not route.fetch(): the download's
    // tab may close (and dispose a response tied to it) before the body is read
    let response = null;
    try {
      response = await browser.context.request.fetch(route.request());
      const body = await response.body();
      downloads.push({
        disposition: response.headers()["content-disposition"],
        head: body.toString("utf-8").slice(0, 200),
      });
      await route.fulfill({ status: response.status(), headers: response.headers(), body });
    } catch (err) {
      // the tab gone before route.fulfill is fine once the download was recorded; a
      // missing download is reported below
      process.stderr.write(`download route: ${err}\n`);
    } finally {
      if (response) await response.dispose().catch(() => {});
    }
  });
  page = await browser.newPage();
  page.on("websocket", (ws) => requested.push(ws.url()));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.addInitScript(instrument);
  await page.goto(url, { timeout: STEP_TIMEOUT_MS });
  const showing = (...needles) =>
    page.waitForFunction((wanted) => {
      const text = window.__pmipvizScreen();
      return wanted.every((w) => text.includes(w));
    }, needles, { timeout: STEP_TIMEOUT_MS, polling: 100 });
  await showing("LMA", "event 0/");
  emit("drawn", { screen: await page.evaluate(screenText), requested: [...requested] });
  await page.focus(".xterm-helper-textarea");
  await page.keyboard.press("n");
  await showing("event 1/");
  emit("stepped", { screen: await page.evaluate(screenText) });
  await page.keyboard.press("Control+p");
  await showing("Export screenshot");
  await page.keyboard.type("Export screenshot");
  // Enter only once the palette has filtered its list down to that command
  await page.waitForFunction(() => {
    const text = window.__pmipvizScreen();
    return text.includes("Export screenshot") && !text.includes("Open scenario");
  }, null, { timeout: STEP_TIMEOUT_MS, polling: 100 });
  await page.keyboard.press("Enter");
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (downloads.length === 0 && Date.now() < deadline) await page.waitForTimeout(100);
  if (downloads.length === 0) throw new Error("no download after Export screenshot");
  emit("screenshot", downloads[0]);
  for (;;) {
    const { value, done } = await lines.next();
    if (done || value.trim() === "quit") break;
    if (value.trim() === "close" && page) {
      await page.close();
      page = null;
      emit("closed", { requested: [...requested] });
    }
  }
} catch (err) {
  let screen = "";
  try {
    if (page) screen = await page.evaluate(screenText);
  } catch {
    // the page is gone
  }
  emit("error", { error: String(err && err.message ? err.message : err), screen });
  code = 1;
} finally {
  commands.close();
  await browser.close();
}
process.exit(code);
