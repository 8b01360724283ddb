// A real browser page on one origin uploads to cairn on another origin with
// a presigned PUT, as the platform's profile pages do.  Run by
// tests/s3/test_cors_browser.py, which serves the page and passes:
//   CAIRN_PAGE_URL   the page (http://127.0.0.1:PORT/page.html)
//   CAIRN_PUT_URL    a presigned PUT URL on cairn
//   CAIRN_SHOT       where to save a screenshot
// Prints one JSON line: {"status": <HTTP status or null>, "error": <text or null>, "etag": ...}
import { chromium } from "playwright-core";

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  await page.goto(process.env.CAIRN_PAGE_URL);
  const result = await page.evaluate(async (url) => {
    try {
      const body = new Blob(["avatar bytes from the browser"], { type: "image/png" });
      const r = await fetch(url, { method: "PUT", body, headers: { "Content-Type": "image/png" } });
      return { status: r.status, error: null, etag: r.headers.get("ETag") };
    } catch (e) {
      return { status: null, error: String(e), etag: null };
    }
  }, process.env.CAIRN_PUT_URL);
  await page.evaluate((r) => { document.body.textContent = "upload result: " + JSON.stringify(r); }, result);
  if (process.env.CAIRN_SHOT) await page.screenshot({ path: process.env.CAIRN_SHOT });
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
}
