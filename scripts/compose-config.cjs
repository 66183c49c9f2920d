// Builds (once, cached outside the clone like the Temporal CLI) and runs scripts/compose-config:
// compose-go, the loader of `docker compose`, printing a Compose file's normalized project as JSON.
// No Docker engine is needed. Plain CommonJS, like temporal-cli.cjs.
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const sourceDir = path.join(__dirname, 'compose-config');
const cacheBin = path.join(process.env.TFA_CACHE_DIR || path.join(os.homedir(), '.cache', 'tfa'), 'bin');

/** The binary's name carries a hash of its sources, so an edit to main.go or go.mod builds anew. */
function binaryPath() {
  const hash = crypto.createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(fs.readFileSync(path.join(sourceDir, file)));
  return path.join(cacheBin, `tfa-compose-config-${hash.digest('hex').slice(0, 12)}`);
}

function findGo() {
  for (const dir of (process.env.PATH || '').split(path.delimiter).concat('/usr/local/go/bin')) {
    const candidate = path.join(dir, 'go');
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  throw new Error(
    'Go is needed to build scripts/compose-config (the Compose loader the compose test uses): install Go 1.24+.',
  );
}

/** Returns the loader's path, building it with `go build` when missing (modules from the Go module proxy). */
function ensureComposeConfig(log = console.error) {
  const binary = binaryPath();
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(cacheBin, { recursive: true });
  log(`[tfa] building the Compose loader (compose-go) into ${binary}...`);
  const partial = `${binary}.partial-${process.pid}`;
  execFileSync(findGo(), ['build', '-o', partial, '.'], { cwd: sourceDir, stdio: ['ignore', 'inherit', 'inherit'] });
  fs.renameSync(partial, binary); // atomic: a parallel jest worker never runs a half-written file
  return binary;
}

/**
 * Loads `file` as `docker compose config` would with only `env` set (no .env file): returns the
 * normalized project. `scale` is `{ service: replicas }`, as `docker compose up --scale`.
 */
function loadComposeProject(file, { env = {}, projectName = 'tfa', scale = {} } = {}) {
  const args = ['-f', file, '-p', projectName];
  for (const [service, replicas] of Object.entries(scale)) args.push('-scale', `${service}=${replicas}`);
  const output = execFileSync(ensureComposeConfig(), args, {
    cwd: path.dirname(file),
    env: { PATH: process.env.PATH || '', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(output);
}

module.exports = { ensureComposeConfig, loadComposeProject };
