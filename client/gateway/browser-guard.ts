import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from './errors';

/** The host name of a `Host` header (`[::1]:8787` → `::1`, `LocalHost:80` → `localhost`); undefined if malformed. */
export function hostName(hostHeader: string): string | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::\d{1,5})?$/.exec(hostHeader.trim());
  return match ? (match[1] ?? match[2])!.toLowerCase() : undefined;
}

/** Names a browser only uses for this machine: a page from another site cannot send them after a DNS rebinding. */
export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name === '::1' || (isIP(name) === 4 && name.startsWith('127.'));
}

function refuseHost(request: FastifyRequest): void {
  const name = hostName(request.headers.host ?? '');
  if (name !== undefined && isLoopbackName(name)) return;
  throw new GatewayError(
    403,
    'host_not_allowed',
    `Host "${request.headers.host ?? ''}" is not a loopback name: without TFA_GATEWAY_TOKEN the gateway serves only localhost, 127.0.0.1 and [::1] (set a token to serve other names)`,
  );
}

/**
 * Refuses requests a browser sends on behalf of another site's page: an `Origin` other than the
 * gateway's own, or `Sec-Fetch-Site` other than same-origin / none. The gateway serves no pages and
 * allows no CORS, so no legitimate caller sends those; servers and CLIs send neither header.
 */
function refuseCrossOrigin(request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new GatewayError(
      403,
      'cross_origin',
      `Sec-Fetch-Site: ${String(site)}: browser requests from other sites are refused`,
    );
  }
  const origin = request.headers.origin;
  if (origin === undefined || origin === `${request.protocol}://${request.headers.host ?? ''}`) return;
  throw new GatewayError(
    403,
    'cross_origin',
    `Origin ${origin} is not this gateway's: browser requests from other sites are refused`,
  );
}

/**
 * An onRequest hook for every route. Cross-origin browser requests are refused, except those
 * `crossOriginAllowed` accepts (the codec endpoints, from the Web UI's origin); without a token
 * (`authenticated: false`) only loopback `Host` names are served, the DNS-rebinding defence.
 */
export function guardBrowserRequests(options: {
  authenticated: boolean;
  crossOriginAllowed?: (request: FastifyRequest) => boolean;
}) {
  return async function checkBrowserRequest(request: FastifyRequest): Promise<void> {
    if (!options.authenticated) refuseHost(request);
    if (!options.crossOriginAllowed?.(request)) refuseCrossOrigin(request);
  };
}
