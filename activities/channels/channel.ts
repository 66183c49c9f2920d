import type { NotifyHumanInput } from '../notify-human';

export interface Notice {
  input: NotifyHumanInput;
  /** Human-readable text, with the exact commands to answer. */
  text: string;
  commands: string[];
}

/** Where notices go. `send` throws on failure so Temporal retries it. */
export interface NotificationChannel {
  readonly name: string;
  send(notice: Notice): Promise<void>;
}

/** A failed delivery: the receiver answered with an error status. */
export class ChannelDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelDeliveryError';
  }
}

export async function postJson(url: string, body: string, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) {
    throw new ChannelDeliveryError(`POST ${new URL(url).origin} answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
  }
}
