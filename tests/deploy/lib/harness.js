'use strict';
// Minimal test recorder: every check is a named pass or fail with detail.
// main.js prints the closing line "deploy: N passed, M failed".

const results = [];
const verbose = process.env.DEPLOY_VERBOSE === '1';

function record(name, ok, detail) {
  results.push({ name, ok, detail });
  if (!ok) {
    console.log(`FAIL ${name}`);
    if (detail) {
      for (const line of String(detail).split('\n').slice(0, 15)) console.log(`     ${line}`);
    }
  } else if (verbose) {
    console.log(`ok   ${name}`);
  }
}

// check(name, fn): fn returns nothing (pass), a string / array of problems
// (fail when non-empty), or throws (fail).
async function check(name, fn) {
  try {
    const out = await fn();
    if (out === undefined || out === null || out === true) return record(name, true);
    if (Array.isArray(out)) return record(name, out.length === 0, out.join('\n'));
    if (out === false) return record(name, false, 'returned false');
    return record(name, false, String(out));
  } catch (err) {
    return record(name, false, err && err.stack ? err.stack : String(err));
  }
}

function summary() {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  return { passed, failed };
}

module.exports = { check, record, summary, results };
