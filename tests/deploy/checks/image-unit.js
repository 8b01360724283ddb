'use strict';
// The container image (Dockerfile, checked by reading it: no Docker engine
// runs here) and the systemd unit (systemd-analyze verify when it works,
// plus a parse of its own).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { check } = require('../lib/harness');
const { repo } = require('../lib/paths');
const { cairnHelp, mentions } = require('../lib/cairn-bin');

const DOCKERFILE = path.join(repo, 'deploy/docker/Dockerfile');
const UNIT = path.join(repo, 'deploy/systemd/cairn.service');
const ENV_EXAMPLE = path.join(repo, 'deploy/systemd/cairn.env.example');

// Build dependencies the project requires (DESIGN.md) and the tools.
const BUILD_PACKAGES = ['meson', 'ninja-build', 'pkg-config', 'gcc', 'libuv1-dev', 'node-llhttp', 'libssl-dev',
  'libisal-dev', 'liblmdb-dev', 'libexpat1-dev', 'libjansson-dev'];
// Shared library of each -dev package on bookworm; used when apt-cache has
// no package lists to ask.
const RUNTIME_OF = {
  'libuv1-dev': 'libuv1', 'libssl-dev': 'libssl3', 'libisal-dev': 'libisal2', 'liblmdb-dev': 'liblmdb0',
  'libexpat1-dev': 'libexpat1', 'libjansson-dev': 'libjansson4',
};
// -dev packages scripts/install-deps.sh may install for tests and tooling
// only (not linked into the binary), so the image need not have them.
const TEST_ONLY = [/^libclang-rt-/, /^libcmocka-dev$/, /^libcriterion-dev$/, /^check$/, /^libsubunit-dev$/, /^valgrind$/];

// Dockerfile -> instructions (continuation lines joined, comments dropped).
function parseDockerfile(text) {
  const out = [];
  let cur = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!cur && /^\s*#/.test(line)) continue;
    if (/^\s*#/.test(line)) continue; // comment inside a continuation
    cur += (cur ? ' ' : '') + line.trim();
    if (cur.endsWith('\\')) { cur = cur.slice(0, -1).trim(); continue; }
    if (cur) {
      const m = /^(\S+)\s*(.*)$/.exec(cur);
      out.push({ op: m[1].toUpperCase(), args: m[2] });
    }
    cur = '';
  }
  return out;
}

function stages(instrs) {
  const list = [];
  for (const i of instrs) {
    if (i.op === 'FROM') list.push({ from: i.args, instrs: [] });
    else if (list.length) list[list.length - 1].instrs.push(i);
  }
  return list;
}

function aptPackages(runArgs) {
  const pkgs = [];
  for (const m of runArgs.matchAll(/apt-get\s+install\s+([^&;|]*)/g)) {
    for (const tok of m[1].split(/\s+/)) if (tok && !tok.startsWith('-') && !/[$"'{}]/.test(tok)) pkgs.push(tok.replace(/=.*$/, ''));
  }
  return pkgs;
}

function scriptPackages(text) {
  const joined = text.replace(/\\\n/g, ' ');
  const pkgs = [];
  for (const line of joined.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    pkgs.push(...aptPackages(line));
  }
  // Package lists kept in shell arrays or variables: PKGS=(a b c) / PKGS="a b c"
  for (const m of joined.matchAll(/^\s*[A-Za-z_]*(?:pkgs|packages|deps)[A-Za-z_]*\+?=\s*[("]([^)"]*)[)"]/gim)) {
    for (const tok of m[1].split(/\s+/)) if (/^[a-z0-9][a-z0-9+.-]+$/.test(tok)) pkgs.push(tok);
  }
  return [...new Set(pkgs)];
}

function runtimeOf(devPkg) {
  const r = spawnSync('apt-cache', ['show', '--no-all-versions', devPkg], { encoding: 'utf8' });
  const dep = r.status === 0 && /^Depends:\s*(.*)$/m.exec(r.stdout);
  if (dep) {
    const lib = dep[1].split(',').map((s) => s.trim().split(/[\s|]/)[0]).find((p) => /^lib/.test(p) && !p.endsWith('-dev'));
    if (lib) return lib;
  }
  return RUNTIME_OF[devPkg];
}

function parseUnit(text) {
  const sections = {};
  let cur = null;
  const errs = [];
  text.split('\n').forEach((line, n) => {
    const l = line.trim();
    if (!l || l.startsWith('#') || l.startsWith(';')) return;
    const sec = /^\[([A-Za-z]+)\]$/.exec(l);
    if (sec) { cur = sec[1]; sections[cur] = sections[cur] || {}; return; }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(l);
    if (!kv || !cur) { errs.push(`line ${n + 1}: ${l}`); return; }
    (sections[cur][kv[1]] = sections[cur][kv[1]] || []).push(kv[2]);
  });
  return { sections, errs };
}

module.exports = async function imageAndUnit() {
  const text = fs.readFileSync(DOCKERFILE, 'utf8');
  const instrs = parseDockerfile(text);
  const st = stages(instrs);
  const runtime = st[st.length - 1];
  const builder = st.find((s) => /\bAS\s+builder$/i.test(s.from));

  await check('image: multi-stage build on a pinned Debian bookworm slim base', () => {
    const errs = [];
    if (st.length < 2 || !builder) errs.push('no builder stage');
    for (const s of st) {
      const image = s.from.split(/\s+/)[0];
      if (!/^debian:(12\.\d+-slim|bookworm-\d{8}-slim)(@sha256:[0-9a-f]{64})?$/.test(image) && !/^debian:bookworm-slim@sha256:[0-9a-f]{64}$/.test(image)) {
        errs.push(`base ${image} is not a pinned bookworm slim`);
      }
    }
    if (new Set(st.map((s) => s.from.split(/\s+/)[0])).size !== 1) errs.push('stages use different bases');
    return errs;
  });

  await check('image: builder installs the build dependencies and builds with meson/ninja', () => {
    if (!builder) return 'no builder stage';
    const runs = builder.instrs.filter((i) => i.op === 'RUN').map((i) => i.args).join(' && ');
    const pkgs = aptPackages(runs);
    const errs = BUILD_PACKAGES.filter((p) => !pkgs.includes(p)).map((p) => `missing ${p}`);
    if (!/--no-install-recommends/.test(runs)) errs.push('apt-get without --no-install-recommends');
    if (!/meson setup build --buildtype=release/.test(runs) || !/ninja -C build/.test(runs)) errs.push('no meson setup build --buildtype=release && ninja -C build');
    return errs;
  });

  await check('image: builder packages match scripts/install-deps.sh (when it exists)', () => {
    const script = path.join(repo, 'scripts/install-deps.sh');
    if (!fs.existsSync(script)) return null;
    const projectPkgs = scriptPackages(fs.readFileSync(script, 'utf8'));
    if (!projectPkgs.length) return 'no packages found in scripts/install-deps.sh';
    const runs = builder.instrs.filter((i) => i.op === 'RUN').map((i) => i.args).join(' && ');
    const builderPkgs = aptPackages(runs);
    const errs = [];
    for (const p of projectPkgs) {
      if (/-dev$/.test(p) && !TEST_ONLY.some((re) => re.test(p)) && !builderPkgs.includes(p)) {
        errs.push(`install-deps.sh installs ${p}, the image builder does not`);
      }
    }
    for (const p of builderPkgs) {
      if (!projectPkgs.includes(p) && !['libc6-dev', 'gcc', 'ca-certificates'].includes(p)) errs.push(`builder installs ${p}, install-deps.sh does not`);
    }
    return errs;
  });

  await check('image: runtime stage has the shared libraries only, as a non-root user', () => {
    const errs = [];
    const runs = runtime.instrs.filter((i) => i.op === 'RUN').map((i) => i.args).join(' && ');
    const pkgs = aptPackages(runs);
    for (const p of pkgs) if (/-dev$/.test(p) || ['gcc', 'meson', 'ninja-build', 'pkg-config'].includes(p)) errs.push(`runtime installs ${p}`);
    for (const dev of Object.keys(RUNTIME_OF)) {
      const lib = runtimeOf(dev);
      if (!pkgs.includes(lib)) errs.push(`runtime lacks ${lib} (for ${dev})`);
    }
    if (!pkgs.includes('ca-certificates')) errs.push('no ca-certificates');
    if (!/rm -rf \/var\/lib\/apt\/lists/.test(runs)) errs.push('apt lists not removed');
    const users = runtime.instrs.filter((i) => i.op === 'USER');
    if (!users.length) errs.push('no USER');
    else {
      const u = users[users.length - 1].args.split(':')[0];
      if (u === 'root' || u === '0') errs.push(`USER ${u}`);
      if (!/^\d+$/.test(u)) errs.push(`USER ${u} is not numeric (runAsNonRoot cannot verify names)`);
    }
    const copy = runtime.instrs.find((i) => i.op === 'COPY' && /--from=builder/.test(i.args));
    if (!copy || !/\/build\/cairn\s+\/usr\/local\/bin\/cairn$/.test(copy.args)) errs.push('build/cairn not copied to /usr/local/bin/cairn');
    return errs;
  });

  await check('image: ports, health check, entrypoint and command', () => {
    const errs = [];
    const get = (op) => runtime.instrs.filter((i) => i.op === op).map((i) => i.args);
    const expose = get('EXPOSE').join(' ').split(/\s+/);
    for (const p of ['9000', '9001']) if (!expose.includes(p)) errs.push(`port ${p} not exposed`);
    const hc = get('HEALTHCHECK')[0] || '';
    if (!/\/minio\/health\/live/.test(hc)) errs.push(`HEALTHCHECK ${hc}`);
    if (!/:9000\//.test(hc)) errs.push('HEALTHCHECK not on the API port');
    const help = cairnHelp();
    if (help.error) errs.push(help.error);
    else if (!mentions(help.text, '/minio/health/live')) errs.push('/minio/health/live not in cairn --help');
    const ep = get('ENTRYPOINT').pop();
    const cmd = get('CMD').pop();
    try {
      if (JSON.stringify(JSON.parse(ep)) !== '["cairn"]') errs.push(`ENTRYPOINT ${ep}`);
      if (JSON.stringify(JSON.parse(cmd)) !== '["server","/data"]') errs.push(`CMD ${cmd}`);
    } catch {
      errs.push(`ENTRYPOINT/CMD not in exec form: ${ep} / ${cmd}`);
    }
    return errs;
  });

  await check('image: the Dockerfile parser sees a broken Dockerfile (self-check)', () => {
    const bad = stages(parseDockerfile('FROM debian:latest\nRUN apt-get install -y gcc \\\n  libuv1-dev\nUSER root\n'));
    const errs = [];
    if (bad.length !== 1 || bad[0].from !== 'debian:latest') errs.push('FROM not parsed');
    const pk = aptPackages(bad[0].instrs[0].args);
    if (JSON.stringify(pk) !== '["gcc","libuv1-dev"]') errs.push(`continuation lines not joined: ${pk}`);
    if (bad[0].instrs[1].args !== 'root') errs.push('USER not parsed');
    const sp = scriptPackages('#!/bin/sh\napt-get install -y \\\n  libfoo-dev bar\nPKGS="baz-dev qux"\nbuild_pkgs=(one\n   two-dev)\n');
    if (JSON.stringify(sp.sort()) !== '["bar","baz-dev","libfoo-dev","one","qux","two-dev"]') errs.push(`install-deps parse: ${sp}`);
    return errs;
  });

  const unitText = fs.readFileSync(UNIT, 'utf8');
  const { sections, errs: parseErrs } = parseUnit(unitText);
  const svc = sections.Service || {};
  const val = (k) => (svc[k] || []).join(' ');

  await check('systemd: unit parses with [Unit], [Service], [Install]', () => {
    const errs = [...parseErrs];
    for (const s of ['Unit', 'Service', 'Install']) if (!sections[s]) errs.push(`no [${s}]`);
    return errs;
  });

  await check('systemd: hardening and data directory', () => {
    const errs = [];
    const want = {
      ProtectSystem: 'strict', NoNewPrivileges: 'yes', PrivateTmp: 'yes', ProtectHome: 'yes', PrivateDevices: 'yes',
      ProtectKernelTunables: 'yes', ProtectKernelModules: 'yes', ProtectControlGroups: 'yes', RestrictSUIDSGID: 'yes',
    };
    for (const [k, v] of Object.entries(want)) if (val(k) !== v) errs.push(`${k}=${val(k)}`);
    if (!/\/var\/lib\/cairn/.test(val('ReadWritePaths'))) errs.push('no ReadWritePaths for the data directory');
    if (val('CapabilityBoundingSet') !== '') errs.push('capabilities kept');
    if (!val('User') || val('User') === 'root') errs.push(`User=${val('User')}`);
    if (val('EnvironmentFile').replace(/^-/, '') !== '/etc/default/cairn') errs.push(`EnvironmentFile=${val('EnvironmentFile')}`);
    if (!/^\/usr\/local\/bin\/cairn server /.test(val('ExecStart'))) errs.push(`ExecStart=${val('ExecStart')}`);
    return errs;
  });

  await check('systemd: example environment uses variables the server reads (cairn --help)', () => {
    const help = cairnHelp();
    if (help.error) return help.error;
    const errs = [];
    const envText = fs.readFileSync(ENV_EXAMPLE, 'utf8');
    const names = [...envText.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    for (const n of names) {
      if (n === 'CAIRN_OPTS') continue; // expanded by ExecStart, not read by the server
      if (!mentions(help.text, n)) errs.push(`${n} is not in cairn --help`);
    }
    for (const n of ['CAIRN_ROOT_USER', 'CAIRN_ROOT_PASSWORD', 'CAIRN_VOLUMES']) if (!names.includes(n)) errs.push(`${n} not set`);
    if (/^CAIRN_ROOT_PASSWORD=\S/m.test(envText)) errs.push('example ships a password');
    for (const m of val('ExecStart').matchAll(/\$\{?([A-Z_]+)/g)) if (!names.includes(m[1])) errs.push(`ExecStart uses ${m[1]}, not in the example`);
    for (const flag of (envText.match(/--[a-z-]+/g) || [])) if (!mentions(help.text, flag)) errs.push(`${flag} is not in cairn --help`);
    return errs;
  });

  const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) {
    await check('systemd: systemd-analyze verify reports nothing', () => {
      // verify insists that the ExecStart binary exists: point the copy at
      // the built cairn when there is one, else at /bin/true.
      const help = cairnHelp();
      const bin = help.bin || '/bin/true';
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-unit-'));
      const unit = path.join(dir, 'cairn.service');
      fs.writeFileSync(unit, unitText.replace(/\/usr\/local\/bin\/cairn/g, bin));
      const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
      fs.rmSync(dir, { recursive: true, force: true });
      const out = `${r.stdout}${r.stderr}`.trim();
      if (r.status !== 0 || out) return out || `exit ${r.status}`;
      return null;
    });
  } else {
    console.log('note: systemd-analyze not available, verify skipped');
  }
};
