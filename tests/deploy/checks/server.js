'use strict';
// Runs the real cairn binary on 127.0.0.1 and drives it the way the
// deployment does: the probes the chart and image use must answer 200, and
// the chart's bucket Job script (taken from the rendered Job) must create
// every bucket, and succeed again when the buckets exist.
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const { spawn, spawnSync } = require('child_process');
const crypto = require('crypto');
const { check } = require('../lib/harness');
const { cairnHelp } = require('../lib/cairn-bin');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function httpStatus(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.status;
  } catch {
    return 0;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

module.exports = async function serverChecks(ctx) {
  const help = cairnHelp();
  if (help.error) {
    await check('server: cairn binary available for the live checks', () => help.error);
    return;
  }
  const storage = (ctx.renders || []).filter((r) => r.kind === 'storage');
  const render = storage.find((r) => r.env === 'production') || storage[0];
  const job = render && render.objects.find((o) => o.kind === 'Job');
  const sts = render && render.objects.find((o) => o.kind === 'StatefulSet');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-deploy-'));
  const user = 'deploy-check';
  const password = crypto.randomBytes(20).toString('hex');
  const port = await freePort();
  const consolePort = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(help.bin, ['server', '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, path.join(dir, 'data1')], {
    env: { ...process.env, CAIRN_ROOT_USER: user, CAIRN_ROOT_PASSWORD: password, CAIRN_REGION: 'us-east-1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });

  try {
    await check('server: the probe paths of the chart and the image answer 200', async () => {
      if (!sts) return 'no rendered StatefulSet';
      const c = sts.spec.template.spec.containers[0];
      const paths = [c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path];
      let live = 0;
      for (let i = 0; i < 50 && live !== 200; i++) {
        live = await httpStatus(`${endpoint}${paths[0]}`);
        if (live !== 200) await sleep(100);
      }
      const errs = [];
      for (const p of paths) {
        const st = await httpStatus(`${endpoint}${p}`);
        if (st !== 200) errs.push(`${p}: HTTP ${st}`);
      }
      if (errs.length && child.exitCode !== null) errs.push(`server exited ${child.exitCode}: ${stderr}`);
      return errs;
    });

    await check('server: the bucket Job script creates every bucket, and reruns cleanly', () => {
      if (!job) return 'no rendered bucket Job';
      const c = job.spec.template.spec.containers[0];
      const env = Object.fromEntries(c.env.filter((e) => 'value' in e).map((e) => [e.name, e.value]));
      const tmp = path.join(dir, 'job-tmp');
      fs.mkdirSync(tmp);
      // The pod's /tmp is an emptyDir; here it is a private directory.
      const script = c.command[2].replace(/\/tmp\//g, `${tmp}/`);
      const jobEnv = { PATH: process.env.PATH, ENDPOINT: endpoint, REGION: env.REGION, BUCKETS: env.BUCKETS,
        CAIRN_ROOT_USER: user, CAIRN_ROOT_PASSWORD: password };
      const errs = [];
      for (const round of [1, 2]) {
        const r = spawnSync(c.command[0], [c.command[1], script], { env: jobEnv, encoding: 'utf8', timeout: 60000 });
        if (r.status !== 0) errs.push(`run ${round}: exit ${r.status}: ${r.stderr}${r.stdout}`);
        const want = round === 1 ? 'created' : 'exists';
        for (const b of env.BUCKETS.split(' ')) if (!r.stdout.includes(`${want} ${b}`)) errs.push(`run ${round}: no "${want} ${b}"`);
      }
      const auth = path.join(tmp, 'list-auth');
      fs.writeFileSync(auth, `user = "${user}:${password}"\n`, { mode: 0o600 });
      const list = spawnSync('curl', ['-sS', '-K', auth, '--aws-sigv4', 'aws:amz:us-east-1:s3',
        '-H', 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', `${endpoint}/`], { encoding: 'utf8' });
      for (const b of env.BUCKETS.split(' ')) if (!list.stdout.includes(`<Name>${b}</Name>`)) errs.push(`ListBuckets lacks ${b}`);
      return errs;
    });

    await check('server: the bucket Job fails on wrong credentials (self-check)', () => {
      const c = job.spec.template.spec.containers[0];
      const env = Object.fromEntries(c.env.filter((e) => 'value' in e).map((e) => [e.name, e.value]));
      const tmp = path.join(dir, 'job-tmp2');
      fs.mkdirSync(tmp);
      const script = c.command[2].replace(/\/tmp\//g, `${tmp}/`);
      const r = spawnSync(c.command[0], [c.command[1], script], {
        env: { PATH: process.env.PATH, ENDPOINT: endpoint, REGION: env.REGION, BUCKETS: 'never-created',
          CAIRN_ROOT_USER: user, CAIRN_ROOT_PASSWORD: 'wrong-password' },
        encoding: 'utf8', timeout: 60000 });
      return r.status !== 0 ? null : 'the Job script succeeded with a wrong password';
    });
  } finally {
    child.kill('SIGTERM');
    await Promise.race([new Promise((r) => child.once('exit', r)), sleep(3000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
