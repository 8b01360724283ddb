// The web console in a real browser (headless Chromium), as an operator
// uses it.  Run by tests/s3/test_console.py, which starts cairn and passes:
//   CAIRN_CONSOLE_URL   http://127.0.0.1:PORT/ (the console)
//   CAIRN_AK, CAIRN_SK  credentials to log in with
//   CAIRN_BUCKET        a bucket name to create
//   CAIRN_UPLOAD_DIR    a folder of files to upload (folder upload)
//   CAIRN_BIG_BUCKET    an existing bucket with more than two pages of objects
//   CAIRN_SHOTS         where to save screenshots (PNG)
// Every step checks what a person would see; a failed check throws, and
// the script exits non-zero with the step's name.  At the end it prints
// one JSON line of facts for the Python side to check.
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";

const url = process.env.CAIRN_CONSOLE_URL;
const ak = process.env.CAIRN_AK, sk = process.env.CAIRN_SK;
const bucket = process.env.CAIRN_BUCKET;
const uploadDir = process.env.CAIRN_UPLOAD_DIR;
const bigBucket = process.env.CAIRN_BIG_BUCKET;
const shots = process.env.CAIRN_SHOTS;
const facts = { steps: [], shots: [] };

let step = "start";
function check(cond, what) {
  if (!cond) throw new Error(`${step}: ${what}`);
}
async function shot(page, name) {
  const p = path.join(shots, `console-${name}.png`);
  await page.screenshot({ path: p, fullPage: false });
  facts.shots.push(p);
}
function begin(name) {
  step = name;
  facts.steps.push(name);
}

async function login(page, secret) {
  await page.goto(url);
  await page.waitForSelector("#login-form", { state: "visible" });
  await page.fill("#login-access", ak);
  await page.fill("#login-secret", secret);
  await page.click("#login-submit");
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await ctx.newPage();
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  const listRequests = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith("/api/s3/") && u.searchParams.get("list-type") === "2") listRequests.push(u.search);
  });

  begin("bad password is refused");
  await login(page, sk + "-wrong");
  await page.waitForSelector("#login-error:not([hidden])");
  const errText = await page.textContent("#login-error");
  check(/wrong/i.test(errText), `login error says ${errText}`);
  check(await page.isHidden("#app-view"), "the app is not shown after a bad password");
  await shot(page, "01-bad-password");

  begin("log in");
  await page.fill("#login-secret", sk);
  await page.click("#login-submit");
  await page.waitForSelector("#app-view:not([hidden])");
  await page.waitForSelector("#bucket-rows");
  check((await page.textContent("#who-name")) === ak, "the user name is shown");
  const cookies = await ctx.cookies();
  const sc = cookies.find((c) => c.name === "cairn_session");
  check(sc && sc.httpOnly && sc.sameSite === "Strict", "session cookie is HttpOnly and SameSite=Strict");
  check(!(await page.evaluate(() => document.cookie)).includes("cairn_session"), "script cannot read the cookie");
  await shot(page, "02-buckets-empty");

  begin("create a bucket");
  await page.fill("#new-bucket", bucket);
  await page.click("#create-bucket");
  await page.waitForSelector(`tr[data-bucket="${bucket}"]`);
  await shot(page, "03-bucket-created");

  begin("upload a folder with progress");
  await page.click(`tr[data-bucket="${bucket}"] a.bucket-link`);
  await page.waitForSelector("#list-status:has-text('empty')");
  const files = fs.readdirSync(uploadDir).sort();
  // progress: uploads are slowed to 16 MiB/s (Chromium's own network
  // throttling) so the biggest file takes a few seconds; catch the bar mid-way
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1,
                                                       uploadThroughput: 16 * 1024 * 1024 });
  await page.setInputFiles("#upload-folder", uploadDir);
  await page.waitForSelector("#upload-overall");
  let sawPartial = false;
  for (let i = 0; i < 500 && !sawPartial; i++) {
    const v = await page.evaluate(() => {
      const p = document.querySelector("#upload-overall");
      return p ? [p.value, p.max] : null;
    });
    if (v && v[0] > 0.25 * v[1] && v[0] < 0.75 * v[1]) sawPartial = true;
    else await page.waitForTimeout(20);
  }
  facts.sawPartialProgress = sawPartial;
  await shot(page, "04-upload-progress");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1,
                                                       uploadThroughput: -1 });
  await page.waitForSelector(".upload-head:has-text('Upload complete')", { timeout: 60000 });
  await shot(page, "05-upload-complete");
  const folder = path.basename(uploadDir) + "/";
  await page.waitForSelector(`tr.folder[data-key="${folder}"]`);

  begin("see the files listed");
  await page.click(`tr.folder[data-key="${folder}"] a`);
  for (const f of files) await page.waitForSelector(`tr[data-key="${folder + f}"]`);
  await shot(page, "06-folder-listing");

  begin("download a file and compare");
  const small = files.find((f) => f.endsWith(".txt"));
  const [dl] = await Promise.all([
    page.waitForEvent("download"),
    page.click(`tr[data-key="${folder + small}"] [data-action=download]`),
  ]);
  const got = fs.readFileSync(await dl.path());
  check(got.equals(fs.readFileSync(path.join(uploadDir, small))), "downloaded bytes equal the uploaded file");
  facts.downloaded = small;
  facts.downloadName = dl.suggestedFilename();

  begin("share a link and open it without a session");
  await page.click(`tr[data-key="${folder + small}"] [data-action=share]`);
  await page.selectOption("#share-expiry", "3600");
  await page.click("#share-create");
  await page.waitForSelector("#share-result:not([hidden])");
  const shareUrl = await page.inputValue("#share-url");
  check(shareUrl.includes("X-Amz-Signature="), "the link is presigned");
  await shot(page, "07-share-link");
  await page.click("#share-dialog button[value=close]");
  const privateCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  check((await privateCtx.cookies()).length === 0, "the private context has no cookies");
  const priv = await privateCtx.newPage();
  const resp = await priv.goto(shareUrl);
  check(resp.status() === 200, `the shared link answers ${resp.status()}`);
  const body = await resp.body();
  check(body.equals(fs.readFileSync(path.join(uploadDir, small))), "the shared link serves the file");
  await shot(priv, "08-shared-link-private-window");
  await privateCtx.close();
  facts.shareUrl = shareUrl;

  begin("nodes and drives");
  await page.click("[data-nav=health]");
  await page.waitForSelector("#drive-table tbody tr");
  const driveState = await page.textContent("#drive-table tbody tr .badge");
  check(/ok/.test(driveState), `drive state ${driveState}`);
  await page.waitForSelector("#heal-status");
  await shot(page, "09-nodes-drives");

  begin("live metrics");
  await page.click("[data-nav=metrics]");
  // traffic to draw while the page samples: GETs of an object for ~7 s
  const traffic = page.evaluate(async (p) => {
    const end = Date.now() + 7000;
    while (Date.now() < end) await (await fetch(p, { cache: "no-store" })).arrayBuffer();
  }, `/api/s3/${bucket}/${folder}${files.find((f) => f.endsWith(".jpg"))}`);
  await page.waitForSelector("#chart-requests polyline", { timeout: 15000 });
  await traffic;
  const reqRate = await page.textContent("#metric-stats .stat:first-child .stat-value");
  facts.requestRate = reqRate;
  check(Number(reqRate) > 0, `the request rate shows ${reqRate}`);
  await shot(page, "10-metrics");

  begin("access keys page");
  await page.click("[data-nav=users]");
  await page.waitForSelector("#users :is(#iam-missing, #user-table)");
  facts.usersPage = await page.textContent("#users");
  await shot(page, "11-access-keys");

  begin("delete a file");
  await page.goto(url + "#/browse/" + encodeURIComponent(bucket) + "/" + encodeURIComponent(folder));
  await page.waitForSelector(`tr[data-key="${folder + small}"]`);
  await page.click(`tr[data-key="${folder + small}"] [data-action=delete]`);
  await page.waitForSelector("#confirm-dialog[open]");
  await shot(page, "12-confirm-delete");
  await page.click("#confirm-ok");
  await page.waitForSelector(`tr[data-key="${folder + small}"]`, { state: "detached" });
  await page.click("text=Refresh");
  await page.waitForSelector("#list-status:has-text('entries shown')");
  check(!(await page.$(`tr[data-key="${folder + small}"]`)), "the deleted file stays gone after a refresh");
  await shot(page, "13-deleted");

  if (bigBucket) {
    begin("a big bucket is listed page by page");
    listRequests.length = 0;
    const t0 = Date.now();
    await page.goto(url + "#/browse/" + encodeURIComponent(bigBucket));
    await page.waitForSelector("#list-status:has-text('more follow')");
    facts.bigFirstPageMs = Date.now() - t0;
    facts.bigFirstPageRows = await page.$$eval("#object-rows tr", (r) => r.length);
    await page.click("#load-more");
    await page.waitForFunction((n) => document.querySelectorAll("#object-rows tr").length > n, facts.bigFirstPageRows);
    facts.bigSecondPageRows = await page.$$eval("#object-rows tr", (r) => r.length);
    facts.bigListRequests = listRequests.slice();
    await shot(page, "14-big-bucket-paged");
  }

  begin("log out");
  await page.click("#logout");
  await page.waitForSelector("#login-view:not([hidden])");
  const after = await page.evaluate(async () => (await fetch("/api/session")).status);
  check(after === 401, `after logout /api/session answers ${after}`);
  await shot(page, "15-logged-out");

  begin("phone-sized viewport");
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2,
                                           isMobile: true, hasTouch: true });
  const pp = await phone.newPage();
  await login(pp, sk);
  await pp.waitForSelector(`tr[data-bucket="${bucket}"]`);
  const overflow = await pp.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  facts.phoneOverflowPx = overflow;
  await shot(pp, "16-phone-buckets");
  await pp.goto(url + "#/browse/" + encodeURIComponent(bucket) + "/" + encodeURIComponent(folder));
  await pp.waitForSelector("#list-status:has-text('entries shown')");
  facts.phoneBrowseOverflowPx = await pp.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await shot(pp, "17-phone-browse");
  await pp.click("[data-nav=health]");
  await pp.waitForSelector("#drive-table tbody tr");
  await shot(pp, "18-phone-health");
  await phone.close();

  facts.consoleErrors = consoleErrors;
  facts.ok = true;
} catch (e) {
  facts.ok = false;
  facts.error = String(e && e.stack || e);
  facts.failedStep = step;
} finally {
  await browser.close();
}
console.log(JSON.stringify(facts));
process.exit(facts.ok ? 0 : 1);
