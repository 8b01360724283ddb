'use strict';
// The platform's invariants, checked on the rendered objects: replicas and
// sizes per environment, console exposure, probes and variables the
// server really serves and reads, buckets, HPA ranges, namespaces,
// resources, security contexts, credentials, quorum-keeping PDBs.
const fs = require('fs');
const path = require('path');
const { check } = require('../lib/harness');
const { repo } = require('../lib/paths');
const P = require('../lib/platform');
const { cairnHelp, mentions } = require('../lib/cairn-bin');
const { quantity, GI } = require('../lib/quantity');

const kinds = (render, kind) => render.objects.filter((o) => o.kind === kind);
const one = (render, kind) => {
  const list = kinds(render, kind);
  if (list.length !== 1) throw new Error(`${render.label}: expected one ${kind}, found ${list.length}`);
  return list[0];
};
const podSpec = (obj) => (obj.spec.template ? obj.spec.template.spec : obj.spec.jobTemplate.spec.template.spec);
const workloads = (render) => render.objects.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind));
const envOf = (container) => Object.fromEntries((container.env || []).map((e) => [e.name, e]));

// Write quorum as the design states it, computed here independently of
// the chart's template arithmetic.
function defaultParity(drives) {
  if (drives <= 1) return 0;
  if (drives <= 3) return 1;
  if (drives <= 5) return 2;
  if (drives <= 7) return 3;
  return 4;
}
function podsThatMustStay(replicas, drivesPerPod) {
  const n = replicas * drivesPerPod;
  const parity = defaultParity(n);
  const data = n - parity;
  const quorum = data === parity ? data + 1 : data;
  return replicas - Math.floor((n - quorum) / drivesPerPod);
}

function expectedTopology(replicas, drives, ns) {
  const d = drives === 1 ? '/data1' : `/data{1...${drives}}`;
  if (replicas === 1) return d;
  return `http://cairn-{0...${replicas - 1}}.cairn-hl.${ns}.svc.cluster.local:9000${d}`;
}

module.exports = async function invariants(ctx) {
  const renders = ctx.renders || [];
  const storage = Object.fromEntries(renders.filter((r) => r.kind === 'storage').map((r) => [r.env, r]));
  const services = renders.filter((r) => r.kind === 'service');

  await check('invariant: every chart rendered for every environment', () => {
    const errs = [];
    for (const env of P.ENVIRONMENTS) {
      if (!storage[env]) errs.push(`cairn/${env} missing`);
      for (const svc of Object.keys(P.SERVICES)) {
        if (!services.find((r) => r.chart === svc && r.env === env)) errs.push(`${svc}/${env} missing`);
      }
    }
    return errs;
  });

  for (const env of P.ENVIRONMENTS) {
    const r = storage[env];
    if (!r) continue;
    const want = P.STORAGE[env];
    const ns = P.storageNamespace(env);

    await check(`invariant: cairn ${env} runs ${want.replicas} pod(s) with ${want.size} drives`, () => {
      const sts = one(r, 'StatefulSet');
      const errs = [];
      if (sts.spec.replicas !== want.replicas) errs.push(`replicas ${sts.spec.replicas}`);
      const claims = sts.spec.volumeClaimTemplates || [];
      if (!claims.length) errs.push('no volumeClaimTemplates');
      for (const c of claims) {
        if (c.spec.resources.requests.storage !== want.size) errs.push(`${c.metadata.name} size ${c.spec.resources.requests.storage}`);
      }
      return errs;
    });

    await check(`invariant: cairn ${env} topology argument matches pods, drives and peer DNS`, () => {
      const sts = one(r, 'StatefulSet');
      const errs = [];
      const claims = sts.spec.volumeClaimTemplates.map((c) => c.metadata.name);
      const drives = claims.length;
      const c = podSpec(sts).containers[0];
      const mounts = (c.volumeMounts || []).filter((m) => /^\/data\d+$/.test(m.mountPath));
      for (let i = 1; i <= drives; i++) {
        if (!claims.includes(`data${i}`)) errs.push(`claim data${i} missing`);
        if (!mounts.find((m) => m.name === `data${i}` && m.mountPath === `/data${i}`)) errs.push(`mount /data${i} missing`);
      }
      if (mounts.length !== drives) errs.push(`${mounts.length} data mounts for ${drives} claims`);
      const topo = expectedTopology(sts.spec.replicas, drives, ns);
      if (c.args[0] !== 'server') errs.push(`first argument ${c.args[0]}`);
      if (c.args[c.args.length - 1] !== topo) errs.push(`topology "${c.args[c.args.length - 1]}", expected "${topo}"`);
      const hl = kinds(r, 'Service').find((s) => s.metadata.name === sts.spec.serviceName);
      if (!hl) errs.push(`headless Service ${sts.spec.serviceName} missing`);
      else {
        if (hl.spec.clusterIP !== 'None') errs.push('peer Service is not headless');
        if (sts.spec.serviceName !== 'cairn-hl') errs.push(`serviceName ${sts.spec.serviceName}`);
      }
      if (sts.spec.replicas > 1 && sts.spec.podManagementPolicy !== 'Parallel') errs.push('pods not started in parallel');
      return errs;
    });

    await check(`invariant: cairn ${env} console is ${want.consoleExternal ? 'external (LoadBalancer)' : 'internal only'}`, () => {
      const errs = [];
      const svcs = kinds(r, 'Service');
      const consoleSvc = svcs.find((s) => (s.spec.ports || []).some((p) => p.port === 9001));
      if (!consoleSvc) return 'no console Service on 9001';
      const external = consoleSvc.spec.type === 'LoadBalancer' || consoleSvc.spec.type === 'NodePort';
      if (external !== want.consoleExternal) errs.push(`console Service type ${consoleSvc.spec.type}`);
      for (const s of svcs) {
        if (s !== consoleSvc && s.spec.type && s.spec.type !== 'ClusterIP') errs.push(`${s.metadata.name} is ${s.spec.type}`);
      }
      const api = svcs.find((s) => s.metadata.name === 'cairn');
      if (!api || !api.spec.ports.some((p) => p.port === 9000)) errs.push('API Service cairn:9000 missing');
      if (want.consoleExternal && !(consoleSvc.spec.loadBalancerSourceRanges || []).length) errs.push('external console without loadBalancerSourceRanges');
      const np = kinds(r, 'NetworkPolicy')[0];
      const consoleRules = np ? np.spec.ingress.filter((i) => (i.ports || []).some((p) => p.port === 9001)) : [];
      if (want.consoleExternal !== (consoleRules.length > 0)) errs.push(`NetworkPolicy console rules: ${consoleRules.length}`);
      return errs;
    });

    await check(`invariant: cairn ${env} PDB keeps write quorum`, () => {
      const sts = one(r, 'StatefulSet');
      const pdbs = kinds(r, 'PodDisruptionBudget');
      const replicas = sts.spec.replicas;
      const drives = sts.spec.volumeClaimTemplates.length;
      if (replicas === 1) return pdbs.length ? 'a PDB on a single pod blocks node drains' : null;
      if (pdbs.length !== 1) return `${pdbs.length} PDBs`;
      const want2 = podsThatMustStay(replicas, drives);
      if (pdbs[0].spec.minAvailable !== want2) return `minAvailable ${pdbs[0].spec.minAvailable}, quorum needs ${want2}`;
      return null;
    });

    await check(`invariant: cairn ${env} pods spread across nodes and zones`, () => {
      const sts = one(r, 'StatefulSet');
      const aa = (podSpec(sts).affinity || {}).podAntiAffinity || {};
      const keys = [
        ...(aa.requiredDuringSchedulingIgnoredDuringExecution || []).map((t) => `required:${t.topologyKey}`),
        ...(aa.preferredDuringSchedulingIgnoredDuringExecution || []).map((t) => `preferred:${t.podAffinityTerm.topologyKey}`),
      ];
      const errs = [];
      if (sts.spec.replicas > 1) {
        if (!keys.includes('required:kubernetes.io/hostname')) errs.push('no required node anti-affinity');
        if (!keys.some((k) => k.endsWith(':topology.kubernetes.io/zone'))) errs.push('no zone anti-affinity');
      } else if (!keys.some((k) => k.endsWith(':kubernetes.io/hostname'))) errs.push('no node anti-affinity');
      return errs;
    });

    await check(`invariant: cairn ${env} NetworkPolicy admits only the domains' namespaces, its own pods and Prometheus`, () => {
      const nps = kinds(r, 'NetworkPolicy');
      if (nps.length !== 1) return `${nps.length} NetworkPolicies`;
      const np = nps[0];
      const errs = [];
      if (JSON.stringify(np.spec.policyTypes) !== '["Ingress"]') errs.push(`policyTypes ${np.spec.policyTypes}`);
      const namespaces = [];
      let prometheus = false;
      for (const rule of np.spec.ingress) {
        for (const from of rule.from || []) {
          const sel = from.namespaceSelector;
          if (sel && sel.matchExpressions) {
            for (const ex of sel.matchExpressions) {
              if (ex.key !== 'kubernetes.io/metadata.name' || ex.operator !== 'In') errs.push(`selector ${JSON.stringify(ex)}`);
              else namespaces.push(...ex.values);
            }
          } else if (sel && sel.matchLabels) {
            if (sel.matchLabels['kubernetes.io/metadata.name'] === 'monitoring' && from.podSelector) prometheus = true;
            else errs.push(`namespace selector ${JSON.stringify(sel)}`);
          } else if (sel) errs.push('open namespace selector');
          if (from.podSelector && !sel && Object.keys(from.podSelector.matchLabels || {}).length === 0) errs.push('open pod selector');
          if (from.ipBlock && !want.consoleExternal) errs.push(`ipBlock ${from.ipBlock.cidr} outside dev`);
          if (from.ipBlock && from.ipBlock.cidr === '0.0.0.0/0') errs.push('ipBlock 0.0.0.0/0');
        }
        if (!rule.from || !rule.from.length) errs.push('rule admitting everyone');
      }
      const want3 = Object.keys(P.DOMAINS).map((d) => P.domainNamespace(d, env)).sort();
      if (JSON.stringify(namespaces.sort()) !== JSON.stringify(want3)) errs.push(`client namespaces ${namespaces.join(', ')}`);
      if (!prometheus) errs.push('Prometheus not admitted');
      return errs;
    });

    await check(`invariant: cairn ${env} metrics ${env === 'dev' ? 'not scraped' : 'scraped by a ServiceMonitor'}`, () => {
      const sms = kinds(r, 'ServiceMonitor');
      if (env === 'dev') return sms.length ? 'dev renders a ServiceMonitor' : null;
      if (sms.length !== 1) return `${sms.length} ServiceMonitors`;
      const ep = sms[0].spec.endpoints[0];
      const errs = [];
      if (ep.path !== '/minio/v2/metrics/cluster') errs.push(`path ${ep.path}`);
      const api = kinds(r, 'Service').find((s) => s.metadata.name === 'cairn');
      const sel = sms[0].spec.selector.matchLabels;
      if (!api || Object.entries(sel).some(([k, v]) => api.metadata.labels[k] !== v)) errs.push('selector does not match the API Service');
      if (!api.spec.ports.some((p) => p.name === ep.port)) errs.push(`port ${ep.port} not on the API Service`);
      const e = envOf(podSpec(one(r, 'StatefulSet')).containers[0]);
      if ((e.MINIO_PROMETHEUS_AUTH_TYPE || {}).value !== 'public' && !ep.bearerTokenSecret) errs.push('metrics need a token the ServiceMonitor does not send');
      return errs;
    });

    await check(`invariant: cairn ${env} bucket Job creates exactly the platform's buckets`, () => {
      const jobs = kinds(r, 'Job');
      if (jobs.length !== 1) return `${jobs.length} Jobs`;
      const job = jobs[0];
      const errs = [];
      const hooks = (job.metadata.annotations || {})['helm.sh/hook'] || '';
      if (!hooks.split(',').includes('post-install')) errs.push(`hook "${hooks}"`);
      const c = podSpec(job).containers[0];
      const buckets = (envOf(c).BUCKETS || {}).value || '';
      const list = buckets.split(/\s+/).filter(Boolean).sort();
      if (JSON.stringify(list) !== JSON.stringify([...P.ALL_BUCKETS].sort())) errs.push(`buckets: ${list.join(' ')}`);
      const script = c.command.join(' ');
      if (!/for bucket in \$BUCKETS/.test(script) || !/--aws-sigv4/.test(script)) errs.push('script does not create $BUCKETS with signed requests');
      const endpoint = (envOf(c).ENDPOINT || {}).value;
      if (endpoint !== `http://cairn.${ns}.svc.cluster.local:9000`) errs.push(`endpoint ${endpoint}`);
      return errs;
    });

    await check(`invariant: cairn ${env} credentials come from a Secret, never defaults`, () => {
      const errs = [];
      const text = JSON.stringify(r.objects);
      if (/minioadmin/i.test(text)) errs.push('mentions minioadmin');
      const sts = one(r, 'StatefulSet');
      const e = envOf(podSpec(sts).containers[0]);
      for (const name of ['CAIRN_ROOT_USER', 'CAIRN_ROOT_PASSWORD']) {
        if (!e[name] || !e[name].valueFrom || !e[name].valueFrom.secretKeyRef) errs.push(`${name} not from a Secret`);
      }
      const secrets = kinds(r, 'Secret');
      if (env === 'production') {
        if (secrets.length) errs.push('production renders its own credentials Secret');
      } else {
        for (const s of secrets) {
          const pw = Buffer.from(s.data.rootPassword || '', 'base64').toString();
          if (pw.length < 32) errs.push(`generated password of ${pw.length} characters`);
        }
      }
      return errs;
    });
  }

  await check('invariant: cairn generates a different password on each fresh install', () => {
    const pw = P.ENVIRONMENTS.filter((e) => e !== 'production' && storage[e])
      .map((e) => kinds(storage[e], 'Secret')[0]).filter(Boolean).map((s) => s.data.rootPassword);
    return new Set(pw).size === pw.length && pw.length >= 2 ? null : 'same password twice';
  });

  await check('invariant: probe paths, flags and environment variables are ones the server knows (cairn --help)', () => {
    const help = cairnHelp();
    if (help.error) return help.error;
    const errs = [];
    const seen = new Set();
    for (const r of Object.values(storage)) {
      for (const w of workloads(r)) {
        for (const c of podSpec(w).containers) {
          for (const e of c.env || []) if (/^(CAIRN|MINIO)_/.test(e.name)) seen.add(`env ${e.name}`);
          if (w.kind === 'StatefulSet') {
            for (const a of c.args) if (a.startsWith('-')) seen.add(`flag ${a}`);
            seen.add(`path ${c.livenessProbe.httpGet.path}`);
            seen.add(`path ${c.readinessProbe.httpGet.path}`);
            if (c.livenessProbe.httpGet.path !== '/minio/health/live') errs.push(`liveness ${c.livenessProbe.httpGet.path}`);
            if (c.readinessProbe.httpGet.path !== '/minio/health/ready') errs.push(`readiness ${c.readinessProbe.httpGet.path}`);
          }
        }
        const script = w.kind === 'Job' ? podSpec(w).containers[0].command.join('\n') : '';
        for (const m of script.matchAll(/(\/minio\/health\/[a-z]+)/g)) seen.add(`path ${m[1]}`);
      }
    }
    if (![...seen].some((s) => s.startsWith('env CAIRN_ROOT_PASSWORD'))) errs.push('no root password variable');
    for (const s of seen) {
      const token = s.slice(s.indexOf(' ') + 1);
      if (!mentions(help.text, token)) errs.push(`${s} is not in ${help.bin} --help`);
    }
    return errs;
  });

  for (const r of services) {
    const [domain, min, max] = P.SERVICES[r.chart];
    await check(`invariant: ${r.label} scaling ${min === max ? `exactly ${min}` : `${min}-${max}`}`, () => {
      const dep = one(r, 'Deployment');
      const hpas = kinds(r, 'HorizontalPodAutoscaler');
      if (min === max) {
        if (hpas.length) return 'has an HPA';
        if (dep.spec.replicas !== min) return `replicas ${dep.spec.replicas}`;
        if (dep.spec.strategy.type !== 'Recreate') return `strategy ${dep.spec.strategy.type} can run two at once`;
        return null;
      }
      if (hpas.length !== 1) return `${hpas.length} HPAs`;
      const h = hpas[0];
      const errs = [];
      if (h.apiVersion !== 'autoscaling/v2') errs.push(h.apiVersion);
      if (h.spec.minReplicas !== min || h.spec.maxReplicas !== max) errs.push(`range ${h.spec.minReplicas}-${h.spec.maxReplicas}`);
      if (h.spec.scaleTargetRef.name !== dep.metadata.name || h.spec.scaleTargetRef.kind !== 'Deployment') errs.push('HPA targets another object');
      if (dep.spec.replicas !== undefined) errs.push('Deployment sets replicas and fights the HPA');
      return errs;
    });

    await check(`invariant: ${r.label} namespace, resources, identity`, () => {
      const errs = [];
      const ns = P.domainNamespace(domain, r.env);
      for (const o of r.objects) if (o.metadata.namespace !== ns) errs.push(`${o.kind}/${o.metadata.name} in ${o.metadata.namespace}`);
      const c = podSpec(one(r, 'Deployment')).containers[0];
      for (const kind of ['requests', 'limits']) {
        const q = (c.resources || {})[kind] || {};
        if (!q.cpu || quantity(q.cpu) < 2 || quantity(q.cpu) > 4) errs.push(`${kind}.cpu ${q.cpu}`);
        if (!q.memory || quantity(q.memory) < 2 * GI || quantity(q.memory) > 4 * GI) errs.push(`${kind}.memory ${q.memory}`);
      }
      if (quantity(c.resources.requests.cpu) > quantity(c.resources.limits.cpu)) errs.push('cpu request above limit');
      const sa = kinds(r, 'ServiceAccount')[0];
      const arn = sa && (sa.metadata.annotations || {})['eks.amazonaws.com/role-arn'];
      if (!arn || !new RegExp(`^arn:aws:iam::\\d{12}:role/microservices-${domain}-${r.env}-irsa$`).test(arn)) errs.push(`IRSA role ${arn}`);
      if (podSpec(one(r, 'Deployment')).serviceAccountName !== (sa && sa.metadata.name)) errs.push('pod does not use its ServiceAccount');
      for (const k of ['Service', 'ConfigMap', 'NetworkPolicy']) if (!kinds(r, k).length) errs.push(`no ${k}`);
      return errs;
    });

    await check(`invariant: ${r.label} object storage wiring`, () => {
      const errs = [];
      const cm = one(r, 'ConfigMap');
      const buckets = Object.entries(cm.data).filter(([k]) => k.startsWith('OBJECT_STORAGE_BUCKET_')).map(([, v]) => v);
      const job = storage[r.env] && kinds(storage[r.env], 'Job')[0];
      const jobBuckets = job ? (envOf(podSpec(job).containers[0]).BUCKETS.value || '').split(/\s+/) : [];
      for (const b of buckets) {
        if (!jobBuckets.includes(b)) errs.push(`bucket ${b} is not created by the cairn bucket Job`);
        if (!P.DOMAINS[domain].includes(b)) errs.push(`bucket ${b} belongs to another domain`);
      }
      if (buckets.length) {
        const api = storage[r.env] && kinds(storage[r.env], 'Service').find((s) => s.metadata.name === 'cairn');
        const want = api && `http://${api.metadata.name}.${api.metadata.namespace}.svc.cluster.local:${api.spec.ports[0].port}`;
        if (cm.data.OBJECT_STORAGE_ENDPOINT !== want) errs.push(`endpoint ${cm.data.OBJECT_STORAGE_ENDPOINT}, cairn serves ${want}`);
        const e = envOf(podSpec(one(r, 'Deployment')).containers[0]);
        for (const n of ['OBJECT_STORAGE_ACCESS_KEY', 'OBJECT_STORAGE_SECRET_KEY']) {
          if (!e[n] || !e[n].valueFrom || !e[n].valueFrom.secretKeyRef) errs.push(`${n} not from a Secret`);
        }
        if (e.AWS_ACCESS_KEY_ID || e.AWS_SECRET_ACCESS_KEY) errs.push('static AWS_* keys would override IRSA');
      }
      return errs;
    });
  }

  await check('invariant: every platform bucket is used by a service of its domain', () => {
    const used = new Set();
    for (const r of services) {
      const cm = kinds(r, 'ConfigMap')[0];
      if (!cm) continue;
      for (const [k, v] of Object.entries(cm.data)) if (k.startsWith('OBJECT_STORAGE_BUCKET_')) used.add(v);
    }
    return P.ALL_BUCKETS.filter((b) => !used.has(b)).map((b) => `${b} unused`);
  });

  await check('invariant: every workload runs non-root, read-only, without capabilities, with resources', () => {
    const errs = [];
    for (const r of renders) {
      for (const w of workloads(r)) {
        const spec = podSpec(w);
        const podNonRoot = (spec.securityContext || {}).runAsNonRoot === true;
        for (const c of [...(spec.initContainers || []), ...spec.containers]) {
          const sc = c.securityContext || {};
          const where = `${r.label}: ${w.kind}/${w.metadata.name}/${c.name}`;
          if (!(podNonRoot || sc.runAsNonRoot === true)) errs.push(`${where}: may run as root`);
          if (sc.readOnlyRootFilesystem !== true) errs.push(`${where}: writable root filesystem`);
          if (sc.allowPrivilegeEscalation !== false) errs.push(`${where}: privilege escalation allowed`);
          if (!((sc.capabilities || {}).drop || []).includes('ALL')) errs.push(`${where}: capabilities not dropped`);
          if (sc.privileged) errs.push(`${where}: privileged`);
          if (!c.resources || !c.resources.limits || !c.resources.requests) errs.push(`${where}: no resources`);
        }
        if (((spec.securityContext || {}).seccompProfile || {}).type !== 'RuntimeDefault') errs.push(`${r.label}: ${w.metadata.name}: no seccomp profile`);
      }
    }
    return errs;
  });

  await check('invariant: no default credentials anywhere under deploy/ outside the migration notes', () => {
    const errs = [];
    const walk = (dir) => {
      for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, ent.name);
        if (ent.isDirectory()) { if (!['charts', '.terraform'].includes(ent.name)) walk(p); continue; }
        const text = fs.readFileSync(p, 'utf8');
        if (/minioadmin|minio123|changeme|password123/i.test(text)) errs.push(path.relative(repo, p));
      }
    };
    walk(path.join(repo, 'deploy'));
    return errs;
  });
};
