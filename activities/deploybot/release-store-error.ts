/** A failure the caller can act on: the message states what is wrong and how to fix it. */
export class ReleaseStoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ReleaseStoreError';
  }
}
