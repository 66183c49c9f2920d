/**
 * Writes the DeployBot thread fixtures in bench/threads/ (short, medium, long). Hand-scripted runs,
 * not captures of live ones: the events follow core/thread.ts, tool outputs are built the way the
 * executors build them (OutputTail for test logs, JSON trimmed to MAX_TOOL_OUTPUT_CHARS), and ids,
 * shas and times come from a fixed seed, so the files are the same on every run.
 * Run: npx tsx bench/threads/make-threads.ts (then review the diffs and the snapshots in test/core).
 */
import fs from 'node:fs';
import { OutputTail } from '../../activities/deploybot/output-tail';
import { trimText } from '../../core/context';
import { MAX_TOOL_OUTPUT_CHARS } from '../../core/constants';

let seed = 42;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
function pick(chars: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += chars[Math.floor(rnd() * chars.length)];
  return s;
}
const hex = (n: number) => pick('0123456789abcdef', n);
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick('89ab', 1)}${hex(3)}-${hex(12)}`;
const callId = () => `call_${pick('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 24)}`;

let clock = 0;
function stamp(base: string, e: Record<string, unknown>, gapSec = 7) {
  clock += gapSec * 1000;
  return { id: uuid(), at: new Date(Date.parse(base) + clock).toISOString(), ...e };
}
function out(result: unknown) {
  return trimText(JSON.stringify(result), MAX_TOOL_OUTPUT_CHARS);
}

function testLog(opts: { passed: boolean; failing?: string[]; suites: number }): string {
  const tail = new OutputTail();
  tail.append('> tfa@0.1.0 test\n> tsc --noEmit && jest --ci\n\n');
  const names = [
    'core/reducer',
    'core/context',
    'core/decisions',
    'activities/choose-next-tool',
    'activities/execute-tool',
    'workflows/agent',
    'workflows/handlers',
    'client/cli',
    'checkout/cart',
    'checkout/payment',
    'checkout/shipping',
    'api/orders',
    'api/refunds',
    'api/inventory',
    'web/checkout-page',
    'web/cart-page',
    'web/order-history',
    'payments/stripe-adapter',
    'payments/ledger',
    'search/indexer',
  ];
  for (let i = 0; i < opts.suites; i++) {
    const name = names[i % names.length]! + (i >= names.length ? `-${i}` : '');
    const failing = opts.failing?.includes(name);
    tail.append(`${failing ? 'FAIL' : 'PASS'} test/${name}.test.ts (${(1 + rnd() * 9).toFixed(3)} s)\n`);
    if (failing) {
      tail.append(
        `  ● ${name.split('/')[1]} › completes a purchase with a saved card\n\n    expect(received).toBe(expected) // Object.is equality\n\n    Expected: "succeeded"\n    Received: "requires_action"\n\n      41 |     const intent = await pay(cart, savedCard);\n    > 42 |     expect(intent.status).toBe("succeeded");\n         |                           ^\n      43 |   });\n\n      at Object.<anonymous> (test/${name}.test.ts:42:27)\n\n`,
      );
    }
  }
  const failed = opts.failing?.length ?? 0;
  tail.append(
    `\nTest Suites: ${failed ? `${failed} failed, ` : ''}${opts.suites - failed} passed, ${opts.suites} total\nTests:       ${failed ? `${failed} failed, ` : ''}${opts.suites * 7 - failed} passed, ${opts.suites * 7} total\nSnapshots:   12 passed, 12 total\nTime:        48.211 s\nRan all test suites.\n`,
  );
  return tail.compact();
}

function releases(n: number, currentIndex = 0) {
  const list = [];
  let t = Date.parse('2025-06-02T08:00:00Z');
  for (let i = 0; i < n; i++) {
    list.push({ sha: hex(40), current: i === currentIndex, deployedAt: new Date(t).toISOString() });
    t -= 86_400_000 * (0.5 + rnd() * 2);
  }
  return list;
}

const TOOLS =
  'deploy_to_staging, run_tests, deploy_to_production, list_releases, rollback, request_human_input, done_for_now';

function deployResult(environment: string, ref: string, sha: string, previousSha: string | null, changed = true) {
  return {
    environment,
    ref,
    sha,
    releasePath: `/srv/tfa/.data/deploy/${environment}/releases/${sha}`,
    changed,
    previousSha,
  };
}

type E = Record<string, unknown>;
class Builder {
  events: E[] = [];
  constructor(private base: string) {}
  add(e: E, gap = 7) {
    this.events.push(stamp(this.base, e, gap));
    return this;
  }
  call(tool: string, kind: string, args: E) {
    const id = callId();
    this.add({ type: 'tool_call', callId: id, tool, kind, args }, 4);
    return id;
  }
  /** The model's call of an approval tool and the request it raises at once. */
  requestApproval(tool: string, args: E) {
    const id = this.call(tool, 'approval', args);
    const requestId = uuid();
    this.add({ type: 'approval_requested', requestId, callId: id, tool, args, argsDigest: `sha256:${hex(64)}` }, 1);
    return { callId: id, requestId };
  }
  result(id: string, tool: string, result: unknown, gap = 9) {
    const o = out(result);
    this.add({ type: 'tool_result', callId: id, tool, output: o.text, truncated: o.truncated }, gap);
  }
  toolError(id: string, tool: string, message: string) {
    this.add({
      type: 'error',
      source: 'tool',
      errorType: 'ToolExecutionError',
      message,
      stack: `ToolExecutionError: ${message}\n    at asToolError (/srv/tfa/activities/deploybot/executors.ts:7:11)\n    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)`,
      callId: id,
      tool,
    });
  }
  modelError(code: string, message: string) {
    this.add(
      {
        type: 'error',
        source: 'model',
        errorType: 'ModelOutputError',
        code,
        message,
        stack: `ModelOutputError: ${message}\n    at invalidOutput (/srv/tfa/activities/choose-next-tool.ts:48:9)\n    at validateToolCall (/srv/tfa/activities/choose-next-tool.ts:57:3)`,
      },
      3,
    );
  }
}

function short() {
  clock = 0;
  const b = new Builder('2025-06-02T09:14:00Z');
  b.add({ type: 'run_started', agent: 'deploybot', maxSteps: 12 }, 0);
  b.add({ type: 'user_message', text: 'deploy main to staging and run the tests there', by: 'alice' }, 0);
  const sha = hex(40);
  const c1 = b.call('deploy_to_staging', 'immediate', { ref: 'main' });
  b.result(c1, 'deploy_to_staging', deployResult('staging', 'main', sha, hex(40)));
  const c2 = b.call('run_tests', 'immediate', { environment: 'staging' });
  b.result(
    c2,
    'run_tests',
    {
      environment: 'staging',
      sha,
      passed: true,
      exitCode: 0,
      durationMs: 3120,
      output: 'release check passed: layout and package.json look right',
    },
    4,
  );
  return {
    description: 'Short: deploy main to staging and test it; the next decision is done_for_now.',
    requiredFacts: [
      { fact: 'the request', text: 'deploy main to staging and run the tests there' },
      { fact: 'staging tests passed', text: 'passed: true' },
      { fact: 'the deployed sha', text: sha },
    ],
    events: b.events,
  };
}

function medium() {
  clock = 0;
  const b = new Builder('2025-06-03T13:02:00Z');
  b.add({ type: 'run_started', agent: 'deploybot', maxSteps: 12 }, 0);
  b.add(
    { type: 'user_message', text: 'ship release/2.4 to production please, it has the new checkout flow', by: 'priya' },
    0,
  );
  const stagingPrev = hex(40);
  const sha24 = hex(40);
  const c1 = b.call('deploy_to_staging', 'immediate', { ref: 'release/2.4' });
  b.result(c1, 'deploy_to_staging', deployResult('staging', 'release/2.4', sha24, stagingPrev), 21);
  const c2 = b.call('run_tests', 'immediate', { environment: 'staging' });
  b.result(
    c2,
    'run_tests',
    {
      environment: 'staging',
      sha: sha24,
      passed: false,
      exitCode: 1,
      durationMs: 51874,
      output: testLog({ passed: false, failing: ['checkout/payment'], suites: 46 }),
    },
    52,
  );
  const c3 = b.call('list_releases', 'immediate', { environment: 'staging' });
  const stagingReleases = releases(28);
  stagingReleases[0]!.sha = sha24;
  b.result(c3, 'list_releases', stagingReleases, 2);
  const q =
    'Tests failed on staging for release/2.4 (checkout/payment: "requires_action" instead of "succeeded"). Deploy release/2.4.1 instead, or stop?';
  const c4 = b.call('request_human_input', 'human', { question: q, options: ['deploy release/2.4.1', 'stop'] });
  const r1 = uuid();
  b.add(
    {
      type: 'human_input_requested',
      requestId: r1,
      callId: c4,
      question: q,
      options: ['deploy release/2.4.1', 'stop'],
    },
    1,
  );
  b.add(
    {
      type: 'human_reply',
      requestId: r1,
      by: 'priya',
      text: 'deploy release/2.4.1, it has the 3-D Secure fix for saved cards',
    },
    840,
  );
  const sha241 = hex(40);
  const c5 = b.call('deploy_to_staging', 'immediate', { ref: 'release/2.4.1' });
  b.result(c5, 'deploy_to_staging', deployResult('staging', 'release/2.4.1', sha241, sha24), 19);
  const c6 = b.call('run_tests', 'immediate', { environment: 'staging' });
  b.result(
    c6,
    'run_tests',
    {
      environment: 'staging',
      sha: sha241,
      passed: true,
      exitCode: 0,
      durationMs: 49302,
      output: testLog({ passed: true, suites: 46 }),
    },
    50,
  );
  const c7 = b.call('list_releases', 'immediate', { environment: 'production' });
  b.result(c7, 'list_releases', releases(30), 2);
  const { requestId: r2 } = b.requestApproval('deploy_to_production', { ref: 'release/2.4.1' });
  b.add(
    {
      type: 'decision_refused',
      message: 'approve',
      by: 'intern-bot',
      requestId: r2,
      reason: 'intern-bot may not approve deploy_to_production; allowed: marco, priya',
    },
    60,
  );
  b.add(
    {
      type: 'approval_rejected',
      requestId: r2,
      by: 'marco',
      reason: 'change freeze until Monday 09:00 UTC for the quarterly close; leave it on staging',
    },
    300,
  );
  return {
    description:
      'Medium: a failed staging test log, release lists, a human answer, a passing retest, then production rejected; the next decision must respect the freeze.',
    requiredFacts: [
      { fact: 'the request', text: 'ship release/2.4 to production' },
      { fact: 'latest staging tests passed', text: 'passed: true' },
      { fact: 'the tested sha', text: sha241 },
      { fact: 'the human chose release/2.4.1', text: 'deploy release/2.4.1, it has the 3-D Secure fix' },
      { fact: 'last rejection reason', text: 'change freeze until Monday 09:00 UTC' },
    ],
    events: b.events,
  };
}

/** Long, first half: a failed rollback, repeated errors, an escalation, a redeploy to staging and a missing release. */
function longTrouble(b: Builder, prod: ReturnType<typeof releases>) {
  const bad = prod[0]!.sha;
  const good = prod[1]!.sha;
  const c1 = b.call('list_releases', 'immediate', { environment: 'production' });
  b.result(c1, 'list_releases', prod, 2);
  for (let i = 0; i < 2; i++)
    b.modelError('unknown_tool', `There is no tool "get_deploy_logs"; the tools are: ${TOOLS}.`);
  const c2 = b.call('run_tests', 'immediate', { environment: 'production' });
  b.result(
    c2,
    'run_tests',
    {
      environment: 'production',
      sha: bad,
      passed: false,
      exitCode: 1,
      durationMs: 55012,
      output: testLog({ passed: false, failing: ['checkout/payment', 'web/checkout-page'], suites: 46 }),
    },
    56,
  );
  const { callId: c3, requestId: r1 } = b.requestApproval('rollback', { environment: 'production' });
  b.add({ type: 'approval_granted', requestId: r1, by: 'carol', comment: 'go' }, 120);
  b.toolError(
    c3,
    'rollback',
    `rollback failed: Nothing to roll back to in production: no release was current before ${bad}. Deploy a specific ref instead.`,
  );
  for (let i = 0; i < 2; i++)
    b.modelError('invalid_arguments', 'Invalid arguments for deploy_to_production: ref: must not be empty.');
  const r2 = uuid();
  b.add(
    {
      type: 'escalated',
      requestId: r2,
      reason: '3 consecutive errors; last: Invalid arguments for deploy_to_production: ref: must not be empty.',
    },
    1,
  );
  b.add(
    {
      type: 'human_reply',
      requestId: r2,
      by: 'carol',
      text: `deploy v2.3.9 (${good}), the release before this morning's. Test it on staging first.`,
    },
    600,
  );
  const c4 = b.call('deploy_to_staging', 'immediate', { ref: 'v2.3.9' });
  b.result(c4, 'deploy_to_staging', deployResult('staging', 'v2.3.9', good, hex(40)), 20);
  for (let i = 0; i < 3; i++) {
    const c = b.call('run_tests', 'immediate', { environment: 'staging' });
    b.toolError(
      c,
      'run_tests',
      `run_tests failed: staging's current release ${good} is missing on disk. Deploy ref ${good} again.`,
    );
  }
  const r3 = uuid();
  b.add(
    {
      type: 'escalated',
      requestId: r3,
      reason: `3 consecutive errors; last: run_tests failed: staging's current release ${good} is missing on disk. Deploy ref ${good} again.`,
    },
    1,
  );
  b.add({ type: 'paused', by: 'carol', reason: 'disk cleanup on the staging host' }, 30);
  b.add(
    { type: 'resumed', by: 'carol', feedback: 'staging disk is fixed; redeploy v2.3.9 to staging and test again' },
    900,
  );
}

/** Long, second half: staging passes, production is rejected then approved, and production tests fail. */
function longRecovery(b: Builder, bad: string, good: string) {
  const c5 = b.call('deploy_to_staging', 'immediate', { ref: 'v2.3.9' });
  b.result(c5, 'deploy_to_staging', deployResult('staging', 'v2.3.9', good, good, false), 15);
  const c6 = b.call('run_tests', 'immediate', { environment: 'staging' });
  b.result(
    c6,
    'run_tests',
    {
      environment: 'staging',
      sha: good,
      passed: true,
      exitCode: 0,
      durationMs: 47330,
      output: testLog({ passed: true, suites: 46 }),
    },
    48,
  );
  const { requestId: r4 } = b.requestApproval('deploy_to_production', { ref: 'v2.3.9' });
  b.add(
    {
      type: 'approval_rejected',
      requestId: r4,
      by: 'dave',
      reason: `not during the traffic peak: wait until 14:00 UTC, then deploy the sha ${good}, not the tag`,
    },
    200,
  );
  for (let i = 0; i < 2; i++) b.modelError('multiple_tool_calls', 'You called 2 tools at once; call exactly one.');
  const q = `It is 14:05 UTC. Deploy ${good} to production now?`;
  const c8 = b.call('request_human_input', 'human', { question: q, options: ['yes', 'no'] });
  const r5 = uuid();
  b.add({ type: 'human_input_requested', requestId: r5, callId: c8, question: q, options: ['yes', 'no'] }, 1);
  b.add({ type: 'human_reply', requestId: r5, by: 'dave', text: 'yes, go ahead with the sha' }, 1200);
  const { callId: c9, requestId: r6 } = b.requestApproval('deploy_to_production', { ref: good });
  b.add({ type: 'approval_granted', requestId: r6, by: 'dave' }, 90);
  b.result(c9, 'deploy_to_production', deployResult('production', good, good, bad), 25);
  const c10 = b.call('run_tests', 'immediate', { environment: 'production' });
  b.result(
    c10,
    'run_tests',
    {
      environment: 'production',
      sha: good,
      passed: false,
      exitCode: 1,
      durationMs: 56120,
      output: testLog({ passed: false, failing: ['payments/stripe-adapter'], suites: 46 }),
    },
    57,
  );
  for (let i = 0; i < 2; i++)
    b.modelError('no_tool_call', 'You answered without a tool call; answer with exactly one tool call.');
}

function long() {
  clock = 0;
  const b = new Builder('2025-06-04T07:40:00Z');
  b.add({ type: 'run_started', agent: 'deploybot', maxSteps: 30 }, 0);
  b.add(
    {
      type: 'user_message',
      text: "checkout is broken in production since this morning's deploy. Roll production back to the last good release and confirm with the tests.",
      by: 'bob',
    },
    0,
  );
  const prod = releases(30);
  const bad = prod[0]!.sha;
  const good = prod[1]!.sha;
  longTrouble(b, prod);
  longRecovery(b, bad, good);
  return {
    description:
      'Long: a production rollback that fails, repeated model and tool errors, two escalations, a pause, a rejection, a question, a deploy, and failing production tests; the next decision must see the failure.',
    requiredFacts: [
      { fact: 'the request', text: 'checkout is broken in production' },
      { fact: 'latest production tests failed', text: 'test/payments/stripe-adapter.test.ts:42:27' },
      { fact: 'the production sha now', text: good },
      { fact: 'last rejection reason', text: 'wait until 14:00 UTC' },
      { fact: 'last human reply', text: 'yes, go ahead with the sha' },
      { fact: 'the unresolved error, folded', text: "code='no_tool_call' count='2'" },
    ],
    events: b.events,
  };
}

const dir = __dirname;
for (const [name, make] of [
  ['short', short],
  ['medium', medium],
  ['long', long],
] as const) {
  const thread = make();
  fs.writeFileSync(`${dir}/${name}.json`, JSON.stringify(thread, null, 2) + '\n');
  console.log(name, thread.events.length, 'events', JSON.stringify(thread).length, 'chars');
}
