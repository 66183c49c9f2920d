import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from './errors';
import { safeEqual } from './signatures';

/**
 * An onRequest hook (it runs before the body is read) that requires `Authorization: Bearer <token>`.
 * Without a token the gateway is bound to loopback only (see settings.ts), so it lets everything in.
 */
export function requireBearerToken(token: string | undefined) {
  return async function checkBearerToken(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (token === undefined) return;
    const header = request.headers.authorization;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    reply.header('WWW-Authenticate', 'Bearer realm="tfa"');
    if (!match) {
      throw new GatewayError(401, 'missing_token', 'send Authorization: Bearer <token>, the value of TFA_GATEWAY_TOKEN');
    }
    if (!safeEqual(match[1]!, token)) {
      throw new GatewayError(401, 'invalid_token', 'the bearer token does not match TFA_GATEWAY_TOKEN');
    }
  };
}
