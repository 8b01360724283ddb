'use strict';
// Runs every deploy check and prints "deploy: N passed, M failed".
const { summary } = require('./lib/harness');

const suites = [
  ['helm', require('./checks/helm')],
  ['k8s', require('./checks/k8s')],
  ['invariants', require('./checks/invariants')],
  ['server', require('./checks/server')],
  ['terraform', require('./checks/terraform')],
  ['image-unit', require('./checks/image-unit')],
  ['yaml', require('./checks/lint').yaml],
  ['workflows', require('./checks/lint').workflows],
];

(async () => {
  const started = Date.now();
  const ctx = {};
  const only = process.argv.slice(2);
  // These suites read the rendered charts: selecting one selects helm too.
  if (only.some((s) => ['k8s', 'invariants', 'server', 'terraform'].includes(s)) && !only.includes('helm')) only.push('helm');
  for (const [name, suite] of suites) {
    if (only.length && !only.includes(name)) continue;
    const t0 = Date.now();
    await suite(ctx);
    if (process.env.DEPLOY_VERBOSE === '1') console.log(`-- ${name}: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
  const { passed, failed } = summary();
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)}s)`);
  console.log(`deploy: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})().catch((err) => {
  console.error(err);
  const { passed, failed } = summary();
  console.log(`deploy: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
