import { fillPlaceholders, placeholderNames } from './placeholders';

/** A prompt template with declared variables (F2): `{{name}}` placeholders, nothing hidden. */
export interface PromptTemplate<Vars extends string = string> {
  readonly template: string;
  readonly variables: readonly Vars[];
}

export function definePrompt<Vars extends string>(prompt: PromptTemplate<Vars>): PromptTemplate<Vars> {
  const declared = new Set<string>(prompt.variables);
  const used = placeholderNames(prompt.template);
  const undeclared = used.filter((name) => !declared.has(name));
  const unused = [...declared].filter((name) => !used.includes(name));
  if (undeclared.length > 0 || unused.length > 0) {
    throw new Error(
      `Prompt variables do not match its template: undeclared ${JSON.stringify(undeclared)}, unused ${JSON.stringify(unused)}.`,
    );
  }
  return Object.freeze({ ...prompt });
}

/** Fills every placeholder; a missing or unknown variable is an error, never a silent `{{name}}`. */
export function renderPrompt<Vars extends string>(prompt: PromptTemplate<Vars>, values: Record<Vars, string>): string {
  const given = Object.keys(values);
  const unknown = given.filter((name) => !(prompt.variables as readonly string[]).includes(name));
  const missing = prompt.variables.filter((name) => typeof values[name] !== 'string');
  if (unknown.length > 0 || missing.length > 0) {
    throw new Error(
      `Prompt values do not match: missing ${JSON.stringify(missing)}, unknown ${JSON.stringify(unknown)}.`,
    );
  }
  return fillPlaceholders(prompt.template, (name) => values[name as Vars]);
}
