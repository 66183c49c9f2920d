// `npm run bundle [file]`: bundles workflows/ once (webpack, as a worker does at start) into one
// file, default dist/workflow-bundle.js. A worker given TFA_WORKFLOW_BUNDLE loads it instead of
// bundling at every start: the Docker image builds it, the cluster test shares one among its workers.
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { TRACING_WORKFLOW_MODULES, tracingEnabled } from '../activities/telemetry/tracing';
import { PAYLOAD_CONVERTER_PATH, WORKFLOW_PRELOAD_MODULES } from '../worker/create-worker';

export const DEFAULT_BUNDLE_FILE = 'dist/workflow-bundle.js';

/** Writes the bundle (with the payload converter every tfa worker uses) and returns its absolute path. */
export async function bundleWorkflowsTo(file: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    preloadModules: [...WORKFLOW_PRELOAD_MODULES],
    // Only a traced worker has the sink these interceptors export through: bundled when tracing is on.
    workflowInterceptorModules: tracingEnabled() ? [...TRACING_WORKFLOW_MODULES] : [],
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
  });
  const target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, code);
  return target;
}

if (require.main === module) {
  bundleWorkflowsTo(process.argv[2] ?? DEFAULT_BUNDLE_FILE).then(
    (file) => console.log(`[tfa] workflows bundled into ${file} (set TFA_WORKFLOW_BUNDLE=${file} for a worker)`),
    (error: unknown) => {
      console.error(`bundling failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
