import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A SIMULATED Slack for tests: a real HTTP server answering the documented shapes of the parts tfa
 * uses (an incoming webhook, views.open, an interaction's response_url) and recording every call.
 */
export interface SimulatedSlackCall {
  path: string;
  authorization?: string;
  contentType?: string;
  body: any;
}

export interface SimulatedSlack {
  /** Web API base URL (`TFA_SLACK_API_URL`). */
  apiUrl: string;
  /** The incoming-webhook URL notices are posted to (`TFA_SLACK_WEBHOOK_URL`). */
  webhookUrl: string;
  /** The bot token views.open accepts. */
  botToken: string;
  calls: SimulatedSlackCall[];
  /** A fresh response_url, as Slack puts one in each interaction payload. */
  newResponseUrl(): string;
  /** The first call (recorded already or still to come) that `matches`; fails after 20 s naming what came. */
  waitForCall(matches: (call: SimulatedSlackCall) => boolean, what: string): Promise<SimulatedSlackCall>;
  close(): Promise<void>;
}

const WEBHOOK_PATH = '/services/T0SIMUL8/B0SIMUL8/simulated';

function answer(
  call: SimulatedSlackCall,
  botToken: string,
  views: { count: number },
): { status: number; body: string } {
  if (call.path === '/api/views.open') {
    if (call.authorization !== `Bearer ${botToken}`)
      return { status: 200, body: '{"ok":false,"error":"invalid_auth"}' };
    if (!call.body?.trigger_id || !call.body?.view)
      return { status: 200, body: '{"ok":false,"error":"invalid_arguments"}' };
    const view = { id: `V${String(++views.count).padStart(8, '0')}`, ...call.body.view };
    return { status: 200, body: JSON.stringify({ ok: true, view }) };
  }
  if (call.path === WEBHOOK_PATH || call.path.startsWith('/actions/')) return { status: 200, body: 'ok' };
  return { status: 404, body: 'no_service' };
}

export async function startSimulatedSlack(): Promise<SimulatedSlack> {
  const calls: SimulatedSlackCall[] = [];
  const waiters = new Set<() => void>();
  const botToken = 'xoxb-simulated-slack-bot-token';
  const views = { count: 0 };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const call: SimulatedSlackCall = {
        path: request.url ?? '',
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        body: text ? JSON.parse(text) : undefined,
      };
      calls.push(call);
      const { status, body } = answer(call, botToken, views);
      response.writeHead(status, { 'content-type': body.startsWith('{') ? 'application/json' : 'text/plain' });
      response.end(body);
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let responseUrls = 0;
  return {
    apiUrl: `${url}/api`,
    webhookUrl: `${url}${WEBHOOK_PATH}`,
    botToken,
    calls,
    newResponseUrl: () => `${url}/actions/T0SIMUL8/${++responseUrls}/simulated`,
    waitForCall(matches, what) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = calls.find(matches);
          if (!found) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`simulated Slack got no ${what}; calls: ${JSON.stringify(calls.map((c) => c.path))}`));
        }, 20_000);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A button click as Slack sends it (block_actions), from `userId`, on the message `message`. */
export function blockActionsPayload(options: {
  userId: string;
  actionId: string;
  value: string;
  responseUrl: string;
  message: { text: string; blocks: object[] };
}) {
  return {
    type: 'block_actions',
    user: { id: options.userId, username: 'someone', name: 'someone', team_id: 'T0SIMUL8' },
    api_app_id: 'A0SIMUL8',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: '1767225600.000100', channel_id: 'C0SIMUL8', is_ephemeral: false },
    trigger_id: `${Date.now()}.${Math.floor(Math.random() * 1e9)}.simulated`,
    team: { id: 'T0SIMUL8', domain: 'simulated' },
    channel: { id: 'C0SIMUL8', name: 'deploys' },
    message: { type: 'message', ts: '1767225600.000100', ...options.message },
    response_url: options.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: options.actionId,
        block_id: 'tfa_decision',
        text: { type: 'plain_text', text: options.actionId },
        value: options.value,
        action_ts: '1767225601.000200',
      },
    ],
  };
}

/** A modal's submission as Slack sends it (view_submission): the opened `view` with `values` typed in. */
export function viewSubmissionPayload(options: {
  userId: string;
  view: { id?: string; callback_id: string; private_metadata: string };
  values: Record<string, Record<string, string>>;
}) {
  const values = Object.fromEntries(
    Object.entries(options.values).map(([block, actions]) => [
      block,
      Object.fromEntries(
        Object.entries(actions).map(([action, value]) => [action, { type: 'plain_text_input', value }]),
      ),
    ]),
  );
  return {
    type: 'view_submission',
    team: { id: 'T0SIMUL8', domain: 'simulated' },
    user: { id: options.userId, username: 'someone', name: 'someone', team_id: 'T0SIMUL8' },
    api_app_id: 'A0SIMUL8',
    token: 'deprecated-verification-token',
    trigger_id: `${Date.now()}.${Math.floor(Math.random() * 1e9)}.simulated`,
    view: {
      id: options.view.id ?? 'V00000000',
      type: 'modal',
      callback_id: options.view.callback_id,
      private_metadata: options.view.private_metadata,
      state: { values },
      hash: '1767225602.simulated',
    },
    response_urls: [],
  };
}
