/** Slack's Web API; tests point TFA_SLACK_API_URL at a simulated Slack. */
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api';

/** Slack refused a call or could not be reached: the message names the method and Slack's error code. */
export class SlackApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlackApiError';
  }
}

/** The Web API calls the gateway makes, and the response_url posts that answer an interaction. */
export interface SlackWebApi {
  /** views.open: shows `view` to the user whose click gave `triggerId` (valid for 3 s after the click). */
  openView(triggerId: string, view: object): Promise<void>;
  /** POSTs a message to an interaction's response_url (a reply, or the original message replaced). */
  respond(responseUrl: string, message: object): Promise<void>;
}

async function postSlack(url: string, body: object, headers: Record<string, string> = {}): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new SlackApiError(`POST ${new URL(url).origin} failed: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) throw new SlackApiError(`POST ${new URL(url).origin} answered HTTP ${response.status}`);
  return text;
}

function parseAnswer(text: string): { ok?: boolean; error?: string } {
  try {
    return JSON.parse(text) as { ok?: boolean; error?: string };
  } catch {
    return { ok: false, error: `a body that is not JSON: ${text.slice(0, 100)}` };
  }
}

/** The Web API as the bot token `botToken` (xoxb-…) at `apiUrl`; without a token only response_url posts work. */
export function createSlackWebApi(options: { botToken?: string; apiUrl?: string }): SlackWebApi {
  const apiUrl = (options.apiUrl ?? DEFAULT_SLACK_API_URL).replace(/\/+$/, '');
  return {
    async openView(triggerId, view) {
      if (!options.botToken) {
        throw new SlackApiError('views.open needs the bot token: set TFA_SLACK_BOT_TOKEN (xoxb-…)');
      }
      const text = await postSlack(
        `${apiUrl}/views.open`,
        { trigger_id: triggerId, view },
        { authorization: `Bearer ${options.botToken}` },
      );
      const answer = parseAnswer(text);
      if (answer.ok !== true) throw new SlackApiError(`views.open answered ${answer.error ?? 'not ok'}`);
    },
    async respond(responseUrl, message) {
      await postSlack(responseUrl, message);
    },
  };
}
