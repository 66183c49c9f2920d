import http2 from 'node:http2';
import { generate } from 'selfsigned';

/** A certificate authority and a server certificate it signed for localhost and 127.0.0.1. */
export interface TestCertificates {
  caCert: string;
  serverCert: string;
  serverKey: string;
}

export async function createTestCertificates(): Promise<TestCertificates> {
  const ca = await generate([{ name: 'commonName', value: 'tfa test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    curve: 'P-256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    curve: 'P-256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { caCert: ca.cert, serverCert: server.cert, serverKey: server.private };
}

/** One gRPC call the proxy saw: its method (`/package.Service/Method`) and whether it carried the API key. */
export interface ProxiedCall {
  method: string;
  authorized: boolean;
}

export interface TlsTemporalProxy {
  /** host:port to put in TEMPORAL_ADDRESS. */
  address: string;
  calls: ProxiedCall[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([':status', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

function forwardable(headers: http2.IncomingHttpHeaders): http2.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

/** A trailers-only gRPC answer with this status code (16 UNAUTHENTICATED, 7 PERMISSION_DENIED). */
function refuse(stream: http2.ServerHttp2Stream, code: number, message: string): void {
  stream.respond(
    { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': message },
    { endStream: true },
  );
}

/**
 * What Temporal Cloud looks like to a client, in front of the dev server: TLS with a certificate
 * the client must trust, and every gRPC call refused (UNAUTHENTICATED) unless it carries
 * `authorization: Bearer <apiKey>`. Accepted calls go to `upstream` over plain HTTP/2.
 */
export async function startTlsTemporalProxy(options: {
  upstream: string;
  apiKey: string;
  certificates: TestCertificates;
  /** Methods (e.g. `AddSearchAttributes`) refused with PERMISSION_DENIED, as Temporal Cloud refuses operator calls. */
  refuseMethods?: string[];
}): Promise<TlsTemporalProxy> {
  const upstream = http2.connect(`http://${options.upstream}`);
  upstream.on('error', () => undefined); // each stream reports its own failure
  const calls: ProxiedCall[] = [];
  const server = http2.createSecureServer({
    cert: options.certificates.serverCert,
    key: options.certificates.serverKey,
  });
  // Open client sessions (a worker's long polls) would keep close() waiting.
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    const authorized = headers.authorization === `Bearer ${options.apiKey}`;
    calls.push({ method: String(headers[':path']), authorized });
    if (!authorized) return refuse(stream, 16, 'missing or wrong API key');
    if (options.refuseMethods?.includes(String(headers[':path']).split('/').pop()!))
      return refuse(stream, 7, 'not allowed for this API key');
    const { authorization: _key, ...rest } = headers;
    const forwarded = upstream.request(forwardable(rest));
    let trailers: http2.OutgoingHttpHeaders = {};
    forwarded.on('response', (responseHeaders, flags) => {
      if (stream.destroyed) return;
      const ended = (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0;
      stream.respond(
        { ...forwardable(responseHeaders), ':status': responseHeaders[':status'] },
        ended ? { endStream: true } : { waitForTrailers: true },
      );
    });
    forwarded.on('trailers', (received) => void (trailers = forwardable(received)));
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    forwarded.pipe(stream);
    stream.pipe(forwarded);
    forwarded.on('error', () => stream.destroy());
    stream.on('error', () => forwarded.destroy());
    stream.on('close', () => forwarded.close());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        upstream.close();
        server.close(() => resolve());
        for (const session of sessions) session.destroy();
      }),
  };
}
