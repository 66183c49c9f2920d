import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { GatewayError, invalidRequest, type RequestPart } from './errors';

/**
 * In this plugin scope every body arrives as the raw Buffer, unparsed: signatures are computed
 * over the exact bytes, and nothing is parsed before the signature is checked.
 */
export function acceptRawBodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
}

export function rawBodyOf(body: unknown): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}

/** Validates a parsed body (or params, or query) against its schema; a mismatch is a 400 naming each issue. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, part: RequestPart = 'body'): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw invalidRequest(parsed.error, part);
  return parsed.data;
}

/** JSON from a verified raw body; malformed JSON is a 400. */
export function parseJsonBody(raw: Buffer): unknown {
  try {
    return raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new GatewayError(
      400,
      'invalid_json',
      `the body is not valid JSON (${(error as Error).message}): send valid JSON`,
    );
  }
}
