import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { z } from 'zod';
import { PayloadDecryptionError } from '../../codec/encryption-codec';
import { GatewayError, invalidRequest } from './errors';

/** Largest codec request: a history page's payloads, each at most Temporal's 2 MB blob limit, in base64. */
export const CODEC_BODY_LIMIT_BYTES = 4 * 1024 * 1024;
/** Most payloads in one codec request: the Web UI and the CLI send one event's or one page's; tiny ones by the million cost seconds and hundreds of MB. */
export const CODEC_MAX_PAYLOADS = 10_000;
export const CODEC_PATHS = ['/codec/encode', '/codec/decode'] as const;
/** Headers the Web UI and the `temporal` CLI send to a codec server. */
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace';

const base64Bytes = z
  .string()
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'expected base64')
  .transform((text) => new Uint8Array(Buffer.from(text, 'base64')));

/** Temporal's `Payloads` message in protobuf JSON: bytes fields are base64 strings. */
const PayloadsBody = z.object({
  payloads: z
    .array(z.unknown())
    .max(CODEC_MAX_PAYLOADS)
    .pipe(z.array(z.object({ metadata: z.record(z.string(), base64Bytes).optional(), data: base64Bytes.optional() }))),
});

function toJson(payload: Payload): { metadata: Record<string, string>; data: string } {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
  );
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}

function isCodecPath(request: FastifyRequest): boolean {
  return (CODEC_PATHS as readonly string[]).includes(request.url.split('?')[0]!);
}

/** True for a browser request to a codec endpoint from an allowed origin: the browser guard lets it through. */
export function codecCorsAllowed(origins: readonly string[]): (request: FastifyRequest) => boolean {
  return (request) => isCodecPath(request) && origins.includes(request.headers.origin ?? '');
}

function allowOrigin(origins: readonly string[]) {
  return async function addCorsHeaders(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    reply.header('Vary', 'Origin');
    const origin = request.headers.origin;
    if (origin === undefined || !origins.includes(origin)) return;
    reply.header('Access-Control-Allow-Origin', origin);
    // The Web UI's "include cross-origin credentials" setting needs this; the gateway's auth is a bearer token, not a cookie.
    reply.header('Access-Control-Allow-Credentials', 'true');
  };
}

async function answerPreflight(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('Access-Control-Allow-Methods', 'POST, OPTIONS').header('Access-Control-Allow-Headers', ALLOWED_HEADERS);
  // Chromium asks before a page on a public address calls this loopback gateway (Private Network Access).
  if (request.headers['access-control-request-private-network'] === 'true')
    reply.header('Access-Control-Allow-Private-Network', 'true');
  await reply.header('Access-Control-Max-Age', '600').code(204).send();
}

/**
 * Decodes payload by payload: one the codec cannot decrypt (a key this gateway lacks, altered bytes)
 * comes back unchanged, still `binary/encrypted`, and is reported, so one bad message never hides the
 * rest of a run's history from the Web UI or the CLI.
 */
async function decodeEach(
  codec: PayloadCodec,
  payloads: Payload[],
  report: (line: string) => void,
): Promise<Payload[]> {
  return Promise.all(
    payloads.map(async (payload) => {
      try {
        return (await codec.decode([payload]))[0]!;
      } catch (error) {
        if (!(error instanceof PayloadDecryptionError)) throw error;
        report(`[tfa gateway] /codec/decode left a payload encrypted: ${error.message}`);
        return payload;
      }
    }),
  );
}

function codecHandler(codec: PayloadCodec | undefined, direction: 'encode' | 'decode', report: (line: string) => void) {
  return async function runCodec(request: FastifyRequest): Promise<{ payloads: ReturnType<typeof toJson>[] }> {
    if (!codec)
      throw new GatewayError(
        503,
        'encryption_off',
        'TFA_ENCRYPTION_KEYS is not set, so this gateway has no codec: set it to the keys the worker uses',
      );
    const body = PayloadsBody.safeParse(request.body);
    if (!body.success) throw invalidRequest(body.error, 'body');
    const payloads =
      direction === 'encode'
        ? await codec.encode(body.data.payloads)
        : await decodeEach(codec, body.data.payloads, report);
    return { payloads: payloads.map(toJson) };
  };
}

function explainTooLarge(error: Error & { code?: string }): void {
  if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error;
  throw new GatewayError(
    413,
    'body_too_large',
    `a codec request holds at most ${CODEC_BODY_LIMIT_BYTES / 1024 / 1024} MiB of payloads: send fewer at a time`,
  );
}

/**
 * Temporal's codec-server endpoints (`POST /codec/encode`, `POST /codec/decode`, body `{ payloads }`)
 * for the Web UI (`--ui-codec-endpoint`) and `temporal --codec-endpoint`. Same auth as the run API;
 * browsers from `corsOrigins` may call them (preflight answered without auth, as browsers send none).
 */
export function registerCodecRoutes(
  app: FastifyInstance,
  options: {
    codec?: PayloadCodec;
    corsOrigins: readonly string[];
    authenticate: onRequestHookHandler;
    report: (line: string) => void;
  },
): void {
  app.register(async (scope) => {
    scope.addHook('onRequest', allowOrigin(options.corsOrigins));
    for (const path of CODEC_PATHS) scope.options(path, answerPreflight);
    scope.register(async (guarded) => {
      guarded.addHook('onRequest', options.authenticate);
      guarded.setErrorHandler(explainTooLarge);
      guarded.post(
        '/codec/encode',
        { bodyLimit: CODEC_BODY_LIMIT_BYTES },
        codecHandler(options.codec, 'encode', options.report),
      );
      guarded.post(
        '/codec/decode',
        { bodyLimit: CODEC_BODY_LIMIT_BYTES },
        codecHandler(options.codec, 'decode', options.report),
      );
    });
  });
}
