import fs from 'node:fs';
import path from 'node:path';
import { TEST_ENV_KEYS } from '../support/test-server';

/** One line of the fault table: what a scenario did to its runs and how they ended. */
export interface FaultRow {
  scenario: string;
  runs: number;
  completed: number;
  /** A deploy recorded more than once in the release ledger, or a thread event repeated. */
  duplicates: number;
  /** A deploy never recorded, or a thread event of the run without faults missing. */
  lost: number;
  /** Runs that neither ended nor reached a state waiting for a person within the generous deadline. */
  stuck: number;
  /** Messages refused (and recorded as refusals) by the runs. */
  refused: number;
  /** Secret values found in the histories the scenario produced. */
  secrets: number;
}

const COLUMNS = ['scenario', 'runs', 'completed', 'duplicates', 'lost', 'stuck', 'refused', 'secrets'] as const;
const COUNTS = COLUMNS.slice(1) as Array<Exclude<(typeof COLUMNS)[number], 'scenario'>>;

/** A row with every count at zero, for a scenario to add to. */
export function emptyFaultRow(scenario: string): FaultRow {
  return { scenario, ...(Object.fromEntries(COUNTS.map((column) => [column, 0])) as Omit<FaultRow, 'scenario'>) };
}

/** Where the scenarios of this jest run leave their rows: beside the workflow bundle global setup made. */
function rowsDir(): string | undefined {
  const bundle = process.env[TEST_ENV_KEYS.bundlePath];
  return bundle ? path.join(path.dirname(bundle), 'fault-rows') : undefined;
}

/** The table `npm run test:faults` prints and writes: the README names this file. */
export const FAULT_TABLE_FILE = path.resolve(__dirname, '../../bench/results/faults.md');

/** Records a scenario's row for the table global teardown prints (one JSON file per row). */
export function recordFaultRow(row: FaultRow): void {
  const dir = rowsDir();
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  const file = `${row.scenario.replace(/[^\w-]+/g, '-')}-${process.pid}-${Date.now()}.json`;
  fs.writeFileSync(path.join(dir, file), JSON.stringify(row));
}

/** Scenario families in the order the table lists them (then by name). */
const FAMILIES = ['worker SIGKILL', 'dev server SIGKILL', 'model', 'abuse'];
const family = (row: FaultRow) => {
  const index = FAMILIES.findIndex((prefix) => row.scenario.startsWith(prefix));
  return index === -1 ? FAMILIES.length : index;
};

/** The sum of the rows: every run and every history the suite produced (the secrets column is the scan). */
function totalRow(rows: FaultRow[]): FaultRow {
  const total = emptyFaultRow('**all scenarios**');
  for (const row of rows) for (const column of COUNTS) total[column] += row[column];
  return total;
}

/** The rows as a Markdown table, one line per scenario, then their sum. */
export function formatFaultTable(rows: FaultRow[]): string {
  const sorted = [...rows].sort((a, b) => family(a) - family(b) || a.scenario.localeCompare(b.scenario));
  sorted.push(totalRow(rows));
  const header = `| ${COLUMNS.join(' | ')} |`;
  const rule = `| ${COLUMNS.map((column) => (column === 'scenario' ? '---' : '---:')).join(' | ')} |`;
  const lines = sorted.map((row) => `| ${COLUMNS.map((column) => String(row[column])).join(' | ')} |`);
  return [header, rule, ...lines].join('\n');
}

/** Global teardown: prints the rows this jest run recorded, if any, and writes them to FAULT_TABLE_FILE. */
export function printFaultTable(): void {
  const dir = rowsDir();
  if (!dir || !fs.existsSync(dir)) return;
  const rows = fs.readdirSync(dir).map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as FaultRow);
  if (rows.length === 0) return;
  const table = formatFaultTable(rows);
  const runs = process.env.TFA_FAULT_RUNS ?? String(DEFAULT_FAULT_RUNS);
  const text = `# Fault and abuse suite\n\nTFA_FAULT_RUNS=${runs}, ${new Date().toISOString()}\n\n${table}\n`;
  fs.mkdirSync(path.dirname(FAULT_TABLE_FILE), { recursive: true });
  fs.writeFileSync(FAULT_TABLE_FILE, text);
  process.stdout.write(
    `\nFault and abuse suite (TFA_FAULT_RUNS=${runs}; written to bench/results/faults.md):\n${table}\n`,
  );
}

/** DeployBot runs the worker-kill scenario makes: TFA_FAULT_RUNS, 20 by default (`npm test`), 200 in `npm run test:faults`. */
export const DEFAULT_FAULT_RUNS = 20;
export function faultRuns(): number {
  const runs = Number(process.env.TFA_FAULT_RUNS ?? DEFAULT_FAULT_RUNS);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`TFA_FAULT_RUNS must be a positive integer, got ${process.env.TFA_FAULT_RUNS}`);
  return runs;
}
