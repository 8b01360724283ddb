'use strict';
// helm lint --strict and helm template for every chart and environment.
// The rendered objects are kept in ctx.renders for the later checks.
const fs = require('fs');
const path = require('path');
const { check } = require('../lib/harness');
const helm = require('../lib/helm');
const { ENVIRONMENTS, SERVICES, storageNamespace, domainNamespace } = require('../lib/platform');

const CAIRN = helm.chartPath('cairn');
const BASE = helm.chartPath('base-chart');
const servicePath = (svc) => helm.chartPath('services', svc);
const envValues = (env) => helm.chartPath('services', 'environments', `${env}.yaml`);

function failure(res) {
  return `exit ${res.code}\n${(res.stderr + res.stdout).trim()}`;
}

module.exports = async function helmChecks(ctx) {
  ctx.renders = [];

  await check('helm: binary runs', async () => {
    const res = await helm.run(['version', '--short']);
    if (res.code !== 0) return failure(res);
    if (!/^v3\./.test(res.stdout.trim())) return `unexpected version ${res.stdout}`;
  });

  await check('helm: chart set is exactly cairn, base-chart and the 11 services', () => {
    const found = fs.readdirSync(helm.chartPath('services'))
      .filter((d) => fs.existsSync(path.join(servicePath(d), 'Chart.yaml'))).sort();
    const want = Object.keys(SERVICES).sort();
    if (JSON.stringify(found) !== JSON.stringify(want)) return `services found: ${found.join(', ')}`;
  });

  await check('helm: base-chart is a library chart and lints', async () => {
    const chart = require('js-yaml').load(fs.readFileSync(path.join(BASE, 'Chart.yaml'), 'utf8'));
    if (chart.type !== 'library') return `type is ${chart.type}`;
    const res = await helm.lint(BASE, [], null);
    if (res.code !== 0) return failure(res);
  });

  // file:// dependencies are packaged into each service's charts/ (gitignored).
  const services = Object.keys(SERVICES);
  const deps = await helm.pool(services, 2, (svc) => helm.dependencyBuild(servicePath(svc)));
  services.forEach((svc, i) => {
    check(`helm: ${svc} dependency build`, () => {
      const chart = require('js-yaml').load(fs.readFileSync(path.join(servicePath(svc), 'Chart.yaml'), 'utf8'));
      const dep = (chart.dependencies || []).find((d) => d.name === 'base-chart');
      if (!dep) return 'no base-chart dependency';
      if (dep.repository !== 'file://../../base-chart') return `repository is ${dep.repository}`;
      if (deps[i].code !== 0) return failure(deps[i]);
    });
  });

  const jobs = [];
  for (const env of ENVIRONMENTS) {
    jobs.push({ chart: 'cairn', kind: 'storage', env, dir: CAIRN,
      values: [path.join(CAIRN, `values-${env}.yaml`)], namespace: storageNamespace(env), release: 'cairn' });
    for (const [svc, [domain]] of Object.entries(SERVICES)) {
      jobs.push({ chart: svc, kind: 'service', env, domain, dir: servicePath(svc),
        values: [envValues(env)], namespace: domainNamespace(domain, env), release: svc });
    }
  }

  const outcomes = await helm.pool(jobs, 2, async (job) => {
    const lint = await helm.lint(job.dir, job.values, job.namespace);
    const tpl = await helm.template(job.release, job.dir, job.values, job.namespace);
    return { lint, tpl };
  });

  jobs.forEach((job, i) => {
    const { lint, tpl } = outcomes[i];
    check(`helm: lint --strict ${job.chart} (${job.env})`, () => {
      if (lint.code !== 0) return failure(lint);
      if (/\[(WARNING|ERROR)\]/.test(lint.stdout)) return lint.stdout;
    });
    check(`helm: template ${job.chart} (${job.env})`, () => {
      if (tpl.code !== 0) return failure(tpl);
      if (!tpl.objects.length) return 'rendered nothing';
      ctx.renders.push({ ...job, objects: tpl.objects, label: `${job.chart}/${job.env}` });
    });
  });

  // The charts refuse a namespace that breaks the platform's naming.
  await check('helm: cairn refuses a release namespace outside microservices-storage-<env>', async () => {
    const res = await helm.template('cairn', CAIRN, [path.join(CAIRN, 'values-dev.yaml')], 'default');
    if (res.code === 0) return 'rendered into namespace "default"';
    if (!/does not match "microservices-storage-dev"/.test(res.stderr)) return failure(res);
  });
  await check('helm: services refuse a namespace of another domain', async () => {
    const res = await helm.template('user-api', servicePath('user-api'), [envValues('dev')], 'microservices-order-dev');
    if (res.code === 0) return 'user-api rendered into microservices-order-dev';
    if (!/does not match "microservices-user-dev"/.test(res.stderr)) return failure(res);
  });
};
