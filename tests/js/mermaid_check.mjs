// Parse and render Mermaid files with Mermaid's own code in headless Debian chromium.
// Usage: node mermaid_check.mjs FILE.mmd...
// Prints one JSON line: [{"file", "ok", "error", "texts"}], texts being the text of the
// rendered SVG's <text>/label elements (so a test can check what a reader sees).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launch } from "./browser.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const mermaidJs = join(here, "node_modules", "mermaid", "dist", "mermaid.min.js");

const browser = await launch();
try {
  const page = await browser.newPage();
  await page.setContent("<!DOCTYPE html><html><body></body></html>");
  await page.addScriptTag({ path: mermaidJs });
  const sources = process.argv.slice(2).map((file) => ({ file, text: readFileSync(file, "utf8") }));
  const results = await page.evaluate(async (items) => {
    // eslint-disable-next-line no-undef
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
    const out = [];
    for (const [k, item] of items.entries()) {
      try {
        // eslint-disable-next-line no-undef
        await mermaid.parse(item.text);
        // eslint-disable-next-line no-undef
        const { svg } = await mermaid.render(`diagram${k}`, item.text);
        const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
        const texts = [...doc.querySelectorAll("text, tspan")]
          .filter((el) => el.children.length === 0)
          .map((el) => el.textContent);
        out.push({ file: item.file, ok: true, error: null, texts });
      } catch (err) {
        out.push({ file: item.file, ok: false, error: String(err && err.message ? err.message : err), texts: [] });
      }
    }
    return out;
  }, sources);
  console.log(JSON.stringify(results));
} finally {
  await browser.close();
}
