'use strict';
// A reference checker for Terraform configurations that runs offline (no
// providers, no terraform init): every .tf file is parsed with hcl2json,
// then, per directory (root or module):
//  - var.X, local.X, module.M, data.T.N and resource T.N references exist;
//  - module.M.O names an output of M's source; module arguments are
//    variables of the module and every required variable is passed;
//  - data.terraform_remote_state.N.outputs.O names an output of the root
//    whose backend matches N's bucket and key; in a module whose bucket or
//    key is built from its variables (as modules/platform-domain does), they
//    are resolved for each root that calls the module, from the literal
//    arguments of the call, and the module's output references are checked
//    against the root found for that caller;
//  - a root's required variables are set in its terraform.tfvars, and every
//    tfvars entry is a declared variable;
//  - resource types belong to a provider in required_providers;
//  - local module sources and helm_release chart paths exist.
const fs = require('fs');
const path = require('path');
const hcl = require('@cdktf/hcl2json');

const META_ARGS = new Set(['source', 'version', 'providers', 'depends_on', 'count', 'for_each']);
const NON_RESOURCE_ROOTS = new Set(['var', 'local', 'module', 'data', 'each', 'count', 'path', 'self', 'terraform']);

const first = (x) => (Array.isArray(x) ? x[0] : x);

function listTfDirs(base) {
  const out = [];
  const walk = (d) => {
    const ents = fs.readdirSync(d, { withFileTypes: true });
    if (ents.some((e) => e.isFile() && e.name.endsWith('.tf'))) out.push(d);
    for (const e of ents) if (e.isDirectory() && !e.name.startsWith('.')) walk(path.join(d, e.name));
  };
  walk(base);
  return out.sort();
}

async function parseFile(file) {
  return hcl.parse(path.basename(file), fs.readFileSync(file, 'utf8'));
}

// Collect the interpolated strings of a parsed body, with a readable path.
function collectExprs(node, where, out) {
  if (typeof node === 'string') {
    if (node.includes('${')) out.push({ where, expr: node });
  } else if (Array.isArray(node)) {
    node.forEach((n, i) => collectExprs(n, `${where}[${i}]`, out));
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'ignore_changes' || k === 'replace_triggered_by') continue; // attribute paths, not references
      collectExprs(v, `${where}.${k}`, out);
    }
  }
}

async function loadDir(dir) {
  const info = {
    dir, files: [], variables: {}, locals: {}, outputs: {}, modules: {}, resources: new Set(),
    data: new Set(), remoteStates: {}, backend: null, providers: new Set(), exprs: [], helmReleases: [],
    parseErrors: [],
  };
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.tf')).sort()) {
    const file = path.join(dir, name);
    info.files.push(file);
    let json;
    try {
      json = await parseFile(file);
    } catch (err) {
      info.parseErrors.push(`${file}: ${err.message}`);
      continue;
    }
    for (const [n, blocks] of Object.entries(json.variable || {})) {
      const b = first(blocks) || {};
      info.variables[n] = { hasDefault: Object.prototype.hasOwnProperty.call(b, 'default'), file };
      const { type, ...rest } = b; // type constraints are not expressions
      collectExprs(rest, `${name}: variable.${n}`, info.exprs);
    }
    for (const block of json.locals || []) {
      for (const [n, v] of Object.entries(block)) {
        info.locals[n] = v;
        collectExprs(v, `${name}: local.${n}`, info.exprs);
      }
    }
    for (const [n, blocks] of Object.entries(json.output || {})) {
      info.outputs[n] = first(blocks);
      collectExprs(first(blocks), `${name}: output.${n}`, info.exprs);
    }
    for (const [n, blocks] of Object.entries(json.module || {})) {
      info.modules[n] = first(blocks);
      collectExprs(first(blocks), `${name}: module.${n}`, info.exprs);
    }
    for (const [type, byName] of Object.entries(json.resource || {})) {
      for (const [n, blocks] of Object.entries(byName)) {
        info.resources.add(`${type}.${n}`);
        collectExprs(blocks, `${name}: ${type}.${n}`, info.exprs);
        if (type === 'helm_release') info.helmReleases.push({ name: n, body: first(blocks), file });
      }
    }
    for (const [type, byName] of Object.entries(json.data || {})) {
      for (const [n, blocks] of Object.entries(byName)) {
        info.data.add(`${type}.${n}`);
        if (type === 'terraform_remote_state') info.remoteStates[n] = first(blocks);
        collectExprs(blocks, `${name}: data.${type}.${n}`, info.exprs);
      }
    }
    for (const [n, blocks] of Object.entries(json.provider || {})) {
      collectExprs(blocks, `${name}: provider.${n}`, info.exprs);
    }
    for (const t of json.terraform || []) {
      for (const rp of t.required_providers || []) for (const p of Object.keys(rp)) info.providers.add(p);
      if (t.backend) {
        const [type, blocks] = Object.entries(t.backend)[0];
        info.backend = { type, config: first(blocks) };
      }
    }
  }
  const tfvars = path.join(dir, 'terraform.tfvars');
  if (fs.existsSync(tfvars)) {
    try {
      info.tfvars = await parseFile(tfvars);
    } catch (err) {
      info.parseErrors.push(`${tfvars}: ${err.message}`);
    }
  }
  return info;
}

function interp(value, dir, info) {
  // Resolve the simple string forms used for paths: ${path.module},
  // ${local.x} (itself a simple string).
  let s = String(value);
  for (let i = 0; i < 5 && s.includes('${'); i++) {
    s = s.replace(/^\$\{local\.([A-Za-z0-9_]+)\}/, (m, n) => (typeof info.locals[n] === 'string' ? info.locals[n] : m));
    s = s.replace(/\$\{path\.module\}/g, dir);
  }
  return s;
}

async function checkAll(baseDir, opts = {}) {
  const errors = [];
  const dirs = listTfDirs(baseDir);
  const infos = {};
  for (const d of dirs) infos[d] = await loadDir(d);
  const rel = (p) => path.relative(opts.relativeTo || baseDir, p) || '.';
  const err = (dir, msg) => errors.push(`${rel(dir)}: ${msg}`);

  const byBackend = {};
  for (const info of Object.values(infos)) {
    for (const e of info.parseErrors) errors.push(e);
    if (info.backend && info.backend.type === 's3') byBackend[`${info.backend.config.bucket}/${info.backend.config.key}`] = info;
  }

  const moduleInfo = (dir, source) => {
    const target = path.resolve(dir, source);
    return infos[target] || null;
  };

  let refCount = 0;
  for (const info of Object.values(infos)) {
    const { dir } = info;

    for (const [name, body] of Object.entries(info.modules)) {
      const src = body.source;
      if (typeof src !== 'string' || !src.startsWith('.')) { err(dir, `module.${name}: source ${src} is not a local path`); continue; }
      const mi = moduleInfo(dir, src);
      if (!mi) { err(dir, `module.${name}: source ${src} has no .tf files`); continue; }
      for (const arg of Object.keys(body)) {
        if (!META_ARGS.has(arg) && !mi.variables[arg]) err(dir, `module.${name}: argument "${arg}" is not a variable of ${src}`);
      }
      for (const [v, meta] of Object.entries(mi.variables)) {
        if (!meta.hasDefault && !(v in body)) err(dir, `module.${name}: required variable "${v}" of ${src} is not set`);
      }
    }

    info.resolvedRemoteStates = [];
    info.deferredRemoteStates = {};
    info.remoteOutputRefs = [];
    for (const [name, body] of Object.entries(info.remoteStates)) {
      const cfg = first(body.config) || {};
      if (body.backend !== 's3') { err(dir, `data.terraform_remote_state.${name}: backend ${body.backend}`); continue; }
      if (`${cfg.bucket}/${cfg.key}`.includes('${')) { info.deferredRemoteStates[name] = cfg; continue; } // resolved per caller
      const target = byBackend[`${cfg.bucket}/${cfg.key}`];
      if (!target) err(dir, `data.terraform_remote_state.${name}: no root stores its state at s3://${cfg.bucket}/${cfg.key}`);
      else {
        info.remoteTargets = { ...(info.remoteTargets || {}), [name]: target };
        info.resolvedRemoteStates.push({ via: null, name, bucket: cfg.bucket, key: cfg.key, target });
      }
    }

    for (const { expr, where } of info.exprs) {
      let refs;
      try {
        refs = await hcl.getReferencesInExpression('expr.tf', expr);
      } catch (e) {
        err(dir, `${where}: cannot parse ${expr}: ${e.message}`);
        continue;
      }
      for (const { value } of refs) {
        refCount++;
        const parts = value.split('.');
        const [root] = parts;
        if (root === 'var') {
          if (!info.variables[parts[1]]) err(dir, `${where}: var.${parts[1]} is not declared`);
        } else if (root === 'local') {
          if (!(parts[1] in info.locals)) err(dir, `${where}: local.${parts[1]} is not defined`);
        } else if (root === 'module') {
          const body = info.modules[parts[1]];
          if (!body) { err(dir, `${where}: module.${parts[1]} is not declared`); continue; }
          const mi = typeof body.source === 'string' ? moduleInfo(dir, body.source) : null;
          if (mi && parts[2] && !/^\d+$/.test(parts[2]) && !mi.outputs[parts[2]]) {
            err(dir, `${where}: module.${parts[1]}.${parts[2]}: ${body.source} has no output "${parts[2]}"`);
          }
        } else if (root === 'data') {
          if (!info.data.has(`${parts[1]}.${parts[2]}`)) err(dir, `${where}: data.${parts[1]}.${parts[2]} is not declared`);
          else if (parts[1] === 'terraform_remote_state' && parts[3] === 'outputs' && parts[4]) {
            const target = (info.remoteTargets || {})[parts[2]];
            if (target && !target.outputs[parts[4]]) err(dir, `${where}: ${rel(target.dir)} has no output "${parts[4]}"`);
            if (info.deferredRemoteStates[parts[2]]) info.remoteOutputRefs.push({ where, name: parts[2], output: parts[4] });
          }
        } else if (!NON_RESOURCE_ROOTS.has(root) && /^[a-z0-9]+_[a-z0-9_]+$/.test(root) && parts.length >= 2) {
          if (!info.resources.has(`${root}.${parts[1]}`)) err(dir, `${where}: resource ${root}.${parts[1]} is not declared`);
        }
      }
    }

    const provs = [...info.resources, ...info.data].map((r) => r.split('.')[0].split('_')[0])
      .filter((p) => p !== 'terraform');
    for (const p of new Set(provs)) if (!info.providers.has(p)) err(dir, `provider "${p}" used but not in required_providers`);

    for (const hr of info.helmReleases) {
      const chart = interp(hr.body.chart, dir, info);
      if (chart.includes('${') || !fs.existsSync(path.join(chart, 'Chart.yaml'))) err(dir, `helm_release.${hr.name}: chart ${hr.body.chart} is not a chart directory`);
      const values = JSON.stringify(hr.body.values || '');
      if (/values-\$\{var\.environment\}\.yaml/.test(values)) {
        for (const env of ['dev', 'staging', 'production']) {
          if (!fs.existsSync(path.join(chart, `values-${env}.yaml`))) err(dir, `helm_release.${hr.name}: values-${env}.yaml missing`);
        }
      }
    }

    const isRoot = Boolean(info.backend);
    if (isRoot) {
      const set = info.tfvars || {};
      for (const [v, meta] of Object.entries(info.variables)) {
        if (!meta.hasDefault && !(v in set)) err(dir, `required variable "${v}" is not set in terraform.tfvars`);
      }
      for (const k of Object.keys(set)) if (!info.variables[k]) err(dir, `terraform.tfvars sets undeclared variable "${k}"`);
    }
  }

  // Remote states whose bucket or key come from a module's variables:
  // resolve them with the literal arguments of each root's call.
  const resolvedModules = new Set();
  const bind = (str, args) => String(str).replace(/\$\{var\.([A-Za-z0-9_]+)\}/g, (m, v) => {
    const a = args[v];
    return (typeof a === 'string' || typeof a === 'number') && !String(a).includes('${') ? String(a) : m;
  });
  for (const info of Object.values(infos)) {
    if (!info.backend) continue;
    for (const [name, body] of Object.entries(info.modules)) {
      const mi = typeof body.source === 'string' && body.source.startsWith('.') ? moduleInfo(info.dir, body.source) : null;
      if (!mi) continue;
      for (const [n, cfg] of Object.entries(mi.deferredRemoteStates || {})) {
        resolvedModules.add(`${mi.dir}\0${n}`);
        const bucket = bind(cfg.bucket, body);
        const key = bind(cfg.key, body);
        const where = `module.${name} (${body.source}): data.terraform_remote_state.${n}`;
        if (`${bucket}/${key}`.includes('${')) { err(info.dir, `${where}: s3://${bucket}/${key} does not resolve from the module's arguments`); continue; }
        const target = byBackend[`${bucket}/${key}`];
        if (!target) { err(info.dir, `${where}: no root stores its state at s3://${bucket}/${key}`); continue; }
        info.resolvedRemoteStates.push({ via: `module.${name}`, name: n, bucket, key, target });
        for (const ref of mi.remoteOutputRefs.filter((r) => r.name === n)) {
          if (!target.outputs[ref.output]) err(info.dir, `module.${name} (${body.source}) ${ref.where}: ${rel(target.dir)} has no output "${ref.output}"`);
        }
      }
    }
  }
  for (const info of Object.values(infos)) {
    for (const n of Object.keys(info.deferredRemoteStates || {})) {
      if (!resolvedModules.has(`${info.dir}\0${n}`)) err(info.dir, `data.terraform_remote_state.${n}: no root calls this module, its state location is never resolved`);
    }
  }
  return { errors, infos, refCount };
}

module.exports = { checkAll, listTfDirs, loadDir };
