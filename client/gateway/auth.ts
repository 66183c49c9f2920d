import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from './errors';
import { personOfToken, type GatewayIdentity } from './identity';
import { safeEqual } from './signatures';

const principals = new WeakMap<FastifyRequest, string>();

/** The person whose own token authenticated this request; undefined for the shared token or no auth. */
export function principalOf(request: FastifyRequest): string | undefined {
  return principals.get(request);
}

/**
 * An onRequest hook (it runs before the body is read) that requires `Authorization: Bearer <token>`:
 * the shared TFA_GATEWAY_TOKEN, or a person's own token from TFA_GATEWAY_TOKENS_FILE (then the
 * request acts as that person). Without any token configured the gateway is bound to loopback only
 * (see start-gateway.ts), so it lets everything in.
 */
export function requireBearerToken(token: string | undefined, identity?: GatewayIdentity) {
  const personal = (identity?.people.size ?? 0) > 0;
  return async function checkBearerToken(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (token === undefined && !personal) return;
    const header = request.headers.authorization;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    reply.header('WWW-Authenticate', 'Bearer realm="tfa"');
    if (!match) {
      throw new GatewayError(
        401,
        'missing_token',
        'send Authorization: Bearer <token>: your own token (tfa token create) or TFA_GATEWAY_TOKEN',
      );
    }
    const person = personOfToken(identity, match[1]!);
    if (person !== undefined) return void principals.set(request, person);
    if (token === undefined || !safeEqual(match[1]!, token)) {
      throw new GatewayError(
        401,
        'invalid_token',
        'the bearer token is neither a personal token nor TFA_GATEWAY_TOKEN',
      );
    }
  };
}
