import net from 'node:net';

/**
 * Temporal stores each service's membership port in a PostgreSQL smallint column
 * (cluster_membership.rpc_port), so a port above 32767 fails the server's start. Linux hands out
 * ephemeral ports from 32768 up, so free ports are probed below that instead of asking for port 0.
 */
const HIGHEST_PORT = 32_767;
const LOWEST_PORT = 20_000;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` distinct ports free on 127.0.0.1 now, from a random start in 20000-32767. */
export async function freePortsBelowEphemeral(count: number): Promise<number[]> {
  const span = HIGHEST_PORT - LOWEST_PORT + 1;
  const start = LOWEST_PORT + Math.floor(Math.random() * span);
  const ports: number[] = [];
  for (let offset = 0; offset < span && ports.length < count; offset++) {
    const port = LOWEST_PORT + ((start - LOWEST_PORT + offset) % span);
    if (await isFree(port)) ports.push(port);
  }
  if (ports.length < count)
    throw new Error(
      `only ${ports.length} of ${count} ports are free between ${LOWEST_PORT} and ${HIGHEST_PORT} on 127.0.0.1`,
    );
  return ports;
}
