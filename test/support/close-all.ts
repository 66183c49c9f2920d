/** Something a test starts and must stop: a harness, a gateway, a server. */
export interface Closable {
  close(): Promise<void>;
}

/** Closes each in turn (a gateway before the harness it calls); those never started are skipped. */
export async function closeAll(...resources: Array<Closable | undefined>): Promise<void> {
  for (const resource of resources) await resource?.close();
}
