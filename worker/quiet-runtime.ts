import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TfaConfig } from '../core/config';

/** The worker's log level, from TFA_LOG_LEVEL (default WARN). */
export function installRuntime(level: TfaConfig['TFA_LOG_LEVEL']): void {
  Runtime.install({ logger: new DefaultLogger(level) });
}
