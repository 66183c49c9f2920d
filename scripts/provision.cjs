#!/usr/bin/env node
// Runs before `npm start`, `npm test` and `npm run bench`: installs what a fresh clone lacks
// (npm packages, the Temporal CLI), so each of those commands works with nothing set up first.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ensureTemporalCli } = require('./temporal-cli.cjs');

const root = path.resolve(__dirname, '..');

function npmPackagesMissing() {
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(installed)) return true;
  return fs.statSync(path.join(root, 'package-lock.json')).mtimeMs > fs.statSync(installed).mtimeMs;
}

/** With --cluster: Temporal's own server and PostgreSQL too (test/cluster/, `npm run cluster`), built once. */
function ensureClusterTools() {
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  const entry = path.join(root, 'scripts', 'cluster', 'provision-cluster.ts');
  execFileSync(tsx, [entry], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

try {
  if (npmPackagesMissing()) {
    console.error('[tfa] installing npm packages (npm ci)...');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  ensureTemporalCli();
  if (process.argv.includes('--cluster')) ensureClusterTools();
} catch (error) {
  console.error(`[tfa] provisioning failed: ${error.message}`);
  process.exit(1);
}
