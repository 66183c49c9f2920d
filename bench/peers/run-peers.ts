// Runs the peer tool loops (tool-loop.mjs) against a scripted model server, installing the peers'
// own packages on first use (npm, into bench/peers/node_modules): never a dependency of tfa.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScriptedModelServer } from '../../scripts/scripted-model/server';

export const PEERS = ['langgraph-sqlite', 'langgraph-memory', 'plain'] as const;
export type Peer = (typeof PEERS)[number];

const PEERS_DIR = __dirname;

/** `npm install` in bench/peers when its node_modules is missing or older than its package.json. */
export function ensurePeersInstalled(log: (line: string) => void = console.error): void {
  const marker = path.join(PEERS_DIR, 'node_modules', '.package-lock.json');
  const manifest = path.join(PEERS_DIR, 'package.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(manifest).mtimeMs) return;
  log('[bench] installing the peers once into bench/peers/node_modules (npm install; LangGraph.js, SQLite)...');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: PEERS_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/**
 * What each peer request carries, as tfa's requests in the same loop do: the model name, the agent's
 * instructions, its tool definitions (the JSON tfa sends), the call the model makes each step and the
 * output its no-op tool gives. The scripted model's work and the HTTP client's then match tfa's.
 */
export interface PeerWorkload {
  model: string;
  instructions: string;
  tools: unknown[];
  call: { name: string; arguments: Record<string, unknown> };
  toolOutput: string;
}

/** Wall ms per step of each round of `steps` steps, the model scripted to make the workload's call then done_for_now. */
export async function runPeer(
  peer: Peer,
  model: ScriptedModelServer,
  steps: number,
  rounds: number,
  workload: PeerWorkload,
): Promise<number[]> {
  for (let round = 0; round <= rounds; round++) {
    // and the warm-up round
    model.enqueue(...Array.from({ length: steps - 1 }, () => ({ toolCall: workload.call })), {
      toolCall: { name: 'done_for_now', arguments: { message: 'done' } },
    });
  }
  const workloadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfa-peer-workload-'));
  const workloadFile = path.join(workloadDir, 'workload.json');
  fs.writeFileSync(workloadFile, JSON.stringify(workload));
  const child = spawn(
    process.execPath,
    [path.join(PEERS_DIR, 'tool-loop.mjs'), peer, model.baseURL, String(steps), String(rounds), workloadFile],
    { cwd: PEERS_DIR, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  fs.rmSync(workloadDir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`peer ${peer} exited with ${code}`);
  return (JSON.parse(out.trim().split('\n').at(-1)!) as { wallMsPerStep: number[] }).wallMsPerStep;
}
