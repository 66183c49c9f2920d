import { Client, Connection } from '@temporalio/client';
import type { TfaConfig } from '../core/config';
import { describeError } from './describe-error';

/** How long a command waits for the Temporal server before saying it cannot reach it. */
const CONNECT_TIMEOUT = '3 seconds';

/** The error a person sees when no server answers: where we looked and what to do. */
export function unreachable(address: string, error: unknown): Error {
  return new Error(
    `cannot reach Temporal at ${address} (TEMPORAL_ADDRESS): ${describeError(error)}. ` +
      'Start the dev server with `npm start`, or point TEMPORAL_ADDRESS at your server.',
  );
}

/** A Temporal client for the configured server; close its connection when done. */
export async function connectClient(config: TfaConfig): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: CONNECT_TIMEOUT }).catch((error: unknown) => {
    throw unreachable(config.TEMPORAL_ADDRESS, error);
  });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  return { client, close: () => connection.close() };
}
