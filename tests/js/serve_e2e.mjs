// Drive `pmipviz serve` in headless Debian chromium: wait for the app to draw, press `n`,
// see the event counter advance, close the tab on request.
// Usage: node serve_e2e.mjs URL
// Talks in JSON lines on stdout: {"stage": "drawn" | "stepped" | "closed" | "error", ...};
// reads commands on stdin: "close" (close the tab), "quit" (close the browser and exit).
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
  page = await browser.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  // the page asks Google for a web font: answer at once, offline
  await page.route(/^https?:\/\/(?!127\.0\.0\.1|localhost|\[::1\])/, (route) => route.abort());
  await page.addInitScript(instrument);
  await page.goto(url, { timeout: STEP_TIMEOUT_MS });
  const showing = (...needles) =>
    page.waitForFunction((wanted) => {
      const text = window.__pmipvizScreen();
      return wanted.every((w) => text.includes(w));
    }, needles, { timeout: STEP_TIMEOUT_MS, polling: 100 });
  await showing("LMA", "event 0/");
  emit("drawn", { screen: await page.evaluate(screenText) });
  await page.focus(".xterm-helper-textarea");
  await page.keyboard.press("n");
  await showing("event 1/");
  emit("stepped", { screen: await page.evaluate(screenText) });
  for (;;) {
    const { value, done } = await lines.next();
    if (done || value.trim() === "quit") break;
    if (value.trim() === "close" && page) {
      await page.close();
      page = null;
      emit("closed");
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
