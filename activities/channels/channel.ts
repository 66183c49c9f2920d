export interface Notice {
  /** human_needed: a run waits for a person; alert: an agent reports something. */
  type: 'human_needed' | 'alert';
  /** Structured fields for machine receivers (webhook body). */
  data: Record<string, unknown>;
  /** Human-readable text. */
  text: string;
  /** Exact commands to answer, if any. */
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
    throw new ChannelDeliveryError(
      `POST ${new URL(url).origin} answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`,
    );
  }
}
