'use strict';
// Finds the cairn binary (CAIRN_BIN, build/cairn, build-asan/cairn; builds
// it with meson when none exists) and returns its --help text, the server's
// own list of the flags, environment variables and paths it knows.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { repo } = require('./paths');

let cached;

function findBinary() {
  const candidates = [process.env.CAIRN_BIN, path.join(repo, 'build/cairn'), path.join(repo, 'build-asan/cairn')]
    .filter(Boolean);
  return candidates.find((p) => { try { fs.accessSync(p, fs.constants.X_OK); return true; } catch { return false; } });
}

function build() {
  if (!fs.existsSync(path.join(repo, 'meson.build'))) return 'no meson.build in the repository';
  const steps = fs.existsSync(path.join(repo, 'build/build.ninja'))
    ? [['ninja', ['-C', 'build']]]
    : [['meson', ['setup', 'build']], ['ninja', ['-C', 'build']]];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { cwd: repo, encoding: 'utf8', timeout: 600000 });
    if (r.status !== 0) return `${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout || String(r.error)).slice(-2000)}`;
  }
  return null;
}

function cairnHelp() {
  if (cached) return cached;
  let bin = findBinary();
  let buildError = null;
  if (!bin) {
    buildError = build();
    bin = findBinary();
  }
  if (!bin) {
    cached = { error: `no cairn binary (CAIRN_BIN, build/cairn, build-asan/cairn)${buildError ? `: ${buildError}` : ''}` };
    return cached;
  }
  const r = spawnSync(bin, ['--help'], { encoding: 'utf8', timeout: 20000 });
  const text = `${r.stdout || ''}${r.stderr || ''}`;
  if (r.status !== 0 || !text.trim()) {
    cached = { error: `${bin} --help exited ${r.status}: ${text.slice(0, 500)}` };
  } else {
    cached = { bin, text };
  }
  return cached;
}

// Whole-token match, so CAIRN_ROOT_USER does not match CAIRN_ROOT_USERNAME.
function mentions(text, token) {
  const esc = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_/-])${esc}(?![A-Za-z0-9_/-])`, 'm').test(text);
}

module.exports = { cairnHelp, mentions };
