/** `{{name}}` or `{{a.b}}`, spaces allowed inside the braces: the one placeholder syntax of prompts and event messages. */
const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}/g;

/** The names a template's placeholders use, each once, in order of first appearance. */
export function placeholderNames(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1]!))];
}

/** Replaces every placeholder with what `valueOf` gives for its name; the caller has checked that each has one. */
export function fillPlaceholders(template: string, valueOf: (name: string) => string): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => valueOf(name));
}
