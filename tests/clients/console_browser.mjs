// The web console in a real browser (headless Chromium), as an operator
// uses it.  Run by tests/s3/test_console.py, which starts cairn and passes:
//   CAIRN_CONSOLE_URL   http://127.0.0.1:PORT/ (the console)
//   CAIRN_AK, CAIRN_SK  credentials to log in with
//   CAIRN_BUCKET        a bucket name to create
//   CAIRN_UPLOAD_DIR    a folder of files to upload (folder upload)
//   CAIRN_BIG_BUCKET    an existing bucket with more than two pages of objects
//   CAIRN_SHOTS         where to save screenshots (PNG)
//   CAIRN_CHECKPOINTS   when set, the script stops at two checkpoints of the
//                       identity step: it prints {"checkpoint": NAME, ...} (a
//                       new user's and access key's credentials) and waits for
//                       one line on stdin, {"ok": true} or {"ok": false,
//                       "error": ...}, from the Python side, which checks with
//                       boto3 what the S3 API does with those keys
// Every step checks what a person would see; a failed check throws, and
// the script exits non-zero with the step's name.  At the end it prints
// one JSON line of facts for the Python side to check.
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";

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

// A row's Delete button, the confirmation, and the row gone.
async function deleteRow(page, row) {
  await page.click(`${row} [data-action=delete]`);
  await page.waitForSelector("#confirm-dialog[open]");
  await page.click("#confirm-ok");
  await page.waitForSelector(row, { state: "detached" });
}

// Stop and let the Python side check something (see CAIRN_CHECKPOINTS).
const stdinLines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function checkpoint(name, data) {
  if (!process.env.CAIRN_CHECKPOINTS) return;
  console.log(JSON.stringify(Object.assign({ checkpoint: name }, data)));
  const { value, done } = await stdinLines.next();
  check(!done, `no answer at checkpoint ${name}`);
  const answer = JSON.parse(value);
  check(answer.ok, `checkpoint ${name}: ${answer.error}`);
  facts.checkpoints = (facts.checkpoints || []).concat(name);
}

async function login(page, secret, user = ak) {
  await page.goto(url);
  await page.waitForSelector("#login-form", { state: "visible" });
  await page.fill("#login-access", user);
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
  // every admin answer the identity pages get, to check where secrets appear
  const adminAnswers = [];
  page.on("response", (r) => {
    if (new URL(r.url()).pathname.startsWith("/api/admin/"))
      adminAnswers.push(r.text().then((text) => ({ url: r.url(), text }), () => ({ url: r.url(), text: "" })));
  });
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

  // ---- identity: a policy, a user with it, an access key for the user
  const tag = Math.random().toString(36).slice(2, 8);
  const pol = `journey-read-${tag}`, user = `journey-${tag}`, userSecret = `journey-secret-${tag}-${Date.now()}`;
  const group = `journey-group-${tag}`;
  const doc = (actions, resources) => JSON.stringify({ Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: actions, Resource: resources }] }, null, 2);

  begin("policy editor shows MalformedPolicy");
  await page.click("[data-tab=policies]");
  await page.waitForSelector("#policy-table tr[data-policy=consoleAdmin]");
  await page.click("#create-policy");
  await page.waitForSelector("#policy-form[open]");
  await page.fill("#policy-name", pol);
  await page.fill("#policy-doc", doc(["s3:GetObjekt"], [`arn:aws:s3:::${bucket}/*`]));
  await page.click("#policy-form-submit");
  await page.waitForSelector("#policy-form-error:not([hidden])");
  const malformed = await page.textContent("#policy-form-error");
  check(/MalformedPolicy/.test(malformed) && /GetObjekt/.test(malformed), `the editor says ${malformed}`);
  check(await page.isVisible("#policy-form[open]"), "the editor stays open after a refusal");
  facts.malformedMessage = malformed;
  await shot(page, "19-policy-malformed");
  await page.fill("#policy-doc", doc(["s3:GetObject", "s3:ListBucket"],
    [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`]));
  await page.click("#policy-form-submit");
  await page.waitForSelector("#policy-form", { state: "detached" });
  await page.waitForSelector(`#policy-table tr[data-policy="${pol}"]`);

  begin("add a user with the policy");
  await page.click("[data-tab=users]");
  await page.waitForSelector("#add-user:not([hidden])");
  await page.click("#add-user");
  await page.waitForSelector("#user-form[open]");
  await page.fill("#new-user-access", user);
  await page.fill("#new-user-secret", userSecret);
  await page.check(`#new-user-policies input[value="${pol}"]`);
  await page.click("#user-form-submit");
  await page.waitForSelector("#user-form", { state: "detached" });
  await page.waitForSelector(`#user-table tr[data-user="${user}"]`);
  const userPolicies = await page.textContent(`tr[data-user="${user}"] .policies`);
  check(userPolicies.includes(pol), `the user's policies show ${userPolicies}`);
  check(!(await page.content()).includes(userSecret), "the user's secret is not in the page");
  await shot(page, "20-users");

  begin("create an access key and read its secret once");
  await page.click(`tr[data-user="${user}"] [data-action=keys]`);
  await page.waitForSelector("#key-table");
  await page.click("#create-key");
  await page.waitForSelector("#key-form[open]");
  await page.fill("#key-name", "journey-reader");
  await page.fill("#key-policy", doc(["s3:GetObject"], [`arn:aws:s3:::${bucket}/*`]));
  const tomorrow = await page.evaluate(() => {
    const d = new Date(Date.now() + 86400e3);
    const p = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  });
  await page.fill("#key-expiry", tomorrow);
  await page.click("#key-form-submit");
  await page.waitForSelector("#secret-dialog[open]");
  const keyAk = await page.inputValue("#secret-access"), keySk = await page.inputValue("#secret-value");
  check(keyAk.length >= 3 && keySk.length >= 8, "the dialog shows the new key and secret");
  check(/not be shown again/.test(await page.textContent("#secret-dialog .warn")), "the dialog warns it is shown once");
  check(/Expires/.test(await page.textContent("#secret-expiry")), "the dialog shows the expiry");
  await shot(page, "21-secret-once");
  await page.click("#secret-close");
  await page.waitForSelector("#secret-dialog[open]", { state: "detached" });
  check(await page.evaluate(() => !document.querySelector("#secret-value").value &&
    !document.querySelector("#secret-access").value), "closing the dialog empties it at once");
  await page.waitForSelector(`#key-table tr[data-key="${keyAk}"]`);
  check(!(await page.content()).includes(keySk), "the key's secret is not in the page once the dialog closed");
  await shot(page, "22-user-keys");
  await checkpoint("key-created", { bucket, user, userSecret, keyAk, keySk });

  begin("the new user logs in and is told what it may not do");
  await page.click("#logout");
  await page.waitForSelector("#login-view:not([hidden])");
  await login(page, userSecret, user);
  await page.waitForSelector(`tr[data-bucket="${bucket}"]`);
  await page.click("[data-nav=users]");
  await page.waitForSelector("#iam-denied");
  const denied = await page.textContent("#iam-denied");
  check(/policy does not allow/.test(denied), `the user sees ${denied}`);
  check(await page.isHidden("#add-user"), "no add button for a user who may not add");
  await page.waitForSelector(`#own-keys tr[data-key="${keyAk}"]`);   // its own keys it may manage
  await shot(page, "23-user-denied");
  await page.click("#logout");
  await page.waitForSelector("#login-view:not([hidden])");
  await login(page, sk);
  await page.waitForSelector("#app-view:not([hidden])");

  begin("create, disable and delete a group");
  await page.goto(url + "#/groups");
  await page.waitForSelector("#create-group:not([hidden])");
  await page.click("#create-group");
  await page.waitForSelector("#group-form[open]");
  await page.fill("#new-group-name", group);
  await page.check(`#group-members input[value="${user}"]`);
  await page.click("#group-form-submit");
  await page.waitForSelector(`#group-table tr[data-group="${group}"]`);
  await page.click(`tr[data-group="${group}"] [data-action=policies]`);
  await page.waitForSelector("#policy-picker[open]");
  await page.check(`#policy-choices input[value="${pol}"]`);
  await page.click("#policy-picker-submit");
  await page.waitForSelector(`tr[data-group="${group}"] .policies:has-text("${pol}")`);
  await page.click(`tr[data-group="${group}"] [data-action=toggle]`);
  await page.waitForSelector(`tr[data-group="${group}"] .status:has-text("disabled")`);
  await shot(page, "24-groups");
  // back to no policy, so the policy can go at the end; then delete
  await page.click(`tr[data-group="${group}"] [data-action=policies]`);
  await page.waitForSelector("#policy-picker[open]");
  await page.uncheck(`#policy-choices input[value="${pol}"]`);
  await page.click("#policy-picker-submit");
  await page.waitForFunction(([g, p]) => {
    const td = document.querySelector(`tr[data-group="${g}"] .policies`);
    return td && !td.textContent.includes(p);
  }, [group, pol]);
  await deleteRow(page, `tr[data-group="${group}"]`);

  begin("disable the user from the page");
  await page.click("[data-tab=users]");
  await page.waitForSelector(`tr[data-user="${user}"]`);
  await page.click(`tr[data-user="${user}"] [data-action=toggle]`);
  await page.waitForSelector(`tr[data-user="${user}"] .status:has-text("disabled")`);
  await checkpoint("user-disabled", { bucket, user, userSecret, keyAk, keySk });

  begin("a policy in use is not deleted");
  await page.click("[data-tab=policies]");
  await page.waitForSelector(`tr[data-policy="${pol}"]`);
  await page.click(`tr[data-policy="${pol}"] [data-action=delete]`);
  await page.waitForSelector("#confirm-dialog[open]");
  await page.click("#confirm-ok");
  await page.waitForSelector("#notice.error:not([hidden])");
  const inUse = await page.textContent("#notice");
  check(/attached/.test(inUse), `deleting an attached policy says ${inUse}`);
  check(await page.isVisible(`tr[data-policy="${pol}"]`), "the attached policy is still listed");

  begin("delete an access key");
  await page.goto(url + "#/users/" + encodeURIComponent(user));
  await page.waitForSelector(`#key-table tr[data-key="${keyAk}"]`);
  await deleteRow(page, `tr[data-key="${keyAk}"]`);
  facts.identity = { user, pol, keyAk };

  // secrets: none in any admin answer but the new key's own, once
  const answers = await Promise.all(adminAnswers);
  facts.adminAnswers = answers.length;
  for (const a of answers) {
    const op = new URL(a.url).pathname.slice("/api/admin/".length);
    check(!a.text.includes(userSecret), `the user's secret is in the answer to ${op}`);
    check(!a.text.includes(sk), `root's secret is in the answer to ${op}`);
    if (op !== "add-service-account") check(!a.text.includes(keySk), `the key's secret is in the answer to ${op}`);
  }
  check(answers.filter((a) => a.text.includes(keySk)).length === 1, "the key's secret came back exactly once");

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
  await pp.goto(url + "#/users");
  await pp.waitForSelector(`tr[data-user="${facts.identity.user}"]`);
  facts.phoneUsersOverflowPx = await pp.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await shot(pp, "25-phone-users");
  // clean up from the phone: the user, then its (now unattached) policy
  await deleteRow(pp, `tr[data-user="${facts.identity.user}"]`);
  await pp.goto(url + "#/policies");
  await pp.waitForSelector(`tr[data-policy="${facts.identity.pol}"]`);
  facts.phonePoliciesOverflowPx = await pp.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await shot(pp, "26-phone-policies");
  await deleteRow(pp, `tr[data-policy="${facts.identity.pol}"]`);
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
