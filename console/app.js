// cairn console: one page, no framework, no build step, nothing fetched
// from anywhere but this console's own origin.
//
// The server (server/console.c) keeps the session; this page only holds
// the CSRF token it gets from /api/session and sends it as X-Cairn-CSRF on
// every state change.  S3 goes through /api/s3/ (real S3 requests and XML
// answers, parsed with DOMParser), the admin API through /api/admin/.
// Listings are always paged (PAGE_SIZE keys per request, "Load more" asks
// for the next page), so a bucket of millions of objects opens as fast as
// one of ten.
"use strict";

const PAGE_SIZE = 200;          // keys per ListObjectsV2 request
const UPLOAD_PARALLEL = 3;      // uploads in flight at once
const METRICS_EVERY_MS = 2000;  // live chart sampling period
const METRICS_KEEP = 90;        // samples kept (3 minutes)

const state = {
  user: null,
  csrf: null,
  metrics: [],        // [{time, requests, errors, rxBytes, txBytes, ...}]
  metricsTimer: null,
  pageTimer: null,    // the current page's refresh timer
  route: "",
};

const $ = (sel, root = document) => root.querySelector(sel);

// ---- small DOM helpers -------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// Small inline icons (no emoji: not every machine has a font for them).
const ICONS = {
  bucket: "M3 5h18l-2 15H5z M3 5c0-1.5 4-3 9-3s9 1.5 9 3",
  folder: "M2 6a2 2 0 0 1 2-2h5l2 2h9a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2z",
  file: "M6 2h8l5 5v15H6z M14 2v5h5",
};

function icon(name) {
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "icon icon-" + name);
  svg.setAttribute("aria-hidden", "true");
  const p = document.createElementNS(NS, "path");
  p.setAttribute("d", ICONS[name]);
  svg.append(p);
  return svg;
}

function fmtBytes(n) {
  if (n === null || n === undefined || isNaN(n)) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n.toFixed(0) : n.toFixed(n < 10 ? 2 : 1)) + " " + units[i];
}

function fmtRate(n, unit) {
  if (n >= 100) return n.toFixed(0) + " " + unit;
  if (n >= 10) return n.toFixed(1) + " " + unit;
  return n.toFixed(2) + " " + unit;
}

function fmtDate(s) {
  if (!s) return "–";
  const d = typeof s === "number" ? new Date(s * 1000) : new Date(s);
  if (isNaN(d)) return s;
  return d.toLocaleString();
}

function fmtDuration(secs) {
  secs = Math.max(0, Math.floor(secs));
  const d = Math.floor(secs / 86400), h = Math.floor(secs % 86400 / 3600), m = Math.floor(secs % 3600 / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${secs % 60}s`;
  return `${secs}s`;
}

let noticeTimer = null;
function notify(text, kind = "info") {
  const n = $("#notice");
  n.textContent = text;
  n.className = "notice " + kind;
  n.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { n.hidden = true; }, kind === "error" ? 10000 : 5000);
}

// ---- talking to the console server ---------------------------------------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || ("HTTP " + status));
    this.status = status;
    this.code = code;
  }
}

// Reads an error answer: console JSON, admin JSON or S3 XML.
async function errorOf(resp) {
  const text = await resp.text();
  let code = "", message = "";
  try {
    const j = JSON.parse(text);
    code = j.error || j.Code || "";
    message = j.message || j.Message || "";
  } catch (_) {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    code = xmlText(doc.documentElement, "Code");
    message = xmlText(doc.documentElement, "Message");
  }
  return new ApiError(resp.status, code, message || code || `HTTP ${resp.status}`);
}

async function api(method, path, { body, headers = {}, expect = "json" } = {}) {
  const h = Object.assign({}, headers);
  if (method !== "GET" && method !== "HEAD" && state.csrf) h["X-Cairn-CSRF"] = state.csrf;
  const resp = await fetch(path, { method, body, headers: h, credentials: "same-origin", cache: "no-store" });
  if (resp.status === 401 && path !== "/api/login" && path !== "/api/session") {
    sessionEnded();
    throw new ApiError(401, "Unauthenticated", "the session ended; log in again");
  }
  if (!resp.ok) throw await errorOf(resp);
  if (expect === "json") return resp.json();
  if (expect === "xml") return new DOMParser().parseFromString(await resp.text(), "application/xml");
  return resp;
}

// S3 paths: every segment percent-encoded, slashes kept.
function s3path(bucket, key = "") {
  const enc = (s) => s.split("/").map(encodeURIComponent).join("/");
  return "/api/s3/" + encodeURIComponent(bucket) + (key ? "/" + enc(key) : "");
}

function xmlChildren(node, name) {
  return Array.from(node ? node.children : []).filter((c) => c.localName === name);
}

function xmlText(node, name) {
  const c = xmlChildren(node, name)[0];
  return c ? c.textContent : "";
}

// ---- session ----------------------------------------------------------

async function loadSession() {
  try {
    const s = await api("GET", "/api/session");
    state.user = s.accessKey;
    state.csrf = s.csrf;
    return true;
  } catch (_) {
    return false;
  }
}

function showLogin(message) {
  stopTimers();
  state.user = state.csrf = null;
  $("#app-view").hidden = true;
  $("#login-view").hidden = false;
  const err = $("#login-error");
  err.hidden = !message;
  err.textContent = message || "";
  $("#login-secret").value = "";
  $("#login-access").focus();
}

function sessionEnded() {
  if (state.user) showLogin("Your session ended. Please log in again.");
}

function showApp() {
  $("#login-view").hidden = true;
  $("#app-view").hidden = false;
  $("#who-name").textContent = state.user;
  startMetrics();
  route();
}

async function onLogin(ev) {
  ev.preventDefault();
  const btn = $("#login-submit");
  btn.disabled = true;
  $("#login-error").hidden = true;
  try {
    const body = JSON.stringify({ accessKey: $("#login-access").value.trim(), secretKey: $("#login-secret").value });
    const s = await api("POST", "/api/login", { body, headers: { "Content-Type": "application/json" } });
    $("#login-secret").value = "";
    state.user = s.accessKey;
    state.csrf = s.csrf;
    if (!location.hash || location.hash === "#/") location.hash = "#/buckets";
    showApp();
  } catch (e) {
    const msg = e.status === 429 ? "Too many attempts. " + e.message
      : e.status === 401 ? "Wrong access key or secret key." : e.message;
    $("#login-error").textContent = msg;
    $("#login-error").hidden = false;
  } finally {
    btn.disabled = false;
  }
}

async function onLogout() {
  try { await api("POST", "/api/logout"); } catch (_) { /* ended anyway */ }
  showLogin("");
  $("#login-error").hidden = true;
  history.replaceState(null, "", "#/");
}

// ---- routing ----------------------------------------------------------

function stopTimers() {
  clearInterval(state.pageTimer);
  state.pageTimer = null;
  if (!state.user) {
    clearInterval(state.metricsTimer);
    state.metricsTimer = null;
  }
}

// sections shown under another's navigation entry
const NAV_OF = { browse: "buckets", groups: "users", policies: "users" };

function route() {
  if (!state.user) return;
  clearInterval(state.pageTimer);
  state.pageTimer = null;
  const hash = location.hash.replace(/^#\/?/, "");
  const [section, ...rest] = hash.split("/");
  for (const a of document.querySelectorAll("[data-nav]"))
    a.classList.toggle("active", a.dataset.nav === (NAV_OF[section] || section || "buckets"));
  const main = $("#main");
  main.replaceChildren();
  state.route = hash;
  switch (section) {
    case "browse": {
      const bucket = decodeURIComponent(rest[0] || "");
      const prefix = rest.length > 1 ? decodeURIComponent(rest.slice(1).join("/")) : "";
      return pageBrowse(main, bucket, prefix);
    }
    case "health": return pageHealth(main);
    case "metrics": return pageMetrics(main);
    case "users": return rest[0] ? pageUser(main, decodeURIComponent(rest[0])) : pageUsers(main);
    case "groups": return pageGroups(main);
    case "policies": return pagePolicies(main);
    default: return pageBuckets(main);
  }
}

function browseHash(bucket, prefix = "") {
  return "#/browse/" + encodeURIComponent(bucket) + (prefix ? "/" + encodeURIComponent(prefix) : "");
}

// ---- buckets ------------------------------------------------------------

async function pageBuckets(main) {
  const nameInput = el("input", { id: "new-bucket", placeholder: "new-bucket-name", required: true,
    pattern: "[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]", title: "3-63 characters: lower-case letters, digits, dots and hyphens",
    autocomplete: "off", "aria-label": "New bucket name" });
  const form = el("form", { class: "row toolbar", id: "create-bucket-form", onsubmit: async (ev) => {
    ev.preventDefault();
    const name = nameInput.value.trim();
    try {
      await api("PUT", s3path(name), { expect: "raw" });
      notify(`Bucket ${name} created.`, "ok");
      nameInput.value = "";
      loadBuckets(tbody, usageNote);
    } catch (e) { notify(`Could not create ${name}: ${e.message}`, "error"); }
  } }, nameInput, el("button", { type: "submit", class: "primary", id: "create-bucket" }, "Create bucket"));
  const tbody = el("tbody", { id: "bucket-rows" });
  const usageNote = el("p", { class: "muted small" });
  main.append(
    el("div", { class: "page-head" }, el("h1", {}, "Buckets"), form),
    el("div", { class: "table-wrap" }, el("table", { class: "list" },
      el("thead", {}, el("tr", {}, el("th", {}, "Name"), el("th", { class: "num" }, "Objects"),
        el("th", { class: "num" }, "Size"), el("th", { class: "hide-sm" }, "Created"), el("th", {}, ""))),
      tbody)),
    usageNote);
  await loadBuckets(tbody, usageNote);
}

async function loadBuckets(tbody, usageNote) {
  let doc, usage = null;
  try {
    [doc, usage] = await Promise.all([
      api("GET", "/api/s3/", { expect: "xml" }),
      api("GET", "/api/admin/datausageinfo").catch(() => null),
    ]);
  } catch (e) {
    tbody.replaceChildren(el("tr", {}, el("td", { colspan: 5, class: "error" }, "Could not list buckets: " + e.message)));
    return;
  }
  const buckets = xmlChildren(xmlChildren(doc.documentElement, "Buckets")[0], "Bucket")
    .map((b) => ({ name: xmlText(b, "Name"), created: xmlText(b, "CreationDate") }));
  const per = (usage && usage.bucketsUsageInfo) || {};
  if (usage && usage.lastUpdateUnix)
    usageNote.textContent = `Object counts and sizes as of ${fmtDate(usage.lastUpdateUnix)} ` +
      `(counted in the background every ${usage.scanIntervalSeconds} s).`;
  else usageNote.textContent = "Object counts and sizes appear after the first background count.";
  if (!buckets.length) {
    tbody.replaceChildren(el("tr", {}, el("td", { colspan: 5, class: "empty" }, "No buckets yet: create one above.")));
    return;
  }
  tbody.replaceChildren(...buckets.map((b) => {
    const u = per[b.name];
    return el("tr", { dataset: { bucket: b.name } },
      el("td", {}, el("a", { href: browseHash(b.name), class: "bucket-link" }, icon("bucket"), b.name)),
      el("td", { class: "num" }, u ? u.objectsCount.toLocaleString() : "–"),
      el("td", { class: "num" }, u ? fmtBytes(u.size) : "–"),
      el("td", { class: "hide-sm" }, fmtDate(b.created)),
      el("td", { class: "actions" },
        el("a", { href: browseHash(b.name), class: "button" }, "Browse"),
        el("button", { type: "button", class: "danger", onclick: () => deleteBucket(b.name, tbody, usageNote) }, "Delete")));
  }));
}

async function deleteBucket(name, tbody, usageNote) {
  if (!await confirmDialog(`Delete the bucket ${name}? It must be empty.`)) return;
  try {
    await api("DELETE", s3path(name), { expect: "raw" });
    notify(`Bucket ${name} deleted.`, "ok");
  } catch (e) {
    notify(e.code === "BucketNotEmpty" ? `${name} is not empty: delete its objects first.` : e.message, "error");
  }
  loadBuckets(tbody, usageNote);
}

function confirmDialog(text, okLabel = "Delete") {
  const d = $("#confirm-dialog");
  $("#confirm-text").textContent = text;
  $("#confirm-ok").textContent = okLabel;
  d.returnValue = "";
  d.showModal();
  return new Promise((resolve) => d.addEventListener("close", () => resolve(d.returnValue === "ok"), { once: true }));
}

// ---- object browser -------------------------------------------------------

async function pageBrowse(main, bucket, prefix) {
  const crumbs = el("nav", { class: "crumbs", "aria-label": "Location" },
    el("a", { href: "#/buckets" }, "Buckets"), " / ",
    el("a", { href: browseHash(bucket) }, bucket));
  let acc = "";
  for (const part of prefix.split("/").filter(Boolean)) {
    acc += part + "/";
    crumbs.append(" / ", el("a", { href: browseHash(bucket, acc) }, part));
  }
  const filesInput = el("input", { type: "file", multiple: true, id: "upload-files", class: "visually-hidden" });
  const folderInput = el("input", { type: "file", multiple: true, webkitdirectory: true, id: "upload-folder",
    class: "visually-hidden" });
  const uploads = el("div", { class: "uploads", id: "uploads", hidden: true });
  const tbody = el("tbody", { id: "object-rows" });
  const status = el("p", { class: "muted small", id: "list-status" });
  const more = el("button", { type: "button", id: "load-more", hidden: true }, "Load more");
  const listing = { bucket, prefix, token: null, shown: 0, tbody, status, more };
  const startUploads = (files) => {
    if (files.length) uploadFiles(bucket, prefix, Array.from(files), uploads, () => reloadListing(listing));
  };
  filesInput.addEventListener("change", () => { startUploads(filesInput.files); filesInput.value = ""; });
  folderInput.addEventListener("change", () => { startUploads(folderInput.files); folderInput.value = ""; });
  more.addEventListener("click", () => loadPage(listing));
  const drop = el("div", { class: "table-wrap drop" },
    el("table", { class: "list objects" },
      el("thead", {}, el("tr", {}, el("th", {}, "Name"), el("th", { class: "num" }, "Size"),
        el("th", { class: "hide-sm" }, "Last modified"), el("th", {}, ""))),
      tbody));
  drop.addEventListener("dragover", (ev) => { ev.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (ev) => {
    ev.preventDefault();
    drop.classList.remove("over");
    startUploads(ev.dataTransfer.files);
  });
  main.append(
    el("div", { class: "page-head" }, el("h1", {}, crumbs),
      el("div", { class: "row toolbar" },
        el("label", { class: "button primary", for: "upload-files" }, "Upload files"), filesInput,
        el("label", { class: "button", for: "upload-folder" }, "Upload folder"), folderInput,
        el("button", { type: "button", onclick: () => reloadListing(listing) }, "Refresh"))),
    uploads, drop, el("div", { class: "row" }, more, status),
    el("p", { class: "muted small" }, "Drop files here to upload them into this folder. Lists show ",
      String(PAGE_SIZE), " entries at a time."));
  await loadPage(listing);
}

function reloadListing(listing) {
  listing.token = null;
  listing.shown = 0;
  listing.tbody.replaceChildren();
  return loadPage(listing);
}

// One ListObjectsV2 page (delimiter "/": folders are common prefixes).
async function loadPage(listing) {
  const { bucket, prefix, tbody, status, more } = listing;
  const q = new URLSearchParams({ "list-type": "2", delimiter: "/", "max-keys": String(PAGE_SIZE) });
  if (prefix) q.set("prefix", prefix);
  if (listing.token) q.set("continuation-token", listing.token);
  more.disabled = true;
  status.textContent = "Loading…";
  let doc;
  try {
    doc = await api("GET", s3path(bucket) + "?" + q.toString(), { expect: "xml" });
  } catch (e) {
    status.textContent = "";
    tbody.append(el("tr", {}, el("td", { colspan: 4, class: "error" }, "Could not list: " + e.message)));
    return;
  }
  const root = doc.documentElement;
  const rows = [];
  for (const cp of xmlChildren(root, "CommonPrefixes")) {
    const p = xmlText(cp, "Prefix");
    rows.push(el("tr", { class: "folder", dataset: { key: p } },
      el("td", { class: "name" }, el("a", { href: browseHash(bucket, p) }, icon("folder"), p.slice(prefix.length))),
      el("td", { class: "num" }, ""), el("td", { class: "hide-sm" }, ""), el("td", {}, "")));
  }
  for (const c of xmlChildren(root, "Contents")) {
    const key = xmlText(c, "Key");
    if (key === prefix) continue;   // a "folder marker" object
    rows.push(objectRow(listing, key, Number(xmlText(c, "Size")), xmlText(c, "LastModified")));
  }
  tbody.append(...rows);
  listing.shown += rows.length;
  const truncated = xmlText(root, "IsTruncated") === "true";
  listing.token = truncated ? xmlText(root, "NextContinuationToken") : null;
  more.hidden = !truncated;
  more.disabled = false;
  status.textContent = listing.shown === 0 ? "This folder is empty: upload files into it."
    : `${listing.shown.toLocaleString()} entries shown` + (truncated ? "; more follow." : ".");
}

function objectRow(listing, key, size, modified) {
  const { bucket, prefix } = listing;
  const name = key.slice(prefix.length);
  const dl = s3path(bucket, key) + "?" + new URLSearchParams({
    "response-content-disposition": "attachment; filename*=UTF-8''" + encodeURIComponent(name.split("/").pop()),
  }).toString();
  const tr = el("tr", { dataset: { key } },
    el("td", { class: "name" }, icon("file"), name),
    el("td", { class: "num" }, fmtBytes(size)),
    el("td", { class: "hide-sm" }, fmtDate(modified)),
    el("td", { class: "actions" },
      el("a", { href: dl, download: name.split("/").pop(), class: "button", "data-action": "download" }, "Download"),
      el("button", { type: "button", "data-action": "share", onclick: () => shareDialog(bucket, key) }, "Share"),
      el("button", { type: "button", class: "danger", "data-action": "delete", onclick: async () => {
        if (!await confirmDialog(`Delete ${key}?`)) return;
        try {
          await api("DELETE", s3path(bucket, key), { expect: "raw" });
          tr.remove();
          notify(`${key} deleted.`, "ok");
        } catch (e) { notify(`Could not delete ${key}: ${e.message}`, "error"); }
      } }, "Delete")));
  return tr;
}

// Uploads with XMLHttpRequest: fetch() has no upload progress events.
function uploadFiles(bucket, prefix, files, box, onDone) {
  box.hidden = false;
  const total = files.reduce((s, f) => s + f.size, 0);
  const overallBar = el("progress", { max: String(Math.max(total, 1)), value: "0", id: "upload-overall" });
  const overallText = el("span", { class: "small" });
  const list = el("ul", { class: "upload-list" });
  const head = el("div", { class: "upload-head" },
    el("strong", {}, `Uploading ${files.length} file${files.length === 1 ? "" : "s"} (${fmtBytes(total)})`),
    overallBar, overallText);
  box.replaceChildren(head, list);
  const sent = new Array(files.length).fill(0);
  let next = 0, running = 0, done = 0, failed = 0;
  const update = () => {
    const s = sent.reduce((a, b) => a + b, 0);
    overallBar.value = s;
    overallText.textContent = `${Math.floor(100 * s / Math.max(total, 1))}% · ${done} of ${files.length} done` +
      (failed ? ` · ${failed} failed` : "");
  };
  return new Promise((resolve) => {
    const startNext = () => {
      while (running < UPLOAD_PARALLEL && next < files.length) {
        const i = next++;
        const f = files[i];
        const rel = f.webkitRelativePath || f.name;
        const key = prefix + rel;
        const bar = el("progress", { max: String(Math.max(f.size, 1)), value: "0" });
        const pct = el("span", { class: "small pct" }, "0%");
        const li = el("li", { dataset: { key } }, el("span", { class: "upname" }, rel), bar, pct);
        list.append(li);
        running++;
        const xhr = new XMLHttpRequest();
        xhr.open("PUT", s3path(bucket, key));
        xhr.setRequestHeader("X-Cairn-CSRF", state.csrf);
        xhr.setRequestHeader("Content-Type", f.type || "application/octet-stream");
        xhr.upload.addEventListener("progress", (ev) => {
          sent[i] = ev.loaded;
          bar.value = ev.loaded;
          pct.textContent = Math.floor(100 * ev.loaded / Math.max(ev.total || f.size, 1)) + "%";
          update();
        });
        const finish = (ok, why) => {
          running--;
          if (ok) { done++; sent[i] = f.size; bar.value = Math.max(f.size, 1); pct.textContent = "✓"; li.classList.add("ok"); }
          else { failed++; pct.textContent = "failed: " + why; li.classList.add("failed"); }
          update();
          if (done + failed === files.length) {
            notify(failed ? `${failed} of ${files.length} uploads failed.` : `Uploaded ${files.length} file${files.length === 1 ? "" : "s"}.`,
              failed ? "error" : "ok");
            head.firstChild.textContent = failed ? "Upload finished with errors" : "Upload complete";
            onDone();
            resolve();
          } else startNext();
        };
        xhr.addEventListener("load", () => {
          if (xhr.status === 401) sessionEnded();
          if (xhr.status >= 200 && xhr.status < 300) finish(true);
          else {
            const doc = new DOMParser().parseFromString(xhr.responseText || "", "application/xml");
            let why = xmlText(doc.documentElement, "Message");
            try { why = why || JSON.parse(xhr.responseText).message; } catch (_) { /* not JSON */ }
            finish(false, why || "HTTP " + xhr.status);
          }
        });
        xhr.addEventListener("error", () => finish(false, "network error"));
        xhr.send(f);
      }
    };
    update();
    startNext();
  });
}

async function shareDialog(bucket, key) {
  const d = $("#share-dialog");
  $("#share-name").textContent = key;
  $("#share-result").hidden = true;
  $("#share-url").value = "";
  $("#share-create").onclick = async () => {
    try {
      const r = await api("POST", "/api/share", {
        body: JSON.stringify({ bucket, key, expires: Number($("#share-expiry").value) }),
        headers: { "Content-Type": "application/json" },
      });
      $("#share-url").value = r.url;
      $("#share-expires").textContent = "Expires " + fmtDate(r.expiresAt) + ".";
      $("#share-result").hidden = false;
      $("#share-url").select();
    } catch (e) { notify("Could not create a link: " + e.message, "error"); }
  };
  $("#share-copy").onclick = async () => {
    try {
      await navigator.clipboard.writeText($("#share-url").value);
      notify("Link copied.", "ok");
    } catch (_) {
      $("#share-url").select();
      notify("Select the link and copy it (Ctrl+C).", "info");
    }
  };
  d.showModal();
}

// ---- nodes and drives -----------------------------------------------------

async function pageHealth(main) {
  const box = el("div", { id: "health" }, el("p", { class: "muted" }, "Loading…"));
  main.append(el("div", { class: "page-head" }, el("h1", {}, "Nodes & drives"),
    el("div", { class: "row toolbar" }, el("button", { type: "button", id: "heal-start", onclick: startHeal }, "Start heal pass"))),
    box);
  const refresh = () => renderHealth(box).catch((e) => box.replaceChildren(el("p", { class: "error" }, e.message)));
  await refresh();
  state.pageTimer = setInterval(refresh, 5000);
}

async function startHeal() {
  if (!await confirmDialog("Start a full heal pass now? It checks every object and rebuilds missing shards.", "Start")) return;
  try {
    await api("POST", "/api/admin/heal/");
    notify("Heal pass started.", "ok");
  } catch (e) { notify("Could not start healing: " + e.message, "error"); }
}

function stat(label, value, kind) {
  return el("div", { class: "stat" + (kind ? " " + kind : "") }, el("div", { class: "stat-value" }, value),
    el("div", { class: "stat-label" }, label));
}

function meter(used, total) {
  const pct = total ? Math.min(100, 100 * used / total) : 0;
  const fill = el("div", { class: "meter-fill" + (pct > 90 ? " hot" : "") });
  fill.style.width = pct.toFixed(1) + "%";
  return el("div", { class: "meter", title: pct.toFixed(1) + "% used" }, fill);
}

async function renderHealth(box) {
  const [info, heal] = await Promise.all([api("GET", "/api/admin/info"),
    api("GET", "/api/admin/heal/status").catch(() => null)]);
  const servers = info.servers || [];
  const drives = servers.flatMap((s) => (s.drives || []).map((d) => Object.assign({ node: s.endpoint }, d)));
  const offline = info.drivesOnline ? info.drivesOnline.offline : 0;
  const rate = currentRates();
  const cap = info.capacity || {};
  const summary = el("div", { class: "stats" },
    stat("Nodes online", `${info.nodes ? info.nodes.online : servers.length} / ${servers.length}`),
    stat("Drives online", `${info.drivesOnline ? info.drivesOnline.online : "?"} / ${drives.length}`, offline ? "bad" : "good"),
    stat("Capacity used", `${fmtBytes((cap.rawTotalBytes || 0) - (cap.rawFreeBytes || 0))} of ${fmtBytes(cap.rawTotalBytes)}`),
    stat("Requests/s", rate ? fmtRate(rate.requests, "") : "measuring…"),
    stat("Objects", info.usage ? info.usage.objects.toLocaleString() : "–"),
    stat("Healing", heal ? (heal.running ? "running" : "idle") : "?", heal && heal.objectsFailed ? "bad" : ""));
  const b = info.backend || {};
  const backend = el("p", { class: "muted small" },
    `${b.drives} drive${b.drives === 1 ? "" : "s"} in ${b.sets} erasure set${b.sets === 1 ? "" : "s"} of ${b.setSize}, ` +
    `parity ${b.standardSCParity}, write quorum ${b.writeQuorum}, read quorum ${b.readQuorum}. ` +
    `Version ${info.version}, region ${info.region}, up ${fmtDuration(info.uptimeSeconds)}.`);
  const nodes = el("table", { class: "list", id: "node-table" },
    el("thead", {}, el("tr", {}, el("th", {}, "Node"), el("th", {}, "State"), el("th", { class: "hide-sm" }, "Version"),
      el("th", {}, "Uptime"))),
    el("tbody", {}, servers.map((s) => el("tr", {},
      el("td", {}, s.endpoint), el("td", {}, badge(s.state)), el("td", { class: "hide-sm" }, s.version),
      el("td", {}, fmtDuration(s.uptimeSeconds))))));
  const driveTable = el("table", { class: "list", id: "drive-table" },
    el("thead", {}, el("tr", {}, el("th", {}, "Drive"), el("th", {}, "State"), el("th", { class: "hide-sm" }, "Set / index"),
      el("th", {}, "Used"), el("th", { class: "num hide-sm" }, "Free"))),
    el("tbody", {}, drives.map((d) => el("tr", {},
      el("td", { class: "path" }, d.path), el("td", {}, badge(d.state)),
      el("td", { class: "hide-sm" }, `${d.set} / ${d.index}`),
      // how full the disk is (whatever fills it), as the capacity card counts
      el("td", {}, meter(d.totalBytes - d.freeBytes, d.totalBytes),
        el("span", { class: "small" }, `${fmtBytes(d.totalBytes - d.freeBytes)} of ${fmtBytes(d.totalBytes)}`)),
      el("td", { class: "num hide-sm" }, fmtBytes(d.freeBytes))))));
  const healBox = heal ? el("p", { class: "small", id: "heal-status" },
    `Healing: ${heal.running ? "a pass is running" : "idle"}; ${heal.passes} pass${heal.passes === 1 ? "" : "es"}, ` +
    `${heal.objectsScanned.toLocaleString()} objects scanned, ${heal.objectsHealed.toLocaleString()} healed, ` +
    `${heal.objectsFailed.toLocaleString()} failed, ${heal.shardsHealed.toLocaleString()} shards rebuilt ` +
    `(${fmtBytes(heal.bytesHealed)}), ${heal.queued} queued.`) : "";
  box.replaceChildren(summary, backend, el("h2", {}, "Nodes"), el("div", { class: "table-wrap" }, nodes),
    el("h2", {}, "Drives"), el("div", { class: "table-wrap" }, driveTable), healBox);
}

function badge(s) {
  const good = s === "ok" || s === "online" || s === "enabled";
  return el("span", { class: "badge " + (good ? "good" : "bad") }, good ? "● " + s : "▲ " + s);
}

// ---- live metrics -------------------------------------------------------------

function startMetrics() {
  if (state.metricsTimer) return;
  const sample = async () => {
    try {
      const m = await api("GET", "/api/metrics");
      state.metrics.push(m);
      if (state.metrics.length > METRICS_KEEP) state.metrics.shift();
      if (state.route.startsWith("metrics")) drawCharts();
    } catch (_) { /* a missed sample leaves a gap */ }
  };
  sample();
  state.metricsTimer = setInterval(sample, METRICS_EVERY_MS);
}

// Rates between successive cumulative samples.
function rates() {
  const out = [];
  const s = state.metrics;
  for (let i = 1; i < s.length; i++) {
    const dt = s[i].time - s[i - 1].time;
    if (dt <= 0) continue;
    const d = (k) => Math.max(0, s[i][k] - s[i - 1][k]) / dt;
    out.push({ time: s[i].time, requests: d("requests"), errors: d("errors"), rx: d("rxBytes"), tx: d("txBytes") });
  }
  return out;
}

function currentRates() {
  const r = rates();
  return r.length ? r[r.length - 1] : null;
}

function pageMetrics(main) {
  main.append(el("div", { class: "page-head" }, el("h1", {}, "Metrics")),
    el("p", { class: "muted small" }, `S3 requests on this node (console uploads and downloads included), sampled every ${METRICS_EVERY_MS / 1000} s; the last ${METRICS_KEEP * METRICS_EVERY_MS / 60000} minutes.`),
    el("div", { class: "stats", id: "metric-stats" }),
    el("div", { class: "charts" },
      chartBox("chart-requests", "Requests per second"),
      chartBox("chart-bandwidth", "Bandwidth (bytes per second)"),
      chartBox("chart-errors", "Errors per second")),
    el("p", { class: "muted small" }, "Prometheus scrapes the full set at /minio/v2/metrics/cluster on the S3 port."));
  drawCharts();
}

function chartBox(id, title) {
  return el("figure", { class: "chart", id }, el("figcaption", {}, title), el("div", { class: "chart-body" }));
}

function drawCharts() {
  const r = rates();
  const last = state.metrics[state.metrics.length - 1];
  const statsBox = $("#metric-stats");
  if (!statsBox) return;
  const cur = r[r.length - 1] || { requests: 0, errors: 0, rx: 0, tx: 0 };
  statsBox.replaceChildren(
    stat("Requests/s", fmtRate(cur.requests, "")),
    stat("In", fmtBytes(cur.rx) + "/s"), stat("Out", fmtBytes(cur.tx) + "/s"),
    stat("Errors/s", fmtRate(cur.errors, ""), cur.errors ? "bad" : ""),
    stat("Total requests", last ? last.requests.toLocaleString() : "–"),
    stat("In flight", last ? String(last.inflight) : "–"));
  lineChart($("#chart-requests .chart-body"), r, [{ key: "requests", label: "requests/s", cls: "s1" }], (v) => fmtRate(v, "/s"));
  lineChart($("#chart-bandwidth .chart-body"), r, [{ key: "rx", label: "in", cls: "s1" }, { key: "tx", label: "out", cls: "s2" }],
    (v) => fmtBytes(v) + "/s");
  lineChart($("#chart-errors .chart-body"), r, [{ key: "errors", label: "errors/s", cls: "s3" }], (v) => fmtRate(v, "/s"));
}

// A small SVG line chart: series over time, the y axis from 0 to the max.
function lineChart(box, data, series, fmt) {
  if (!box) return;
  const NS = "http://www.w3.org/2000/svg";
  // drawn at the box's own pixel width, so text and lines are not stretched
  const W = Math.max(200, Math.round(box.clientWidth || 600)), H = 180, L = 4, R = 4, T = 18, B = 18;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  const mk = (tag, attrs) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  };
  let max = 0;
  for (const d of data) for (const s of series) max = Math.max(max, d[s.key]);
  const top = max > 0 ? max * 1.15 : 1;
  for (let g = 0; g <= 4; g++) {
    const y = T + (H - T - B) * g / 4;
    svg.append(mk("line", { x1: L, x2: W - R, y1: y, y2: y, class: "grid" }));
  }
  const n = METRICS_KEEP - 1;
  const x = (i) => L + (W - L - R) * (n - (data.length - 1 - i)) / n;
  const y = (v) => T + (H - T - B) * (1 - v / top);
  for (const s of series) {
    if (data.length < 2) continue;
    const pts = data.map((d, i) => `${x(i).toFixed(1)},${y(d[s.key]).toFixed(1)}`).join(" ");
    svg.append(mk("polyline", { points: pts, class: "line " + s.cls }));
  }
  const label = mk("text", { x: L + 2, y: 12, class: "axis" });
  label.textContent = "max " + fmt(max);
  const span = mk("text", { x: L + 2, y: H - 4, class: "axis" });
  span.textContent = `−${METRICS_KEEP * METRICS_EVERY_MS / 60000} min`;
  const now = mk("text", { x: W - R - 2, y: H - 4, class: "axis", "text-anchor": "end" });
  now.textContent = "now";
  svg.append(label, span, now);
  const legend = el("div", { class: "legend" }, series.map((s) => {
    const v = data.length ? data[data.length - 1][s.key] : 0;
    return el("span", { class: "key " + s.cls }, `${s.label}: ${fmt(v)}`);
  }));
  if (data.length < 2) legend.append(el("span", { class: "muted" }, " (collecting samples…)"));
  box.replaceChildren(svg, legend);
}

// ---- identity: users, access keys, groups, policies --------------------------
//
// All of it is the admin API (docs/iam.md) through /api/admin/, run as the
// session's user: what the page may do is what that user's policies allow
// (root, or consoleAdmin), and a refusal is shown as such.  Secrets: the
// one a new user gets is typed into a form that is removed when it
// closes; a new access key's secret comes back once, from
// add-service-account, and lives only in the one-time dialog until it is
// closed.  No other answer carries one.

function adminPath(op, params) {
  return "/api/admin/" + op + (params ? "?" + new URLSearchParams(params).toString() : "");
}

function admin(method, op, params, body) {
  const opts = {};
  if (body !== undefined) {
    opts.body = typeof body === "string" ? body : JSON.stringify(body);
    opts.headers = { "Content-Type": "application/json" };
  }
  return api(method, adminPath(op, params), opts);
}

// An admin error as a sentence; 403 is the caller's policy, said plainly.
function adminError(e) {
  if (e.status === 403 && e.code !== "InvalidCSRFToken" && e.code !== "CrossOrigin")
    return "Your policy does not allow this (" + (e.code || "AccessDenied") + "). " +
      "Managing users, keys, groups and policies needs root or the consoleAdmin policy.";
  return (e.code && e.code !== e.message ? e.code + ": " : "") + e.message;
}

function deniedBox(e, what) {
  const denied = e.status === 403;
  return el("div", { class: "notice-inline", id: denied ? "iam-denied" : "iam-error", role: "alert" },
    el("strong", {}, denied ? `Your policy does not allow you to ${what}.` : `Could not ${what}.`), " ",
    denied ? "Ask an operator with root or the consoleAdmin policy to do it for you." : adminError(e));
}

// IAM names: no spaces, commas, slashes, backslashes or quotes (escaped
// for the v-flag regular expressions that pattern attributes are)
const NAME_CHARS = "[^\\s,\\/\\\\\"]";

// A table cell that names itself on phones, where rows become cards
// without headers; an empty one ("–") is left out there.
function cell(cls, label, text) {
  return el("td", { class: (cls + (text === "–" ? " none" : "")).trim() || null, "data-label": label }, text);
}

const listOf = (v) => Array.isArray(v) ? v : v ? String(v).split(",").filter(Boolean) : [];
const joined = (v) => listOf(v).join(", ") || "–";

function identityTabs(active) {
  return el("nav", { class: "tabs", "aria-label": "Identity" },
    [["users", "Users"], ["groups", "Groups"], ["policies", "Policies"]].map(([k, label]) =>
      el("a", { href: "#/" + k, class: k === active ? "active" : null, "aria-current": k === active ? "page" : null,
        "data-tab": k }, label)));
}

// A modal form built for one use and removed when it closes (with whatever
// was typed into it).  onSubmit may throw: the message is shown inside the
// dialog, which stays open.  Resolves to onSubmit's result, or null.
function formDialog({ id, title, intro, fields, submitLabel = "Save", danger = false, wide = false, readOnly = false,
  onSubmit }) {
  const error = el("p", { class: "error form-error", id: id + "-error", role: "alert", hidden: true });
  const submit = el("button", { type: "submit", class: danger ? "danger" : "primary", id: id + "-submit",
    hidden: readOnly }, submitLabel);
  const cancel = el("button", { type: "button", id: id + "-cancel" }, readOnly ? "Close" : "Cancel");
  const form = el("form", { autocomplete: "off" }, el("h2", {}, title), intro ? el("p", { class: "muted" }, intro) : null,
    fields, error, el("div", { class: "row end" }, cancel, submit));
  const d = el("dialog", { class: "dialog" + (wide ? " wide" : ""), id }, form);
  document.body.append(d);
  let result = null;
  return new Promise((resolve) => {
    cancel.addEventListener("click", () => d.close());
    d.addEventListener("close", () => { d.remove(); resolve(result); });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      error.hidden = true;
      try {
        result = (await onSubmit(form)) ?? true;
        d.close();
      } catch (e) {
        error.textContent = e instanceof ApiError ? adminError(e) : e.message;
        error.hidden = false;
      } finally {
        submit.disabled = false;
      }
    });
    d.showModal();
  });
}

// Checkboxes for a set of names (policies, users), some already chosen.
function checklist(id, names, chosen, empty) {
  const set = new Set(chosen);
  return el("fieldset", { class: "checklist", id },
    names.length ? names.map((n) => el("label", { class: "check" },
      el("input", { type: "checkbox", value: n, checked: set.has(n) }), el("span", {}, n)))
      : el("p", { class: "muted small" }, empty));
}

const checked = (root) => Array.from(root.querySelectorAll("input[type=checkbox]:checked")).map((i) => i.value);

async function policyNames() {
  const r = await admin("GET", "list-canned-policies");
  return Object.keys(r.policies || r).sort();
}

async function setPolicies(entity, isGroup) {
  let names;
  try { names = await policyNames(); } catch (e) { notify("Could not list policies: " + adminError(e), "error"); return false; }
  let current = [];
  try {
    const info = await admin("GET", isGroup ? "group" : "user-info", isGroup ? { group: entity } : { accessKey: entity });
    current = listOf(info.policies || info.policyName);
  } catch (_) { /* shown unchecked */ }
  return formDialog({ id: "policy-picker", title: `Policies of ${entity}`,
    intro: (isGroup ? "Members of this group get" : "This user gets") +
      " what the chosen policies allow (an explicit Deny in any of them wins). None chosen: nothing is allowed" +
      (isGroup ? " through this group." : ", except through groups."),
    fields: checklist("policy-choices", names, current, "No policies."), submitLabel: "Save policies",
    onSubmit: async (form) => {
      await admin("PUT", "set-user-or-group-policy", { policyName: checked(form).join(","), userOrGroup: entity,
        isGroup: isGroup ? "true" : "false" });
      notify(`Policies of ${entity} saved.`, "ok");
    } });
}

// ---- users

// One tab of the identity section: its list (load(box, add) fills box and
// shows the add button when the caller may add) and the add button's dialog.
async function identityPage(main, tab, addId, addLabel, load, create) {
  const box = el("div", { id: tab }, el("p", { class: "muted" }, "Loading…"));
  const add = el("button", { type: "button", class: "primary", id: addId, hidden: true }, addLabel);
  main.append(el("div", { class: "page-head" }, el("h1", {}, "Identity"), el("div", { class: "row toolbar" }, add)),
    identityTabs(tab), box);
  add.addEventListener("click", async () => { if (await create()) load(box, add); });
  await load(box, add);
}

function pageUsers(main) {
  return identityPage(main, "users", "add-user", "Add user", loadUsers, addUserDialog);
}

async function loadUsers(box, add) {
  const you = el("p", {}, "You are logged in as ", el("strong", {}, state.user), ".");
  let users;
  try {
    users = await admin("GET", "list-users");
  } catch (e) {
    if (e.status !== 403 && e.status !== 404) { box.replaceChildren(you, deniedBox(e, "list users")); return; }
    // not an IAM administrator: what it may still manage is its own keys
    box.replaceChildren(you, e.status === 404 ? el("p", { class: "notice-inline", id: "iam-missing" },
      "root only: IAM not configured.") : deniedBox(e, "manage users, groups or policies"));
    const own = el("section", { id: "own-keys" });
    if (await keysSection(own, state.user, true)) box.append(own);
    return;
  }
  add.hidden = false;
  // {"users": {KEY: {status, policies, memberOf}}} (or MinIO's flat {KEY: {status, policyName}})
  const map = users.users && typeof users.users === "object" ? users.users : users;
  const entries = Object.entries(map).sort(([a], [b]) => a.localeCompare(b));
  const reload = () => loadUsers(box, add);
  const rows = entries.map(([k, v]) => {
    const enabled = !(v && v.status === "disabled");
    return el("tr", { dataset: { user: k } },
      el("td", { class: "name" }, el("a", { href: "#/users/" + encodeURIComponent(k), class: "bucket-link" }, k)),
      el("td", { class: "status" }, badge(enabled ? "enabled" : "disabled")),
      cell("policies", "Policies", joined(v && (v.policies || v.policyName))),
      cell("hide-sm", "Groups", joined(v && v.memberOf)),
      el("td", { class: "actions" },
        el("button", { type: "button", "data-action": "toggle",
          onclick: () => setUserStatus(k, !enabled).then(reload) }, enabled ? "Disable" : "Enable"),
        el("button", { type: "button", "data-action": "policies",
          onclick: async () => { if (await setPolicies(k, false)) reload(); } }, "Policies"),
        el("a", { href: "#/users/" + encodeURIComponent(k), class: "button", "data-action": "keys" }, "Keys"),
        el("button", { type: "button", class: "danger", "data-action": "delete",
          onclick: async () => { if (await removeUser(k)) reload(); } }, "Delete")));
  });
  box.replaceChildren(you, el("div", { class: "table-wrap" }, el("table", { class: "list cards", id: "user-table" },
    el("thead", {}, el("tr", {}, el("th", {}, "Access key"), el("th", {}, "Status"), el("th", {}, "Policies"),
      el("th", { class: "hide-sm" }, "Groups"), el("th", {}, ""))),
    el("tbody", {}, rows.length ? rows
      : el("tr", {}, el("td", { colspan: 5, class: "empty" }, "No users besides root yet: add one above."))))),
    el("p", { class: "muted small" }, "Users log in here and sign S3 requests with their own access key and secret; " +
      "what they may do follows their policies and their groups'. Open a user for its access keys (service accounts)."));
}

async function addUserDialog() {
  let names = [];
  try { names = await policyNames(); } catch (_) { /* attach later */ }
  const ak = el("input", { id: "new-user-access", name: "accessKey", required: true, minlength: 3, maxlength: 128,
    pattern: NAME_CHARS + "{3,128}", title: "3-128 characters, no spaces, commas, slashes or quotes",
    autocomplete: "off", spellcheck: "false" });
  const sk = el("input", { id: "new-user-secret", name: "secretKey", type: "password", required: true, minlength: 8,
    maxlength: 128, autocomplete: "new-password" });
  return formDialog({ id: "user-form", title: "Add user",
    intro: "The access key is the user's name. The secret is sent once to the server and never shown again: " +
      "give it to the user yourself.",
    fields: [el("label", {}, "Access key", ak), el("label", {}, "Secret key (8-128 characters)", sk),
      el("div", { class: "field" }, el("span", { class: "field-label" }, "Policies"),
        checklist("new-user-policies", names, [], "No policies to attach."))],
    submitLabel: "Add user",
    onSubmit: async (form) => {
      const name = ak.value.trim();
      // add-user on an existing name rotates its secret: not what "Add" means
      const exists = await admin("GET", "user-info", { accessKey: name }).then(() => true,
        (e) => { if (e.status === 404) return false; throw e; });
      if (exists) throw new Error(`A user ${name} already exists; its secret was not changed.`);
      await admin("PUT", "add-user", { accessKey: name }, { secretKey: sk.value, status: "enabled" });
      sk.value = "";
      const pols = checked(form.querySelector("#new-user-policies"));
      if (pols.length) {
        try {
          await admin("PUT", "set-user-or-group-policy", { policyName: pols.join(","), userOrGroup: name, isGroup: "false" });
        } catch (e) { notify(`User ${name} added, but its policies were not attached: ${adminError(e)}`, "error"); return true; }
      }
      notify(`User ${name} added.`, "ok");
      return true;
    } });
}

async function setUserStatus(name, enable) {
  try {
    await admin("PUT", "set-user-status", { accessKey: name, status: enable ? "enabled" : "disabled" });
    notify(`${name} ${enable ? "enabled" : "disabled"}.`, "ok");
  } catch (e) { notify(`Could not change ${name}: ${adminError(e)}`, "error"); }
}

async function removeUser(name) {
  if (!await confirmDialog(`Delete the user ${name}? Its access keys are deleted with it, and it can no longer log in or sign requests.`))
    return false;
  try {
    await admin("DELETE", "remove-user", { accessKey: name });
    notify(`User ${name} deleted.`, "ok");
    return true;
  } catch (e) { notify(`Could not delete ${name}: ${adminError(e)}`, "error"); return false; }
}

// #/users/NAME: one user, its policies, groups and access keys.
async function pageUser(main, name) {
  const crumbs = el("nav", { class: "crumbs", "aria-label": "Location" },
    el("a", { href: "#/users" }, "Users"), " / ", name);
  const head = el("div", { class: "row toolbar" });
  const summary = el("div", { id: "user-summary" }, el("p", { class: "muted" }, "Loading…"));
  const keys = el("section", { id: "user-keys" });
  main.append(el("div", { class: "page-head" }, el("h1", {}, crumbs), head), identityTabs("users"), summary, keys);
  const reload = async () => {
    let info;
    try {
      info = await admin("GET", "user-info", { accessKey: name });
    } catch (e) {
      summary.replaceChildren(deniedBox(e, "see this user"));
      head.replaceChildren();
      if (e.status === 403 && name === state.user) await keysSection(keys, name, true);
      return;
    }
    const enabled = info.status !== "disabled";
    summary.replaceChildren(el("div", { class: "stats" },
      el("div", { class: "stat" }, el("div", { class: "stat-value", id: "user-status" }, badge(enabled ? "enabled" : "disabled")),
        el("div", { class: "stat-label" }, "Status")),
      stat("Policies", joined(info.policies || info.policyName)),
      stat("Groups", joined(info.memberOf))));
    head.replaceChildren(
      el("button", { type: "button", id: "user-toggle", onclick: () => setUserStatus(name, !enabled).then(reload) },
        enabled ? "Disable user" : "Enable user"),
      el("button", { type: "button", id: "user-policies", onclick: async () => { if (await setPolicies(name, false)) reload(); } },
        "Policies"),
      el("button", { type: "button", class: "danger", id: "user-delete",
        onclick: async () => { if (await removeUser(name)) location.hash = "#/users"; } }, "Delete user"));
  };
  await reload();
  if (!keys.childElementCount) await keysSection(keys, name, false);
}

// The access keys (service accounts) of one user, with create, enable /
// disable and delete.  own: the session's own keys (shown to users who
// may not manage others).  Resolves false when they cannot be listed.
async function keysSection(box, user, own) {
  let r;
  try {
    r = await admin("GET", "list-service-accounts", { user });
  } catch (e) {
    if (own) return false;
    box.replaceChildren(el("h2", {}, "Access keys"), deniedBox(e, "list this user's access keys"));
    return false;
  }
  const reload = () => keysSection(box, user, own);
  const accounts = (r.accounts || []).slice().sort((a, b) => a.accessKey.localeCompare(b.accessKey));
  const now = Date.now() / 1000;
  const rows = accounts.map((a) => {
    const enabled = a.status !== "disabled";
    const expired = a.expiration && a.expiration <= now;
    return el("tr", { dataset: { key: a.accessKey } },
      el("td", { class: "name mono" }, a.accessKey),
      el("td", { class: "status" }, badge(expired ? "expired" : enabled ? "enabled" : "disabled")),
      el("td", { class: "hide-sm" }, a.name || a.description || "–"),
      cell("", "Expires", a.expiration ? fmtDate(a.expiration) : "never"),
      el("td", { class: "hide-sm" }, a.policy ? "own (narrows the user's)" : "the user's"),
      el("td", { class: "actions" },
        a.policy ? el("button", { type: "button", "data-action": "view-policy", onclick: () => formDialog({
          id: "key-policy", title: `Policy of ${a.accessKey}`, readOnly: true,
          fields: el("textarea", { class: "code", rows: 14, readonly: true, "aria-label": "Policy document" },
            JSON.stringify(a.policy, null, 2)), onSubmit: () => true }) }, "Policy") : null,
        el("button", { type: "button", "data-action": "toggle", onclick: async () => {
          try {
            await admin("POST", "update-service-account", { accessKey: a.accessKey },
              { newStatus: enabled ? "disabled" : "enabled" });
            notify(`Access key ${a.accessKey} ${enabled ? "disabled" : "enabled"}.`, "ok");
          } catch (e) { notify("Could not change the key: " + adminError(e), "error"); }
          reload();
        } }, enabled ? "Disable" : "Enable"),
        el("button", { type: "button", class: "danger", "data-action": "delete", onclick: async () => {
          if (!await confirmDialog(`Delete the access key ${a.accessKey}? Whatever uses it stops working at once.`)) return;
          try {
            await admin("DELETE", "delete-service-account", { accessKey: a.accessKey });
            notify(`Access key ${a.accessKey} deleted.`, "ok");
          } catch (e) { notify("Could not delete the key: " + adminError(e), "error"); }
          reload();
        } }, "Delete")));
  });
  const create = el("button", { type: "button", class: "primary", id: "create-key",
    onclick: async () => { if (await createKeyDialog(user)) reload(); } }, "Create access key");
  box.replaceChildren(
    el("div", { class: "section-head" }, el("h2", {}, own ? "Your access keys" : "Access keys"), create),
    el("p", { class: "muted small" }, `Service accounts: keys of ${own ? "yours" : user + "'s"} for programs, each with ` +
      "the user's rights, or fewer when it has its own policy. Disable or delete one without touching the others."),
    el("div", { class: "table-wrap" }, el("table", { class: "list cards", id: "key-table" },
      el("thead", {}, el("tr", {}, el("th", {}, "Access key"), el("th", {}, "Status"), el("th", { class: "hide-sm" }, "Name"),
        el("th", {}, "Expires"), el("th", { class: "hide-sm" }, "Policy"), el("th", {}, ""))),
      el("tbody", {}, rows.length ? rows
        : el("tr", {}, el("td", { colspan: 6, class: "empty" }, "No access keys yet."))))));
  return true;
}

async function createKeyDialog(user) {
  const name = el("input", { id: "key-name", maxlength: 64, autocomplete: "off", placeholder: "e.g. backup-job" });
  const desc = el("input", { id: "key-description", maxlength: 256, autocomplete: "off" });
  const expiry = el("input", { id: "key-expiry", type: "datetime-local" });
  const policy = el("textarea", { id: "key-policy", class: "code", rows: 8, spellcheck: "false",
    placeholder: '{"Version": "2012-10-17", "Statement": [...]}' });
  const creds = await formDialog({ id: "key-form", title: `New access key for ${user}`, wide: true,
    intro: "cairn makes the access key and secret. Without a policy of its own the key has all of " +
      `${user}'s rights; with one it has only what both allow.`,
    fields: [
      el("div", { class: "grid-2" }, el("label", {}, "Name (optional)", name), el("label", {}, "Expires (optional)", expiry)),
      el("label", {}, "Description (optional)", desc),
      el("label", {}, "Policy (optional, JSON)", policy)],
    submitLabel: "Create",
    onSubmit: async () => {
      const body = { targetUser: user };
      if (name.value.trim()) body.name = name.value.trim();
      if (desc.value.trim()) body.description = desc.value.trim();
      if (policy.value.trim()) body.policy = policy.value.trim();
      if (expiry.value) {
        const t = new Date(expiry.value).getTime();
        if (isNaN(t)) throw new Error("The expiry is not a date.");
        if (t <= Date.now()) throw new Error("The expiry must be in the future.");
        body.expiration = Math.floor(t / 1000);
      }
      const r = await admin("PUT", "add-service-account", null, body);
      return r.credentials;
    } });
  if (!creds || creds === true) return false;
  showSecretOnce(creds);
  return true;
}

// The one place a secret is shown: the dialog holds it until it closes.
function showSecretOnce(creds) {
  const d = $("#secret-dialog");
  $("#secret-access").value = creds.accessKey;
  $("#secret-value").value = creds.secretKey;
  $("#secret-expiry").textContent = creds.expiration ? "Expires " + fmtDate(creds.expiration) + "." : "Does not expire.";
  const copy = async (input, what) => {
    try {
      await navigator.clipboard.writeText(input.value);
    } catch (_) {
      input.select();
      if (!document.execCommand("copy")) { notify(`Select the ${what} and copy it (Ctrl+C).`, "info"); return; }
    }
    notify(`${what[0].toUpperCase() + what.slice(1)} copied.`, "ok");
  };
  $("#secret-access-copy").onclick = () => copy($("#secret-access"), "access key");
  $("#secret-copy").onclick = () => copy($("#secret-value"), "secret key");
  if (!d.dataset.wired) {   // emptied as it closes (button or Escape), not a task later
    const clear = () => {
      $("#secret-access").value = "";
      $("#secret-value").value = "";
    };
    d.querySelector("form").addEventListener("submit", clear);
    d.addEventListener("cancel", clear);
    d.addEventListener("close", clear);
    d.dataset.wired = "1";
  }
  d.showModal();
  $("#secret-copy").focus();
}

// ---- groups

function pageGroups(main) {
  return identityPage(main, "groups", "create-group", "Create group", loadGroups, () => groupMembersDialog(null, []));
}

async function loadGroups(box, add) {
  let r;
  try { r = await admin("GET", "groups"); } catch (e) { box.replaceChildren(deniedBox(e, "list groups")); return; }
  add.hidden = false;
  const map = r.groups && typeof r.groups === "object" && !Array.isArray(r.groups) ? r.groups
    : Object.fromEntries((Array.isArray(r) ? r : []).map((g) => [g, {}]));
  const reload = () => loadGroups(box, add);
  const rows = Object.entries(map).sort(([a], [b]) => a.localeCompare(b)).map(([g, v]) => {
    const enabled = v.status !== "disabled";
    const members = listOf(v.members);
    return el("tr", { dataset: { group: g } },
      el("td", { class: "name" }, g),
      el("td", { class: "status" }, badge(enabled ? "enabled" : "disabled")),
      cell("", "Members", members.join(", ") || "–"),
      cell("policies", "Policies", joined(v.policies)),
      el("td", { class: "actions" },
        el("button", { type: "button", "data-action": "toggle", onclick: async () => {
          try {
            await admin("PUT", "set-group-status", { group: g, status: enabled ? "disabled" : "enabled" });
            notify(`Group ${g} ${enabled ? "disabled" : "enabled"}.`, "ok");
          } catch (e) { notify(`Could not change ${g}: ${adminError(e)}`, "error"); }
          reload();
        } }, enabled ? "Disable" : "Enable"),
        el("button", { type: "button", "data-action": "members",
          onclick: async () => { if (await groupMembersDialog(g, members)) reload(); } }, "Members"),
        el("button", { type: "button", "data-action": "policies",
          onclick: async () => { if (await setPolicies(g, true)) reload(); } }, "Policies"),
        el("button", { type: "button", class: "danger", "data-action": "delete", onclick: async () => {
          if (!await confirmDialog(`Delete the group ${g}? Its members lose what its policies gave them.`)) return;
          try {
            if (members.length) await admin("PUT", "update-group-members", null, { group: g, members, isRemove: true });
            await admin("PUT", "update-group-members", null, { group: g, members: [], isRemove: true });
            notify(`Group ${g} deleted.`, "ok");
          } catch (e) { notify(`Could not delete ${g}: ${adminError(e)}`, "error"); }
          reload();
        } }, "Delete")));
  });
  box.replaceChildren(el("div", { class: "table-wrap" }, el("table", { class: "list cards", id: "group-table" },
    el("thead", {}, el("tr", {}, el("th", {}, "Group"), el("th", {}, "Status"), el("th", {}, "Members"),
      el("th", {}, "Policies"), el("th", {}, ""))),
    el("tbody", {}, rows.length ? rows
      : el("tr", {}, el("td", { colspan: 5, class: "empty" }, "No groups yet: create one by choosing its members."))))),
    el("p", { class: "muted small" }, "A group's policies apply to each of its members while the group is enabled."));
}

// Create a group (group null) or change its members.
async function groupMembersDialog(group, members) {
  let users;
  try {
    const r = await admin("GET", "list-users");
    users = Object.keys(r.users && typeof r.users === "object" ? r.users : r).sort();
  } catch (e) { notify("Could not list users: " + adminError(e), "error"); return false; }
  const nameInput = group ? null : el("input", { id: "new-group-name", required: true, maxlength: 128,
    pattern: NAME_CHARS + "{1,128}", title: "1-128 characters, no spaces, commas, slashes or quotes", autocomplete: "off" });
  return formDialog({ id: "group-form", title: group ? `Members of ${group}` : "Create group",
    intro: group ? null : "A group exists while it has members: choose at least one.",
    fields: [nameInput ? el("label", {}, "Group name", nameInput) : null,
      el("div", { class: "field" }, el("span", { class: "field-label" }, "Members"),
        checklist("group-members", users, members, "No users yet: add users first."))],
    submitLabel: group ? "Save members" : "Create group",
    onSubmit: async (form) => {
      const g = group || nameInput.value.trim();
      const want = checked(form.querySelector("#group-members"));
      if (!group && !want.length) throw new Error("Choose at least one member.");
      const add = want.filter((u) => !members.includes(u));
      const drop = members.filter((u) => !want.includes(u));
      if (add.length) await admin("PUT", "update-group-members", null, { group: g, members: add, isRemove: false });
      if (drop.length) await admin("PUT", "update-group-members", null, { group: g, members: drop, isRemove: true });
      notify(group ? `Members of ${g} saved.` : `Group ${g} created.`, "ok");
    } });
}

// ---- policies

const POLICY_TEMPLATE = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{
    Effect: "Allow",
    Action: ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
    Resource: ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"],
  }],
}, null, 2);

function pagePolicies(main) {
  return identityPage(main, "policies", "create-policy", "Create policy", loadPolicies, () => policyEditor(null, null));
}

async function loadPolicies(box, add) {
  let r;
  try { r = await admin("GET", "list-canned-policies"); } catch (e) { box.replaceChildren(deniedBox(e, "list policies")); return; }
  add.hidden = false;
  // who uses each policy (when the caller may see users and groups)
  const users = {};
  await Promise.all([
    admin("GET", "list-users").then((u) => {
      for (const [k, v] of Object.entries(u.users || {})) for (const p of listOf(v.policies)) (users[p] ||= []).push(k);
    }).catch(() => null),
    admin("GET", "groups").then((g) => {
      for (const [k, v] of Object.entries(g.groups || {})) for (const p of listOf(v.policies)) (users[p] ||= []).push("group " + k);
    }).catch(() => null)]);
  const reload = () => loadPolicies(box, add);
  const map = r.policies || r;
  const entries = Object.entries(map).sort(([a, x], [b, y]) => (y.builtin - x.builtin) || a.localeCompare(b));
  const rows = entries.map(([name, p]) => {
    const doc = p && "policy" in p ? p.policy : p;
    const statements = doc && Array.isArray(doc.Statement) ? doc.Statement.length : doc && doc.Statement ? 1 : 0;
    return el("tr", { dataset: { policy: name } },
      el("td", { class: "name" }, name),
      el("td", { class: "status" }, p.builtin ? "built-in" : "custom"),
      el("td", { class: "num hide-sm" }, String(statements)),
      cell("", "Attached to", (users[name] || []).join(", ") || "–"),
      el("td", { class: "actions" },
        el("button", { type: "button", "data-action": p.builtin ? "view" : "edit",
          onclick: async () => { if (await policyEditor(name, doc, p.builtin)) reload(); } }, p.builtin ? "View" : "Edit"),
        p.builtin ? null : el("button", { type: "button", class: "danger", "data-action": "delete", onclick: async () => {
          if (!await confirmDialog(`Delete the policy ${name}?`)) return;
          try {
            await admin("DELETE", "remove-canned-policy", { name });
            notify(`Policy ${name} deleted.`, "ok");
          } catch (e) {
            notify(e.status === 409 ? `${name} is not deleted: ${e.message}.` : `Could not delete ${name}: ${adminError(e)}`, "error");
          }
          reload();
        } }, "Delete")));
  });
  box.replaceChildren(el("div", { class: "table-wrap" }, el("table", { class: "list cards", id: "policy-table" },
    el("thead", {}, el("tr", {}, el("th", {}, "Policy"), el("th", {}, "Type"), el("th", { class: "num hide-sm" }, "Statements"),
      el("th", {}, "Attached to"), el("th", {}, ""))),
    el("tbody", {}, rows))),
    el("p", { class: "muted small" }, "Built-in policies are MinIO's and cannot be changed. A custom policy is checked " +
      "when it is saved (valid JSON, real actions, under 20 KiB); attach it to users or groups from their pages."));
}

// View a built-in policy, or create / replace a custom one.
async function policyEditor(name, doc, builtin = false) {
  const nameInput = el("input", { id: "policy-name", required: true, maxlength: 128, readonly: !!name,
    pattern: NAME_CHARS + "{1,128}", title: "1-128 characters, no spaces, commas, slashes or quotes",
    autocomplete: "off", value: name || "" });
  const text = el("textarea", { id: "policy-doc", class: "code", rows: 16, spellcheck: "false", required: true,
    readonly: builtin, "aria-label": "Policy document" }, doc ? JSON.stringify(doc, null, 2) : POLICY_TEMPLATE);
  return formDialog({ id: "policy-form", title: builtin ? `Policy ${name} (built-in)` : name ? `Edit policy ${name}` : "Create policy",
    wide: true, readOnly: builtin,
    intro: builtin ? null : name ? "Saving replaces the document; users and groups it is attached to get the new one at once." : null,
    fields: [el("label", {}, "Name", nameInput), el("label", {}, "Document (JSON)", text)],
    submitLabel: name ? "Save policy" : "Create policy",
    onSubmit: async () => {
      const n = nameInput.value.trim();
      await admin("PUT", "add-canned-policy", { name: n }, text.value);
      notify(`Policy ${n} saved.`, "ok");
    } });
}

// ---- start ------------------------------------------------------------------

async function start() {
  $("#login-form").addEventListener("submit", onLogin);
  $("#logout").addEventListener("click", onLogout);
  window.addEventListener("hashchange", route);
  if (await loadSession()) showApp();
  else showLogin("");
}

document.addEventListener("DOMContentLoaded", start);
