import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { findAgent } from '../agents';
import { fillPlaceholders, placeholderNames } from '../core/placeholders';
import { describeIssues } from '../core/zod-issues';

/** Where the event map lives unless TFA_EVENTS_CONFIG names another file. */
export const DEFAULT_EVENTS_CONFIG = 'config/events.json';

/** One event type's agent and the message it receives; `{{field}}` or `{{a.b}}` is filled from the event's JSON body. */
export const EventRoute = z.strictObject({
  agent: z.string().min(1),
  message: z.string().min(1),
  maxSteps: z.number().int().positive().max(200).optional(),
});
export type EventRoute = z.infer<typeof EventRoute>;

export const EventRoutes = z.record(
  z.string().regex(/^[\w.-]+$/, 'event types use letters, digits, _ . -'),
  EventRoute,
);
export type EventRoutes = z.infer<typeof EventRoutes>;

function lookup(body: unknown, fieldPath: string): unknown {
  let value: unknown = body;
  for (const key of fieldPath.split('.')) {
    value =
      value !== null && typeof value === 'object' && Object.hasOwn(value, key)
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  return value;
}

/** Fills `{{field}}` from the body; strings as they are, anything else as JSON. Missing or null fields are listed. */
export function fillTemplate(template: string, body: unknown): { message: string } | { missing: string[] } {
  const missing = placeholderNames(template).filter((field) => lookup(body, field) == null);
  if (missing.length > 0) return { missing };
  const message = fillPlaceholders(template, (field) => {
    const value = lookup(body, field);
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
  return { message };
}

/** Validates the map; every agent must exist, so a typo stops start-up instead of the first event. */
export function parseEventRoutes(json: unknown, source: string): EventRoutes {
  const parsed = EventRoutes.safeParse(json);
  if (!parsed.success) {
    throw new Error(`Invalid event map ${source}: ${describeIssues(parsed.error, '(file)')}`);
  }
  for (const [type, route] of Object.entries(parsed.data)) {
    if (!findAgent(route.agent))
      throw new Error(
        `Invalid event map ${source}: event "${type}" names unknown agent "${route.agent}"; use one defined in agents/index.ts`,
      );
  }
  return parsed.data;
}

/** Reads the map; a missing default file means no events, a missing file someone named is an error. */
export function loadEventRoutes(file: string | undefined, cwd: string): EventRoutes {
  const resolved = path.resolve(cwd, file ?? DEFAULT_EVENTS_CONFIG);
  if (!fs.existsSync(resolved)) {
    if (file === undefined) return {};
    throw new Error(`TFA_EVENTS_CONFIG=${file}: no such file (${resolved}); create it or unset the variable`);
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(resolved, 'utf8'));
  } catch (error) {
    throw new Error(`Invalid event map ${resolved}: not JSON (${(error as Error).message})`);
  }
  return parseEventRoutes(json, resolved);
}
