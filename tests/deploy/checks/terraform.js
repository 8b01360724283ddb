'use strict';
// Terraform, offline: every file parses (hcl2json), the reference checker
// finds nothing (and does find every mistake in a broken fixture),
// terraform fmt when a terraform binary is present, and the environments'
// facts (CIDRs, node groups, retention, region, state backends).
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { check } = require('../lib/harness');
const { tfDir, fixtures, repo } = require('../lib/paths');
const { checkAll } = require('../lib/tfcheck');
const P = require('../lib/platform');

const first = (x) => (Array.isArray(x) ? x[0] : x);

module.exports = async function terraformChecks(ctx) {
  let result;
  await check('terraform: every file parses', async () => {
    result = await checkAll(tfDir, { relativeTo: repo });
    const parseErrors = Object.values(result.infos).flatMap((i) => i.parseErrors);
    if (Object.keys(result.infos).length < 20) parseErrors.push(`only ${Object.keys(result.infos).length} directories with .tf files`);
    return parseErrors;
  });
  if (!result) return;
  const infos = result.infos;
  const at = (...p) => infos[path.join(tfDir, ...p)];

  await check('terraform: references, module arguments, remote state outputs and required variables resolve', () => {
    if (result.refCount < 500) return `only ${result.refCount} references checked`;
    return result.errors;
  });

  await check('terraform: the reference checker flags every mistake of the broken fixture (self-check)', async () => {
    const dir = path.join(fixtures, 'terraform-broken');
    const expected = fs.readFileSync(path.join(dir, 'expected-errors.txt'), 'utf8').split('\n').filter(Boolean);
    const r = await checkAll(dir);
    const errs = [];
    for (const e of expected) if (!r.errors.some((x) => x.includes(e))) errs.push(`not flagged: ${e}`);
    for (const x of r.errors) if (!expected.some((e) => x.includes(e))) errs.push(`unexpected: ${x}`);
    return errs;
  });

  const tf = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  if (tf.status === 0) {
    await check('terraform: fmt -check -recursive', () => {
      const r = spawnSync('terraform', ['fmt', '-check', '-recursive', '-list=true', tfDir], { encoding: 'utf8' });
      if (r.status !== 0) return `unformatted:\n${r.stdout}${r.stderr.replace(/There are some problems with the CLI configuration:[\s\S]*?╵\n?/, '')}`;
    });
  } else {
    console.log('note: no terraform binary, fmt check skipped');
  }

  await check('terraform: modules have main.tf, variables.tf, outputs.tf, versions.tf and described variables/outputs', () => {
    const errs = [];
    const modules = fs.readdirSync(path.join(tfDir, 'modules'));
    const want = ['vpc', 'eks', 'aurora', 'ecr', 's3', 'cloudfront', 'openvpn', 'microservice-base', 'object-storage',
      'openstack-network', 'openstack-compute', 'openstack-storage', 'platform-core-infra', 'platform-domain'];
    for (const m of want) if (!modules.includes(m)) errs.push(`module ${m} missing`);
    for (const m of modules) {
      for (const f of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf']) {
        if (!fs.existsSync(path.join(tfDir, 'modules', m, f))) errs.push(`modules/${m}/${f} missing`);
      }
      const info = at('modules', m);
      if (!info) continue;
      if (!Object.keys(info.outputs).length) errs.push(`modules/${m} has no outputs`);
    }
    return errs;
  });

  await check('terraform: every variable and output has a description', async () => {
    const errs = [];
    const hcl = require('@cdktf/hcl2json');
    for (const info of Object.values(infos)) {
      for (const file of info.files) {
        const json = await hcl.parse(path.basename(file), fs.readFileSync(file, 'utf8'));
        for (const kind of ['variable', 'output']) {
          for (const [n, b] of Object.entries(json[kind] || {})) {
            if (!first(b).description) errs.push(`${path.relative(repo, file)}: ${kind} ${n}`);
          }
        }
      }
    }
    return errs;
  });

  // The environment roots are thin: a backend, providers, outputs and one
  // call of the composition module of their kind with the environment's
  // values. callOf returns that call's arguments.
  const COMPOSITION = { 'core-infra': 'platform-core-infra', domain: 'platform-domain' };
  const compositionOf = (root) => COMPOSITION[root.startsWith('domain-') ? 'domain' : root];
  const callOf = (info, root) => {
    if (!info) return null;
    const target = path.join(tfDir, 'modules', compositionOf(root));
    const calls = Object.values(info.modules).filter((b) => typeof b.source === 'string' && path.resolve(info.dir, b.source) === target);
    return calls.length === 1 ? calls[0] : null;
  };

  await check('terraform: environment roots only call their composition module (no resources or data sources of their own)', () => {
    const errs = [];
    for (const env of P.ENVIRONMENTS) {
      for (const root of P.ROOTS) {
        const info = at('environments', env, root);
        if (!info) { errs.push(`${env}/${root} missing`); continue; }
        if (!callOf(info, root)) errs.push(`${env}/${root}: no single call of modules/${compositionOf(root)}`);
        if (Object.keys(info.modules).length !== 1) errs.push(`${env}/${root}: modules ${Object.keys(info.modules).join(', ')}`);
        for (const r of [...info.resources, ...[...info.data].map((d) => `data.${d}`)]) errs.push(`${env}/${root}: ${r}`);
      }
    }
    return errs;
  });

  for (const env of P.ENVIRONMENTS) {
    const want = P.INFRA[env];
    await check(`terraform: ${env} has the roots ${P.ROOTS.join(', ')}${env === 'dev' ? ', private-cloud' : ''}`, () => {
      const dir = path.join(tfDir, 'environments', env);
      const found = fs.readdirSync(dir).filter((d) => fs.statSync(path.join(dir, d)).isDirectory()).sort();
      const expected = [...P.ROOTS, ...(env === 'dev' ? ['private-cloud'] : [])].sort();
      return JSON.stringify(found) === JSON.stringify(expected) ? null : `roots: ${found.join(', ')}`;
    });

    await check(`terraform: ${env} state backends are S3 with a DynamoDB lock of this environment`, () => {
      const errs = [];
      const roots = fs.readdirSync(path.join(tfDir, 'environments', env));
      for (const root of roots) {
        const info = at('environments', env, root);
        const b = info && info.backend;
        if (!b || b.type !== 's3') { errs.push(`${root}: backend ${b && b.type}`); continue; }
        const c = b.config;
        if (c.bucket !== `cairn-platform-${env}-terraform-state`) errs.push(`${root}: bucket ${c.bucket}`);
        if (c.dynamodb_table !== `cairn-platform-${env}-terraform-lock`) errs.push(`${root}: lock table ${c.dynamodb_table}`);
        if (c.key !== `${root}/terraform.tfstate`) errs.push(`${root}: key ${c.key}`);
        if (c.region !== P.REGION) errs.push(`${root}: region ${c.region}`);
        if (c.encrypt !== true) errs.push(`${root}: state not encrypted`);
      }
      return errs;
    });

    await check(`terraform: ${env} core-infra: VPC ${want.cidr}, ${want.instance} nodes ${want.min}-${want.max}, backups ${want.retention} days, ${P.REGION}`, () => {
      const v = callOf(at('environments', env, 'core-infra'), 'core-infra');
      if (!v) return 'core-infra does not call modules/platform-core-infra';
      const errs = [];
      if (v.vpc_cidr !== want.cidr) errs.push(`vpc_cidr ${v.vpc_cidr}`);
      if (v.node_instance_type !== want.instance) errs.push(`node_instance_type ${v.node_instance_type}`);
      if (v.node_min_size !== want.min || v.node_max_size !== want.max) errs.push(`nodes ${v.node_min_size}-${v.node_max_size}`);
      if (!(v.node_desired_size >= want.min && v.node_desired_size <= want.max)) errs.push(`desired ${v.node_desired_size}`);
      if (v.backup_retention_days !== want.retention) errs.push(`backup_retention_days ${v.backup_retention_days}`);
      if (v.region !== P.REGION) errs.push(`region ${v.region}`);
      if (v.environment !== env) errs.push(`environment ${v.environment}`);
      for (const z of v.availability_zones || []) if (!z.startsWith(P.REGION)) errs.push(`zone ${z}`);
      return errs;
    });

    for (const domain of Object.keys(P.DOMAINS)) {
      await check(`terraform: ${env} domain-${domain} reads ${env} core-infra and keeps backups ${want.retention} days`, () => {
        const info = at('environments', env, `domain-${domain}`);
        if (!info) return 'root missing';
        const errs = [];
        const v = callOf(info, `domain-${domain}`);
        if (!v) return `domain-${domain} does not call modules/platform-domain`;
        if (v.domain !== domain) errs.push(`domain ${v.domain}`);
        if (v.backup_retention_days !== want.retention) errs.push(`backup_retention_days ${v.backup_retention_days}`);
        if (v.region !== P.REGION || v.environment !== env) errs.push(`region/environment ${v.region}/${v.environment}`);
        // Remote states of the root and of the modules it calls, resolved
        // with this root's arguments by the reference checker.
        const rs = info.resolvedRemoteStates || [];
        if (rs.length !== 1) errs.push(`${rs.length} remote states`);
        for (const r of rs) {
          if (r.bucket !== info.backend.config.bucket || r.key !== 'core-infra/terraform.tfstate') errs.push(`reads s3://${r.bucket}/${r.key}`);
        }
        const mod = at('modules', 'platform-domain');
        if (!mod.modules.aurora || !mod.modules.microservice_base) errs.push('aurora or microservice_base module missing in platform-domain');
        else if (mod.modules.aurora.database_name !== '${var.domain}db' || mod.modules.microservice_base.domain !== '${var.domain}') errs.push('database is not <domain>db');
        return errs;
      });
    }
  }

  await check('terraform: object-storage installs deploy/helm/cairn with the Secret the production values expect', () => {
    const info = at('modules', 'object-storage');
    const errs = [];
    const chart = path.resolve(info.dir, info.locals.chart_path.replace('${path.module}', '.'));
    if (chart !== path.join(repo, 'deploy/helm/cairn')) errs.push(`chart path resolves to ${chart}`);
    const yaml = require('js-yaml');
    const prod = yaml.load(fs.readFileSync(path.join(repo, 'deploy/helm/cairn/values-production.yaml'), 'utf8'));
    if (prod.auth.existingSecret !== info.locals.secret_name) errs.push(`production existingSecret ${prod.auth.existingSecret} vs module ${info.locals.secret_name}`);
    if (info.locals.namespace !== 'microservices-storage-${var.environment}') errs.push(`namespace ${info.locals.namespace}`);
    return errs;
  });

  await check('terraform: microservice-base matches the service charts (namespace, IRSA role, Secrets)', () => {
    const info = at('modules', 'microservice-base');
    const errs = [];
    if (info.locals.namespace !== 'microservices-${var.domain}-${var.environment}') errs.push(`namespace ${info.locals.namespace}`);
    const services = (ctx.renders || []).filter((r) => r.kind === 'service');
    if (!services.length) return 'no rendered service charts to compare with';
    const tfSource = fs.readFileSync(path.join(info.dir, 'main.tf'), 'utf8');
    for (const r of services) {
      const sa = r.objects.find((o) => o.kind === 'ServiceAccount');
      const arn = sa.metadata.annotations['eks.amazonaws.com/role-arn'];
      const role = arn.split('/').pop();
      const [domain] = P.SERVICES[r.chart];
      const expected = info.locals.role_name.replace('${var.domain}', domain).replace('${var.environment}', r.env);
      if (role !== expected) errs.push(`${r.label}: role ${role}, Terraform creates ${expected}`);
      const dep = r.objects.find((o) => o.kind === 'Deployment');
      const c = dep.spec.template.spec.containers[0];
      for (const e of c.env || []) {
        const ref = e.valueFrom && e.valueFrom.secretKeyRef;
        if (!ref) continue;
        if (ref.name !== 'object-storage-credentials' || !tfSource.includes(`"${ref.key}"`)) errs.push(`${r.label}: ${e.name} reads ${ref.name}/${ref.key}, not written by microservice-base`);
      }
      for (const s of c.envFrom || []) {
        if (s.secretRef && s.secretRef.name !== `${domain}-db-credentials`) errs.push(`${r.label}: envFrom ${s.secretRef.name}`);
      }
      if (!tfSource.includes('name      = "${var.domain}-db-credentials"')) errs.push('microservice-base does not write <domain>-db-credentials');
    }
    return [...new Set(errs)];
  });
};
