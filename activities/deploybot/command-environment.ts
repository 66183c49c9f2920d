/** Variables every release command gets: enough to find programs and run in a sane locale. */
export const BASE_COMMAND_VARIABLES = ['PATH', 'HOME', 'LANG'] as const;

/**
 * The environment a release command runs with: PATH, HOME, LANG and the operator's explicit
 * passthrough names (TFA_DEPLOY_ENV_PASSTHROUGH), nothing else. The worker's own secrets (model
 * key, gateway token, webhook secrets) stay out of test suites and their output.
 */
export function commandEnvironment(
  source: Readonly<Record<string, string | undefined>>,
  passthrough: readonly string[] = [],
): Record<string, string> {
  const names = new Set<string>([...BASE_COMMAND_VARIABLES, ...passthrough]);
  const environment: Record<string, string> = {};
  for (const name of names) {
    const value = source[name];
    if (value !== undefined) environment[name] = value;
  }
  return environment;
}
