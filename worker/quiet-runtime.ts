import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TfaConfig } from '../core/config';

/** The worker's log level, from TFA_LOG_LEVEL (default WARN), for the SDK and its native core alike. */
export function installRuntime(level: TfaConfig['TFA_LOG_LEVEL']): void {
  Runtime.install({ logger: new DefaultLogger(level), telemetryOptions: { logging: { filter: { core: level, other: level } } } });
}
