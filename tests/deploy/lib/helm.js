'use strict';
const { spawn } = require('child_process');
const path = require('path');
const yaml = require('js-yaml');
const { helmDir } = require('./paths');
const { KUBE_VERSION } = require('./platform');

const HELM = process.env.HELM_BIN || 'helm';

function run(args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(HELM, args, { cwd: opts.cwd || helmDir, env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (err) => resolve({ code: -1, stdout, stderr: String(err) }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Run async jobs with a small concurrency (the machines have 2 cores).
async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const kubeArgs = ['--kube-version', KUBE_VERSION];

function lint(chartDir, valuesFiles, namespace) {
  const args = ['lint', '--strict', chartDir, ...kubeArgs];
  for (const f of valuesFiles) args.push('-f', f);
  if (namespace) args.push('--namespace', namespace);
  return run(args);
}

async function template(release, chartDir, valuesFiles, namespace, extra = []) {
  const args = ['template', release, chartDir, ...kubeArgs,
    '--api-versions', 'monitoring.coreos.com/v1/ServiceMonitor', '--namespace', namespace];
  for (const f of valuesFiles) args.push('-f', f);
  args.push(...extra);
  const res = await run(args);
  if (res.code !== 0) return { ...res, objects: null };
  const objects = [];
  for (const doc of yaml.loadAll(res.stdout)) {
    if (doc && typeof doc === 'object') objects.push(doc);
  }
  return { ...res, objects };
}

function dependencyBuild(chartDir) {
  return run(['dependency', 'build', chartDir, '--skip-refresh']);
}

module.exports = { run, lint, template, dependencyBuild, pool, chartPath: (...p) => path.join(helmDir, ...p) };
