import { compactEvents, recoveredErrors } from '../../core/compact-errors';
import { renderContext } from '../../core/context';
import { replay } from '../../core/reducer';
import type { NewEvent, ThreadEvent } from '../../core/thread';
import { eventFactory, toolCall, toolResult } from './support/events';

function thread(...events: NewEvent[]): ThreadEvent[] {
  const stamp = eventFactory();
  return [
    stamp({ type: 'run_started', agent: 'deploybot', maxSteps: 12 }),
    stamp({ type: 'user_message', text: 'deploy main' }),
    ...events.map(stamp),
  ];
}

const toolError = (callId: string, tool: string, message = `${tool} failed: no release`): NewEvent => ({
  type: 'error',
  source: 'tool',
  errorType: 'ToolExecutionError',
  message,
  stack: 'ToolExecutionError: boom\n    at executor (/srv/tfa/activities/x.ts:1:1)',
  callId,
  tool,
});
const modelError = (code = 'no_tool_call', message = 'answer with exactly one tool call'): NewEvent => ({
  type: 'error',
  source: 'model',
  errorType: 'ModelOutputError',
  code,
  message,
});

/** The rendered event lines, without the system state and wrapper. */
function lines(events: ThreadEvent[]): string[] {
  return renderContext(replay(events), events)
    .split('\n')
    .slice(2, -1)
    .map((line) => line.trim());
}

describe('compactEvents: errors the agent recovered from drop out (F9)', () => {
  it('drops a tool error and its failed call once the same tool succeeds', () => {
    const events = thread(
      toolCall('c1', 'run_tests'),
      toolError('c1', 'run_tests'),
      toolCall('c2', 'run_tests'),
      toolResult('c2', 'run_tests'),
    );
    expect(lines(events)).toEqual([
      '<user_message>deploy main</user_message>',
      "<tool_call tool='run_tests'>{}</tool_call>",
      "<tool_result tool='run_tests'>{ok: true}</tool_result>",
    ]);
  });

  it('keeps a tool error when only another tool has succeeded since: that failure still matters', () => {
    const events = thread(
      toolCall('c1', 'run_tests'),
      toolError('c1', 'run_tests'),
      toolCall('c2', 'list_releases'),
      toolResult('c2', 'list_releases'),
    );
    expect(lines(events)).toContain(
      "<error source='tool' code='ToolExecutionError' tool='run_tests'>run_tests failed: no release</error>",
    );
  });

  it('drops a model error once any tool call has succeeded', () => {
    const events = thread(modelError(), toolCall('c1', 'list_releases'), toolResult('c1', 'list_releases'));
    expect(lines(events).join('\n')).not.toContain('<error');
  });

  it('drops the errors behind an escalation once a human answers it, by reply or by resume', () => {
    const escalated: NewEvent = {
      type: 'escalated',
      requestId: 'esc',
      reason: '3 consecutive errors; last: answer with exactly one tool call',
    };
    const byReply = thread(modelError(), modelError('unknown_tool', 'no tool "x"'), escalated, {
      type: 'human_reply',
      requestId: 'esc',
      by: 'ann',
      text: 'use run_tests',
    });
    const byResume = thread(modelError(), escalated, { type: 'resumed', by: 'ann', feedback: 'try again' });
    expect(lines(byReply)).toEqual([
      '<user_message>deploy main</user_message>',
      '<escalated>3 consecutive errors; last: answer with exactly one tool call</escalated>',
      "<human_reply by='ann'>use run_tests</human_reply>",
    ]);
    expect(lines(byResume).join('\n')).not.toContain('<error');
  });

  it('keeps errors that a reply to another request does not answer', () => {
    const events = thread(
      modelError(),
      { type: 'human_input_requested', requestId: 'q', callId: 'c9', question: 'which ref?' },
      { type: 'human_reply', requestId: 'q', by: 'ann', text: 'main' },
    );
    expect(recoveredErrors(events).size).toBe(0);
  });

  it('drops a failed approval attempt whole: the call, its approval and the error', () => {
    const events = thread(
      { type: 'tool_call', callId: 'c1', tool: 'rollback', kind: 'approval', args: { environment: 'production' } },
      {
        type: 'approval_requested',
        requestId: 'r1',
        callId: 'c1',
        tool: 'rollback',
        args: { environment: 'production' },
        argsDigest: 'sha256:00',
      },
      { type: 'approval_granted', requestId: 'r1', by: 'carol' },
      toolError('c1', 'rollback', 'nothing to roll back to'),
      toolCall('c2', 'rollback'),
      toolResult('c2', 'rollback'),
    );
    expect(lines(events)).toEqual([
      '<user_message>deploy main</user_message>',
      "<tool_call tool='rollback'>{}</tool_call>",
      "<tool_result tool='rollback'>{ok: true}</tool_result>",
    ]);
  });

  it('keeps the thread itself untouched: compaction only shapes the context', () => {
    const events = thread(
      toolCall('c1', 'run_tests'),
      toolError('c1', 'run_tests'),
      toolCall('c2', 'run_tests'),
      toolResult('c2', 'run_tests'),
    );
    const before = JSON.stringify(events);
    compactEvents(events);
    expect(JSON.stringify(events)).toBe(before);
    expect(events).toHaveLength(6);
  });
});

describe('compactEvents: repeated errors fold (F9)', () => {
  it('folds identical errors into the latest one with a count, and drops their earlier failed calls', () => {
    const events = thread(
      toolCall('c1', 'run_tests'),
      toolError('c1', 'run_tests'),
      toolCall('c2', 'run_tests'),
      toolError('c2', 'run_tests'),
      toolCall('c3', 'run_tests'),
      toolError('c3', 'run_tests'),
    );
    expect(lines(events)).toEqual([
      '<user_message>deploy main</user_message>',
      "<tool_call tool='run_tests'>{}</tool_call>",
      "<error source='tool' code='ToolExecutionError' tool='run_tests' count='3'>run_tests failed: no release</error>",
    ]);
  });

  it('keeps errors that differ in code or message apart', () => {
    const events = thread(modelError(), modelError('unknown_tool', 'no tool "x"'), modelError());
    expect(lines(events).slice(1)).toEqual([
      `<error source='model' code='unknown_tool'>no tool "x"</error>`,
      "<error source='model' code='no_tool_call' count='2'>answer with exactly one tool call</error>",
    ]);
  });

  it("never renders a stack, and hides notification errors, which are not the agent's to fix", () => {
    const events = thread(toolError('c1', 'run_tests'), {
      type: 'error',
      source: 'notify',
      errorType: 'NotifyError',
      message: 'slack is down',
    });
    const context = renderContext(replay(events), events);
    expect(context).not.toMatch(/at executor|slack is down/);
    expect(compactEvents(events).map((item) => item.event.type)).toEqual(['user_message', 'error']);
  });
});
