import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './processes';

/**
 * Temporal's server and its SQL schema tool, built from the server's Go module. v1.31.2: v1.31.3 and
 * v1.31.4 need go.temporal.io/auto-scaled-workers v0.0.0-1.31.2, which the Go module proxy refuses
 * (403 "This module version is not available"), and v1.31.5 and v1.32 need Go 1.26.10.
 */
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
export const TEMPORAL_SERVER_VERSION = 'v1.31.2';

export interface TemporalServerBuild {
  server: string;
  sqlTool: string;
  /** schema/postgresql/v12 of the same module: `temporal` and `visibility`, each with `versioned/`. */
  postgresSchemaDir: string;
}

const cacheDir = () => process.env.TFA_CACHE_DIR || path.join(os.homedir(), '.cache', 'tfa');

function findGo(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).concat('/usr/local/go/bin')) {
    if (dir && fs.existsSync(path.join(dir, 'go'))) return path.join(dir, 'go');
  }
  throw new Error(
    `Go is needed to build Temporal's server (${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}): install Go 1.26+.`,
  );
}

/** Where the module's sources are (downloaded through the Go module proxy when missing). */
async function moduleDir(go: string): Promise<string> {
  const json = await run(go, ['mod', 'download', '-json', `${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`], {
    cwd: os.tmpdir(),
  });
  return (JSON.parse(json) as { Dir: string }).Dir;
}

/**
 * Returns the server, the SQL tool and the schema directory, building the binaries once into
 * ~/.cache/tfa/temporal-server-<version>/ (a few minutes the first time; `go install` caches).
 */
export async function ensureTemporalServer(log: (line: string) => void = console.error): Promise<TemporalServerBuild> {
  const go = findGo();
  const binDir = path.join(cacheDir(), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  const server = path.join(binDir, 'server');
  const sqlTool = path.join(binDir, 'sql');
  for (const [binary, pkg] of [
    [server, 'cmd/server'],
    [sqlTool, 'cmd/tools/sql'],
  ] as const) {
    if (fs.existsSync(binary)) continue;
    const target = `${TEMPORAL_SERVER_MODULE}/${pkg}@${TEMPORAL_SERVER_VERSION}`;
    log(`[tfa] building ${target} into ${binDir} (once; several minutes)...`);
    const started = Date.now();
    await run(go, ['install', target], { cwd: os.tmpdir(), env: { ...process.env, GOBIN: binDir } });
    log(`[tfa] built ${path.basename(binary)} in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const postgresSchemaDir = path.join(await moduleDir(go), 'schema', 'postgresql', 'v12');
  return { server, sqlTool, postgresSchemaDir };
}
