// `npm start`: the Temporal dev server (with Web UI), the scripted model when no LLM is
// configured, the worker and the HTTP gateway, in one process tree. Ctrl-C stops everything.
import path from 'node:path';
import { AGENT_WORKFLOW_TYPE, DEFAULT_NAMESPACE } from '../core/constants';
import { parseConfig, type TfaConfig } from '../core/config';
import { connectClient, temporalSettings, type TemporalSettings } from '../client/connect';
import { startRunNotices } from '../client/run-notices';
import { gatewayAddress, startGateway, type RunningGateway } from '../client/gateway/start-gateway';
import { clientPayloadCodecs } from '../codec/from-config';
import { startScriptedModelServer, deploybotDemoResponder } from './scripted-model/server';
import { activitiesFromConfig } from '../worker/activities-from-config';
import { loadPolicy } from '../worker/policy-file';
import { installWorkerRuntime, metricsEndpoint } from '../worker/runtime';
import { startWorker } from '../worker/start-worker';
import { startDevServer } from './dev-server';
import { ensureTemporalCli } from './temporal-cli.cjs';

function gatewayLines(config: TfaConfig, gateway: RunningGateway): string[] {
  const auth = config.TFA_GATEWAY_TOKEN ? ' -H "Authorization: Bearer $TFA_GATEWAY_TOKEN"' : '';
  return [
    gateway.summary,
    `  curl -X POST ${gateway.url}/agents/deploybot/runs${auth} -H 'content-type: application/json' -d '{"message":"deploy main to production"}'`,
  ];
}

function banner(
  config: TfaConfig,
  temporal: TemporalSettings,
  modelLine: string,
  gateway: RunningGateway,
  temporalCli: string,
): string {
  const input = JSON.stringify({ agent: 'deploybot', message: 'deploy main to production' });
  const namespace = temporal.namespace === DEFAULT_NAMESPACE ? '' : ` --namespace ${temporal.namespace}`;
  return [
    '',
    `tfa is running. Temporal Web UI: ${config.TFA_WEB_UI_URL}   (server ${temporal.address}${namespace}, task queue "${config.TFA_TASK_QUEUE}")`,
    modelLine,
    ...gatewayLines(config, gateway),
    '',
    `Commands: \`tfa\` is this checkout's CLI (\`npm link\` once puts it on PATH; here \`npx tfa\` works too), and`,
    `\`temporal\` is at ${path.dirname(temporalCli)} (export PATH="${path.dirname(temporalCli)}:$PATH").`,
    'Launch DeployBot, in another terminal:',
    '  tfa launch deploybot deploy main to production --workflow-id deploy-main',
    `  (or: temporal workflow start${namespace} --task-queue ${config.TFA_TASK_QUEUE} --type ${AGENT_WORKFLOW_TYPE} --workflow-id deploy-main --input '${input}')`,
    'When it asks for approval, this terminal prints the exact lines to answer, each naming the request, e.g.:',
    '  tfa approve deploy-main --request-id <request id> --by you',
    "Watch it: tfa watch deploy-main (each event as it lands), tfa status deploy-main, or the Web UI (the run's User Metadata tab says what it waits for).",
    'This terminal prints a line when a run starts waiting (with the command that answers it) and when one finishes. Ctrl-C stops everything.',
    '',
  ].join('\n');
}

/** With encrypted payloads, the Web UI decodes them through the gateway's codec endpoints (a fixed gateway port is needed). */
function uiCodecEndpoint(config: TfaConfig): string | undefined {
  if (!config.TFA_ENCRYPTION_KEYS) return undefined;
  const { host, port } = gatewayAddress(config);
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return port === 0 ? undefined : `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}/codec`;
}

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const temporal = temporalSettings(process.env);
  installWorkerRuntime(config.TFA_LOG_LEVEL, metricsEndpoint(config));
  const cwd = process.cwd();
  const dataDir = path.resolve(cwd, config.TFA_DATA_DIR);
  const temporalCli = ensureTemporalCli();
  const server = await startDevServer({
    cli: temporalCli,
    address: temporal.address,
    namespace: temporal.namespace,
    dataDir,
    uiPort: new URL(config.TFA_WEB_UI_URL).port ? Number(new URL(config.TFA_WEB_UI_URL).port) : 8233,
    uiCodecEndpoint: uiCodecEndpoint(config),
  });
  const offline = !config.OPENAI_API_KEY && !config.OPENAI_BASE_URL;
  const scripted = offline ? await startScriptedModelServer({ responder: deploybotDemoResponder() }) : null;
  const workerConfig = scripted ? { ...config, OPENAI_BASE_URL: scripted.baseURL, OPENAI_API_KEY: 'scripted' } : config;
  const modelLine = scripted
    ? `Model: SCRIPTED (simulated, not an LLM) at ${scripted.baseURL}: no OPENAI_API_KEY or OPENAI_BASE_URL is set.`
    : `Model: ${config.OPENAI_BASE_URL ?? 'https://api.openai.com/v1'} (${config.TFA_MODEL ?? 'agent default model'})`;
  const policy = loadPolicy(path.resolve(cwd, config.TFA_POLICY_FILE), console.log);
  const worker = await startWorker({
    config,
    temporal,
    serviceName: 'tfa',
    activities: (tracing) => activitiesFromConfig(workerConfig, cwd, console.log, policy, temporal, tracing),
  });
  const { tracing } = worker;
  const temporalClient = await connectClient(temporal, {
    dataConverter: { payloadCodecs: clientPayloadCodecs(config) },
    interceptors: tracing?.clientInterceptors(),
  });
  const gateway = await startGateway({ config, client: temporalClient.client, cwd, policy, tracing });
  console.log(banner(config, temporal, modelLine, gateway, temporalCli));
  const notices = startRunNotices(temporalClient.client, config.TFA_TASK_QUEUE, (line) => console.log(`[tfa] ${line}`));
  try {
    await worker.run(); // returns after SIGINT/SIGTERM, once in-flight tasks are done
  } finally {
    await notices.stop();
    await gateway.close();
    await temporalClient.close();
    await worker.close();
    await scripted?.close();
    await server.stop();
    console.log('tfa stopped; runs and threads are kept in', path.join(dataDir, 'temporal.db'));
  }
}

main().catch((error: unknown) => {
  console.error(`tfa start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
