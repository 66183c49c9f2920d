import fc from 'fast-check';
import { definePrompt, renderPrompt, type PromptTemplate } from '../../core/prompt';

describe('definePrompt', () => {
  it('accepts a template whose placeholders are exactly the declared variables, and freezes it', () => {
    const prompt = definePrompt({
      variables: ['agent', 'tools'],
      template: 'You are {{agent}}. Tools: {{tools}}. Again: {{agent}}.',
    });
    expect(prompt.template).toBe('You are {{agent}}. Tools: {{tools}}. Again: {{agent}}.');
    expect(Object.isFrozen(prompt)).toBe(true);
  });

  it('accepts placeholders with spaces inside the braces', () => {
    expect(() => definePrompt({ variables: ['agent'], template: 'You are {{ agent }}.' })).not.toThrow();
  });

  it('refuses a placeholder that is not declared, naming it', () => {
    expect(() => definePrompt({ variables: ['agent'], template: '{{agent}} uses {{tools}}' })).toThrow(
      'Prompt variables do not match its template: undeclared ["tools"], unused [].',
    );
  });

  it('refuses a dotted placeholder, which only event messages fill, instead of leaving it in the prompt', () => {
    expect(() => definePrompt({ variables: ['agent'], template: '{{agent}} reads {{event.summary}}' })).toThrow(
      'undeclared ["event.summary"]',
    );
  });

  it('refuses a declared variable the template never uses, naming it', () => {
    expect(() => definePrompt({ variables: ['agent', 'tools'], template: 'You are {{agent}}.' })).toThrow(
      'Prompt variables do not match its template: undeclared [], unused ["tools"].',
    );
  });

  it('accepts a template without variables', () => {
    expect(definePrompt({ variables: [], template: 'Plain text.' }).variables).toEqual([]);
  });
});

describe('renderPrompt', () => {
  const prompt = definePrompt({
    variables: ['agent', 'tools'],
    template: 'You are {{agent}}. Tools: {{ tools }}. Sign as {{agent}}.',
  });

  it('fills every occurrence of every placeholder', () => {
    expect(renderPrompt(prompt, { agent: 'deploybot', tools: 'a, b' })).toBe(
      'You are deploybot. Tools: a, b. Sign as deploybot.',
    );
  });

  it('refuses a missing value instead of leaving a placeholder', () => {
    expect(() => renderPrompt(prompt, { agent: 'deploybot' } as Record<'agent' | 'tools', string>)).toThrow(
      'Prompt values do not match: missing ["tools"], unknown [].',
    );
  });

  it('refuses a value that is not a string', () => {
    expect(() =>
      renderPrompt(prompt, { agent: 'deploybot', tools: 3 } as unknown as Record<'agent' | 'tools', string>),
    ).toThrow('missing ["tools"]');
  });

  it('refuses an unknown value', () => {
    expect(() =>
      renderPrompt(prompt, { agent: 'a', tools: 'b', extra: 'c' } as Record<'agent' | 'tools', string>),
    ).toThrow('Prompt values do not match: missing [], unknown ["extra"].');
  });

  it('inserts values literally: no $-patterns, no second expansion', () => {
    expect(renderPrompt(prompt, { agent: "$& $1 $$ $'", tools: '{{agent}}' })).toBe(
      "You are $& $1 $$ $'. Tools: {{agent}}. Sign as $& $1 $$ $'.",
    );
  });

  it('leaves no placeholder behind for any string values', () => {
    const plain = fc.string().filter((text) => !text.includes('{{'));
    fc.assert(
      fc.property(plain, plain, (agent, tools) => {
        const rendered = renderPrompt(prompt as PromptTemplate<'agent' | 'tools'>, { agent, tools });
        expect(rendered).not.toContain('{{');
        expect(rendered).toBe(`You are ${agent}. Tools: ${tools}. Sign as ${agent}.`);
      }),
    );
  });
});
