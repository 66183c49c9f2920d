import { execFileSync } from 'node:child_process';
import { shellQuote } from '../../core/shell-quote';
import { answerCommands, signalCommand } from '../../core/waiting';

const HOSTILE_ID = "x'; rm -rf ~; '";

/**
 * Runs a printed line in a real POSIX shell where `tfa`, `npm` and `temporal` only print their arguments,
 * one per line, and `touch`, `rm` and `id` record that they ran: what a person pasting it would run.
 */
function runPrinted(line: string): string[] {
  const stubs =
    'npm() { printf "%s\\n" "$@"; }; tfa() { printf "%s\\n" "$@"; }; temporal() { printf "%s\\n" "$@"; };' +
    ' rm() { echo INJECTED; }; touch() { echo INJECTED; }; id() { echo INJECTED; };';
  const concrete = line.replaceAll('<you>', 'alice').replaceAll('<why>', 'not now').replaceAll('<answer>', 'yes');
  return execFileSync('/bin/sh', ['-c', `${stubs} ${concrete}`], { encoding: 'utf8' }).split('\n');
}

describe('shellQuote', () => {
  it('leaves ordinary ids bare, so the printed lines of normal runs do not change', () => {
    for (const word of ['deploy-main', 'deploybot-m3x9', 'a.b_c:d/e@f=g', 'a1b2c3d4-0000-4000-8000-000000000000']) {
      expect(shellQuote(word)).toBe(word);
    }
  });

  it("single-quotes a word with quotes, $(), spaces or ;, and writes each quote as '\\''", () => {
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote('$(id)')).toBe("'$(id)'");
    expect(shellQuote(HOSTILE_ID)).toBe(`'x'\\''; rm -rf ~; '\\'''`);
    expect(shellQuote('')).toBe("''");
  });

  it('gives the shell back exactly the word, whatever it holds', () => {
    for (const word of [HOSTILE_ID, '$(touch /tmp/pwned)', '`id`', 'a;b', 'two words', '"dq"', '\\', '!x', '*', '~']) {
      expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' })).toBe(word);
    }
  });
});

describe('printed answer lines with a hostile workflow id and request id', () => {
  const hostileRequest = 'req-1; id';
  const lines = [
    ...answerCommands(HOSTILE_ID, { requestId: hostileRequest, kind: 'approval' }),
    ...answerCommands(HOSTILE_ID, { requestId: hostileRequest, kind: 'input' }),
    signalCommand(HOSTILE_ID, 'reply', { requestId: hostileRequest, by: "o'brien", text: '$(id)' }),
  ].filter((line) => !line.startsWith('/tfa')); // Slack slash commands are not shell lines

  it.each(lines)('runs as one command that passes the ids as literal arguments: %s', (line) => {
    const output = runPrinted(line);
    expect(output).not.toContain('INJECTED');
    expect(output.join('\n')).toContain(HOSTILE_ID);
    expect(output.join('\n')).toContain(hostileRequest);
  });

  it('pass the workflow id as the single argument after --workflow-id', () => {
    const output = runPrinted(signalCommand(HOSTILE_ID, 'resume', { by: 'alice' }));
    expect(output[output.indexOf('--workflow-id') + 1]).toBe(HOSTILE_ID);
    expect(output[output.indexOf('--input') + 1]).toBe('{"by":"alice"}');
  });
});
