import { findAgent } from '../../agents';
import { findTool } from '../../core/agent';
import type { NewEvent } from '../../core/thread';
import { demoAgentFor, deploybotDemoResponder, type DemoAgent } from '../../scripts/scripted-model/demo-responder';
import { ran, rejected, rendered, started, ev } from './demo-responders/synthetic-thread';
import { listedSuites } from '../../scripts/scripted-model/responders/tester';
import { runReport } from '../../scripts/scripted-model/responders/reporter';
import { callTool, type ScriptedReply } from '../../scripts/scripted-model/server';

/** The responder's reply for `agent` (offered its real tools) after its task and `later` events; checks the arguments. */
function step(agent: DemoAgent, task: string, ...later: NewEvent[][]): ScriptedReply {
  const definition = findAgent(agent)!;
  const context = rendered([...started(agent, task), ...later.flat().map(ev)]);
  const tools = definition.tools.map((tool) => ({ type: 'function', function: { name: tool.name } }));
  const reply = deploybotDemoResponder()({
    messages: [
      { role: 'system', content: 'x' },
      { role: 'user', content: context },
    ],
    tools,
    body: {},
  });
  if ('toolCall' in reply)
    expect(findTool(definition, reply.toolCall.name)!.parameters.safeParse(reply.toolCall.arguments).success).toBe(
      true,
    );
  return reply;
}
const args = (reply: ScriptedReply): any => ('toolCall' in reply ? reply.toolCall.arguments : reply);

describe('which agent a request comes from', () => {
  it.each(['deploybot', 'tester', 'deployer', 'notifier', 'triage', 'reporter'] as const)(
    'knows %s by its tools',
    (agent) => {
      const names = findAgent(agent)!.tools.map((tool) => tool.name);
      expect(demoAgentFor(names)).toBe(agent);
      // A tool alone names this agent or none: signatures are not shared (deploy_to_production is).
      for (const name of names) expect([agent, null]).toContain(demoAgentFor([name]));
    },
  );

  it('gives DeployBot a request without tools, and answers text to unknown tools', () => {
    expect(demoAgentFor([])).toBe('deploybot');
    const reply = deploybotDemoResponder()({
      messages: [],
      tools: [{ type: 'function', function: { name: 'dance' } }],
      body: {},
    });
    expect(reply).toEqual({ text: expect.stringContaining('no policy for an agent with the tools dance') });
  });
});

describe('deploybot policy (simulated)', () => {
  const task = 'deploy v1.2.3 to production';
  const staged = ran('deploy_to_staging', { ref: 'v1.2.3' }, { sha: 'abc' });
  const passed = ran('run_tests', { environment: 'staging' }, { suite: 'default', passed: true, exitCode: 0 });

  it('walks staging, tests, production, then done', () => {
    expect(step('deploybot', task)).toEqual(callTool('deploy_to_staging', { ref: 'v1.2.3' }));
    expect(step('deploybot', task, staged)).toEqual(callTool('run_tests', { environment: 'staging' }));
    expect(step('deploybot', task, staged, passed)).toEqual(callTool('deploy_to_production', { ref: 'v1.2.3' }));
    const live = ran('deploy_to_production', { ref: 'v1.2.3' }, { sha: 'abc' });
    expect(step('deploybot', task, staged, passed, live)).toEqual(
      callTool('done_for_now', { message: 'Deployed v1.2.3 to production.' }),
    );
  });

  it('stops when tests fail and stays on staging when production is rejected', () => {
    const failed = ran('run_tests', { environment: 'staging' }, { passed: false, output: 'expected <ok> & "ok"' });
    expect(args(step('deploybot', task, staged, failed)).message).toBe(
      'Tests failed on staging; not deploying v1.2.3 to production.',
    );
    expect(
      args(
        step(
          'deploybot',
          task,
          staged,
          passed,
          rejected('deploy_to_production', { ref: 'v1.2.3' }, 'change freeze until Monday.'),
        ),
      ).message,
    ).toBe('Production deploy of v1.2.3 was rejected: change freeze until Monday. Staying on staging.');
  });

  it('defaults the ref to main', () => {
    expect(step('deploybot', 'ship it')).toEqual(callTool('deploy_to_staging', { ref: 'main' }));
  });
});

describe('tester policy (simulated)', () => {
  const sha = 'abc123'.padEnd(40, '0');
  const task = `Test release ${sha} (ref main): pass sha "${sha}" to list_test_suites and run_test_suite.`;
  const listed = ran('list_test_suites', { sha }, [
    { suite: 'unit', command: 'npm test' },
    { suite: 'e2e', command: 'npm run "e2e"' },
  ]);
  const result = (suite: string, passed: boolean) =>
    ran('run_test_suite', { sha, suite }, { sha, suite, passed, output: '{"suite":"x"} <done>' });

  it("lists the suites of the task's SHA, then runs each one not yet run, in order, on that SHA", () => {
    expect(step('tester', task)).toEqual(callTool('list_test_suites', { sha }));
    expect(step('tester', task, listed)).toEqual(callTool('run_test_suite', { sha, suite: 'unit' }));
    expect(step('tester', task, listed, result('unit', true))).toEqual(
      callTool('run_test_suite', { sha, suite: 'e2e' }),
    );
  });

  it('reports passed only when every suite passed, naming the failed ones', () => {
    expect(step('tester', task, listed, result('unit', true), result('e2e', true))).toEqual(
      callTool('report_test_results', { passed: true, summary: '2 suite(s) ran: 2 passed, 0 failed' }),
    );
    expect(step('tester', task, listed, result('e2e', false), result('unit', true))).toEqual(
      callTool('report_test_results', { passed: false, summary: '2 suite(s) ran: 1 passed, 1 failed (e2e)' }),
    );
  });

  it('reads suite names from a list the thread cut short', () => {
    expect(listedSuites('[{"suite":"a","command":"x"},{"suite":"b","comm… [40 more characters cut]')).toEqual([
      'a',
      'b',
    ]);
  });
});

describe('deployer policy (simulated)', () => {
  const task =
    'Deploy release 9f8e7d (ref main, use the SHA as the ref) to production. Staging tests passed: 1 suite(s) ran';

  it('deploys the SHA, then finishes deployed', () => {
    expect(step('deployer', task)).toEqual(callTool('deploy_to_production', { ref: '9f8e7d' }));
    const live = ran('deploy_to_production', { ref: '9f8e7d' }, { sha: '9f8e7d', changed: true });
    expect(step('deployer', task, live)).toEqual(
      callTool('finish_deploy', { deployed: true, message: 'Release 9f8e7d is live.' }),
    );
  });

  it('finishes not deployed with the reason when a person rejects', () => {
    expect(
      step('deployer', task, rejected('deploy_to_production', { ref: '9f8e7d' }, 'change freeze & <no> deploys')),
    ).toEqual(callTool('finish_deploy', { deployed: false, message: 'Rejected: change freeze & <no> deploys' }));
  });
});

describe('notifier policy (simulated)', () => {
  const task =
    'Pipeline for ref main (requested by alice) needs attention: tests failed on staging for release abc: 1 failed (e2e)';

  it('sends the task as a critical alert, then finishes', () => {
    expect(step('notifier', task)).toEqual(
      callTool('send_notification', { severity: 'critical', title: 'Deploy pipeline needs attention', message: task }),
    );
    const sent = ran('send_notification', { severity: 'critical' }, { sent: true, channel: 'console' });
    expect(step('notifier', task, sent)).toEqual(callTool('finish_notifying', { message: 'Alert sent.' }));
  });
});

describe('triage policy (simulated)', () => {
  const task = 'The smoke suite failed, draft an issue';
  const runs = (...passed: boolean[]) =>
    ran(
      'list_test_runs',
      { environment: 'staging' },
      {
        environment: 'staging',
        runs: passed.map((ok, index) => ({
          suite: `suite${index}`,
          sha: 'abc',
          passed: ok,
          exitCode: ok ? 0 : 2,
          at: '2025-01-01',
        })),
      },
    );
  const output = `FAIL <smoke> & "status.txt" is not ok\n${'x'.repeat(1500)}`;
  const read = ran(
    'read_test_output',
    { environment: 'staging', suite: 'suite1' },
    { environment: 'staging', suite: 'suite1', passed: false, output },
  );

  it('lists staging runs, reads the first failed one, then drafts an issue quoting its output head', () => {
    expect(step('triage', task)).toEqual(callTool('list_test_runs', { environment: 'staging' }));
    expect(step('triage', task, runs(true, false, false))).toEqual(
      callTool('read_test_output', { environment: 'staging', suite: 'suite1' }),
    );
    const issue = args(step('triage', task, runs(true, false, false), read));
    expect(issue).toMatchObject({ title: 'Test suite suite1 fails on staging', labels: ['test-failure'] });
    expect(issue.body).toContain('release abc (exit code 2)');
    expect(issue.body).toContain(output.slice(0, 1000));
    expect(issue.body).not.toContain(output.slice(0, 1001));
    expect(issue.body).toContain('simulated, not an LLM');
  });

  it('drafts an issue saying nothing failed when every run passed', () => {
    const issue = args(step('triage', task, runs(true, true)));
    expect(issue).toMatchObject({
      title: 'No failing test suite on staging',
      body: expect.stringContaining('no failed suite on staging (2 run(s) listed)'),
    });
  });
});

describe('reporter policy (simulated)', () => {
  const run = (workflowId: string, executionStatus: string, status?: string) => ({
    workflowId,
    type: 'agentWorkflow',
    executionStatus,
    ...(status ? { status } : {}),
    startTime: 't',
    closeTime: null,
  });
  const listing = (runs: object[], extra = {}) => ({
    since: 't',
    hours: 24,
    count: runs.length,
    truncated: false,
    runs,
    ...extra,
  });

  it('lists the last 24 hours, then reports counts by status and the runs that failed or wait', () => {
    expect(step('reporter', 'daily report')).toEqual(callTool('list_runs', { hours: 24 }));
    const runs = [
      run('a', 'COMPLETED', 'completed'),
      run('b', 'FAILED'),
      run('c', 'RUNNING', 'awaiting_approval'),
      run('d', 'RUNNING', 'running'),
      run('e', 'COMPLETED'),
    ];
    expect(step('reporter', 'daily report', ran('list_runs', { hours: 24 }, listing(runs)))).toEqual(
      callTool('publish_report', {
        summary: '5 runs in the last 24 h: 2 COMPLETED, 1 FAILED, 2 RUNNING.',
        highlights: ['b: FAILED', 'c: RUNNING (awaiting_approval)'],
      }),
    );
  });

  it('says when there were no runs, keeps at most 5 highlights and admits a cut or truncated list', () => {
    expect(args(step('reporter', 'report', ran('list_runs', { hours: 24 }, listing([]))))).toEqual({
      summary: '0 runs in the last 24 h.',
      highlights: [],
    });
    const failing = Array.from({ length: 7 }, (_, index) => run(`f${index}`, 'TIMED_OUT'));
    expect(runReport(JSON.stringify(listing(failing))).highlights).toHaveLength(5);
    const cut = `${JSON.stringify(listing(failing, { count: 100, truncated: true })).slice(0, 300)}… [900 more characters cut]`;
    expect(runReport(cut).summary).toMatch(
      /^100 runs in the last 24 h: \d TIMED_OUT\. The counts cover the \d runs the context shows\. Only the newest 100/,
    );
  });
});
