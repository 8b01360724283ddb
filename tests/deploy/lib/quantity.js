'use strict';
// Kubernetes resource quantities to numbers (cores, bytes).
const SUFFIX = {
  m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4,
};
function quantity(q) {
  const m = /^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(q));
  if (!m) throw new Error(`bad quantity ${q}`);
  return Number(m[1]) * SUFFIX[m[2] || ''];
}
module.exports = { quantity, GI: 1024 ** 3 };
