// The HTTP gateway alone (`npm run gateway`), for a Temporal server and workers that run
// elsewhere: docker-compose.yml's gateway service, a cluster. Configured by the same environment
// as `npm start` (core/config.ts, Temporal's client variables); SIGINT/SIGTERM stop it.
import path from 'node:path';
import { startTracing } from '../activities/telemetry/tracing';
import { connectClient, temporalSettings } from '../client/connect';
import { startGateway } from '../client/gateway/start-gateway';
import { parseConfig } from '../core/config';
import { loadPolicy } from '../worker/policy-file';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const temporal = temporalSettings(process.env);
  const cwd = process.cwd();
  const policy = loadPolicy(path.resolve(cwd, config.TFA_POLICY_FILE), console.log);
  const tracing = await startTracing('tfa-gateway'); // OTEL_EXPORTER_OTLP_ENDPOINT turns it on
  const temporalClient = await connectClient(temporal, { interceptors: tracing?.clientInterceptors() });
  const gateway = await startGateway({ config, client: temporalClient.client, cwd, policy, tracing }).catch(
    async (error: unknown) => {
      await temporalClient.close();
      throw error;
    },
  );
  console.log(
    `[tfa] ${gateway.summary}; Temporal ${temporal.address}, namespace "${temporal.namespace}", task queue "${config.TFA_TASK_QUEUE}"`,
  );
  await new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  await gateway.close();
  await temporalClient.close();
  await tracing?.shutdown();
}

main().catch((error: unknown) => {
  console.error(`tfa gateway failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
