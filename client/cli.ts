#!/usr/bin/env tsx
// `tfa`: launch, inspect and answer agent runs. Every command is one Temporal call, so
// the same can be done with the plain `temporal` CLI (see README).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Command, InvalidArgumentError } from 'commander';
import { agents, findAgent } from '../agents';
import { parseConfig, type TfaConfig } from '../core/config';
import type { Decision } from '../core/decisions';
import { shellQuote } from '../core/shell-quote';
import { SPEND_LIMIT_BOUNDS, SpendLimit } from '../core/spend-budget';
import { printable } from '../core/terminal-text';
import { AgentStatus } from '../core/thread';
import { clientPayloadCodecs } from '../codec/from-config';
import { connectClient, temporalSettings } from './connect';
import { describeError } from './describe-error';
import { parseForkPoint } from '../core/fork';
import { forkRun } from './fork-run';
import { formatDeployStatus, formatStatus } from './format-status';
import { rewindRun } from './rewind-run';
import { tokenDigest } from './gateway/identity';
import { createKey, keysDir, personalSigner, readKey, type StatementSigner } from './keys';
import { createRuns, type DecisionTaken, type ModelInputShown, type Runs } from './runs';
import type { RunSummary } from '../activities/reporter/run-summary';
import { startTracing, type Tracing } from '../activities/telemetry/tracing';
import { createSchedules, type ScheduleListing, type Schedules } from './schedules';
import { WATCH_EXIT_CODES, watchLines } from './watch-lines';

const defaultUser = process.env.TFA_USER ?? os.userInfo().username;
/** Set by main when OTEL_EXPORTER_OTLP_ENDPOINT turns tracing on: the command's client carries its span. */
let commandTracing: Tracing | undefined;

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

const BUDGET_HELP = {
  maxTokens: 'budget: input+output tokens per window; when used up the run asks for another window',
  maxCostUsd: "budget: US dollars per window at the worker's prices; when used up the run asks for another window",
} as const;

/** A budget limit as the run input's schema bounds it (core/spend-budget.ts). */
function budgetLimit(field: keyof SpendLimit): (value: string) => number {
  return (value) => {
    const parsed = SpendLimit.shape[field].safeParse(Number(value));
    if (!parsed.success || parsed.data === undefined)
      throw new InvalidArgumentError(
        `expected a positive ${field === 'maxTokens' ? 'integer' : 'number'} up to ${SPEND_LIMIT_BOUNDS[field]}`,
      );
    return parsed.data;
  };
}

function agentStatus(value: string): AgentStatus {
  const parsed = AgentStatus.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`expected one of ${AgentStatus.options.join(', ')}`);
  return parsed.data;
}

/**
 * `approved <requestId>`, naming the pipeline's child that took it when that is not the run asked, and
 * under a quorum who approved so far and who is still needed.
 */
function describeDecision(verb: string, askedId: string, taken: DecisionTaken): string {
  const decided =
    taken.workflowId === askedId ? `${verb} ${taken.requestId}` : `${verb} ${taken.requestId} in ${taken.workflowId}`;
  return taken.approvals ? `${decided}: ${taken.approvals}` : decided;
}

/** Whether the re-rendered input is the one the model answered at that step (its tool call recorded the digest). */
function describeModelInputCheck(step: number | undefined, shown: ModelInputShown): string {
  if (step === undefined) return '# the input of the next decision';
  if (!shown.recorded)
    return `# step ${step}: ${shown.digest} (no digest recorded to check against: the decision failed, or the run is older)`;
  if (shown.recorded === shown.digest) return `# step ${step}: ${shown.digest}, the same as the model was sent`;
  return `# step ${step}: ${shown.digest} DIFFERS from the ${shown.recorded} the model was sent: the prompt or the context rendering changed since`;
}

/** Signs as `name` with the key `tfa keys create <name>` made; none: the decision goes unsigned (a claim). */
function signerFor(name: string): StatementSigner | undefined {
  const key = readKey(keysDir(), name);
  return key ? personalSigner(name, key) : undefined;
}

function requireSigner(name: string): StatementSigner {
  const signer = signerFor(name);
  if (!signer)
    throw new Error(
      `no key for ${name} in ${keysDir()}: run \`tfa keys create ${name}\` and add its public key to the policy file`,
    );
  return signer;
}

/** Connects, runs one operation, prints its output without control characters (thread text comes from models and senders), closes. */
async function withClient(work: (client: Client, config: TfaConfig) => Promise<string | void>): Promise<void> {
  const config = parseConfig(process.env);
  const { client, close } = await connectClient(temporalSettings(process.env), {
    dataConverter: { payloadCodecs: clientPayloadCodecs(config) },
    interceptors: commandTracing?.clientInterceptors(),
  });
  try {
    const output = await work(client, config);
    if (output) console.log(printable(output));
  } finally {
    await close();
  }
}
const withRuns = (work: (runs: Runs) => Promise<string | void>) =>
  withClient((client, config) => work(createRuns(client, config.TFA_TASK_QUEUE)));
const withSchedules = (work: (schedules: Schedules) => Promise<string | void>) =>
  withClient((client, config) => work(createSchedules(client, config.TFA_TASK_QUEUE)));

/** An agent this checkout defines; any other name is refused before connecting. */
function knownAgent(name: string): true {
  if (findAgent(name)) return true;
  throw new Error(`no agent named "${name}": use one of ${Object.keys(agents).join(', ')}`);
}

/** Where to go next, on stderr, so stdout stays the id a script captures. */
function printFollowUp(text: string): void {
  process.stderr.write(`${printable(text)}\n`);
}

/** `tfa list`: a header, then one run a line; statuses in the agents' lower-case spelling. */
function formatRunList(runs: RunSummary[]): string {
  if (runs.length === 0) return 'no runs';
  const rows = runs.map((run) => [
    run.workflowId,
    run.agent ?? run.type,
    run.status ?? run.executionStatus.toLowerCase(),
    run.startTime,
  ]);
  return [['WORKFLOW ID', 'AGENT', 'STATUS', 'STARTED'], ...rows].map((row) => row.join('\t')).join('\n');
}

function formatSchedule(schedule: ScheduleListing): string {
  const next = schedule.nextRunAt ? `next ${schedule.nextRunAt.toISOString()}` : 'no next run';
  const recent = schedule.recentWorkflowIds.length > 0 ? `  last ${schedule.recentWorkflowIds.at(-1)}` : '';
  return `${schedule.name}\t${schedule.cron ?? '?'}\t${schedule.agent ?? '?'}\t${schedule.paused ? 'paused' : next}${recent}`;
}

/** `tfa schedule ...`: Temporal Schedules that start agent runs (F11). */
function addScheduleCommands(program: Command): void {
  const schedule = program.command('schedule').description('recurring agent runs on Temporal Schedules');
  schedule
    .command('create <name>')
    .description('run an agent with a message on a cron schedule')
    .requiredOption('--cron <expression>', 'five fields, e.g. "0 9 * * *" (09:00 every day)')
    .requiredOption('--agent <agent>', 'which agent runs')
    .requiredOption('--message <text>', 'what the agent is asked')
    .option('--timezone <zone>', 'IANA zone the cron is read in (default UTC)')
    .option('--by <name>', 'recorded as requestedBy')
    .action((name: string, opts: { cron: string; agent: string; message: string; timezone?: string; by?: string }) =>
      withSchedules(
        async (schedules) => `created schedule ${await schedules.create({ name, ...opts, requestedBy: opts.by })}`,
      ),
    );
  schedule
    .command('list')
    .description('every schedule: name, cron, agent, next run')
    .action(() =>
      withSchedules(async (schedules) => (await schedules.list()).map(formatSchedule).join('\n') || 'no schedules'),
    );
  schedule
    .command('delete <name>')
    .description('delete a schedule (runs it started keep going)')
    .action((name: string) =>
      withSchedules(async (schedules) => {
        await schedules.delete(name);
        return `deleted schedule ${name}`;
      }),
    );
  schedule
    .command('trigger <name>')
    .description("start the schedule's run now")
    .action((name: string) =>
      withSchedules(async (schedules) => {
        await schedules.trigger(name);
        return `triggered schedule ${name}: it starts a run now`;
      }),
    );
}

/** `tfa keys create` and `tfa sign`: signed decisions for the Temporal CLI and any SDK client. */
function addSigningCommands(program: Command): void {
  const keys = program.command('keys').description('Ed25519 keys that sign your decisions');
  keys
    .command('create <name>')
    .description(
      'make a key pair: the private key stays in your config directory (0600), the public key goes in the policy file',
    )
    .action((name: string) => {
      const { file, publicKey } = createKey(keysDir(), name);
      console.log(
        `private key: ${file}\nadd to the policy file under "people":\n  "${name}": { "publicKey": "${publicKey}" }`,
      );
    });
  program
    .command('token')
    .description('personal gateway tokens')
    .command('create <name>')
    .description('make a bearer token for one person: give them the token, put the line in TFA_GATEWAY_TOKENS_FILE')
    .action((name: string) => {
      const token = randomBytes(32).toString('hex');
      console.log(
        `token for ${name} (shown once): ${token}\nadd to TFA_GATEWAY_TOKENS_FILE:\n  "${name}": "sha256:${tokenDigest(token)}"`,
      );
    });
  const sign = program
    .command('sign')
    .description(
      'print a signed body for `temporal workflow signal --input` (the run must be waiting for that request)',
    );
  const body = (id: string, decision: Decision) =>
    withRuns(async (runs) => JSON.stringify((await runs.signedBody(id, decision, requireSigner(decision.by))).body));
  sign
    .command('approve <workflowId>')
    .option('--by <name>', 'who approves', defaultUser)
    .option('--comment <text>')
    .option('--request-id <id>')
    .action((id: string, opts: { by: string; comment?: string; requestId?: string }) =>
      body(id, { action: 'approve', ...opts }),
    );
  sign
    .command('reject <workflowId>')
    .requiredOption('--reason <text>')
    .option('--by <name>', 'who rejects', defaultUser)
    .option('--request-id <id>')
    .action((id: string, opts: { by: string; reason: string; requestId?: string }) =>
      body(id, { action: 'reject', ...opts }),
    );
  sign
    .command('reply <workflowId> <text...>')
    .option('--by <name>', 'who answers', defaultUser)
    .option('--request-id <id>')
    .action((id: string, words: string[], opts: { by: string; requestId?: string }) =>
      body(id, { action: 'reply', ...opts, text: words.join(' ') }),
    );
}

/** `tfa watch`: the run's events line by line as they land; the exit code says how it ended. */
async function watchRun(client: Client, taskQueue: string, workflowId: string): Promise<void> {
  try {
    const items = await createRuns(client, taskQueue).follow(workflowId);
    for await (const item of items ?? []) {
      for (const line of watchLines(item)) console.log(line);
      if (item.type === 'end' && !item.child)
        process.exitCode = item.succeeded ? WATCH_EXIT_CODES.succeeded : WATCH_EXIT_CODES.endedOtherwise;
    }
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    throw new Error(
      `no run ${shellQuote(workflowId)} in namespace ${client.options.namespace}: \`tfa list\` shows the runs there are`,
    );
  }
}

/** `tfa fork` and `tfa rewind`: go back to an earlier point of a run, in a new run or in place. */
function addForkCommands(program: Command): void {
  const at = 'a step (the n-th model decision, 1 = the first) or an event id (tfa status --json lists them)';
  program
    .command('fork <workflowId>')
    .description(
      "start a new run from a run's thread up to a point (to try another answer, or after fixing a prompt); prints its workflow id",
    )
    .requiredOption('--at <eventId|step>', `${at}: a step is decided anew, an event is kept with all before it`)
    .option('--run <runId>', 'an earlier run of this workflow id (one an earlier_events line names)')
    .option('--workflow-id <id>', "the fork's workflow id (default: <workflowId>-fork-<time>)")
    .option('--by <name>', 'who forks', defaultUser)
    .action((id: string, opts: { at: string; run?: string; workflowId?: string; by: string }) =>
      withClient(async (client, config) => {
        const request = { workflowId: id, runId: opts.run, at: parseForkPoint(opts.at), requestedBy: opts.by };
        const started = await forkRun(client, config.TFA_TASK_QUEUE, { ...request, newWorkflowId: opts.workflowId });
        printFollowUp(
          `forked ${id} at ${opts.at} into ${started.workflowId}; follow it with: tfa status ${shellQuote(started.workflowId)}\nthe same with the Temporal CLI: ${started.temporalCommand}`,
        );
        return started.workflowId;
      }),
    );
  program
    .command('rewind <workflowId>')
    .description(
      'go back in place to a model decision and let the model decide it anew (a Temporal reset); refused once a tool that acts ran since; prints the new run id',
    )
    .requiredOption('--to <eventId|step>', `${at}; an event id must name a tool_call`)
    .option('--by <name>', 'who rewinds (recorded as the reset reason)', defaultUser)
    .action((id: string, opts: { to: string; by: string }) =>
      withClient(async (client) => {
        const rewound = await rewindRun(client, { workflowId: id, to: parseForkPoint(opts.to), by: opts.by });
        printFollowUp(
          `rewound ${id} to step ${rewound.step}${rewound.step === rewound.asked ? '' : ` (step ${rewound.asked} was decided in the same model call, after read-only steps)`}; nothing sent after it was reapplied\nthe same with the Temporal CLI: ${rewound.temporalCommand}`,
        );
        return rewound.runId;
      }),
    );
}

export function buildProgram(): Command {
  const program = new Command('tfa')
    .description('Launch, inspect and answer durable agent runs on Temporal.')
    .version(packageVersion());
  program.showHelpAfterError().configureOutput({ writeErr: (text) => process.stderr.write(text) });
  program
    .command('launch <agent> <message...>')
    .description('start a run; prints its workflow id')
    .option('--workflow-id <id>', 'workflow id (default: <agent>-<time>)')
    .option('--max-steps <n>', 'step limit for this run', positiveInt)
    .option('--max-tokens <n>', BUDGET_HELP.maxTokens, budgetLimit('maxTokens'))
    .option('--max-cost-usd <usd>', BUDGET_HELP.maxCostUsd, budgetLimit('maxCostUsd'))
    .option('--by <name>', 'who asks', defaultUser)
    .action(
      (agent: string, words: string[], opts: { workflowId?: string; maxSteps?: number; by: string } & SpendLimit) =>
        knownAgent(agent) &&
        withRuns(async (runs) => {
          const { maxSteps, maxTokens, maxCostUsd } = opts;
          const id = await runs.launch(
            { agent, message: words.join(' '), maxSteps, maxTokens, maxCostUsd, requestedBy: opts.by },
            opts.workflowId,
          );
          printFollowUp(`started ${agent} run ${id}; follow it with: tfa status ${shellQuote(id)}`);
          return id;
        }),
    );
  program
    .command('approve <workflowId>')
    .description('approve a request, signed with your key (refusals are explained)')
    .option('--by <name>', 'who approves (signs with the key of that name)', defaultUser)
    .option('--comment <text>')
    .option('--request-id <id>', 'the request you approve: required once a run has made more than one')
    .action((id: string, opts: { by: string; comment?: string; requestId?: string }) =>
      withRuns(async (runs) => describeDecision('approved', id, await runs.approve(id, opts, signerFor(opts.by)))),
    );
  program
    .command('reject <workflowId>')
    .description('reject a request with a reason the agent reads, signed with your key')
    .requiredOption('--reason <text>', 'why (the agent adapts to it)')
    .option('--by <name>', 'who rejects (signs with the key of that name)', defaultUser)
    .option('--request-id <id>')
    .action((id: string, opts: { by: string; reason: string; requestId?: string }) =>
      withRuns(async (runs) => describeDecision('rejected', id, await runs.reject(id, opts, signerFor(opts.by)))),
    );
  program
    .command('reply <workflowId> <text...>')
    .description('answer a question (or a run that needs a human)')
    .option('--by <name>', 'who answers (signs with the key of that name, if there is one)', defaultUser)
    .option('--request-id <id>')
    .action((id: string, words: string[], opts: { by: string; requestId?: string }) =>
      withRuns(async (runs) => void (await runs.reply(id, { ...opts, text: words.join(' ') }, signerFor(opts.by)))),
    );
  addSigningCommands(program);
  addForkCommands(program);
  program
    .command('pause <workflowId>')
    .description('pause at the next step boundary')
    .option('--by <name>', 'who pauses', defaultUser)
    .option('--reason <text>')
    .action((id: string, opts: { by: string; reason?: string }) =>
      withRuns(async (runs) => void (await runs.pause(id, opts))),
    );
  program
    .command('resume <workflowId>')
    .description('resume a paused run, optionally with feedback for the agent')
    .option('--by <name>', 'who resumes', defaultUser)
    .option('--feedback <text>')
    .action((id: string, opts: { by: string; feedback?: string }) =>
      withRuns(async (runs) => void (await runs.resume(id, opts))),
    );
  program
    .command('status <workflowId>')
    .description("the run's state, what it waits for, and its thread")
    .option('--json', 'print the thread and state as JSON')
    .option('--run <runId>', 'an earlier run of this workflow id (one an earlier_events line names)')
    .action((id: string, opts: { json?: boolean; run?: string }) =>
      withClient(async (client, config) => {
        const status = await createRuns(client, config.TFA_TASK_QUEUE).status(id, opts.run);
        if (opts.json) return JSON.stringify(status.kind === 'agent' ? status.view : status, null, 2);
        const { namespace } = client.options;
        return status.kind === 'agent'
          ? formatStatus(id, status.view, namespace)
          : formatDeployStatus(id, status.state, status.runningChild, namespace);
      }),
    );
  program
    .command('watch <workflowId>')
    .description(
      "print each event of a run as it lands (a pipeline: its children's, labelled), until it ends; exit 0 if it succeeded, 2 if not",
    )
    .action((id: string) => withClient((client, config) => watchRun(client, config.TFA_TASK_QUEUE, id)));
  program
    .command('model-input <workflowId>')
    .description('exactly what the model was sent at a step (default: what it gets next)')
    .option('--step <n>', 'the model decision to show (1 = the first)', positiveInt)
    .option('--json', 'print {input: {instructions, context}, digest, recorded} as JSON')
    .option('--run <runId>', 'an earlier run of this workflow id, for a step made before it continued as new')
    .action((id: string, opts: { step?: number; json?: boolean; run?: string }) =>
      withRuns(async (runs) => {
        const shown = await runs.modelInput(id, opts.step, opts.run);
        if (opts.json) return JSON.stringify(shown, null, 2);
        return `${describeModelInputCheck(opts.step, shown)}\n# system\n${shown.input.instructions}\n\n# user\n${shown.input.context}`;
      }),
    );
  program
    .command('deploy <ref>')
    .description('run the deploy pipeline (deployWorkflow) for a git ref; prints its workflow id')
    .option('--by <name>', 'who asks', defaultUser)
    .option('--workflow-id <id>', 'workflow id (default: deploy-<ref>-<time>)')
    .option('--max-tokens <n>', `${BUDGET_HELP.maxTokens}, all children together`, budgetLimit('maxTokens'))
    .option('--max-cost-usd <usd>', `${BUDGET_HELP.maxCostUsd}, all children together`, budgetLimit('maxCostUsd'))
    .action((ref: string, opts: { by: string; workflowId?: string } & SpendLimit) =>
      withRuns(async (runs) => {
        const id = opts.workflowId ?? `deploy-${ref.replace(/[^\w.-]+/g, '-')}-${Date.now().toString(36)}`;
        const { maxTokens, maxCostUsd } = opts;
        const started = await runs.startDeploy({ ref, requestedBy: opts.by, maxTokens, maxCostUsd }, id);
        printFollowUp(
          `${started.duplicate ? 'already started' : 'started'} pipeline ${id} for ${ref}; follow it with: tfa status ${shellQuote(id)}`,
        );
        return id;
      }),
    );
  program
    .command('list')
    .description('recent agent runs, newest first')
    .option('--limit <n>', 'how many', positiveInt, 20)
    .option('--status <status>', 'only runs in this agent status (e.g. awaiting_approval)', agentStatus)
    .option('--waiting', 'only runs waiting for a person (approval, reply, needs_human, paused)')
    .action((opts: { limit: number; status?: AgentStatus; waiting?: boolean }) =>
      withRuns(async (runs) => formatRunList(await runs.list(opts))),
    );
  addScheduleCommands(program);
  return program;
}

function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
    .version;
}

/** The words naming the command in `args` (`schedule create`), without its arguments and options. */
function commandPath(program: Command, args: string[]): string {
  const words: string[] = [];
  let command = program;
  for (const word of args) {
    const sub = command.commands.find((candidate) => candidate.name() === word);
    if (!sub) break;
    words.push(word);
    command = sub;
  }
  return words.join(' ');
}

/** With tracing on, the command is a root span (`tfa launch`) and what it asks Temporal joins its trace. */
async function runCommand(argv: string[]): Promise<void> {
  const program = buildProgram();
  commandTracing = await startTracing('tfa-cli');
  const tracing = commandTracing;
  if (!tracing) return void (await program.parseAsync(argv));
  try {
    await tracing.inSpan(`tfa ${commandPath(program, argv.slice(2))}`.trim(), 'internal', {}, () =>
      program.parseAsync(argv),
    );
  } finally {
    await tracing.shutdown(); // exports the command's spans before the process ends
  }
}

/** Runs `tfa` with these arguments; any error prints one line and exits 1. */
export function main(argv: string[] = process.argv): void {
  runCommand(argv).catch((error: unknown) => {
    console.error(printable(`tfa: ${describeError(error)}`));
    process.exit(1);
  });
}

if (require.main === module) main();
