/** Where global setup leaves the shared dev server's address and the workflow bundle for the tests. */
export const TEST_ENV_KEYS = {
  address: 'TFA_TEST_TEMPORAL_ADDRESS',
  bundlePath: 'TFA_TEST_WORKFLOW_BUNDLE',
  temporalCli: 'TFA_TEST_TEMPORAL_CLI',
} as const;

export function testServerAddress(): string {
  const address = process.env[TEST_ENV_KEYS.address];
  if (!address)
    throw new Error('No test Temporal server: run the tests with `npm test`, whose jest global setup starts one.');
  return address;
}

export function workflowBundlePath(): string {
  const bundlePath = process.env[TEST_ENV_KEYS.bundlePath];
  if (!bundlePath) throw new Error('No workflow bundle: run the tests with `npm test` (jest global setup bundles it).');
  return bundlePath;
}

export function temporalCliPath(): string {
  const cli = process.env[TEST_ENV_KEYS.temporalCli];
  if (!cli) throw new Error('No Temporal CLI path: run the tests with `npm test`.');
  return cli;
}
