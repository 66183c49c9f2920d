// Expected failures (invalid model output, refused tools, killed workers) make the worker and its
// native core log warnings; tests keep errors only.
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
});
