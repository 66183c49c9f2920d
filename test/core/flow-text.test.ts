import fc from 'fast-check';
import { parse } from 'yaml';
import { flowText, flowTextOfJson, flowTextOfJsonPrefix } from '../../core/flow-text';

describe('flowText', () => {
  it('renders JSON values as YAML flow text without double quotes', () => {
    expect(flowText({ environment: 'staging', passed: true, exitCode: 0, tags: ['a', 'b'], note: null })).toBe(
      '{environment: staging, passed: true, exitCode: 0, tags: [a, b], note: null}',
    );
    expect(flowText([])).toBe('[]');
    expect(flowText({})).toBe('{}');
  });

  it('quotes strings that would read as something else: numbers, booleans, null, empty, indicators, separators', () => {
    const strings = ['0042', '1e5', 'true', 'No', 'null', '~', '', '-x', 'a: b', 'x, y', ' lead', '#tag', '---'];
    expect(strings.map(flowText)).toEqual([
      "'0042'",
      "'1e5'",
      "'true'",
      "'No'",
      "'null'",
      "'~'",
      "''",
      "'-x'",
      "'a: b'",
      "'x, y'",
      "' lead'",
      "'#tag'",
      "'---'",
    ]);
  });

  it('leaves versions, dates, paths and sentences bare', () => {
    const strings = ['1.2.3', '2026-01-01T00:00:00.000Z', '/srv/tfa/releases', "it's done", 'C:\\temp'];
    expect(strings.map(flowText)).toEqual(strings);
  });

  it('doubles a single quote inside single quotes, and puts a string with line breaks in double quotes', () => {
    expect(flowText("'quoted'")).toBe("'''quoted'''");
    expect(flowText('PASS a\nPASS b')).toBe('"PASS a\\nPASS b"');
  });

  it('is YAML that reads back as the JSON value it came from', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(parse(flowText(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });

  it('has no double quote and no line break unless a string value holds one', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const strings = JSON.stringify(value).match(/"(?:[^"\\]|\\.)*"/g) ?? [];
        const hold = (pattern: RegExp) => strings.some((text) => pattern.test(JSON.parse(text) as string));
        if (!hold(/"/) && !hold(/[\x00-\x1f\x7f]/)) expect(flowText(value)).not.toMatch(/["\n]/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('flowTextOfJson', () => {
  it('converts JSON text, and returns any other text as it is', () => {
    expect(flowTextOfJson('{"ok":true}')).toBe('{ok: true}');
    expect(flowTextOfJson('"deployed"')).toBe('deployed');
    expect(flowTextOfJson('deployed to staging')).toBe('deployed to staging');
    expect(flowTextOfJson('{"cut": "ha')).toBe('{"cut": "ha');
  });
});

describe('flowTextOfJsonPrefix', () => {
  const releases = JSON.stringify([{ sha: 'abc123', current: true, msg: 'it\'s "x"\nnext' }]);

  it('converts JSON cut anywhere up to the cut, a string cut in the middle included', () => {
    expect(flowTextOfJsonPrefix(releases.slice(0, 14))).toBe('[{sha: abc12');
    expect(flowTextOfJsonPrefix(releases.slice(0, releases.indexOf('true') + 4))).toBe('[{sha: abc123, current: true');
    expect(flowTextOfJsonPrefix(releases.slice(0, releases.indexOf('true') + 3))).toBe('[{sha: abc123, current: tru');
    for (let cut = 0; cut <= releases.length; cut++)
      expect(flowTextOfJsonPrefix(releases.slice(0, cut))).not.toMatch(/"\w+":/);
  });

  it('stops at an escape cut in half and keeps what follows the JSON as it is', () => {
    expect(flowTextOfJsonPrefix('["ab\\u00')).toBe('[ab');
    expect(flowTextOfJsonPrefix('[1, 2… [40 more characters cut]')).toBe('[1, 2… [40 more characters cut]');
  });
});
