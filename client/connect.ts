import { Client, Connection } from '@temporalio/client';
import type { TfaConfig } from '../core/config';

/** A Temporal client for the configured server; close its connection when done. */
export async function connectClient(config: TfaConfig): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  return { client, close: () => connection.close() };
}
