'use strict';
const path = require('path');

const here = path.resolve(__dirname, '..');
const repo = path.resolve(here, '../..');

module.exports = {
  here,
  repo,
  helmDir: path.join(repo, 'deploy/helm'),
  tfDir: path.join(repo, 'deploy/terraform'),
  workflowsDir: path.join(repo, '.github/workflows'),
  fixtures: path.join(here, 'fixtures'),
  rel: (p) => path.relative(repo, p),
};
