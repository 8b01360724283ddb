'use strict';
// Schema checks of every rendered object:
//  - only current API versions (nothing deprecated or removed up to the
//    EKS version the charts target);
//  - kubernetes-models' validators (types, required fields, formats);
//  - unknown fields: the objects are type-checked as TypeScript object
//    literals against kubernetes-models' interfaces, whose excess-property
//    check rejects any field the API does not have (a typo such as
//    "readinessProbes" fails here, although the validators accept it).
const fs = require('fs');
const path = require('path');
const ts = require('typescript');
const { check } = require('../lib/harness');
const { here } = require('../lib/paths');

// apiVersion -> kinds the platform may use.
const CURRENT = {
  v1: ['Service', 'ServiceAccount', 'Secret', 'ConfigMap', 'PersistentVolumeClaim', 'Namespace', 'ResourceQuota', 'LimitRange'],
  'apps/v1': ['StatefulSet', 'Deployment'],
  'batch/v1': ['Job', 'CronJob'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'policy/v1': ['PodDisruptionBudget'],
  'networking.k8s.io/v1': ['NetworkPolicy', 'Ingress'],
  'rbac.authorization.k8s.io/v1': ['Role', 'RoleBinding'],
};
const DEPRECATED = /^(extensions\/|apps\/v1beta|policy\/v1beta1|autoscaling\/v2beta|batch\/v1beta1|networking\.k8s\.io\/v1beta1|rbac\.authorization\.k8s\.io\/v1beta1|autoscaling\/v1$)/;

function modelPath(apiVersion, kind) {
  return apiVersion === 'v1' ? `kubernetes-models/v1/${kind}` : `kubernetes-models/${apiVersion}/${kind}`;
}

function id(obj, render) {
  return `${render.label}: ${obj.kind}/${obj.metadata && obj.metadata.name}`;
}

// The one custom resource the charts render (prometheus-operator's). Its
// fields are checked by hand against the parts of the CRD we use.
const SERVICE_MONITOR_FIELDS = {
  spec: ['selector', 'namespaceSelector', 'endpoints', 'jobLabel'],
  endpoint: ['port', 'path', 'scheme', 'interval', 'scrapeTimeout', 'bearerTokenSecret', 'relabelings', 'metricRelabelings'],
};
function checkServiceMonitor(obj) {
  const errs = [];
  for (const k of Object.keys(obj.spec || {})) if (!SERVICE_MONITOR_FIELDS.spec.includes(k)) errs.push(`unknown spec.${k}`);
  if (!obj.spec || !obj.spec.selector) errs.push('spec.selector missing');
  for (const ep of (obj.spec && obj.spec.endpoints) || []) {
    for (const k of Object.keys(ep)) if (!SERVICE_MONITOR_FIELDS.endpoint.includes(k)) errs.push(`unknown endpoints[].${k}`);
    if (!ep.port) errs.push('endpoint without port');
  }
  return errs;
}

// Type-check objects (plus canaries that must fail) in one program.
function typeCheck(entries) {
  const outDir = path.join(here, '.out');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'k8s-objects.ts');
  const imports = new Map();
  const lines = [];
  const spans = [];
  entries.forEach((e, i) => {
    const mod = modelPath(e.obj.apiVersion, e.obj.kind);
    const alias = `I${e.obj.kind}_${imports.size}`;
    if (!imports.has(mod)) imports.set(mod, alias);
    const start = lines.length;
    const body = JSON.stringify(e.obj, null, 1).split('\n');
    lines.push(`// ${e.name}`, `export const o${i}: ${imports.get(mod)} = ${body[0]}`, ...body.slice(1), ';');
    spans.push([start, lines.length]);
  });
  const header = [...imports].map(([mod, alias]) => `import type { I${mod.split('/').pop()} as ${alias} } from ${JSON.stringify(mod)};`);
  const source = [...header, ...lines].join('\n') + '\n';
  fs.writeFileSync(file, source);
  const program = ts.createProgram([file], {
    strict: true, noEmit: true, skipLibCheck: true, types: [],
    target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10, lib: ['lib.es2020.d.ts'],
    baseUrl: here, typeRoots: [],
  });
  const diags = ts.getPreEmitDiagnostics(program);
  const byEntry = entries.map(() => []);
  const general = [];
  for (const d of diags) {
    const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.file.fileName !== file) { general.push(msg); continue; }
    const line = d.file.getLineAndCharacterOfPosition(d.start).line - header.length;
    const idx = spans.findIndex(([a, b]) => line >= a && line < b);
    if (idx < 0) general.push(msg); else byEntry[idx].push(msg.split('\n').slice(-2).join(' / '));
  }
  return { byEntry, general };
}

module.exports = async function k8sChecks(ctx) {
  const entries = [];
  for (const render of ctx.renders || []) {
    for (const obj of render.objects) entries.push({ obj, render, name: id(obj, render) });
  }

  await check('k8s: rendered objects found', () => (entries.length ? null : 'no rendered objects'));

  await check('k8s: only current API versions (none deprecated or removed)', () => {
    const errs = [];
    for (const e of entries) {
      const { apiVersion, kind } = e.obj;
      if (DEPRECATED.test(apiVersion)) errs.push(`${e.name}: deprecated ${apiVersion}`);
      else if (apiVersion === 'monitoring.coreos.com/v1' && kind === 'ServiceMonitor') continue;
      else if (!(CURRENT[apiVersion] || []).includes(kind)) errs.push(`${e.name}: unexpected ${apiVersion} ${kind}`);
    }
    return errs;
  });

  const builtin = entries.filter((e) => (CURRENT[e.obj.apiVersion] || []).includes(e.obj.kind));

  await check('k8s: kubernetes-models validation of every object', () => {
    const errs = [];
    for (const e of builtin) {
      const Model = require(modelPath(e.obj.apiVersion, e.obj.kind))[e.obj.kind];
      try {
        new Model(JSON.parse(JSON.stringify(e.obj))).validate();
      } catch (err) {
        errs.push(`${e.name}: ${err.message}`);
      }
    }
    return errs;
  });

  await check('k8s: ServiceMonitor fields', () => entries
    .filter((e) => e.obj.kind === 'ServiceMonitor')
    .flatMap((e) => checkServiceMonitor(e.obj).map((m) => `${e.name}: ${m}`)));

  // Canaries: a misspelt field and a wrong type must both be reported.
  const canaries = [
    { name: 'canary: misspelt field', obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'c' },
      spec: { selector: {}, template: { spec: { containers: [{ name: 'c', image: 'c', readinessProbes: {} }] } } } } },
    { name: 'canary: unknown top-level spec field', obj: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'c' },
      spec: { minAvailable: 1, maxUnavailabel: 1 } } },
  ];
  const all = [...builtin, ...canaries];
  let typed;
  await check('k8s: TypeScript program builds', () => {
    typed = typeCheck(all);
    return typed.general;
  });
  if (!typed) return;
  await check('k8s: type check catches unknown fields (self-check)', () => {
    const missed = canaries.filter((c, i) => typed.byEntry[builtin.length + i].length === 0);
    return missed.map((c) => `${c.name} not reported`);
  });
  await check('k8s: no unknown or mistyped fields in any rendered object', () => builtin
    .flatMap((e, i) => typed.byEntry[i].map((m) => `${e.name}: ${m}`)));
};
