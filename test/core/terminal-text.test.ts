import { printable } from '../../core/terminal-text';

describe('printable', () => {
  it('strips ANSI escapes, carriage returns, other C0 controls, DEL and C1 controls', () => {
    expect(printable('a\x1b[2Jb')).toBe('a[2Jb');
    expect(printable('ok\rFAKE')).toBe('okFAKE');
    expect(printable('\x00\x07\x08\x0b\x0c\x7f\u009b31m')).toBe('31m');
  });

  it('keeps newlines, tabs and ordinary Unicode text', () => {
    expect(printable('line 1\n\tline 2 · déployé ✓')).toBe('line 1\n\tline 2 · déployé ✓');
  });
});
