import { fillPlaceholders, placeholderNames } from '../../core/placeholders';

describe('placeholderNames', () => {
  it('names each placeholder once, in order of first appearance, dotted paths included', () => {
    expect(placeholderNames('no fields')).toEqual([]);
    expect(placeholderNames('{{a}} {{ b.c }} {{a}}')).toEqual(['a', 'b.c']);
  });
});

describe('fillPlaceholders', () => {
  it('replaces every occurrence, spaces inside the braces or not', () => {
    expect(fillPlaceholders('{{a}}-{{ a }}-{{b.c}}', (name) => name.toUpperCase())).toBe('A-A-B.C');
  });

  it('leaves braces that are no placeholder alone', () => {
    expect(fillPlaceholders('{ {a} } {{}} {{a b}}', () => 'x')).toBe('{ {a} } {{}} {{a b}}');
  });
});
