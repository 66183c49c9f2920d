// Finds or builds the Temporal CLI (dev server + Web UI + CLI in one binary).
// Plain CommonJS with no dependencies: it runs before `npm ci` has installed anything.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** v1.5.1: newer tags carry a `replace` directive that `go install` refuses. */
const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
const cacheBin = path.join(process.env.TFA_CACHE_DIR || path.join(os.homedir(), '.cache', 'tfa'), 'bin');
const cachedCli = path.join(cacheBin, 'temporal');

function onPath(command) {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

/** A `temporal` on PATH first, else the cached build; null when neither exists. */
function locateTemporalCli() {
  if (process.env.TFA_TEMPORAL_CLI && fs.existsSync(process.env.TFA_TEMPORAL_CLI)) return process.env.TFA_TEMPORAL_CLI;
  return onPath('temporal') || (fs.existsSync(cachedCli) ? cachedCli : null);
}

/** Returns the CLI's path, building it with `go install` into the cache when missing. */
function ensureTemporalCli(log = console.error) {
  const found = locateTemporalCli();
  if (found) return found;
  const go = onPath('go') || (fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
  if (!go) {
    throw new Error(
      'The Temporal CLI is missing and cannot be built: install either the `temporal` CLI ' +
        '(https://docs.temporal.io/cli) or Go 1.24+ (then this script runs `go install ' +
        TEMPORAL_CLI_MODULE +
        '`).',
    );
  }
  fs.mkdirSync(cacheBin, { recursive: true });
  log(
    `[tfa] building the Temporal CLI once into ${cacheBin} (go install ${TEMPORAL_CLI_MODULE}); this takes a few minutes...`,
  );
  const started = Date.now();
  execFileSync(go, ['install', TEMPORAL_CLI_MODULE], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: cacheBin },
    cwd: os.tmpdir(),
  });
  log(`[tfa] Temporal CLI built in ${Math.round((Date.now() - started) / 1000)} s: ${cachedCli}`);
  return cachedCli;
}

module.exports = { locateTemporalCli, ensureTemporalCli, TEMPORAL_CLI_MODULE };
