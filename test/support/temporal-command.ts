import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { temporalCliPath, testServerAddress } from './test-server';

const execFileAsync = promisify(execFile);

/** The plain `temporal` binary against the shared test server, as a script or an operator runs it; its stdout. */
export async function temporal(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(temporalCliPath(), [...args, '--address', testServerAddress()], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** Sends alice's `approve` with a payload encoding no converter knows (json/protobuf), as the Temporal CLI lets anyone do. */
export function signalApproveInUnknownEncoding(workflowId: string): Promise<string> {
  const input = ['--input-meta', 'encoding=json/protobuf', '--input', '{"by":"alice"}'];
  return temporal('workflow', 'signal', '--workflow-id', workflowId, '--name', 'approve', ...input);
}
