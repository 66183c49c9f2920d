import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { bundleTracesWorkflows, tracingEnabled } from '../../../activities/telemetry/tracing';
import { workflowBundlePath } from '../../support/test-server';

const execFileAsync = promisify(execFile);
const root = path.resolve(__dirname, '../../..');

test('tracing is on with an OTLP endpoint only, and the standard switches turn it off', () => {
  expect(tracingEnabled({})).toBe(false);
  expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBe(false);
  expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' })).toBe(true);
  expect(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger:4318/v1/traces' })).toBe(true);
  expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(
    false,
  );
});

/** Loads worker, activities, gateway and CLI as their processes do, asks for tracing, and lists the OpenTelemetry modules loaded. */
const PROBE = `
require('tsx/cjs');
for (const file of ['./worker/create-worker.ts', './worker/activities-from-config.ts', './activities/index.ts', './client/gateway/app.ts', './client/cli.ts']) require(file);
require('./activities/telemetry/tracing.ts').startTracing('probe').then((tracing) => {
  const loaded = Object.keys(require.cache).filter((file) => file.includes('opentelemetry'));
  console.log(JSON.stringify({ tracing: tracing !== undefined, loaded: loaded.length }));
  return tracing?.shutdown();
});
`;

async function probe(env: Record<string, string | undefined>): Promise<{ tracing: boolean; loaded: number }> {
  const { stdout } = await execFileAsync(process.execPath, ['-e', PROBE], { cwd: root, env });
  return JSON.parse(stdout);
}

test('with tracing off a process loads no OpenTelemetry module; with an endpoint it loads the SDK', async () => {
  const {
    OTEL_EXPORTER_OTLP_ENDPOINT: _endpoint,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: _traces,
    ...withoutTracing
  } = process.env;
  expect(await probe(withoutTracing)).toEqual({ tracing: false, loaded: 0 });
  const on = await probe({ ...withoutTracing, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
  expect(on.tracing).toBe(true);
  expect(on.loaded).toBeGreaterThan(0);
});

test("the workflow bundle built without tracing holds none of Temporal's OpenTelemetry interceptors", async () => {
  expect(bundleTracesWorkflows({ codePath: workflowBundlePath() })).toBe(false);
  expect(await readFile(workflowBundlePath(), 'utf8')).not.toContain('@opentelemetry');
});
